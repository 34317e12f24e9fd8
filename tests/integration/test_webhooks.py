"""Webhooks with real parts: a receiver on loopback started here verifies
every delivery with the published Standard Webhooks algorithm; it is taken
down and brought back, and amur is restarted in between, and every public
event still arrives, in order. Held and rejected comments never do; hosts on
private addresses are refused unless allowed."""

import base64
import hashlib
import hmac
import http.server
import json
import threading
import time
import unittest

from amur_harness import AmurServer, parse_cookies, unique_page
from test_moderation import MOD_PASSWORD, add_user

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
ADMIN_EMAIL, ADMIN_PASSWORD = "ada@example.com", "admin password 1"


def verify(secret, headers, body):
    """The Standard Webhooks verification, as a receiver library does it."""
    key = base64.b64decode(secret[len("whsec_"):])
    msg_id, ts = headers["webhook-id"], headers["webhook-timestamp"]
    signed = f"{msg_id}.{ts}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    sigs = [s.split(",", 1)[1] for s in headers["webhook-signature"].split() if s.startswith("v1,")]
    if not any(hmac.compare_digest(expected, s) for s in sigs):
        raise AssertionError("bad signature")
    if abs(time.time() - int(ts)) > 300:
        raise AssertionError("stale timestamp")


class Receiver:
    """An HTTP endpoint on loopback recording what it is sent; `stop` closes
    its socket (deliveries are refused), `start` opens it again on the same
    port; `hang` makes it hold every request without answering."""

    def __init__(self, secret=SECRET):
        self.secret = secret
        self.received, self.bad = [], []
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.hang = False
        self.port = 0
        self.server = None
        self.start()

    def start(self):
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if outer.hang:
                    time.sleep(30)
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    verify(outer.secret, headers, body)
                    event = json.loads(body)
                    ok = True
                except Exception as e:  # noqa: BLE001 - recorded for the test to see
                    ok = False
                    with outer.lock:
                        outer.bad.append((str(e), headers, body))
                if ok:  # recorded before the answer, so the order is the sender's
                    with outer.cond:
                        outer.received.append((headers, event))
                        outer.cond.notify_all()
                self.send_response(204 if ok else 401)
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hooks/amur"

    def events(self):
        with self.lock:
            return [e for _, e in self.received]

    def wait_for(self, pred, timeout=30):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not pred([e for _, e in self.received]):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out; received {[e['type'] for _, e in self.received]}")
                self.cond.wait(left)
            return [e for _, e in self.received]


def comment_events(events, page):
    return [e for e in events if e["data"].get("comment", {}).get("page") == page]


class Webhooks(unittest.TestCase):
    maxDiff = None

    def serve(self, receivers, extra=(), workdir=None):
        args = ["--webhook-allow-private", "--webhook-secret", SECRET]
        for r in receivers:
            args += ["--webhook", r.url]
        srv = AmurServer(args=args + list(extra), workdir=workdir)
        self.addCleanup(srv.close)
        srv.start()
        return srv

    def receiver(self, **kw):
        r = Receiver(**kw)
        self.addCleanup(r.server.server_close)
        return r

    def test_public_events_arrive_signed_in_order_with_the_public_comment(self):
        rec = self.receiver()
        srv = self.serve([rec])
        page = unique_page("/hooks")
        r = srv.post_comment(page, "hello *hooks*", author_name="Ann", author_email="ann@example.com")
        self.assertEqual(r.status, 201, r)
        comment, token = r.json["comment"], r.json["edit_token"]
        self.assertEqual(srv.vote(comment["id"], 1, headers={"X-Amur-Voter": "voter-0001"}).status, 200)
        self.assertEqual(srv.edit(comment["id"], "edited", token=token).status, 200)
        self.assertEqual(srv.remove(comment["id"], token=token).status, 204)
        got = rec.wait_for(lambda evs: len(comment_events(evs, page)) >= 4)
        mine = comment_events(got, page)
        self.assertEqual([e["type"] for e in mine],
                         ["comment.created", "comment.voted", "comment.edited", "comment.deleted"])
        self.assertEqual(mine[0]["data"]["comment"], comment)
        self.assertEqual(sorted(mine[0]), ["data", "timestamp", "type"])
        self.assertRegex(mine[0]["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertNotIn("ann@example.com", json.dumps(got))
        self.assertEqual(rec.bad, [])
        ids = [h["webhook-id"] for h, _ in rec.received]
        self.assertEqual(len(ids), len(set(ids)), "each event is sent once when all goes well")
        for h, _ in rec.received:
            self.assertEqual(h["content-type"], "application/json")
            self.assertRegex(h["webhook-id"], r"^evt_\d+$")

    def test_held_and_rejected_comments_never_reach_a_webhook(self):
        rec = self.receiver()
        srv = self.serve([rec], extra=["--premoderate"])
        add_user(srv.database_url, "mia@example.com", "Mia Mod", "moderator", MOD_PASSWORD)
        login = srv.post("/api/v1/auth/login", {"email": "mia@example.com", "password": MOD_PASSWORD})
        mod = {"Cookie": "amur_session=" + parse_cookies(login)["amur_session"],
               "X-CSRF-Token": login.json["csrf_token"]}
        page = unique_page("/hooks-held")
        held = srv.post_comment(page, "held one").json["comment"]
        refused = srv.post_comment(page, "refused one").json["comment"]
        self.assertEqual(srv.post(f"/api/v1/admin/comments/{refused['id']}/decision",
                                  {"action": "reject"}, headers=mod).status, 200)
        self.assertEqual(srv.post(f"/api/v1/admin/comments/{held['id']}/decision",
                                  {"action": "approve"}, headers=mod).status, 200)
        got = rec.wait_for(lambda evs: any(e["type"] == "comment.approved" for e in evs))
        time.sleep(0.5)
        mine = comment_events(rec.events(), page)
        self.assertEqual([e["type"] for e in mine], ["comment.approved"])
        self.assertEqual(mine[0]["data"]["comment"]["id"], held["id"])
        self.assertEqual(mine[0]["data"]["comment"]["state"], "approved")
        self.assertNotIn("refused one", json.dumps(got))
        self.assertNotIn("moderation", mine[0]["data"])

    def test_nothing_is_lost_while_the_receiver_is_down_or_amur_restarts(self):
        rec = self.receiver()
        srv = self.serve([rec])
        page = unique_page("/hooks-down")
        first = srv.post_comment(page, "before the outage").json["comment"]
        rec.wait_for(lambda evs: len(comment_events(evs, page)) == 1)
        rec.stop()  # connection refused from now on
        during = [srv.post_comment(page, f"during the outage {i}").json["comment"]["id"]
                  for i in range(4)]
        time.sleep(1.5)  # a few failed attempts
        srv.terminate()  # a restart while the receiver is still down
        srv.start()
        after = [srv.post_comment(page, f"after the restart {i}").json["comment"]["id"]
                 for i in range(2)]
        time.sleep(0.5)
        rec.start()  # back on the same port
        got = rec.wait_for(lambda evs: len(comment_events(evs, page)) >= 7, timeout=60)
        ids = [e["data"]["comment"]["id"] for e in comment_events(got, page)]
        self.assertEqual(ids[:7], [first["id"]] + during + after, "every event, in order")
        self.assertEqual(rec.bad, [])

    def test_a_hanging_endpoint_does_not_hold_back_another(self):
        slow, fast = self.receiver(), self.receiver()
        slow.hang = True
        srv = self.serve([slow, fast])
        page = unique_page("/hooks-slow")
        for i in range(3):
            self.assertEqual(srv.post_comment(page, f"comment {i}").status, 201)
        got = fast.wait_for(lambda evs: len(comment_events(evs, page)) == 3, timeout=15)
        self.assertEqual(len(comment_events(got, page)), 3)

    def test_private_hosts_are_refused_unless_allowed(self):
        rec = self.receiver()
        srv = AmurServer(args=["--webhook", rec.url])
        self.addCleanup(srv.close)
        with self.assertRaises(RuntimeError) as caught:
            srv.start()
        self.assertIn("loopback or private address", str(caught.exception))
        for url in ("ftp://example.com/x", "http://user:pw@example.com/", "not a url"):
            srv = AmurServer(args=["--webhook", url])
            self.addCleanup(srv.close)
            with self.assertRaises(RuntimeError):
                srv.start()


class DeskWebhooks(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.rec = Receiver()
        self.addCleanup(self.rec.server.server_close)
        self.srv = AmurServer(args=["--webhook-allow-private", "--webhook-secret", SECRET,
                                    "--webhook", self.rec.url])
        self.addCleanup(self.srv.close)
        self.srv.start()
        r = add_user(self.srv.database_url, ADMIN_EMAIL, "Ada Admin", "admin", ADMIN_PASSWORD)
        self.assertEqual(r.returncode, 0, r.stderr)
        login = self.srv.post("/api/v1/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        self.admin = {"Cookie": "amur_session=" + parse_cookies(login)["amur_session"],
                      "X-CSRF-Token": login.json["csrf_token"]}

    def test_admins_list_add_and_test_endpoints(self):
        page = unique_page("/hooks-desk")
        self.srv.post_comment(page, "one")
        self.rec.wait_for(lambda evs: len(comment_events(evs, page)) == 1)
        # The receiver holds the event before amur reads its answer and counts
        # the delivery, so the count may lag the receiver by a moment.
        deadline = time.monotonic() + 30
        while True:
            r = self.srv.get("/api/v1/admin/webhooks", headers=self.admin)
            self.assertEqual(r.status, 200, r)
            (ep,) = r.json["endpoints"]
            if ep["delivered"] >= 1 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(ep["url"], self.rec.url)
        self.assertEqual(ep["source"], "config")
        self.assertGreaterEqual(ep["delivered"], 1)
        self.assertIsNone(ep["last_error"])
        second = Receiver()
        self.addCleanup(second.server.server_close)
        r = self.srv.request("PUT", "/api/v1/admin/webhooks", {"endpoints": [second.url]},
                             headers=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([e["source"] for e in r.json["endpoints"]], ["config", "desk"])
        self.srv.post_comment(page, "two")
        got = second.wait_for(lambda evs: len(comment_events(evs, page)) >= 1)
        self.assertEqual([e["data"]["comment"]["page"] for e in comment_events(got, page)], [page])
        # The test button: one signed delivery of a webhook.test event.
        r = self.srv.post("/api/v1/admin/webhooks/test", {"url": second.url}, headers=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["delivered"], r.json)
        second.wait_for(lambda evs: any(e["type"] == "webhook.test" for e in evs))
        self.assertEqual(second.bad, [])

    def test_bad_or_private_endpoints_are_refused_and_change_nothing(self):
        for body in ({}, {"endpoints": "x"}, {"endpoints": [1]}, {"endpoints": ["ftp://a/"]},
                     {"endpoints": ["http://a.example/"] * 2}):
            r = self.srv.request("PUT", "/api/v1/admin/webhooks", body, headers=self.admin)
            self.assertEqual(r.status, 400, (body, r))
        self.assertEqual(self.srv.get("/api/v1/admin/webhooks").status, 401)

    def test_private_endpoints_are_refused_from_the_desk(self):
        srv = AmurServer()
        self.addCleanup(srv.close)
        srv.start()
        add_user(srv.database_url, ADMIN_EMAIL, "Ada Admin", "admin", ADMIN_PASSWORD)
        login = srv.post("/api/v1/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        admin = {"Cookie": "amur_session=" + parse_cookies(login)["amur_session"],
                 "X-CSRF-Token": login.json["csrf_token"]}
        for url in ("http://127.0.0.1:9/x", "http://10.0.0.1/x", "http://[::1]/x",
                    "http://169.254.169.254/latest/meta-data", "http://localhost/x",
                    "http://[::ffff:127.0.0.1]/x"):
            r = srv.request("PUT", "/api/v1/admin/webhooks", {"endpoints": [url]}, headers=admin)
            self.assertEqual(r.status, 400, (url, r))
            self.assertEqual(r.json["error"]["code"], "invalid_field")
        r = srv.get("/api/v1/admin/webhooks", headers=admin)
        self.assertEqual(r.json["endpoints"], [])

    def test_members_and_moderators_may_not_touch_webhooks(self):
        add_user(self.srv.database_url, "mia@example.com", "Mia Mod", "moderator", MOD_PASSWORD)
        login = self.srv.post("/api/v1/auth/login", {"email": "mia@example.com", "password": MOD_PASSWORD})
        mod = {"Cookie": "amur_session=" + parse_cookies(login)["amur_session"],
               "X-CSRF-Token": login.json["csrf_token"]}
        self.assertEqual(self.srv.get("/api/v1/admin/webhooks", headers=mod).status, 403)
        self.assertEqual(self.srv.post("/api/v1/admin/webhooks/secret", {}, headers=mod).status, 403)


class RotatedSecret(unittest.TestCase):

    def test_a_new_secret_signs_the_deliveries_that_follow(self):
        srv = AmurServer(args=["--webhook-allow-private"])
        self.addCleanup(srv.close)
        srv.start()
        add_user(srv.database_url, ADMIN_EMAIL, "Ada Admin", "admin", ADMIN_PASSWORD)
        login = srv.post("/api/v1/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        admin = {"Cookie": "amur_session=" + parse_cookies(login)["amur_session"],
                 "X-CSRF-Token": login.json["csrf_token"]}
        r = srv.post("/api/v1/admin/webhooks/secret", {}, headers=admin)
        self.assertEqual(r.status, 200, r)
        secret = r.json["secret"]
        self.assertTrue(secret.startswith("whsec_"))
        rec = Receiver(secret=secret)
        self.addCleanup(rec.server.server_close)
        r = srv.request("PUT", "/api/v1/admin/webhooks", {"endpoints": [rec.url]}, headers=admin)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["secret_hint"].startswith(secret[:10]))
        self.assertNotIn(secret, json.dumps(r.json), "the secret is shown once")
        page = unique_page("/hooks-rotated")
        srv.post_comment(page, "signed with the new secret")
        rec.wait_for(lambda evs: len(comment_events(evs, page)) == 1)
        self.assertEqual(rec.bad, [])
        # The secret survives a restart.
        srv.terminate()
        srv.start()
        srv.post_comment(page, "still the same secret")
        rec.wait_for(lambda evs: len(comment_events(evs, page)) == 2)
        self.assertEqual(rec.bad, [])


if __name__ == "__main__":
    unittest.main()
