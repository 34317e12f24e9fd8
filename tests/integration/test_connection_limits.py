"""Connection caps (issue 12, finding 2): idle sockets cannot use up the
server's descriptors. The server caps connections in total and per client
network, closes idle ones first to make room, gives a connection that has not
sent a whole header a short deadline, and keeps answering /healthz and reads
while clients hold many sockets open. Each test speaks from its own loopback
address (127.0.0.x is a network of its own), so the sockets of one test do not
count against the next."""

import os
import resource
import socket
import time
import unittest

from amur_harness import AmurTestCase, read_until_close, status_of


def connect(port, source):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    return s


def closed_within(s, seconds):
    """True when the server closes `s` (FIN or reset) within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        s.settimeout(left)
        try:
            data = s.recv(65536)
        except socket.timeout:
            return False
        except OSError:
            return True
        if not data:
            return True


def still_open(s):
    return not closed_within(s, 0.05)


def get(s, path="/healthz"):
    """One keep-alive GET on `s`; the status, or None when the server closed."""
    try:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    except OSError:
        return None
    raw, _ = read_until_close(s, 5)
    return status_of(raw) if raw else None


def get_from(port, source, path="/healthz"):
    s = connect(port, source)
    try:
        return get(s, path)
    finally:
        s.close()


def close_all(socks):
    for s in socks:
        s.close()


TIMEOUTS = ["--header-timeout", "30", "--keep-alive-timeout", "30"]


class PerNetworkCap(AmurTestCase):

    server_args = ["--max-connections", "100", "--max-connections-per-network", "4", *TIMEOUTS]
    server_kwargs = {"request_timeout": 30}

    def test_extra_connections_from_one_network_are_refused(self):
        port = self.server.port
        held = [connect(port, "127.0.0.3") for _ in range(4)]
        self.addCleanup(close_all, held)
        time.sleep(0.3)
        extra = [connect(port, "127.0.0.3") for _ in range(3)]
        self.addCleanup(close_all, extra)
        for s in extra:
            self.assertTrue(closed_within(s, 3), "a fifth connection from one network was kept")
        self.assertRegex(self.server.get("/metrics").text, r"(?m)^amur_connections_refused [3-9]")
        for s in held:
            self.assertTrue(still_open(s), "a connection within the cap was closed")
        # Other networks, and the usual client, are served as before.
        self.assertEqual(get_from(port, "127.0.0.4"), 200)
        self.assertStatus(self.server.get("/healthz"), 200)
        self.assertEqual(get_from(port, "127.0.0.4", "/api/v1/comments?page=%2Fa"), 200)

    def test_a_network_at_its_cap_makes_room_with_its_own_idle_connection(self):
        port = self.server.port
        kept = connect(port, "127.0.0.5")
        self.addCleanup(kept.close)
        self.assertEqual(get(kept), 200)  # now idle between requests
        silent = [connect(port, "127.0.0.5") for _ in range(3)]
        self.addCleanup(close_all, silent)
        time.sleep(0.3)
        self.assertEqual(get_from(port, "127.0.0.5"), 200)
        self.assertTrue(closed_within(kept, 3), "the idle keep-alive connection was not closed")
        for s in silent:
            self.assertTrue(still_open(s))
        metrics = self.server.get("/metrics").text
        self.assertRegex(metrics, r"(?m)^amur_connections_shed [1-9]")
        self.assertRegex(metrics, r"(?m)^amur_connections_open [1-9]")


class TotalCap(AmurTestCase):

    server_args = ["--max-connections", "12", "--max-connections-per-network", "0", *TIMEOUTS]
    server_kwargs = {"request_timeout": 30}

    def test_idle_keep_alive_connections_go_first_then_the_oldest_silent(self):
        port = self.server.port
        time.sleep(0.5)  # the harness's own connections are gone
        kept = []
        for _ in range(6):
            s = connect(port, "127.0.1.1")
            self.assertEqual(get(s), 200)
            kept.append(s)
        self.addCleanup(close_all, kept)
        silent = []
        for _ in range(6):
            silent.append(connect(port, "127.0.1.2"))
            time.sleep(0.02)  # accepted in this order
        self.addCleanup(close_all, silent)
        time.sleep(0.3)
        # Full: a newcomer is served, and the keep-alive connection idle the
        # longest makes room; nobody else is closed.
        self.assertEqual(get_from(port, "127.0.1.3"), 200)
        self.assertTrue(closed_within(kept[0], 3), "the oldest idle connection was kept")
        for s in kept[1:] + silent:
            self.assertTrue(still_open(s))
        # Without keep-alive connections, the oldest silent one goes.
        close_all(kept)
        time.sleep(0.3)
        more = []
        for _ in range(6):
            more.append(connect(port, "127.0.1.2"))
            time.sleep(0.02)
        self.addCleanup(close_all, more)
        time.sleep(0.3)
        self.assertEqual(get_from(port, "127.0.1.4"), 200)
        self.assertTrue(closed_within(silent[0], 3), "the oldest silent connection was kept")
        for s in silent[1:] + more:
            self.assertTrue(still_open(s))

    def test_busy_connections_are_never_closed_for_a_newcomer(self):
        port = self.server.port
        time.sleep(0.5)
        # Twelve requests whose header is complete and whose body never comes.
        head = (b"POST /api/v1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n")
        busy = []
        for _ in range(12):
            s = connect(port, "127.0.2.1")
            s.sendall(head)
            busy.append(s)
        self.addCleanup(close_all, busy)
        time.sleep(0.5)
        refused = connect(port, "127.0.2.2")
        self.addCleanup(refused.close)
        self.assertTrue(closed_within(refused, 3), "a thirteenth connection was kept")
        for s in busy:
            self.assertTrue(still_open(s), "a busy connection was closed for a newcomer")
        busy[0].close()
        time.sleep(0.3)
        self.assertEqual(get_from(port, "127.0.2.2"), 200)


class Timeouts(AmurTestCase):

    server_args = ["--header-timeout", "1", "--keep-alive-timeout", "4"]
    server_kwargs = {"request_timeout": 30}

    def test_a_silent_connection_is_closed_after_the_header_timeout(self):
        s = connect(self.server.port, "127.0.3.1")
        self.addCleanup(s.close)
        start = time.monotonic()
        self.assertTrue(closed_within(s, 5))
        self.assertLess(time.monotonic() - start, 3)

    def test_a_slow_header_is_closed_after_the_header_timeout(self):
        s = connect(self.server.port, "127.0.3.2")
        self.addCleanup(s.close)
        start = time.monotonic()
        s.sendall(b"GET /healthz HTTP/1.1\r\n")
        closed = False
        while time.monotonic() - start < 5 and not closed:
            try:
                s.sendall(b"X-Slow: 1\r\n")
            except OSError:
                closed = True
                break
            closed = closed_within(s, 0.2)
        self.assertTrue(closed, "a header trickling for 5 s was not cut off")
        self.assertLess(time.monotonic() - start, 3)

    def test_a_slow_header_on_a_kept_alive_connection_has_the_header_timeout(self):
        s = connect(self.server.port, "127.0.3.3")
        self.addCleanup(s.close)
        self.assertEqual(get(s), 200)
        s.sendall(b"GET /healthz HTTP/1.1\r\n")
        start = time.monotonic()
        self.assertTrue(closed_within(s, 5))
        self.assertLess(time.monotonic() - start, 3)

    def test_an_idle_kept_alive_connection_has_the_keep_alive_timeout(self):
        s = connect(self.server.port, "127.0.3.4")
        self.addCleanup(s.close)
        self.assertEqual(get(s), 200)
        self.assertFalse(closed_within(s, 2), "closed by the header timeout while idle")
        self.assertEqual(get(s), 200)
        start = time.monotonic()
        self.assertTrue(closed_within(s, 7))
        self.assertGreater(time.monotonic() - start, 3)


def low_descriptor_limit():
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


class FloodAtTheDescriptorLimit(AmurTestCase):
    """A process allowed 256 descriptors that asks for 5,000 connections;
    400 idle sockets from two networks. Without a cap, accept fails with
    EMFILE and /healthz waits until idle sockets time out."""

    server_args = ["--max-connections", "5000", *TIMEOUTS]
    server_kwargs = {"request_timeout": 30, "preexec_fn": low_descriptor_limit}

    def test_healthz_and_reads_answer_under_an_idle_flood(self):
        port = self.server.port
        idle = []
        self.addCleanup(close_all, idle)
        for i in range(400):
            idle.append(connect(port, "127.0.4.1" if i % 2 else "127.0.4.2"))
        time.sleep(0.5)
        start = time.monotonic()
        self.assertStatus(self.server.get("/healthz", timeout=5), 200)
        self.assertStatus(self.server.get("/api/v1/comments?page=%2Fa", timeout=5), 200)
        self.assertLess(time.monotonic() - start, 5)
        # Held at the cap, the server neither spins nor stops answering.
        cpu_before = sum(self.cpu_times())
        time.sleep(2)
        cpu = sum(self.cpu_times()) - cpu_before
        self.assertLess(cpu, 1.0, f"the server used {cpu:.2f} s of CPU in 2 s while idle")
        self.assertStatus(self.server.get("/healthz", timeout=5), 200)
        log = "\n".join(self.server.stderr_lines)
        self.assertIn("file descriptors: limit 256", log)
        self.assertIn("the descriptor limit 256 leaves room for 192; using 192", log)

    def cpu_times(self):
        with open(f"/proc/{self.server.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = float(os.sysconf("SC_CLK_TCK"))
        return int(fields[11]) / ticks, int(fields[12]) / ticks


if __name__ == "__main__":
    unittest.main()
