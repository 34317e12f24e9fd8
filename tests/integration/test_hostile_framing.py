"""Hostile HTTP framing (issue 12, findings 0 and 1): no request can kill the
server or make it hold unbounded memory. Each malformed framing ends that
connection only (an error answer or a close); the server keeps answering
everybody else, and its memory stays bounded while attackers stream bytes
that never end a line."""

import socket
import threading
import time
import unittest

from amur_harness import AmurTestCase, raw_exchange, status_of

API = "/api/v1/comments"
MIB = 1024 * 1024


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def stream(port, head, filler, total, chunk=64 * 1024):
    """Sends `head`, then `filler` bytes up to `total`; stops early when the
    server closes. Returns the bytes the server answered, if any."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    answered = b""
    try:
        s.sendall(head)
        block = filler * (chunk // len(filler))
        sent = 0
        while sent < total:
            try:
                s.sendall(block)
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                break
            sent += len(block)
        s.settimeout(5)
        try:
            while True:
                data = s.recv(65536)
                if not data:
                    break
                answered += data
        except (ConnectionResetError, socket.timeout, OSError):
            pass
    finally:
        s.close()
    return answered


class HostileFraming(AmurTestCase):

    server_kwargs = {"request_timeout": 10}

    def assert_still_serving(self):
        r = self.server.get("/healthz")
        self.assertStatus(r, 200)
        self.assertIsNone(self.server.proc.poll(), "the server process is gone")

    def test_huge_trailer_field_ends_only_that_connection(self):
        # Beast used to throw std::length_error ("field value too large")
        # from a trailer field over 64 KiB, which nothing caught.
        for size in (70 * 1024, 20 * MIB):
            with self.subTest(size=size):
                head = (f"POST {API} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Type: application/json\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n"
                        "2\r\n{}\r\n0\r\nX-Trailer: ").encode()
                answered = stream(self.server.port, head, b"a", size)
                if answered:
                    self.assertIn(status_of(answered), (400, 413, 431), answered[:200])
                self.assert_still_serving()

    def test_chunk_size_line_without_end_is_cut_off(self):
        head = (f"POST {API} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1").encode()
        before = rss_bytes(self.server.proc.pid)
        threads = [threading.Thread(target=stream,
                                    args=(self.server.port, head, b"0", 64 * MIB))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        grown = rss_bytes(self.server.proc.pid) - before
        # Four connections streaming 64 MiB each must not cost the server
        # anything like that: each is cut off at its bounded buffer.
        self.assertLess(grown, 48 * MIB, f"RSS grew by {grown / MIB:.1f} MiB")
        self.assert_still_serving()

    def test_chunk_extension_flood_is_cut_off(self):
        head = (f"POST {API} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                "2;ext=").encode()
        answered = stream(self.server.port, head, b"e", 8 * MIB)
        if answered:
            self.assertIn(status_of(answered), (400, 413, 431), answered[:200])
        self.assert_still_serving()

    def test_many_trailer_fields_are_bounded(self):
        fields = b"".join(b"X-T%d: %s\r\n" % (i, b"v" * 1000) for i in range(2000))
        payload = (f"POST {API} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "2\r\n{}\r\n0\r\n").encode() + fields + b"\r\n"
        raw, outcome = raw_exchange(self.server.port, payload)
        if raw:
            self.assertIn(status_of(raw), (400, 413, 431), raw[:200])
        else:
            self.assertIn(outcome, ("closed", "reset"))
        self.assert_still_serving()

    def test_each_malformed_framing_leaves_the_server_answering(self):
        cases = [
            b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X: " + b"v" * (70 * 1024) + b"\r\n\r\n",
            b"POST /api/v1/comments HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
            b"POST /api/v1/comments HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
            b"POST /api/v1/comments HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"POST /api/v1/comments HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"ffffffffffffffffff\r\n",
            b"POST /api/v1/comments HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Length: 3\r\n\r\n0\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\n folded: line\r\n\r\n",
            b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)),
            b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
            b"POST /api/v1/comments HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"2\r\n{}\r\n0\r\n" + b"X: y\r\n" * 5000 + b"\r\n",
        ]
        for payload in cases:
            with self.subTest(payload=payload[:60]):
                raw, outcome = raw_exchange(self.server.port, payload, read_timeout=4)
                if raw:
                    self.assertIsNotNone(status_of(raw), raw[:200])
                self.assert_still_serving()


if __name__ == "__main__":
    unittest.main()
