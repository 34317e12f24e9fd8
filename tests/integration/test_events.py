"""The event log (docs/events.md), black-box over HTTP: every acknowledged
write has exactly its events, in order, with the comment as the public API
shows it; a refused write has none; GET /api/v1/admin/events pages through
the log for staff only; old events are pruned."""

import time
import unittest

from amur_harness import AmurServer, AmurTestCase, on_postgresql, parse_cookies, q, unique_page
from test_moderation import MOD_EMAIL, MOD_PASSWORD, MEMBER_EMAIL, MEMBER_PASSWORD, add_user

EVENTS = "/api/v1/admin/events"


class EventLogCase(AmurTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for email, name, role, pw in ((MOD_EMAIL, "Mia Mod", "moderator", MOD_PASSWORD),
                                      (MEMBER_EMAIL, "Max Member", "member", MEMBER_PASSWORD)):
            r = add_user(cls.server.database_url, email, name, role, pw)
            assert r.returncode == 0, r.stderr

    def login(self, email=MOD_EMAIL, password=MOD_PASSWORD):
        r = self.server.post("/api/v1/auth/login", {"email": email, "password": password})
        self.assertStatus(r, 200)
        cookies = parse_cookies(r)
        return {"Cookie": "amur_session=" + cookies["amur_session"],
                "X-CSRF-Token": r.json["csrf_token"]}

    def events_after(self, after, headers, limit=200):
        r = self.server.get(EVENTS + "?" + q(after=after, limit=limit), headers=headers)
        self.assertStatus(r, 200)
        return r.json

    def last_seq(self, headers):
        return self.events_after(0, headers, limit=1)["last_seq"]

    def new_events(self, since, headers):
        out = []
        after = since
        while True:
            page = self.events_after(after, headers)
            out += page["events"]
            if not page["events"]:
                return out
            after = page["next_after"]


class EventsOfWrites(EventLogCase):

    def test_each_write_records_its_events_in_order(self):
        mod = self.login()
        page = unique_page("/events")
        start = self.last_seq(mod)

        r = self.server.post_comment(page, "first *words*", author_name="Ann",
                                     author_email="ann@example.com")
        self.assertStatus(r, 201)
        comment, token = r.json["comment"], r.json["edit_token"]
        r = self.server.edit(comment["id"], "second words", token=token)
        self.assertStatus(r, 200)
        edited = r.json
        r = self.server.vote(comment["id"], 1, headers={"X-Amur-Voter": "voter-0001"})
        self.assertStatus(r, 200)
        r = self.server.post("/api/v1/admin/pages", {"page": page, "closed": True}, headers=mod)
        self.assertStatus(r, 200)
        r = self.server.post("/api/v1/admin/pages", {"page": page, "closed": False}, headers=mod)
        self.assertStatus(r, 200)
        r = self.server.remove(comment["id"], token=token)
        self.assertStatus(r, 204)

        events = self.new_events(start, mod)
        types = [e["type"] for e in events]
        self.assertEqual(types, ["comment.created", "comment.edited", "comment.voted",
                                 "page.closed", "page.reopened", "comment.deleted"])
        seqs = [e["seq"] for e in events]
        self.assertEqual(seqs, list(range(start + 1, start + 1 + len(events))),
                         "sequence numbers are strictly increasing with no gaps")
        for e in events:
            self.assertEqual(sorted(e), ["actor", "comment_id", "data", "page", "seq", "time",
                                         "type", "visibility"])
            self.assertEqual(e["page"], page)
            self.assertEqual(e["visibility"], "public", e)
            self.assertRegex(e["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        created = events[0]
        self.assertEqual(created["comment_id"], comment["id"])
        self.assertEqual(created["actor"], "guest")
        self.assertEqual(created["data"]["comment"], comment,
                         "the comment as the public API showed it")
        self.assertNotIn("ann@example.com", str(events), "the email is never in an event")
        self.assertEqual(events[1]["data"]["comment"], edited)
        self.assertEqual(events[2]["data"]["comment"]["upvotes"], 1)
        self.assertEqual(events[2]["data"]["value"], 1)
        self.assertEqual(events[3]["data"]["page"]["closed"], True)
        self.assertIsNone(events[3]["comment_id"])
        self.assertTrue(events[3]["actor"].startswith("user:"), events[3])
        deleted = events[5]["data"]
        self.assertEqual(deleted["comment"]["state"], "deleted")
        self.assertIsNone(deleted["comment"]["author"]["name"])
        self.assertEqual(deleted["comment"]["body_html"], "")
        self.assertFalse(deleted["tombstone"])

    def test_refused_writes_record_nothing(self):
        mod = self.login()
        page = unique_page("/events-refused")
        comment, token = self.post_ok(page, "stays")
        before = self.last_seq(mod)
        # Each of these is refused; none may leave an event behind.
        self.assertStatus(self.server.post_comment(page, ""), 400)
        self.assertStatus(self.server.post_comment(page, "x", parent_id="c999999999"), 404)
        self.assertStatus(self.server.edit(comment["id"], "no", token="wrong-token-123"), 403)
        self.assertStatus(self.server.vote(comment["id"], 7), 400)
        self.assertStatus(self.server.vote("c999999999", 1), 404)
        self.assertStatus(self.server.remove(comment["id"], token="wrong-token-123"), 403)
        r = self.server.post("/api/v1/admin/comments/c999999999/decision", {"action": "approve"},
                             headers=mod)
        self.assertStatus(r, 404)
        r = self.server.post("/api/v1/admin/pages", {"page": page, "closed": True})
        self.assertStatus(r, 401)
        r = self.server.post("/api/v1/admin/pages", {"page": page, "closed": True}, headers=mod)
        self.assertStatus(r, 200)
        self.assertStatus(self.server.post_comment(page, "closed page"), 403)
        events = self.new_events(before, mod)
        self.assertEqual([e["type"] for e in events], ["page.closed"])
        # A setting that changes nothing records nothing.
        r = self.server.post("/api/v1/admin/pages", {"page": page, "closed": True}, headers=mod)
        self.assertStatus(r, 200)
        self.assertEqual(self.new_events(events[-1]["seq"], mod), [])
        self.assertEqual(token != "", True)

    def test_a_tombstone_keeps_replies_and_says_so(self):
        mod = self.login()
        page = unique_page("/events-tomb")
        parent, ptoken = self.post_ok(page, "parent")
        self.post_ok(page, "reply", parent_id=parent["id"])
        before = self.last_seq(mod)
        self.assertStatus(self.server.remove(parent["id"], token=ptoken), 204)
        (e,) = self.new_events(before, mod)
        self.assertEqual(e["type"], "comment.deleted")
        self.assertTrue(e["data"]["tombstone"])

    def test_reports_are_staff_events(self):
        mod = self.login()
        page = unique_page("/events-report")
        comment, _ = self.post_ok(page, "reported words")
        before = self.last_seq(mod)
        r = self.server.post(f"/api/v1/comments/{comment['id']}/reports", {"reason": "abuse"},
                             headers={"X-Amur-Voter": "reporter-0001"})
        self.assertStatus(r, 202)
        (e,) = self.new_events(before, mod)
        self.assertEqual(e["type"], "comment.reported")
        self.assertEqual(e["visibility"], "staff")
        self.assertEqual(e["data"]["reason"], "abuse")
        self.assertEqual(e["data"]["reports"], 1)
        self.assertFalse(e["data"]["hidden"])


class EventsOfModeration(EventLogCase):
    server_args = ("--premoderate",)

    def test_held_comments_are_staff_until_approved(self):
        mod = self.login()
        page = unique_page("/events-held")
        before = self.last_seq(mod)
        held = self.server.post_comment(page, "wait for me")
        self.assertStatus(held, 202)
        cid = held.json["comment"]["id"]
        other = self.server.post_comment(page, "reject me")
        self.assertStatus(other, 202)
        oid = other.json["comment"]["id"]
        for c, action in ((cid, "approve"), (oid, "reject")):
            r = self.server.post(f"/api/v1/admin/comments/{c}/decision",
                                 {"action": action, "reason": "checked"}, headers=mod)
            self.assertStatus(r, 200)
        events = self.new_events(before, mod)
        self.assertEqual([(e["type"], e["visibility"], e["comment_id"]) for e in events],
                         [("comment.created", "staff", cid), ("comment.created", "staff", oid),
                          ("comment.approved", "public", cid), ("comment.rejected", "staff", oid)])
        self.assertEqual(events[0]["data"]["moderation"]["state"], "pending")
        self.assertIn("premoderation", events[0]["data"]["moderation"]["reasons"])
        approved = events[2]["data"]["comment"]
        self.assertEqual(approved["state"], "approved")
        self.assertEqual(approved["id"], cid)
        self.assertNotIn("moderation", events[2]["data"])
        self.assertNotIn("reason", events[2]["data"], "a public event keeps the reason private")
        self.assertEqual(events[3]["data"]["reason"], "checked")

    def test_rejecting_a_published_comment_tells_readers_it_is_gone(self):
        mod = self.login()
        page = unique_page("/events-hide")
        held = self.server.post_comment(page, "shown then hidden")
        cid = held.json["comment"]["id"]
        self.assertStatus(self.server.post(f"/api/v1/admin/comments/{cid}/decision",
                                           {"action": "approve"}, headers=mod), 200)
        before = self.last_seq(mod)
        self.assertStatus(self.server.post(f"/api/v1/admin/comments/{cid}/decision",
                                           {"action": "spam"}, headers=mod), 200)
        events = self.new_events(before, mod)
        self.assertEqual([(e["type"], e["visibility"]) for e in events],
                         [("comment.spam", "staff"), ("comment.hidden", "public")])
        self.assertEqual(events[1]["data"], {"comment": {"id": cid, "page": page}})


class EventsEndpoint(EventLogCase):

    def test_only_staff_may_read_the_log(self):
        self.assertError(self.server.get(EVENTS), 401, "unauthorized")
        member = self.login(MEMBER_EMAIL, MEMBER_PASSWORD)
        self.assertError(self.server.get(EVENTS, headers=member), 403, "not_allowed")

    def test_paging_with_after_and_limit(self):
        mod = self.login()
        page = unique_page("/events-paging")
        start = self.last_seq(mod)
        for i in range(5):
            self.post_ok(page, f"comment {i}")
        first = self.events_after(start, mod, limit=2)
        self.assertEqual(len(first["events"]), 2)
        self.assertEqual(first["next_after"], first["events"][-1]["seq"])
        self.assertGreaterEqual(first["last_seq"], start + 5)
        second = self.events_after(first["next_after"], mod, limit=200)
        self.assertEqual(second["events"][0]["seq"], first["events"][-1]["seq"] + 1)
        empty = self.events_after(second["last_seq"], mod)
        self.assertEqual(empty["events"], [])
        self.assertEqual(empty["next_after"], second["last_seq"])
        r = self.server.get(EVENTS, headers=mod)
        self.assertStatus(r, 200)
        self.assertEqual(r.header("Cache-Control"), "no-store")

    def test_bad_parameters_are_refused(self):
        mod = self.login()
        for after in ("-1", "x", "1.5", "+3", ""):
            with self.subTest(after=after):
                self.assertError(self.server.get(EVENTS + "?" + q(after=after), headers=mod), 400,
                                 "invalid_field", "after")
        for limit in ("0", "201", "ten"):
            with self.subTest(limit=limit):
                self.assertError(self.server.get(EVENTS + "?" + q(limit=limit), headers=mod), 400,
                                 "invalid_field", "limit")
        r = self.server.post(EVENTS, {}, headers=mod)
        self.assertError(r, 405, "method_not_allowed")


class Retention(unittest.TestCase):

    def test_events_older_than_the_retention_are_pruned(self):
        srv = AmurServer()
        self.addCleanup(srv.close)
        srv.start()
        page = unique_page("/retention")
        r = srv.post_comment(page, "young")
        self.assertEqual(r.status, 201)
        srv.terminate()
        old_ms = int((time.time() - 3 * 86400) * 1000)
        if on_postgresql():
            srv.query("WITH c AS (UPDATE event_counter SET last_seq = last_seq + 1 WHERE id = 1 "
                      "RETURNING last_seq) INSERT INTO events(seq, at, type, page_key, actor, "
                      f"visibility, data) SELECT last_seq, {old_ms}, 'comment.created', "
                      f"'{page}', 'guest', 'public', '{{}}' FROM c RETURNING seq")
        else:
            srv.query("INSERT INTO events(at, type, page_key, actor, visibility, data) "
                      f"VALUES ({old_ms}, 'comment.created', '{page}', 'guest', 'public', '{{}}')")
        self.assertEqual(srv.query("SELECT count(*) FROM events"), [(2,)])
        srv.args = ["--event-retention-days", "2"]
        srv.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            [(n, left)] = srv.query("SELECT count(*), min(at) FROM events")
            if n == 1:
                break
            time.sleep(0.1)
        self.assertEqual(n, 1, "the three-day-old event is pruned at start-up")
        self.assertGreater(left, old_ms)


if __name__ == "__main__":
    unittest.main()
