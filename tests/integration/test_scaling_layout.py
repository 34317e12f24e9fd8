"""The layout of docs/scaling.md, run on its own config files: nginx
(docs/scaling/nginx.conf, with TLS) in front of two `amur serve` nodes
(docs/scaling/amur-node.toml) on one PostgreSQL primary with a streaming
replica (a hot standby, read from with --database-replica).

What is replaced in the files, and nothing else: the ports (nginx's and the
nodes'), the certificate's paths (a self-signed one made here), the database
URLs (the test cluster's, and a standby of it made here), and the time scale of
the live-update streams (heartbeats every second instead of 20, nginx's
proxy_read_timeout 3 s instead of 1 h), so that a stream idle past nginx's
timeout is seen to stay open within the test.

Checks: posting, reading and voting through nginx; readers told apart by the
address nginx forwards; live updates through nginx (each event at once, kept
open by heartbeats, resumed with Last-Event-ID); with the standby stopped, reads
go on; a node killed with `kill -9` while writers post through nginx loses no
acknowledged comment, stores none twice, the page's hash chain verifies, and
the node restarted gets requests again; killed while idle, no request through
nginx fails (nginx hands what it cannot connect to the dead node to the other
one, POSTs too). docs/scaling.md shows both files as they are.
PostgreSQL only (ctest integration_pg.test_scaling_layout).
"""
import http.client
import json
import os
import random
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

import sys

from amur_harness import AmurServer, Response, on_postgresql, pg_server_url, q, unique_page

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
import pg_cluster  # noqa: E402  (the standby of the layout)
NGINX_SITE = os.path.join(ROOT, "docs", "scaling", "nginx.conf")
NODE_TOML = os.path.join(ROOT, "docs", "scaling", "amur-node.toml")
HOST = "comments.example.com"
HEARTBEAT = 1.0  # --live-heartbeat of the nodes here (20 s in the docs)
READ_TIMEOUT = 3  # nginx's proxy_read_timeout for the stream here (1 h in the docs)
SPREAD = 1.0  # a write on one node reaches the other within this (docs/scaling.md)

WORDS = ("river border treaty ferry willow harbour winter summer bridge island archive "
         "letter signal market orchard ledger lantern compass meadow timber granite "
         "harvest migration festival railway station journal chapter garden cabinet "
         "mountain valley forest village council museum library bakery fisher weaver "
         "potter singer sailor doctor teacher courier painter farmer miller carpenter").split()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def replace_once(text, old, new, where):
    """`text` with `old` replaced by `new`; fails when `old` is not there
    exactly once, so the docs cannot drift from what this test runs."""
    if text.count(old) != 1:
        raise AssertionError(f"{where}: expected {old!r} exactly once")
    return text.replace(old, new)


class Nginx:
    """nginx as a child process (not a daemon) on docs/scaling/nginx.conf."""

    def __init__(self, node_ports):
        self.dir = tempfile.mkdtemp(prefix="amur-nginx-")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.cert = os.path.join(self.dir, "cert.pem")
        key = os.path.join(self.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-nodes", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-keyout", key, "-out", self.cert,
                        "-days", "2", "-subj", f"/CN={HOST}",
                        "-addext", f"subjectAltName=DNS:{HOST},IP:127.0.0.1"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(NGINX_SITE) as f:
            site = f.read()
        site = replace_once(site, "server 127.0.0.1:8081 ", f"server 127.0.0.1:{node_ports[0]} ",
                            NGINX_SITE)
        site = replace_once(site, "server 127.0.0.1:8082 ", f"server 127.0.0.1:{node_ports[1]} ",
                            NGINX_SITE)
        site = replace_once(site, "listen 443 ", f"listen 127.0.0.1:{self.port} ", NGINX_SITE)
        site = replace_once(site, "/etc/ssl/certs/comments.example.com.pem", self.cert, NGINX_SITE)
        site = replace_once(site, "/etc/ssl/private/comments.example.com.key", key, NGINX_SITE)
        site = replace_once(site, "proxy_read_timeout 1h;", f"proxy_read_timeout {READ_TIMEOUT}s;",
                            NGINX_SITE)
        self.site = os.path.join(self.dir, "amur.conf")
        with open(self.site, "w") as f:
            f.write(site)
        d = self.dir
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(f"""daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log {d}/access.log;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  include {self.site};
}}
""")
        self.proc = None

    def start(self):
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        os.makedirs(os.path.join(self.dir, "logs"), exist_ok=True)  # nginx opens logs/error.log first
        with open(os.path.join(self.dir, "stderr.log"), "wb") as stderr:
            self.proc = subprocess.Popen([nginx, "-p", self.dir, "-c", os.path.join(self.dir, "nginx.conf")],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=stderr)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.proc.returncode}\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not listen within 15 s\n" + self.log())

    def log(self):
        out = ""
        for name in ("stderr.log", "error.log"):
            try:
                with open(os.path.join(self.dir, name)) as f:
                    out += f"--- nginx {name} ---\n" + f.read()[-3000:]
            except OSError:
                pass
        return out

    def close(self):
        try:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.terminate()  # fast shutdown of the master and its workers
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(10)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def tls(self):
        return ssl.create_default_context(cafile=self.cert)

    def request(self, method, path, json_body=None, headers=None, source="127.0.0.1",
                timeout=15.0):
        """One HTTPS request through nginx on a fresh connection from the
        loopback address `source` (the reader's address nginx forwards)."""
        hdrs = {"Host": HOST}
        hdrs.update(headers or {})
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            hdrs["Content-Type"] = "application/json"
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                           context=self.tls(), source_address=(source, 0))
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            return Response(resp.status, resp.headers, resp.read())
        finally:
            conn.close()


class Stream:
    """An event stream read through nginx over TLS: the response header, then
    blocks (nginx answers HTTP/1.1 chunked; this undoes the chunking)."""

    def __init__(self, nginx, page, headers=None, timeout=10.0):
        raw = socket.create_connection(("127.0.0.1", nginx.port), timeout=timeout)
        self.sock = nginx.tls().wrap_socket(raw, server_hostname=HOST)
        lines = [f"GET /api/v1/events?{q(page=page)} HTTP/1.1", f"Host: {HOST}",
                 "Accept: text/event-stream"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.raw = b""
        while b"\r\n\r\n" not in self.raw:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed before the header: {self.raw!r}")
            self.raw += chunk
        head, self.raw = self.raw.split(b"\r\n\r\n", 1)
        head_lines = head.decode().split("\r\n")
        self.status = int(head_lines[0].split()[1])
        self.headers = {}
        for line in head_lines[1:]:
            k, v = line.split(":", 1)
            self.headers[k.strip().lower()] = v.strip()
        self.chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"
        self.buf = b""  # the stream's bytes, unchunked
        self.eof = False

    def close(self):
        self.sock.close()

    def _unchunk(self):
        if not self.chunked:
            self.buf += self.raw
            self.raw = b""
            return
        while True:
            line_end = self.raw.find(b"\r\n")
            if line_end < 0:
                return
            size = int(self.raw[:line_end].split(b";")[0], 16)
            if size == 0:
                self.eof = True
                return
            if len(self.raw) < line_end + 2 + size + 2:
                return
            start = line_end + 2
            self.buf += self.raw[start:start + size]
            self.raw = self.raw[start + size + 2:]

    def block(self, timeout=5.0):
        """The next block (dict of id, event, data, retry, comments), None on
        timeout, or raises EOFError when the stream ended."""
        deadline = time.monotonic() + timeout
        self._unchunk()
        while b"\n\n" not in self.buf:
            if self.eof:
                raise EOFError
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except (socket.timeout, ssl.SSLWantReadError):
                return None
            except (ConnectionResetError, ssl.SSLError):
                chunk = b""
            if not chunk:
                self.eof = True
            self.raw += chunk
            self._unchunk()
        block, self.buf = self.buf.split(b"\n\n", 1)
        out = {"comments": [], "data": None}
        data = []
        for line in block.decode().split("\n"):
            if line.startswith(":"):
                out["comments"].append(line[1:])
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                data.append(value)
            else:
                out[field] = value
        if data:
            out["data"] = json.loads("\n".join(data))
        return out

    def event(self, timeout=5.0):
        """The next block that carries data (an event), or None on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            b = self.block(max(0.0, deadline - time.monotonic()))
            if b is None or b["data"] is not None:
                return b
            if time.monotonic() >= deadline:
                return None


def node_args(database_url, replica_url, listen="127.0.0.1:0"):
    return ["--config", NODE_TOML, "--listen", listen, "--database", database_url,
            "--database-replica", replica_url, "--live-heartbeat", str(HEARTBEAT)]


@unittest.skipUnless(on_postgresql(), "the layout runs on PostgreSQL (AMUR_TEST_DATABASE)")
class ScalingLayout(unittest.TestCase):
    """nginx on docs/scaling/nginx.conf; self.a and self.b are the nodes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Only the flags above: everything else comes from the node's file
        # (posting limits included), as in the docs.
        cls.a = AmurServer(defaults=False)
        cls.addClassCleanup(cls.a.close)
        # The streaming replica: a standby of the test cluster of its own
        # (this test stops it), once it has the database just made.
        cls.standby = pg_cluster.Standby(pg_server_url())
        cls.addClassCleanup(cls.standby.close)
        cls.standby.start()
        cls.standby.wait_for_replay()
        cls.replica_url = f"{cls.standby.url}/{cls.a.pg_database}"
        cls.a.args = node_args(cls.a.database_url, cls.replica_url)
        cls.b = AmurServer(defaults=False, same_database_as=cls.a)
        cls.addClassCleanup(cls.b.close)
        cls.b.args = node_args(cls.a.database_url, cls.replica_url)
        cls.a.start()
        cls.b.start()
        cls.nginx = Nginx([cls.a.port, cls.b.port])
        cls.addClassCleanup(cls.nginx.close)
        cls.nginx.start()
        cls.reader_counter = 0
        cls.reader_lock = threading.Lock()

    def reader(self):
        """A fresh reader's address (a loopback address of its own, which
        nginx forwards): each comment comes from another network, so the
        posting limit (6 a minute per client by default) and the
        repeated-author check see different people."""
        with self.reader_lock:
            type(self).reader_counter += 1
            n = self.reader_counter
        return f"127.1.{n // 250}.{n % 250 + 1}"

    def post(self, page, body, **fields):
        payload = {"page": page, "body": body}
        payload.update(fields)
        return self.nginx.request("POST", "/api/v1/comments", payload, source=self.reader())

    def post_ok(self, page, body):
        r = self.post(page, body)
        self.assertEqual(r.status, 201, r)
        return r.json["comment"]

    def listed_ids(self, page, headers=None):
        r = self.nginx.request("GET", "/api/v1/comments?" + q(page=page, limit=200),
                               headers=headers)
        self.assertEqual(r.status, 200, r)
        return [c["id"] for c in r.json["comments"]]

    def all_comments(self, node, page):
        """{id: body_html} of every top-level comment of `page`, page by page."""
        out, cursor = {}, None
        while True:
            params = {"page": page, "limit": 200, "sort": "oldest"}
            if cursor:
                params["cursor"] = cursor
            r = node.get("/api/v1/comments?" + q(**params))
            self.assertEqual(r.status, 200, r)
            out.update((c["id"], c["body_html"]) for c in r.json["comments"])
            cursor = r.json.get("next_cursor")
            if not cursor:
                return out

    def metric(self, node, *names):
        """The sum of the named metrics of one node (its /metrics, asked
        directly on loopback)."""
        r = node.get("/metrics")
        self.assertEqual(r.status, 200, r)
        total = 0.0
        for line in r.text.splitlines():
            if line.startswith(names):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def requests_served(self, node):
        """Thread reads and posts one node has served."""
        return self.metric(node, "amur_thread_cache_total", "amur_comments_posted_total")

    def replica_reads(self):
        """Reads both nodes' replica served, and failed (served elsewhere)."""
        served = sum(self.metric(n, "amur_replica_reads_served") for n in (self.a, self.b))
        failed = sum(self.metric(n, "amur_replica_reads_failed") for n in (self.a, self.b))
        return served, failed

    def read_fresh_threads(self, count):
        """Posts to `count` new pages and reads each back through nginx (a
        read each node has not cached), as the widget does: with the
        X-Amur-Seen the post answered, so that a node that has not heard of
        the write yet does not take a standby's older snapshot."""
        for i in range(count):
            page = unique_page("/layout-replica")
            words = " ".join(random.choice(WORDS) for _ in range(12))
            r = self.post(page, f"Read {page[-6:]}: {words}.")
            self.assertEqual(r.status, 201, r)
            seen = {"X-Amur-Seen": r.header("X-Amur-Seen")}
            for _ in range(2):  # round robin: both nodes read it once
                self.assertEqual(self.listed_ids(page, headers=seen), [r.json["comment"]["id"]])

    def test_y_reads_go_on_while_the_standby_is_stopped(self):
        # The nodes read cacheable threads from the standby once it has
        # caught up with what they published (some reads still go to the
        # primary: a read right after a write may find the standby behind).
        before = self.replica_reads()
        deadline = time.monotonic() + 10
        while self.replica_reads()[0] == before[0]:
            self.assertLess(time.monotonic(), deadline, "the standby served no read")
            self.read_fresh_threads(2)
            time.sleep(0.3)
        # Stopped (like a crash): every read goes on, on the primary.
        self.standby.stop()
        try:
            failed = self.replica_reads()[1]
            self.read_fresh_threads(4)
            r = self.nginx.request("GET", "/api/v1/counts?" + q(page=["/layout-none"]))
            self.assertEqual(r.status, 200, r)
            self.assertGreater(self.replica_reads()[1], failed,
                               "no read tried the stopped standby: the test tested nothing")
        finally:
            self.standby.start()

    def test_the_docs_show_the_files_tested_here(self):
        with open(os.path.join(ROOT, "docs", "scaling.md")) as f:
            page = f.read()
        for fence, path in (("toml", NODE_TOML), ("nginx", NGINX_SITE)):
            with open(path) as f:
                text = f.read()
            shown = re.findall(rf"^```{fence}\n(.*?)^```$", page, re.S | re.M)
            self.assertEqual(shown, [text], f"docs/scaling.md does not show {path} as it is")

    def test_posting_reading_and_voting_go_through_nginx_to_both_nodes(self):
        page = unique_page("/layout")
        before = (self.requests_served(self.a), self.requests_served(self.b))
        first = self.post_ok(page, "The ferry runs again after the ice has gone.")
        second = self.post_ok(page, "The bridge was opened in 2016, so the ferry is for tourists.")
        for _ in range(6):
            self.assertEqual(self.listed_ids(page), [first["id"], second["id"]])
        r = self.nginx.request("POST", f"/api/v1/comments/{first['id']}/votes", {"value": 1},
                               headers={"X-Amur-Voter": "layout-voter-0001"})
        self.assertEqual(r.status, 200, r)
        r = self.nginx.request("GET", "/api/v1/comments?" + q(page=page))
        self.assertEqual(r.json["comments"][0]["upvotes"], 1, r)
        self.assertTrue(r.header("ETag"), r)
        # nginx spread the requests over both nodes (round robin).
        after = (self.requests_served(self.a), self.requests_served(self.b))
        self.assertGreater(after[0] - before[0], 2, "node A served none of them")
        self.assertGreater(after[1] - before[1], 2, "node B served none of them")
        # Each node serves the thread the other wrote, fresh.
        for node in (self.a, self.b):
            r = node.list_comments(page)
            self.assertEqual(r.status, 200, r)
            self.assertEqual([c["id"] for c in r.json["comments"]], [first["id"], second["id"]])
            self.assertEqual(r.json["comments"][0]["upvotes"], 1)

    def test_readers_are_told_apart_by_the_address_nginx_forwards(self):
        page = unique_page("/layout-networks")
        c = self.post_ok(page, "Vote on this from the office and from home.")
        path = f"/api/v1/comments/{c['id']}/votes"

        def vote(source, voter, forged):
            return self.nginx.request("POST", path, {"value": 1}, source=source,
                                      headers={"X-Amur-Voter": voter, "X-Forwarded-For": forged})

        # --votes-per-network is 5 by default: five voters of one network
        # count, whatever address each claims (nginx appends the address it
        # saw, and only nginx is a trusted proxy).
        for i in range(5):
            r = vote("127.0.0.2", f"office-{i:04d}", f"203.0.113.{i + 1}")
            self.assertEqual(r.status, 200, r)
        r = vote("127.0.0.2", "office-0005", "203.0.113.99")
        self.assertEqual(r.status, 403, f"a forged X-Forwarded-For counted: {r!r}")
        # Another reader's network is another network, whichever node answers.
        for i in range(2):
            r = vote("127.0.0.3", f"home-{i:04d}", "203.0.113.1")
            self.assertEqual(r.status, 200, r)
        # /metrics is for the node's own machine: a forwarded request is not.
        self.assertEqual(self.nginx.request("GET", "/metrics").status, 403)

    def test_live_updates_stream_through_nginx_at_once_and_stay_open(self):
        page = unique_page("/layout-live")
        self.post_ok(page, "The thread exists before anyone listens.")
        time.sleep(SPREAD)  # both nodes have read it from the log
        stream = Stream(self.nginx, page)
        self.addCleanup(stream.close)
        self.assertEqual(stream.status, 200)
        self.assertTrue(stream.headers["content-type"].startswith("text/event-stream"))
        self.assertEqual(stream.block()["retry"], "3000")
        self.assertIn("id", stream.block())
        # A comment posted through nginx (on either node) arrives at once.
        start = time.monotonic()
        c = self.post_ok(page, "Live through nginx: the first ice floe passed the harbour.")
        e = stream.event(timeout=SPREAD + 1)
        self.assertIsNotNone(e, "the comment did not come through nginx")
        self.assertEqual((e["event"], e["data"]["comment"]["id"]), ("comment.created", c["id"]))
        self.assertLess(time.monotonic() - start, SPREAD + 1)
        first_id = e["id"]
        # Idle past nginx's proxy_read_timeout: heartbeats come through one by
        # one (not buffered) and keep the stream open.
        heartbeats = 0
        idle_until = time.monotonic() + READ_TIMEOUT + 2 * HEARTBEAT
        while time.monotonic() < idle_until:
            try:
                b = stream.block(timeout=2 * HEARTBEAT)
            except EOFError:
                self.fail(f"nginx closed the stream after {heartbeats} heartbeats")
            self.assertIsNotNone(b, "no heartbeat came through nginx within two periods")
            self.assertIsNone(b["data"], b)
            heartbeats += 1
        self.assertGreaterEqual(heartbeats, READ_TIMEOUT)
        # A vote on it, still live on the same stream.
        r = self.nginx.request("POST", f"/api/v1/comments/{c['id']}/votes", {"value": 1},
                               headers={"X-Amur-Voter": "layout-live-voter"})
        self.assertEqual(r.status, 200, r)
        vote = stream.event(timeout=SPREAD + 1)
        self.assertIsNotNone(vote, "the vote did not come through nginx")
        self.assertEqual((vote["event"], vote["data"]["comment"]["upvotes"]), ("comment.voted", 1))
        # A reader who reconnects (through nginx, to either node) with the
        # last id they saw misses nothing.
        again = Stream(self.nginx, page, headers={"Last-Event-ID": first_id})
        self.addCleanup(again.close)
        self.assertEqual(again.status, 200)
        e = again.event(timeout=SPREAD + 1)
        self.assertIsNotNone(e, "the resumed stream did not send the missed vote")
        self.assertEqual((e["event"], e["id"]), ("comment.voted", vote["id"]))

    def test_z_a_node_killed_during_writes_loses_nothing_it_acknowledged(self):
        page = unique_page("/layout-kill")
        rng = random.Random(10)
        acknowledged = {}  # id -> body
        refused = []  # (status, body) of answers that acknowledged nothing
        sent = []
        stop = threading.Event()
        lock = threading.Lock()

        def writer(n):
            i = 0
            while not stop.is_set():
                i += 1
                with lock:
                    words = " ".join(rng.choice(WORDS) for _ in range(14))
                body = f"Writer {n}, comment {i}: {words}."
                sent.append(body)
                try:
                    r = self.post(page, body)
                except OSError as e:
                    refused.append((str(e), body))
                    continue
                if r.status in (201, 202):
                    acknowledged[r.json["comment"]["id"]] = (r.status, body)
                else:
                    refused.append((r.status, body))

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        try:
            time.sleep(2.0)
            before_kill = len(acknowledged)
            self.a.kill()  # SIGKILL
            time.sleep(3.0)
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        after_kill = len(acknowledged) - before_kill
        self.assertGreater(before_kill, 5, "the writers were not writing before the kill")
        self.assertGreater(after_kill, 5, f"nginx did not move the writes to node B: {refused[:5]}")
        # Only a request in flight to the dead node may fail (502 from nginx).
        self.assertTrue(all(s == 502 for s, _ in refused), refused[:5])
        self.assertLessEqual(len(refused), 10, refused)
        # Every acknowledged comment is there; nothing is there twice.
        listed = self.all_comments(self.b, page)
        published = {i for i, (status, _) in acknowledged.items() if status == 201}
        self.assertEqual(published - set(listed), set(), "acknowledged comments are missing")
        names = [re.search(r"Writer \d+, comment \d+", html).group(0) for html in listed.values()]
        self.assertEqual(len(names), len(set(names)), "a comment was stored twice")
        self.assertLessEqual(set(names), {b.split(":")[0] for b in sent})
        head = self.b.get("/api/v1/pages/head?" + q(page=page)).json
        self.assertGreaterEqual(head["length"], len(acknowledged))
        self.assertLessEqual(head["length"], len(acknowledged) + len(refused))
        v = self.nginx.request("GET", "/api/v1/pages/verify?" + q(page=page))
        self.assertEqual(v.status, 200, v)
        self.assertEqual(v.json["status"], "verified", v)
        self.assertEqual(v.json["head"], head["head"])
        # The node comes back on its port; nginx sends it requests again once
        # its fail_timeout (5 s) has passed, and it serves what B stored.
        port = self.a.port
        self.a.args = node_args(self.a.database_url, self.replica_url, f"127.0.0.1:{port}")
        self.a.start()
        self.assertEqual(self.a.port, port)
        served = self.requests_served(self.a)
        deadline = time.monotonic() + 15
        while self.requests_served(self.a) == served:
            self.assertLess(time.monotonic(), deadline, "nginx sent nothing to the node restarted")
            r = self.nginx.request("GET", "/api/v1/comments?" + q(page=page, limit=1))
            self.assertEqual(r.status, 200, r)
            time.sleep(0.2)
        self.assertEqual(set(self.all_comments(self.a, page)), set(listed))
        # Killed again while no request is on its way to it: nginx hands each
        # request it cannot connect to A to B (a POST too: it never reached
        # A), so no reader sees an error.
        self.a.kill()
        time.sleep(0.2)  # nginx has seen its kept-alive connections to A close
        for i in range(3):
            r = self.post(page, f"After the second kill, comment {i}: the ferry is late.")
            self.assertEqual(r.status, 201, r)
            r = self.nginx.request("GET", "/api/v1/comments?" + q(page=page, limit=1))
            self.assertEqual(r.status, 200, r)


if __name__ == "__main__":
    unittest.main()
