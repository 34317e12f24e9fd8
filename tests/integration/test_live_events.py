"""Live updates, black-box (docs/api.md "Live updates"): GET /api/v1/events
streams a page's public comment events as server-sent events with the event
log's seq as id; held and staff events never appear; an approval on a
pre-moderated page arrives as comment.created; Last-Event-ID (or ?after=)
replays exactly what was missed; heartbeats arrive; streams end cleanly on
disconnect and on shutdown."""

import json
import re
import signal
import socket
import sqlite3
import subprocess
import time
import unittest

from amur_harness import (AmurServer, AmurTestCase, on_postgresql, parse_cookies, q,
                          unique_page)
from test_moderation import MOD_EMAIL, MOD_PASSWORD, add_user

EVENTS = "/api/v1/events"


class Sse:
    """A raw-socket event-stream reader: the response header, then blocks."""

    def __init__(self, port, page=None, headers=None, path=None, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        path = path or EVENTS + "?" + q(page=page)
        lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Accept: text/event-stream"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed before the header: {self.buf!r}")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        head_lines = head.decode().split("\r\n")
        self.status = int(head_lines[0].split()[1])
        self.headers = {}
        for line in head_lines[1:]:
            k, v = line.split(":", 1)
            self.headers[k.strip().lower()] = v.strip()
        self.eof = False

    def block(self, timeout=5.0):
        """The next block (dict of id, event, data, retry, comments), None on
        timeout, or raises EOFError when the server closed the stream."""
        deadline = time.monotonic() + timeout
        while b"\n\n" not in self.buf:
            if self.eof:
                raise EOFError
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.eof = True
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\n\n", 1)
        out = {"comments": [], "data": None}
        data = []
        for line in raw.decode().split("\n"):
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

    def events(self, n, timeout=5.0):
        out = []
        for _ in range(n):
            e = self.event(timeout)
            if e is None:
                break
            out.append(e)
        return out

    def prelude(self):
        """Reads the retry hint and the cursor block; returns the cursor."""
        b = self.block()
        assert b is not None and "retry" in b, b
        b = self.block()
        assert b is not None and "id" in b and b["data"] is None, b
        return int(b["id"])

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class LiveCase(AmurTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = add_user(cls.server.database_url, MOD_EMAIL, "Mia Mod", "moderator", MOD_PASSWORD)
        assert r.returncode == 0, r.stderr

    def login(self):
        r = self.server.post("/api/v1/auth/login", {"email": MOD_EMAIL, "password": MOD_PASSWORD})
        self.assertStatus(r, 200)
        return {"Cookie": "amur_session=" + parse_cookies(r)["amur_session"],
                "X-CSRF-Token": r.json["csrf_token"]}

    def open(self, page, **kw):
        s = Sse(self.server.port, page, **kw)
        self.addCleanup(s.close)
        return s

    def log_of(self, page, after, mod):
        """The public events of `page` after `after`, from the admin log."""
        out = []
        while True:
            r = self.server.get("/api/v1/admin/events?" + q(after=after, limit=200), headers=mod)
            self.assertStatus(r, 200)
            if not r.json["events"]:
                return out
            out += [e for e in r.json["events"]
                    if e["page"] == page and e["visibility"] == "public"]
            after = r.json["next_after"]

    def metric(self, name):
        text = self.server.get("/metrics").text
        m = re.search(rf"(?m)^{name} (\S+)$", text)
        self.assertIsNotNone(m, name)
        return float(m.group(1))


class LiveStream(LiveCase):
    server_args = ("--live-heartbeat", "0.3", "--allow-origin", "https://news.example.org")

    def test_comment_events_arrive_with_the_log_seq_as_id(self):
        mod = self.login()
        page = unique_page("/live")
        first, _ = self.post_ok(page, "first")
        s = self.open(page)
        self.assertEqual(s.status, 200)
        self.assertTrue(s.headers["content-type"].startswith("text/event-stream"), s.headers)
        self.assertEqual(s.headers.get("x-accel-buffering"), "no")
        self.assertEqual(s.headers.get("cache-control"), "no-store")
        self.assertNotIn("content-length", s.headers)
        start = s.prelude()

        c, token = self.post_ok(page, "second *words*", author_name="Ann",
                                email="ann@example.com")
        self.assertStatus(self.server.edit(c["id"], "second, edited", token=token), 200)
        self.assertStatus(self.server.vote(first["id"], 1), 200)
        self.assertStatus(self.server.remove(c["id"], token=token), 204)
        got = s.events(4)
        self.assertEqual([e["event"] for e in got],
                         ["comment.created", "comment.edited", "comment.voted", "comment.deleted"])
        log = self.log_of(page, start, mod)
        self.assertEqual([int(e["id"]) for e in got], [e["seq"] for e in log])
        self.assertEqual([e["data"] for e in got], [e["data"] for e in log])
        listed = self.listing(page)["comments"]
        self.assertEqual(got[0]["data"]["comment"]["id"], c["id"])
        self.assertEqual(got[0]["data"]["comment"]["body_html"], c["body_html"])
        self.assertEqual(got[2]["data"]["comment"]["upvotes"], 1)
        self.assertEqual(got[2]["data"]["comment"], [x for x in listed if x["id"] == first["id"]][0])
        self.assertEqual(got[3]["data"]["comment"]["state"], "deleted")
        text = json.dumps([e["data"] for e in got])
        self.assertNotIn("ann@example.com", text)
        self.assertNotIn("127.0.0.1", text)

    def test_another_page_does_not_leak(self):
        page, other = unique_page("/live-a"), unique_page("/live-b")
        self.post_ok(page, "a")
        self.post_ok(other, "b")
        s = self.open(page)
        s.prelude()
        self.post_ok(other, "not for you")
        mine, _ = self.post_ok(page, "for you")
        e = s.event()
        self.assertEqual(e["data"]["comment"]["id"], mine["id"])
        self.assertIsNone(s.event(timeout=0.8))

    def test_heartbeat_arrives_on_an_idle_stream(self):
        page = unique_page("/live-hb")
        self.post_ok(page, "a")
        s = self.open(page)
        s.prelude()
        b = s.block(timeout=3)
        self.assertIsNotNone(b, "no heartbeat within 3 s (flag 0.3 s)")
        self.assertEqual(b["comments"], [""])
        self.assertIsNone(b["data"])
        # The request deadline (2 s in tests) does not cut a stream.
        time.sleep(2.5)
        c, _ = self.post_ok(page, "still there")
        e = s.event()
        self.assertEqual(e["data"]["comment"]["id"], c["id"])

    def test_resume_replays_exactly_what_was_missed(self):
        page, other = unique_page("/live-resume"), unique_page("/live-resume-b")
        self.post_ok(page, "a")
        self.post_ok(other, "b")
        s = self.open(page)
        s.prelude()
        c1, t1 = self.post_ok(page, "one")
        seen = s.event()
        self.assertEqual(seen["data"]["comment"]["id"], c1["id"])
        s.close()
        c2, _ = self.post_ok(page, "two")
        self.post_ok(other, "elsewhere")
        self.assertStatus(self.server.edit(c1["id"], "one, edited", token=t1), 200)
        missed = [("comment.created", c2["id"]), ("comment.edited", c1["id"])]
        for how in ("header", "query"):
            with self.subTest(how=how):
                if how == "header":
                    r = self.open(page, headers={"Last-Event-ID": seen["id"]})
                else:
                    r = self.open(None, path=EVENTS + "?" + q(page=page, after=seen["id"]))
                self.assertEqual(r.status, 200)
                self.assertIn("retry", r.block())
                got = r.events(len(missed))
                self.assertEqual([(e["event"], e["data"]["comment"]["id"]) for e in got], missed)
                ids = [int(seen["id"])] + [int(e["id"]) for e in got]
                self.assertEqual(ids, sorted(set(ids)))
                cursor = r.block()
                self.assertGreaterEqual(int(cursor["id"]), ids[-1])
                self.assertIsNone(cursor["data"], "the replay sent more than was missed")
                # Then live, without a repeat.
                c3, _ = self.post_ok(page, "three " + how)
                e = r.event()
                self.assertEqual(e["data"]["comment"]["id"], c3["id"])
                self.assertGreater(int(e["id"]), ids[-1])
                self.assertIsNone(r.event(timeout=0.5))
                r.close()
                missed.append(("comment.created", c3["id"]))

    def test_a_cursor_older_than_the_log_gets_reset(self):
        page = unique_page("/live-reset")
        self.post_ok(page, "a")
        s = self.open(page)
        old = s.prelude()
        s.close()
        self.post_ok(page, "b")
        self.post_ok(page, "c")
        if on_postgresql():
            subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                            self.server.database_url, "-c",
                            f"DELETE FROM events WHERE seq <= {int(old) + 1}"],
                           check=True, capture_output=True, timeout=60)
        else:
            db = sqlite3.connect(self.server.db_path, timeout=10)
            with db:
                db.execute("DELETE FROM events WHERE seq <= ?", (old + 1,))
            db.close()
        r = self.open(page, headers={"Last-Event-ID": str(old)})
        r.block()
        e = r.event()
        self.assertEqual(e["event"], "reset")
        c, _ = self.post_ok(page, "after the reset")
        self.assertEqual(r.event()["data"]["comment"]["id"], c["id"])

    def test_errors(self):
        page = unique_page("/live-err")
        self.assertError(self.server.get(EVENTS + "?" + q(page=page)), 404, "not_found")
        self.assertError(self.server.get(EVENTS), 400, "missing_field", "page")
        self.post_ok(page, "a")
        self.assertError(self.server.get(EVENTS + "?" + q(page=page, after="x")), 400,
                         "invalid_field", "after")
        self.assertError(self.server.get(EVENTS + "?" + q(page=page),
                                         headers={"Last-Event-ID": "-3"}),
                         400, "invalid_field", "Last-Event-ID")

    def test_cors_like_the_other_public_gets(self):
        page = unique_page("/live-cors")
        self.post_ok(page, "a")
        s = self.open(page, headers={"Origin": "https://news.example.org"})
        self.assertEqual(s.headers.get("access-control-allow-origin"), "https://news.example.org")
        s2 = self.open(page, headers={"Origin": "https://evil.example"})
        self.assertNotIn("access-control-allow-origin", s2.headers)

    def test_disconnects_free_their_streams_and_connections(self):
        page = unique_page("/live-leak")
        self.post_ok(page, "a")
        time.sleep(0.3)
        base_streams = self.metric("amur_live_streams")
        base_conns = self.metric("amur_connections_open")  # this request's, and any lingering
        streams = [self.open(page) for _ in range(20)]
        for s in streams:
            s.prelude()
        self.assertEqual(self.metric("amur_live_streams"), base_streams + 20)
        self.assertGreaterEqual(self.metric("amur_connections_open"), 20)
        for s in streams:
            s.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and self.metric("amur_live_streams") > base_streams:
            time.sleep(0.1)
        self.assertEqual(self.metric("amur_live_streams"), base_streams)
        # The 20 connections are closed too. (One of this test's own short
        # requests is now and then still counted for a moment longer; a
        # leak of the streams' connections would leave 20.)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and self.metric("amur_connections_open") > base_conns:
            time.sleep(0.1)
        self.assertLessEqual(self.metric("amur_connections_open"), base_conns + 1)


class LiveModeration(LiveCase):
    server_args = ("--premoderate",)

    def test_held_and_staff_events_never_approval_arrives(self):
        mod = self.login()
        page = unique_page("/live-held")
        seed = self.server.post_comment(page, "seed")
        self.assertStatus(seed, 202)
        s = self.open(page)
        start = s.prelude()
        held = self.server.post_comment(page, "wait for me", email="w@example.com")
        self.assertStatus(held, 202)
        cid = held.json["comment"]["id"]
        self.assertIsNone(s.event(timeout=0.8), "a held comment must not be streamed")
        r = self.server.post(f"/api/v1/admin/comments/{cid}/decision",
                             {"action": "approve", "reason": "fine"}, headers=mod)
        self.assertStatus(r, 200)
        e = s.event()
        self.assertEqual(e["event"], "comment.created")
        self.assertEqual(e["data"]["comment"]["id"], cid)
        self.assertEqual(e["data"]["comment"]["state"], "approved")
        self.assertNotIn("moderation", e["data"])
        self.assertNotIn("reason", e["data"])
        self.assertStatus(self.server.post(f"/api/v1/admin/comments/{cid}/decision",
                                           {"action": "spam"}, headers=mod), 200)
        h = s.event()
        self.assertEqual(h["event"], "comment.hidden")
        self.assertEqual(h["data"], {"comment": {"id": cid, "page": page}})
        self.assertIsNone(s.event(timeout=0.8))
        public = self.log_of(page, start, mod)
        self.assertEqual([int(x["id"]) for x in (e, h)], [x["seq"] for x in public])
        self.assertNotIn("w@example.com", json.dumps([e["data"], h["data"]]))


class LiveShutdown(unittest.TestCase):

    def test_shutdown_with_open_streams_is_clean(self):
        srv = AmurServer(args=("--live-heartbeat", "30"))
        self.addCleanup(srv.close)
        srv.start()
        page = unique_page("/live-stop")
        r = srv.post_comment(page, "a")
        self.assertEqual(r.status, 201)
        streams = [Sse(srv.port, page) for _ in range(5)]
        for s in streams:
            s.prelude()
        t0 = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        code = srv.proc.wait(10)
        took = time.monotonic() - t0
        self.assertEqual(code, 0, srv.output_tail())
        self.assertLess(took, 5, "open streams held up the shutdown")
        for s in streams:
            with self.assertRaises(EOFError):
                while True:
                    if s.block(timeout=2) is None:
                        self.fail("the stream stayed open after the server stopped")
            s.close()
        time.sleep(0.2)
        self.assertTrue(any("stopped cleanly" in line for line in srv.stderr_lines + srv.stdout_lines),
                        srv.output_tail())


if __name__ == "__main__":
    unittest.main()
