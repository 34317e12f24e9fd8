"""Accounts, sessions and the moderation endpoints, black-box over HTTP:
sign-in, CSRF on cookie sessions, member and moderator edits, the queues,
decisions, bans, reader reports and the hash-chained audit log."""

import hashlib
import http.client
import json
import os
import subprocess
import tempfile

from amur_harness import (AMUR_BIN, AmurServer, AmurTestCase, ZERO_HASH, clean_env,
                          parse_cookies, unique_page)

MOD_EMAIL, MOD_PASSWORD = "mia@example.com", "correct horse battery"
MEMBER_EMAIL, MEMBER_PASSWORD = "max@example.com", "member password 1"


def add_user(database, email, name, role, password, stdin=False):
    """`amur user add` on `database`: a server's database_url or a SQLite file."""
    env = clean_env() if stdin else clean_env({"AMUR_PASSWORD": password})
    url = database if database.startswith(("sqlite:", "postgres")) else f"sqlite:{database}"
    return subprocess.run(
        [AMUR_BIN, "user", "add", "--email", email, "--name", name, "--role", role,
         "--database", url],
        input=(password + "\n") if stdin else None, env=env, capture_output=True, text=True,
        timeout=60)


def audit_hash(e):
    def field(v):
        return b"-\n" if v is None else str(len(v.encode())).encode() + b":" + v.encode() + b"\n"
    data = b"amur-audit-v1\n" + b"".join(
        field(v) for v in (e["at"], e["actor"], e["action"], e["comment_id"], e["reason"],
                           e["prev_hash"]))
    return hashlib.sha256(data).hexdigest()


class WithAccounts(AmurTestCase):
    """A server with one moderator and one member account."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for email, name, role, pw in ((MOD_EMAIL, "Mia Mod", "moderator", MOD_PASSWORD),
                                      (MEMBER_EMAIL, "Max Member", "member", MEMBER_PASSWORD)):
            r = add_user(cls.server.database_url, email, name, role, pw, stdin=(role == "member"))
            assert r.returncode == 0, r.stderr


class Moderation(WithAccounts):
    server_args = ("--premoderate", "--reports-to-queue", "2", "--reports-to-hide", "3")

    def login(self, email, password):
        r = self.server.post("/api/v1/auth/login", {"email": email, "password": password})
        self.assertStatus(r, 200)
        cookies = parse_cookies(r)
        self.assertIn("amur_session", cookies)
        set_cookie = [h for h in r.header_all("Set-Cookie") if h.startswith("amur_session=")][0]
        self.assertIn("HttpOnly", set_cookie)
        self.assertIn("SameSite=Lax", set_cookie)
        return r.json, {"Cookie": "amur_session=" + cookies["amur_session"],
                        "X-CSRF-Token": r.json["csrf_token"]}

    def held(self, page, body="needs a look", **fields):
        r = self.server.post_comment(page, body, **fields)
        self.assertStatus(r, 202)
        self.assertEqual(r.json["comment"]["state"], "pending")
        return r.json["comment"], r.json["edit_token"]

    def test_a_reply_approved_after_its_parent_was_deleted_shows_under_a_tombstone(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        page = unique_page()
        parent, parent_token = self.held(page, "the parent")
        self.assertStatus(self.server.post(f"/api/v1/admin/comments/{parent['id']}/decision",
                                           {"action": "approve"}, headers=mod), 200)
        reply, _ = self.held(page, "a reply", parent_id=parent["id"])
        # Rejected first, so the parent's deletion leaves nothing behind it...
        self.assertStatus(self.server.post(f"/api/v1/admin/comments/{reply['id']}/decision",
                                           {"action": "reject"}, headers=mod), 200)
        self.assertStatus(self.server.delete(f"/api/v1/comments/{parent['id']}",
                                             headers={"Authorization": "Bearer " + parent_token}),
                          204)
        self.assertEqual(self.listing(page)["comments"], [])
        # ...then approved on a second look: the parent comes back as a tombstone.
        self.assertStatus(self.server.post(f"/api/v1/admin/comments/{reply['id']}/decision",
                                           {"action": "approve"}, headers=mod), 200)
        listing = self.listing(page)
        self.assertEqual(listing["page"]["comment_count"], 1)
        self.assertEqual([(c["id"], c["state"]) for c in listing["comments"]],
                         [(parent["id"], "deleted")])
        self.assertEqual([c["id"] for c in listing["comments"][0]["replies"]], [reply["id"]])
        self.assertEqual(self.server.verify(page).json["status"], "verified")

    def test_login_answers_the_same_for_unknown_email_and_wrong_password(self):
        a = self.server.post("/api/v1/auth/login", {"email": "nobody@example.com", "password": "x" * 12})
        b = self.server.post("/api/v1/auth/login", {"email": MOD_EMAIL, "password": "wrong" * 3})
        self.assertError(a, 401, "unauthorized")
        self.assertError(b, 401, "unauthorized")
        self.assertEqual(a.json, b.json)
        self.assertFalse(any(h.startswith("amur_session=") for h in a.header_all("Set-Cookie")))

    def test_admin_endpoints_refuse_anonymous_and_members(self):
        for path in ("/api/v1/admin/queue", "/api/v1/admin/audit"):
            self.assertError(self.server.get(path), 401, "unauthorized")
        _, member = self.login(MEMBER_EMAIL, MEMBER_PASSWORD)
        self.assertError(self.server.get("/api/v1/admin/queue", headers=member), 403, "not_allowed")
        c, _ = self.held(unique_page())
        r = self.server.post(f"/api/v1/admin/comments/{c['id']}/decision", {"action": "approve"},
                             headers=member)
        self.assertError(r, 403, "not_allowed")
        r = self.server.post(f"/api/v1/admin/comments/{c['id']}/decision", {"action": "approve"})
        self.assertError(r, 401, "unauthorized")

    def test_cookie_session_needs_csrf_token_for_changes_but_bearer_does_not(self):
        login, headers = self.login(MOD_EMAIL, MOD_PASSWORD)
        c, _ = self.held(unique_page())
        no_csrf = {"Cookie": headers["Cookie"]}
        r = self.server.post(f"/api/v1/admin/comments/{c['id']}/decision", {"action": "approve"},
                             headers=no_csrf)
        self.assertError(r, 403, "not_allowed")
        r = self.server.post(f"/api/v1/admin/comments/{c['id']}/decision", {"action": "approve"},
                             headers={"Authorization": "Bearer " + login["token"]})
        self.assertStatus(r, 200)
        self.assertEqual(r.json["state"], "approved")

    def test_pending_queue_approve_and_listing(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        page = unique_page()
        c, _ = self.held(page, "Hold me **please**")
        self.assertEqual(self.listing(page)["page"]["comment_count"], 0)
        self.assertEqual(self.server.counts([page]).json["counts"][page], 0)
        q = self.server.get("/api/v1/admin/queue?state=pending&limit=200", headers=mod)
        self.assertStatus(q, 200)
        item = [x for x in q.json["comments"] if x["id"] == c["id"]][0]
        self.assertEqual(item["page"], page)
        self.assertIn("premoderation", item["moderation"]["reasons"])
        self.assertIsInstance(item["moderation"]["score"], (int, float))
        self.assertEqual(item["moderation"]["reports"], 0)
        r = self.server.post(f"/api/v1/admin/comments/{c['id']}/decision",
                             {"action": "approve", "reason": "ok"}, headers=mod)
        self.assertStatus(r, 200)
        listed = self.listing(page)
        self.assertEqual(listed["page"]["comment_count"], 1)
        self.assertEqual(listed["comments"][0]["id"], c["id"])
        self.assertEqual(self.server.verify(page).json["status"], "verified")

    def test_queue_score_says_what_the_rules_found_before_the_classifier_is_trained(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        page = unique_page()
        plain, _ = self.held(page, "A civil remark about the harbour budget.")
        slur, _ = self.held(page, "Shut up you n**ger")
        profane, _ = self.held(page, "What the f*ck is the harbour board doing?")
        q = self.server.get("/api/v1/admin/queue?state=pending&limit=200", headers=mod)
        self.assertStatus(q, 200)
        items = {x["id"]: x["moderation"] for x in q.json["comments"]}
        self.assertEqual(items[plain["id"]]["score"], 0.0)
        self.assertEqual(items[slur["id"]]["score"], 0.95)
        self.assertIn("banned_term", items[slur["id"]]["reasons"])
        self.assertEqual(items[profane["id"]]["score"], 0.6)
        self.assertIn("suspect_term", items[profane["id"]]["reasons"])

    def test_moderator_edits_a_held_comment_before_approving_it(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        page = unique_page()
        c, token = self.held(page, "contains a slur-like typo")
        q = self.server.get("/api/v1/admin/queue?state=pending&limit=200", headers=mod).json
        item = [x for x in q["comments"] if x["id"] == c["id"]][0]
        self.assertEqual(item["moderation"]["body_markdown"], "contains a slur-like typo")
        self.assertError(self.server.edit(c["id"], "guest edits", token=token), 404, "not_found")
        r = self.server.patch(f"/api/v1/comments/{c['id']}", {"body": "cleaned up"}, headers=mod)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["edited_by"], "Mia Mod")
        self.assertStatus(self.server.post(f"/api/v1/admin/comments/{c['id']}/decision",
                                           {"action": "approve"}, headers=mod), 200)
        self.assertEqual(self.listing(page)["comments"][0]["body_html"], "<p>cleaned up</p>\n")

    def test_reject_and_spam_queues(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        page = unique_page()
        a, _ = self.held(page, "reject me")
        b, _ = self.held(page, "spam me")
        self.assertStatus(self.server.post(f"/api/v1/admin/comments/{a['id']}/decision",
                                           {"action": "reject"}, headers=mod), 200)
        self.assertStatus(self.server.post(f"/api/v1/admin/comments/{b['id']}/decision",
                                           {"action": "spam"}, headers=mod), 200)
        rejected = self.server.get("/api/v1/admin/queue?state=rejected&limit=200", headers=mod).json
        spam = self.server.get("/api/v1/admin/queue?state=spam&limit=200", headers=mod).json
        self.assertIn(a["id"], [x["id"] for x in rejected["comments"]])
        self.assertIn(b["id"], [x["id"] for x in spam["comments"]])
        self.assertEqual(self.listing(page)["comments"], [])
        bad = self.server.post(f"/api/v1/admin/comments/{a['id']}/decision", {"action": "nuke"},
                               headers=mod)
        self.assertError(bad, 400, "invalid_field", "action")
        self.assertError(self.server.get("/api/v1/admin/queue?state=bogus", headers=mod), 400,
                         "invalid_field", "state")
        self.assertError(self.server.post("/api/v1/admin/comments/c999999/decision",
                                          {"action": "approve"}, headers=mod), 404, "not_found")

class Unmoderated(WithAccounts):
    """Reports, member identity and moderator edits on a site without pre-moderation."""
    server_args = ("--reports-to-queue", "2", "--reports-to-hide", "3",
                   "--trusted-proxy", "127.0.0.1")

    login = Moderation.login

    def report(self, cid, voter, reason="abuse", address="198.51.100.1"):
        headers = {"X-Amur-Voter": voter, "X-Forwarded-For": address}
        return self.server.post(f"/api/v1/comments/{cid}/reports", {"reason": reason},
                                headers=headers)

    def test_reports_queue_then_hide(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        page = unique_page()
        c, _ = self.post_ok(page, "controversial")
        self.assertStatus(self.report(c["id"], "reader-aaaa-1"), 202)
        self.assertStatus(self.report(c["id"], "reader-aaaa-1"), 202)  # same reader: counted once
        reported = self.server.get("/api/v1/admin/queue?state=reported&limit=200", headers=mod).json
        self.assertNotIn(c["id"], [x["id"] for x in reported["comments"]])
        self.assertStatus(self.report(c["id"], "reader-bbbb-2", "spam", "198.51.100.2"), 202)
        reported = self.server.get("/api/v1/admin/queue?state=reported&limit=200", headers=mod).json
        item = [x for x in reported["comments"] if x["id"] == c["id"]][0]
        self.assertEqual(item["moderation"]["reports"], 2)
        self.assertEqual(self.listing(page)["page"]["comment_count"], 1)
        # A third reader, but from the first one's network: not hidden yet.
        self.assertStatus(self.report(c["id"], "reader-cccc-3"), 202)
        self.assertEqual(self.listing(page)["page"]["comment_count"], 1)
        self.assertStatus(self.report(c["id"], "reader-dddd-4", address="203.0.113.9"), 202)
        self.assertEqual(self.listing(page)["comments"], [])  # hidden until a moderator looks
        pending = self.server.get("/api/v1/admin/queue?state=pending&limit=200", headers=mod).json
        self.assertIn("reports", [x for x in pending["comments"] if x["id"] == c["id"]][0]
                      ["moderation"]["reasons"])
        self.assertStatus(self.server.post(f"/api/v1/admin/comments/{c['id']}/decision",
                                           {"action": "approve"}, headers=mod), 200)
        self.assertEqual(len(self.listing(page)["comments"]), 1)

    def test_reader_ids_minted_on_one_network_cannot_hide_a_comment(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        page = unique_page()
        c, _ = self.post_ok(page, "an unpopular but fair opinion")
        for n in range(8):
            self.assertStatus(self.report(c["id"], f"sybil-{n:04d}-reader", address="192.0.2.66"),
                              202)
        # IPv6 readers inside one /64 are one network too.
        for n in range(3):
            self.assertStatus(self.report(c["id"], f"sybil6-{n:04d}-reader",
                                          address=f"2001:db8:7:7::{n + 1}"), 202)
        self.assertEqual(len(self.listing(page)["comments"]), 1)
        reported = self.server.get("/api/v1/admin/queue?state=reported&limit=200", headers=mod).json
        item = [x for x in reported["comments"] if x["id"] == c["id"]][0]
        self.assertEqual(item["moderation"]["reports"], 11)  # the moderators still see them all
        self.assertStatus(self.report(c["id"], "another-reader-0001", address="203.0.113.77"), 202)
        self.assertEqual(self.listing(page)["comments"], [])  # three networks: hidden

    def test_report_validation(self):
        c, _ = self.post_ok(unique_page())
        self.assertError(self.report(c["id"], "reader-dddd-4", "because"), 400, "invalid_field",
                         "reason")
        self.assertError(self.report("c99999999", "reader-dddd-4"), 404, "not_found")

    def test_member_posts_under_account_name_and_edits_without_token(self):
        _, member = self.login(MEMBER_EMAIL, MEMBER_PASSWORD)
        page = unique_page()
        r = self.server.post("/api/v1/comments", {"page": page, "body": "as a member",
                                                  "author_name": "Someone Else"}, headers=member)
        self.assertStatus(r, 201)
        c = r.json["comment"]
        self.assertEqual(c["author"], {"name": "Max Member", "is_guest": False, "role": "member"})
        r = self.server.patch(f"/api/v1/comments/{c['id']}", {"body": "edited"}, headers=member)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["edited_by"], "Max Member")
        other, _ = self.post_ok(page, "a guest's comment")
        r = self.server.patch(f"/api/v1/comments/{other['id']}", {"body": "hijack"}, headers=member)
        self.assertError(r, 403, "not_allowed")

    def test_moderator_edits_any_comment_and_it_is_audited(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        page = unique_page()
        c, _ = self.post_ok(page, "rude words here", author_name="Guesty")
        r = self.server.patch(f"/api/v1/comments/{c['id']}", {"body": "[removed by moderator]"},
                              headers=mod)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["edited_by"], "Mia Mod")
        self.assertEqual(r.json["author"]["name"], "Guesty")
        entries = self.server.get("/api/v1/admin/audit?limit=3", headers=mod).json["entries"]
        self.assertEqual((entries[0]["action"], entries[0]["actor"], entries[0]["comment_id"]),
                         ("edit", "Mia Mod", c["id"]))
        self.assertEqual(self.server.verify(page).json["status"], "verified")

    def test_audit_log_is_a_hash_chain(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        c, _ = self.post_ok(unique_page(), "x")
        for action in ("reject", "approve", "spam"):
            self.assertStatus(self.server.post(f"/api/v1/admin/comments/{c['id']}/decision",
                                               {"action": action}, headers=mod), 200)
        entries, cursor = [], None
        while True:
            path = "/api/v1/admin/audit?limit=2" + (f"&cursor={cursor}" if cursor else "")
            page = self.server.get(path, headers=mod).json
            entries += page["entries"]
            cursor = page["next_cursor"]
            if not cursor:
                break
        entries.reverse()  # oldest first
        self.assertGreaterEqual(len(entries), 3)
        self.assertEqual(entries[0]["prev_hash"], ZERO_HASH)
        for prev, cur in zip(entries, entries[1:]):
            self.assertEqual(cur["prev_hash"], prev["hash"])
        for e in entries:
            self.assertEqual(audit_hash(e), e["hash"], e)

    def test_logout_by_cookie_needs_the_csrf_token(self):
        # Issue 12, finding 7: any site could sign a moderator out.
        login, headers = self.login(MOD_EMAIL, MOD_PASSWORD)
        cookie_only = {"Cookie": headers["Cookie"]}
        for bad in (cookie_only, dict(cookie_only, **{"X-CSRF-Token": "not-the-token"})):
            self.assertError(self.server.post("/api/v1/auth/logout", headers=bad), 403, "not_allowed")
        self.assertStatus(self.server.get("/api/v1/auth/me", headers=headers), 200)
        # With a bearer token no CSRF token is needed: browsers do not send it by themselves.
        r = self.server.post("/api/v1/auth/logout",
                             headers={"Authorization": "Bearer " + login["token"]})
        self.assertStatus(r, 204)
        self.assertError(self.server.get("/api/v1/auth/me", headers=headers), 401, "unauthorized")
        # A cookie whose session is gone is simply cleared.
        self.assertStatus(self.server.post("/api/v1/auth/logout", headers=cookie_only), 204)

    def test_logout_ends_the_session(self):
        login, headers = self.login(MOD_EMAIL, MOD_PASSWORD)
        self.assertStatus(self.server.get("/api/v1/auth/me", headers=headers), 200)
        r = self.server.post("/api/v1/auth/logout", headers=headers)
        self.assertStatus(r, 204)
        self.assertError(self.server.get("/api/v1/auth/me", headers=headers), 401, "unauthorized")
        self.assertError(self.server.get("/api/v1/admin/queue",
                                         headers={"Authorization": "Bearer " + login["token"]}),
                         401, "unauthorized")


class Bans(WithAccounts):
    """Own server: a ban covers the author's address, which is every test's."""
    server_args = ("--premoderate",)
    login = Moderation.login
    held = Moderation.held

    def test_ban_blocks_the_author_by_address_and_email(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        page = unique_page()
        c, _ = self.held(page, "troll", author_email="troll@example.com")
        r = self.server.post("/api/v1/admin/bans", {"comment_id": c["id"], "days": 7,
                                                    "reason": "trolling"}, headers=mod)
        self.assertStatus(r, 201)
        self.assertIsNotNone(r.json["ban"]["expires_at"])
        again = self.server.post_comment(unique_page(), "I am back")
        self.assertError(again, 403, "not_allowed")
        audit = self.server.get("/api/v1/admin/audit?limit=5", headers=mod).json["entries"]
        self.assertEqual(audit[0]["action"], "ban")
        self.assertEqual(audit[0]["comment_id"], c["id"])
        self.assertEqual(audit[0]["reason"], "trolling")
        bad = self.server.post("/api/v1/admin/bans", {"comment_id": c["id"], "days": 0}, headers=mod)
        self.assertError(bad, 400, "invalid_field", "days")
        listed = self.server.get("/api/v1/admin/bans", headers=mod)
        self.assertStatus(listed, 200)
        ban = listed.json["bans"][0]
        self.assertEqual(ban["id"], r.json["ban"]["id"])
        self.assertEqual(sorted(ban["covers"]), ["address", "email"])
        self.assertError(self.server.get("/api/v1/admin/bans"), 401, "unauthorized")
        lifted = self.server.delete(f"/api/v1/admin/bans/{ban['id']}", headers=mod)
        self.assertStatus(lifted, 204)
        self.assertError(self.server.delete(f"/api/v1/admin/bans/{ban['id']}", headers=mod), 404,
                         "not_found")
        self.assertEqual(self.server.get("/api/v1/admin/bans", headers=mod).json["bans"], [])
        self.assertEqual(len(self.server.get("/api/v1/admin/bans?all=1", headers=mod).json["bans"]), 1)
        self.assertStatus(self.server.post_comment(unique_page(), "I behave now"), 202)



class NetworkBansAndLimits(WithAccounts):
    """Bans and the post rate limit cover an IPv6 client's /64 (the exact
    address for IPv4). Loopback is a trusted proxy, so X-Forwarded-For (with
    ports, as some proxies send it) names the client."""
    server_args = ("--trusted-proxy", "127.0.0.1", "--allow-duplicates")
    server_kwargs = {"posts_per_minute": 2}
    login = Moderation.login

    def post_from(self, hop, page, body="hello"):
        return self.server.post("/api/v1/comments", {"page": page, "body": body},
                                headers={"X-Forwarded-For": hop})

    def test_a_banned_ipv6_client_cannot_post_from_its_slash64(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        page = unique_page()
        r = self.post_from("[2001:db8:5:6::1]:443", page, "first")
        self.assertStatus(r, 201)
        ban = self.server.post("/api/v1/admin/bans", {"comment_id": r.json["comment"]["id"]},
                               headers=mod)
        self.assertStatus(ban, 201)
        self.assertIn("address", ban.json["ban"]["covers"])
        for hop in ("2001:db8:5:6::beef", "[2001:db8:5:6:ffff::1]:8080", "2001:db8:5:6::1"):
            self.assertError(self.post_from(hop, page), 403, "not_allowed")
        self.assertStatus(self.post_from("2001:db8:5:7::1", page), 201)  # the next /64
        self.assertStatus(self.post_from("198.51.100.30:5555", page), 201)

    def test_the_rate_limit_counts_an_ipv6_slash64_and_an_ipv4_address(self):
        page = unique_page()
        self.assertStatus(self.post_from("2001:db8:7:7::1", page, "one"), 201)
        self.assertStatus(self.post_from("2001:db8:7:7::2", page, "two"), 201)
        self.assertError(self.post_from("2001:db8:7:7:abcd::3", page, "three"), 429, "rate_limited")
        self.assertStatus(self.post_from("2001:db8:7:8::1", page, "other /64"), 201)
        self.assertStatus(self.post_from("203.0.113.50", page, "v4 one"), 201)
        self.assertStatus(self.post_from("203.0.113.50:1234", page, "v4 two"), 201)
        self.assertError(self.post_from("203.0.113.50", page, "v4 three"), 429, "rate_limited")
        self.assertStatus(self.post_from("203.0.113.51", page, "a neighbour"), 201)


def post_with_header_lines(port, page, lines):
    """POSTs a comment with each (name, value) of `lines` sent as its own
    header line (http.client's dict API cannot repeat a header)."""
    body = json.dumps({"page": page, "body": "Forwarded through two proxies."}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.putrequest("POST", "/api/v1/comments")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(len(body)))
        for name, value in lines:
            conn.putheader(name, value)
        conn.endheaders(body)
        return conn.getresponse().status
    finally:
        conn.close()


class ForwardingHeaderLines(AmurTestCase):
    """Behind a proxy that appends its own X-Forwarded-For line after the one
    the client sent, the client is read from the last line, not the forged
    first one; a client cannot escape a limit through a header the proxies do
    not write. One post per minute makes the client's identity visible."""
    server_args = ("--trusted-proxy", "127.0.0.1", "--allow-duplicates")
    server_kwargs = {"posts_per_minute": 1}

    def test_every_x_forwarded_for_line_counts_in_order(self):
        port = self.server.port
        self.assertEqual(post_with_header_lines(port, unique_page(), [
            ("X-Forwarded-For", "203.0.113.1"), ("X-Forwarded-For", "198.51.100.5")]), 201)
        # 198.51.100.5 posted; the forged 203.0.113.1 did not.
        self.assertEqual(post_with_header_lines(port, unique_page(), [
            ("X-Forwarded-For", "198.51.100.5")]), 429)
        self.assertEqual(post_with_header_lines(port, unique_page(), [
            ("X-Forwarded-For", "203.0.113.1")]), 201)
        # Forwarded is not what these proxies write: ignored.
        self.assertEqual(post_with_header_lines(port, unique_page(), [
            ("X-Forwarded-For", "198.51.100.5"), ("Forwarded", "for=192.0.2.200")]), 429)


class ForwardedHeaderConfigured(AmurTestCase):
    """--forwarded-header forwarded: RFC 7239 Forwarded names the client and a
    client-sent X-Forwarded-For is ignored."""
    server_args = ("--trusted-proxy", "127.0.0.1", "--forwarded-header", "forwarded",
                   "--allow-duplicates")
    server_kwargs = {"posts_per_minute": 1}

    def test_only_forwarded_is_read(self):
        port = self.server.port
        self.assertEqual(post_with_header_lines(port, unique_page(), [
            ("X-Forwarded-For", "203.0.113.9"), ("Forwarded", "for=\"[2001:db8:5::1]:443\"")]), 201)
        # Same /64, different forged X-Forwarded-For: still limited.
        self.assertEqual(post_with_header_lines(port, unique_page(), [
            ("X-Forwarded-For", "203.0.113.10"), ("Forwarded", "for=\"[2001:db8:5::2]\"")]), 429)
        self.assertEqual(post_with_header_lines(port, unique_page(), [
            ("Forwarded", "for=192.0.2.44;proto=https")]), 201)

    def test_an_unknown_header_name_is_refused_at_start(self):
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run([AMUR_BIN, "serve", "--listen", "127.0.0.1:0",
                                "--forwarded-header", "x-real-ip", "--database",
                                f"sqlite:{d}/amur.db"], stdin=subprocess.DEVNULL,
                               capture_output=True, env=clean_env(), timeout=30)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(b"--forwarded-header", p.stderr)


class UserCommand(AmurTestCase):
    def test_user_add_refuses_duplicates_short_passwords_and_bad_roles(self):
        db = self.server.database_url
        self.assertEqual(add_user(db, "a@example.com", "A", "admin", "long enough pw").returncode, 0)
        dup = add_user(db, "A@EXAMPLE.COM", "A2", "member", "long enough pw")
        self.assertEqual(dup.returncode, 1)
        self.assertIn("exists", dup.stderr)
        self.assertEqual(add_user(db, "b@example.com", "B", "member", "short").returncode, 1)
        self.assertNotEqual(add_user(db, "c@example.com", "C", "king", "long enough pw").returncode, 0)


class LoginRateLimit(AmurTestCase):
    def test_failed_logins_are_rate_limited(self):
        codes = [self.server.post("/api/v1/auth/login",
                                  {"email": "x@example.com", "password": "wrong password"}).status
                 for _ in range(12)]
        self.assertEqual(codes[:10], [401] * 10)
        self.assertEqual(codes[10], 429)


class Pipeline(AmurTestCase):
    """The default screening: slurs and obfuscated slurs are held, heated politics is not."""

    def test_slurs_are_held_with_their_reason(self):
        page = unique_page()
        for body in ("You are a n1gg3r", "what a f a g g o t", "ｎｉｇｇｅｒ go home"):
            r = self.server.post_comment(page, body)
            self.assertStatus(r, 202, body)
            self.assertEqual(r.json["comment"]["state"], "pending")
        r = self.server.post_comment(page, "A perfectly civil remark", author_name="n1gger")
        self.assertStatus(r, 202)
        self.assertEqual(self.listing(page)["comments"], [])
        self.assertEqual(self.server.counts([page]).json["counts"][page], 0)

    def test_masked_slurs_and_slur_uses_of_ambiguous_words_are_held(self):
        page = unique_page()
        for body in ("you n*gger", "what a c-nt", "you fag", "dirty coon"):
            r = self.server.post_comment(page, body)
            self.assertStatus(r, 202, body)
            self.assertEqual(r.json["comment"]["state"], "pending", body)
        self.assertEqual(self.server.counts([page]).json["counts"][page], 0)

    def test_cigarettes_surnames_nonces_and_markdown_pass(self):
        page = unique_page()
        for body in ("Just popping out for a fag before the count starts.",
                     "Alan Coon said the council had misled the tribunal.",
                     "A nonce must never be reused with the same key.",
                     "**Bold** claim: 5*3=15, C# and F# programmers, Q&A at 5pm... hello!!!"):
            self.post_ok(page, body)
        self.assertEqual(self.listing(page)["page"]["comment_count"], 4)

    def test_heated_politics_and_scunthorpe_pass(self):
        page = unique_page()
        for body in ("The analysis of Niger's coup is shallow; the junta is corrupt and the "
                     "sanctions are a disgrace.",
                     "Scunthorpe and Essex voted the other way, and the assassination plot was "
                     "a fabrication by the ministry."):
            self.post_ok(page, body)
        self.assertEqual(self.listing(page)["page"]["comment_count"], 2)

    def test_link_spam_is_held_and_edits_are_not_duplicates_of_themselves(self):
        page = unique_page()
        r = self.server.post_comment(page, "cheap pills http://a.example http://b.example "
                                           "http://c.example http://d.example")
        self.assertStatus(r, 202)
        body = ("The border commission met nine times between 1991 and 2004 and still left "
                "the largest island for last, which says a lot about priorities.")
        c, token = self.post_ok(page, body)
        r = self.server.edit(c["id"], body + " Edited for a typo.", token=token)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["state"], "approved")
        again = self.server.post_comment(page, body)
        self.assertStatus(again, 202)  # the same text again is a near-duplicate


class PagesPinsAndTrust(WithAccounts):
    # Loopback is a trusted proxy, so each test's guests can come from their
    # own address (X-Forwarded-For): trust counts by address.
    server_args = ("--trust-after", "1", "--allow-duplicates", "--trusted-proxy", "127.0.0.1")
    login = Moderation.login

    def post_from(self, address, page, body, **fields):
        return self.server.post("/api/v1/comments", dict(page=page, body=body, **fields),
                                headers={"X-Forwarded-For": address})

    def test_new_authors_are_held_until_one_comment_is_approved(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        page = unique_page()
        first = self.post_from("203.0.113.10", page, "my first comment",
                               author_email="new@example.com")
        self.assertStatus(first, 202)
        c = first.json["comment"]
        self.assertStatus(self.server.post(f"/api/v1/admin/comments/{c['id']}/decision",
                                           {"action": "approve"}, headers=mod), 200)
        second = self.post_from("203.0.113.11", page, "my second comment",
                                author_email="new@example.com")
        self.assertStatus(second, 201)  # the same email elsewhere
        pending = self.server.get("/api/v1/admin/queue?state=pending&limit=200", headers=mod).json
        self.assertNotIn(second.json["comment"]["id"], [x["id"] for x in pending["comments"]])

    def test_a_guest_without_email_is_trusted_by_address(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        page = unique_page()
        first = self.post_from("203.0.113.20", page, "a guest's first comment")
        self.assertStatus(first, 202)
        self.assertStatus(self.server.post(
            f"/api/v1/admin/comments/{first.json['comment']['id']}/decision",
            {"action": "approve"}, headers=mod), 200)
        self.assertStatus(self.post_from("203.0.113.20", page, "and the second"), 201)
        self.assertStatus(self.post_from("203.0.113.21", page, "someone else"), 202)

    def test_close_and_premoderate_a_page(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        page = unique_page()
        r = self.server.post("/api/v1/comments", {"page": page, "body": "moderator opens"},
                             headers=mod)
        self.assertStatus(r, 201)  # moderators are trusted
        r = self.server.post("/api/v1/admin/pages", {"page": page, "closed": True}, headers=mod)
        self.assertStatus(r, 200)
        self.assertTrue(r.json["page"]["closed"])
        self.assertTrue(self.listing(page)["page"]["closed"])
        self.assertError(self.server.post_comment(page, "too late"), 403, "page_closed")
        r = self.server.post("/api/v1/admin/pages", {"page": page, "closed": False,
                                                     "premoderate": True}, headers=mod)
        self.assertStatus(r, 200)
        self.assertEqual((r.json["page"]["closed"], r.json["page"]["premoderate"]), (False, True))
        held = self.server.post_comment(page, "now held", author_email="trusted@example.com")
        self.assertStatus(held, 202)
        self.assertError(self.server.post("/api/v1/admin/pages", {"page": "/no/such/page",
                                                                  "closed": True}, headers=mod),
                         404, "not_found")
        self.assertError(self.server.post("/api/v1/admin/pages", {"page": page, "closed": "yes"},
                                          headers=mod), 400, "invalid_field", "closed")
        actions = [e["action"] for e in
                   self.server.get("/api/v1/admin/audit?limit=5", headers=mod).json["entries"]]
        self.assertIn("premoderate_page", actions)
        self.assertIn("close_page", actions)

    def test_pinned_comment_leads_the_first_page_only(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        page = unique_page()
        ids = []
        for i in range(5):
            r = self.server.post("/api/v1/comments", {"page": page, "body": f"comment {i}"},
                                 headers=mod)
            self.assertStatus(r, 201)
            ids.append(r.json["comment"]["id"])
        r = self.server.post(f"/api/v1/admin/comments/{ids[3]}/pin", {"pinned": True}, headers=mod)
        self.assertStatus(r, 200)
        self.assertTrue(r.json["pinned"])
        for sort in ("oldest", "newest", "votes"):
            seen, cursor = [], None
            while True:
                params = {"sort": sort, "limit": 2}
                if cursor:
                    params["cursor"] = cursor
                body = self.listing(page, **params)
                seen += [c["id"] for c in body["comments"]]
                cursor = body["next_cursor"]
                if not cursor:
                    break
            self.assertEqual(seen[0], ids[3], sort)
            self.assertEqual(sorted(seen), sorted(ids), sort)  # no repeats, no skips
        self.assertStatus(self.server.post(f"/api/v1/admin/comments/{ids[3]}/pin",
                                           {"pinned": False}, headers=mod), 200)
        self.assertEqual(self.listing(page)["comments"][0]["id"], ids[0])


class Settings(AmurTestCase):
    """Term lists and thresholds edited at run time by an admin."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for email, name, role in (("admin@example.com", "Ada Admin", "admin"),
                                  (MOD_EMAIL, "Mia Mod", "moderator")):
            r = add_user(cls.server.database_url, email, name, role, MOD_PASSWORD)
            assert r.returncode == 0, r.stderr

    login = Moderation.login

    def test_admin_adds_a_banned_term_and_it_holds_at_once(self):
        _, admin = self.login("admin@example.com", MOD_PASSWORD)
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        current = self.server.get("/api/v1/admin/settings", headers=mod)
        self.assertStatus(current, 200)
        self.assertIn("banned", current.json["terms"])
        self.assertEqual(current.json["max_links"], 3)
        page = unique_page()
        self.post_ok(page, "the word flibbertigibbet is fine today")
        refused = self.server.request("PUT", "/api/v1/admin/settings",
                                      {"terms": {"banned": current.json["terms"]["banned"] +
                                                 "\nflibbertigibbet\n"}}, headers=mod)
        self.assertError(refused, 403, "not_allowed")  # moderators read, admins change
        r = self.server.request("PUT", "/api/v1/admin/settings",
                                {"terms": {"banned": current.json["terms"]["banned"] +
                                           "\nflibbertigibbet\n"}, "max_links": 1}, headers=admin)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["max_links"], 1)
        held = self.server.post_comment(page, "a flibbertigibbet again")
        self.assertStatus(held, 202)
        bad = self.server.request("PUT", "/api/v1/admin/settings", {"classifier_threshold": 7},
                                  headers=admin)
        self.assertError(bad, 400, "invalid_field", "classifier_threshold")
        self.assertEqual(self.server.get("/api/v1/admin/settings", headers=mod).json["max_links"], 1)
        entries = self.server.get("/api/v1/admin/audit?limit=3", headers=mod).json["entries"]
        self.assertEqual(entries[0]["action"], "settings")
        self.assertEqual(entries[0]["actor"], "Ada Admin")

    def test_settings_survive_a_restart(self):
        _, admin = self.login("admin@example.com", MOD_PASSWORD)
        r = self.server.request("PUT", "/api/v1/admin/settings", {"hold_suspect": True},
                                headers=admin)
        self.assertStatus(r, 200)
        self.server.terminate()
        self.server.start()
        _, admin = self.login("admin@example.com", MOD_PASSWORD)
        self.assertTrue(self.server.get("/api/v1/admin/settings", headers=admin).json["hold_suspect"])


RANT = "THIS GOVERNMENT IS LYING TO YOU AND NOBODY IN THE MEDIA WILL SAY IT"


class Shouting(WithAccounts):
    """A comment mostly in capitals is held as "shouting" by default; acronyms,
    a short "THANK YOU", code and names in capitals pass."""

    login = Moderation.login

    def test_a_rant_in_capitals_is_held_with_its_reason_and_a_modest_score(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        page = unique_page()
        r = self.server.post_comment(page, RANT)
        self.assertStatus(r, 202)
        self.assertEqual(r.json["comment"]["state"], "pending")
        cyrillic = self.server.post_comment(page, "ЭТО ПРАВИТЕЛЬСТВО ВРЁТ НАМ ВСЕМ КАЖДЫЙ ДЕНЬ")
        self.assertStatus(cyrillic, 202)
        q = self.server.get("/api/v1/admin/queue?state=pending&limit=200", headers=mod)
        self.assertStatus(q, 200)
        items = {x["id"]: x["moderation"] for x in q.json["comments"]}
        self.assertEqual(items[r.json["comment"]["id"]]["reasons"], ["shouting"])
        self.assertEqual(items[r.json["comment"]["id"]]["score"], 0.3)
        self.assertEqual(items[cyrillic.json["comment"]["id"]]["reasons"], ["shouting"])
        self.assertEqual(self.server.counts([page]).json["counts"][page], 0)

    def test_acronyms_short_shouts_code_and_names_in_capitals_pass(self):
        page = unique_page()
        for body in ("NATO and the EU met the USA and the UK at the UN",
                     "THANK YOU",
                     "I am SO tired of this. The government MUST act NOW, before it is too late.",
                     "Run this:\n\n```\nSELECT NAME, EMAIL FROM USERS WHERE ID = 1 AND STATUS IS "
                     "NOT NULL\n```\n\nand it works."):
            self.post_ok(page, body)
        self.post_ok(page, "A calm remark about the fishing quotas.",
                     author_name="JOHN ALEXANDER MACDONALD")
        self.assertEqual(self.listing(page)["page"]["comment_count"], 5)

    def test_moderators_may_shout(self):
        _, mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        page = unique_page()
        r = self.server.request("POST", "/api/v1/comments",
                                {"page": page, "body": RANT + " AGAIN"}, headers=mod)
        self.assertStatus(r, 201)


class ShoutingFlaggedOnly(WithAccounts):
    """--hold-shouting=false: shouting is a flag in the queue, not a hold; an
    admin turns holding back on in the settings."""

    server_args = ("--hold-shouting=false",)
    login = Moderation.login

    def test_shouting_is_flagged_until_an_admin_turns_holding_on(self):
        r = add_user(self.server.database_url, "admin@example.com", "Ada Admin", "admin", MOD_PASSWORD)
        self.assertEqual(r.returncode, 0, r.stderr)
        _, admin = self.login("admin@example.com", MOD_PASSWORD)
        settings = self.server.get("/api/v1/admin/settings", headers=admin)
        self.assertStatus(settings, 200)
        self.assertIs(settings.json["hold_shouting"], False)
        page = unique_page()
        published, _ = self.post_ok(page, RANT)
        self.assertEqual(published["state"], "approved")
        bad = self.server.request("PUT", "/api/v1/admin/settings", {"hold_shouting": "yes"},
                                  headers=admin)
        self.assertError(bad, 400, "invalid_field", "hold_shouting")
        on = self.server.request("PUT", "/api/v1/admin/settings", {"hold_shouting": True},
                                 headers=admin)
        self.assertStatus(on, 200)
        self.assertIs(on.json["hold_shouting"], True)
        held = self.server.post_comment(page, "STOP CENSORING MY COMMENTS. I HAVE EVERY RIGHT "
                                              "TO SAY WHAT I THINK")
        self.assertStatus(held, 202)
        # Saved in the database: it outlives a restart, over the flag.
        self.server.terminate()
        self.server.start()
        _, admin = self.login("admin@example.com", MOD_PASSWORD)
        self.assertIs(self.server.get("/api/v1/admin/settings", headers=admin)
                      .json["hold_shouting"], True)


class NearDuplicatesAcrossRestarts(AmurTestCase):
    """The near-duplicate index is warmed from the database at start-up, so a
    restart does not open a window for copies."""

    def test_a_copy_posted_after_a_restart_is_held(self):
        page = unique_page()
        text = ("Earn four thousand dollars a week from home with our signals group, no "
                "experience needed, message the admin on the channel today to join us")
        self.post_ok(page, text, author_name="Trader")
        held_copy = self.server.post_comment(page, text + " now", author_name="Investor")
        self.assertStatus(held_copy, 202)  # held comments count too
        self.server.terminate()
        self.server.start()
        self.assertTrue(any("near-duplicate index" in line and "2 recent comments" in line
                            for line in self.server.stderr_lines),
                        self.server.output_tail())
        r = self.server.post_comment(unique_page(), "Today: " + text, author_name="Marketer",
                                     author_email="marketer@example.com")
        self.assertStatus(r, 202)
        self.assertEqual(r.json["comment"]["state"], "pending")
        # Ordinary comments still pass after the restart.
        self.post_ok(page, "A different remark entirely about the harbour budget and the "
                           "ferry timetable, which nobody has read.")
