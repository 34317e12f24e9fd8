"""Email notifications end to end (issue 9), with a real SMTP server on
loopback (smtp_sink.py, aiosmtpd): double opt-in, thread and reply
notices, digests (the server's clock moved by AMUR_CLOCK_OFFSET_FILE),
one-click unsubscribe (RFC 8058), the manage page, nothing about one's own
or held comments, exactly once through approve/reject/approve, a mail
server outage across an amur restart, and the abuse limits.

Negative checks ("no mail about X") are made by order, not by waiting: the
sender handles the log in order, so once the notice of a later comment has
arrived, one about an earlier comment would have arrived before it.
"""

import os
import re
import time
import unittest
import urllib.parse

from amur_harness import AmurServer, AmurTestCase, parse_cookies, parse_html, q, unique_page
from smtp_sink import SmtpSink, make_certificate
from test_moderation import MOD_EMAIL, MOD_PASSWORD, add_user

MIN = 60_000


def link(message, path):
    """The first link to `path` in the message's plain-text part."""
    m = re.search(r"(https?://[^\s]+" + re.escape(path) + r"\?token=[A-Za-z0-9_-]+)",
                  message.part("plain"))
    if not m:
        raise AssertionError(f"no {path} link in {message.part('plain')!r}")
    return m.group(1)


def path_of(url):
    u = urllib.parse.urlsplit(url)
    return u.path + ("?" + u.query if u.query else "")


class MailCase(AmurTestCase):
    """A server that mails through a real SMTP server, with a movable clock."""

    extra_args = ()
    digest_minutes = "0"  # each notice at once, unless a case tests digests
    per_hour = "1000"     # requests per network, unless a case tests the limit

    @classmethod
    def setUpClass(cls):
        cls.sink = SmtpSink().start()
        cls.addClassCleanup(cls.sink.stop)
        cls.clock_file = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                      f"amur-mail-clock-{os.getpid()}-{cls.__name__}")
        with open(cls.clock_file, "w") as f:
            f.write("0\n")
        cls.addClassCleanup(lambda: os.path.exists(cls.clock_file) and os.remove(cls.clock_file))
        cls.server_args = ("--smtp", cls.sink.url, "--mail-from", "Amur Comments <comments@example.com>",
                           "--digest-minutes", cls.digest_minutes,
                           "--subscriptions-per-hour", cls.per_hour) + tuple(cls.extra_args)
        cls.server_kwargs = dict(env={"AMUR_CLOCK_OFFSET_FILE": cls.clock_file})
        super().setUpClass()

    def jump(self, offset_ms):
        with open(self.clock_file, "w") as f:
            f.write(f"{offset_ms}\n")

    def subscribe(self, email, kind="thread", page=None, headers=None):
        body = {"kind": kind, "email": email}
        if page is not None:
            body["page"] = page
        return self.server.post("/api/v1/subscriptions", body, headers=headers)

    def confirmed(self, email, kind="thread", page=None):
        """Subscribes `email` and follows the confirmation link."""
        before = len(self.sink.to(email))
        r = self.subscribe(email, kind, page)
        self.assertStatus(r, 202)
        confirm = self.sink.wait_for(email, before + 1)[-1]
        self.assertIn("confirm", confirm.header("Subject").lower())
        r = self.server.get(path_of(link(confirm, "/subscriptions/confirm")))
        self.assertStatus(r, 200)
        return confirm


class OptInAndNotices(MailCase):

    def test_guest_double_opt_in_then_thread_notice(self):
        page = unique_page("/news/harbour")
        r = self.subscribe("Reader.One@Example.com", page=page)
        self.assertStatus(r, 202)
        self.assertEqual(r.json["status"], "pending")
        confirm = self.sink.wait_for("reader.one@example.com")[0]
        self.assertEqual(confirm.mail_from, "comments@example.com")
        self.assertIn("<comments@example.com>", confirm.header("From"))
        self.assertTrue(confirm.header("Message-ID"))
        self.assertTrue(confirm.header("Date"))
        # Nothing is delivered before the link is followed...
        self.post_ok(page, "Posted before the address was confirmed.", author_name="Early")
        r = self.server.get(path_of(link(confirm, "/subscriptions/confirm")))
        self.assertStatus(r, 200)
        self.assertIn("confirmed", r.text.lower())
        # ...and from then on, each published comment is.
        c, _ = self.post_ok(page, "Ships <b>must</b> dock & wait.\n\nSecond paragraph.",
                            author_name="Ólafur", page_title="The harbour vote")
        notices = self.sink.wait_for("reader.one@example.com", 2)
        self.assertEqual(len(notices), 2, notices)
        n = notices[1]
        self.assertIn("Ólafur", n.header("Subject"))
        self.assertIn("Ships <b>must</b> dock & wait.", n.part("plain"))
        html = n.part("html")
        self.assertIn("&lt;b&gt;must&lt;/b&gt;", html)  # the comment's text, escaped
        self.assertNotIn("Posted before the address", n.part("plain"))
        self.assertIn(c["id"], n.part("plain"))  # the link to the comment
        self.assertTrue(n.header("List-Unsubscribe").startswith("<http"))
        self.assertEqual(n.header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click")
        self.assertIn("/subscriptions/manage?token=", n.part("plain"))
        self.assertRegex(n.header("Message-ID"), r"^<amur\.\d+\.[A-Za-z0-9_-]+@")
        # The raw header is RFC 2047-encoded (non-ASCII name in the subject).
        raw_subject = re.search(rb"^Subject: (.*(?:\r\n .*)*)", n.data, re.M).group(1)
        self.assertIn(b"=?UTF-8?B?", raw_subject)

    def test_no_notice_of_ones_own_comment(self):
        page = unique_page()
        self.confirmed("own@example.com", page=page)
        self.post_ok(page, "My own comment", author_name="Me", author_email="Own@Example.com")
        self.post_ok(page, "Someone else's", author_name="Other")
        got = self.sink.wait_for("own@example.com", 2)  # confirmation + one notice
        time.sleep(0.2)
        texts = [m.part("plain") for m in self.sink.to("own@example.com")[1:]]
        self.assertEqual(len(texts), 1, texts)
        self.assertIn("Someone else's", texts[0])
        self.assertNotIn("My own comment", texts[0])
        self.assertEqual(len(got), 2)

    def test_replies_to_my_comments_on_any_page(self):
        page1, page2 = unique_page(), unique_page()
        mine, _ = self.post_ok(page1, "A comment of mine", author_name="Ann",
                               author_email="ann@example.com")
        self.confirmed("ann@example.com", kind="replies")
        self.post_ok(page1, "A top-level comment that replies to nobody", author_name="Bob")
        self.post_ok(page1, "I disagree with Ann", author_name="Bob", parent_id=mine["id"])
        notices = self.sink.wait_for("ann@example.com", 2)
        self.assertIn("replied to you", notices[1].header("Subject"))
        self.assertIn("I disagree with Ann", notices[1].part("plain"))
        self.assertNotIn("replies to nobody", notices[1].part("plain"))
        # On another page too.
        other, _ = self.post_ok(page2, "Ann elsewhere", author_name="Ann",
                                author_email="ann@example.com")
        self.post_ok(page2, "Replying on page two", author_name="Cy", parent_id=other["id"])
        self.assertIn("Replying on page two", self.sink.wait_for("ann@example.com", 3)[2].part("plain"))

    def test_notify_me_of_replies_with_the_comment(self):
        page = unique_page()
        r = self.server.post_comment(page, "Tell me when someone answers", author_name="Dee",
                                     author_email="dee@example.com", notify_replies=True)
        self.assertStatus(r, 201)
        confirm = self.sink.wait_for("dee@example.com")[0]
        self.assertIn("replies to your comments", confirm.part("plain"))
        self.assertStatus(self.server.get(path_of(link(confirm, "/subscriptions/confirm"))), 200)
        self.post_ok(page, "An answer", author_name="Eve", parent_id=r.json["comment"]["id"])
        self.assertIn("An answer", self.sink.wait_for("dee@example.com", 2)[1].part("plain"))
        # Without an address there is nobody to tell.
        r = self.server.post_comment(page, "no address", notify_replies=True)
        self.assertError(r, 400, "missing_field", "author_email")
        r = self.server.post_comment(page, "bad flag", author_email="x@example.com",
                                     notify_replies="yes")
        self.assertError(r, 400, "invalid_field", "notify_replies")

    def test_the_plain_page_subscribes_without_javascript(self):
        page = unique_page()
        shown = self.server.get("/t?" + q(page=page))
        self.assertStatus(shown, 200)
        self.assertIn('action="/t/subscribe"', shown.text)
        self.assertIn("Notify of", shown.text)
        self.assertIn('name="notify_replies"', shown.text)
        tokens = re.findall(r'name="csrf_token" value="([^"]+)"', shown.text)
        self.assertEqual(len(tokens), 2)  # the Subscribe form and the comment form
        self.assertEqual(tokens[0], tokens[1])
        self.assertNotIn("AmurFormTokenSlot", shown.text)
        cookie = "amur_form=" + parse_cookies(shown)["amur_form"]
        form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        # Another site's form is refused, and nothing is sent.
        r = self.server.post("/t/subscribe", body=q(page=page, kind="thread", email="nojs@example.com",
                                                    csrf_token=tokens[0], return_to="/t"),
                             headers=dict(form, **{"Sec-Fetch-Site": "cross-site"}))
        self.assertStatus(r, 403)
        r = self.server.post("/t/subscribe", body=q(page=page, kind="thread", email="nojs@example.com",
                                                    csrf_token=tokens[0], return_to="/t"),
                             headers=form)
        self.assertStatus(r, 303)
        self.assertIn("subscribed=1", r.header("Location"))
        back = self.server.get(r.header("Location").split("#")[0])
        self.assertIn("Check your inbox", back.text)
        confirm = self.sink.wait_for("nojs@example.com")[0]
        self.assertEqual(len(self.sink.to("nojs@example.com")), 1)
        self.assertIn("new comments on", confirm.part("plain"))
        # A bad address answers a page saying so.
        r = self.server.post("/t/subscribe", body=q(page=page, kind="thread", email="a%b@example.com",
                                                    csrf_token=tokens[0], return_to="/t"),
                             headers=form)
        self.assertStatus(r, 400)
        self.assertIn("one plain address", r.text)

    def test_unsubscribe_one_click_and_get_changes_nothing(self):
        page = unique_page()
        self.confirmed("leaver@example.com", page=page)
        self.post_ok(page, "first", author_name="A")
        notice = self.sink.wait_for("leaver@example.com", 2)[1]
        url = notice.header("List-Unsubscribe").strip("<>")
        # A link scanner's GET only shows a button.
        r = self.server.get(path_of(url))
        self.assertStatus(r, 200)
        self.assertIn("<form", r.text)
        self.post_ok(page, "second", author_name="A")
        self.sink.wait_for("leaver@example.com", 3)
        # The mail provider's one-click POST (RFC 8058) is effective at once.
        r = self.server.post(path_of(url), body=b"List-Unsubscribe=One-Click",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertStatus(r, 200)
        self.assertIn("unsubscribed", r.text.lower())
        # Later comments reach others but not the leaver.
        self.confirmed("stayer@example.com", page=page)
        self.post_ok(page, "third", author_name="A")
        self.sink.wait_for("stayer@example.com", 2)
        self.assertEqual(len(self.sink.to("leaver@example.com")), 3)
        # The same POST again is harmless.
        self.assertStatus(self.server.post(path_of(url), body=b"List-Unsubscribe=One-Click",
                                           headers={"Content-Type": "application/x-www-form-urlencoded"}), 200)

    def test_manage_page_lists_and_removes(self):
        page1, page2 = unique_page(), unique_page()
        self.confirmed("many@example.com", page=page1)
        r = self.subscribe("many@example.com", page=page2)
        self.assertStatus(r, 202)
        # The open confirmation covers the second one: no second mail yet.
        self.post_ok(page1, "hello many", author_name="A")
        notice = self.sink.wait_for("many@example.com", 2)[1]
        self.assertIn("hello many", notice.part("plain"))
        manage = path_of(link(notice, "/subscriptions/manage"))
        r = self.server.get(manage)
        self.assertStatus(r, 200)
        self.assertIn("many@example.com", r.text)
        self.assertEqual(r.text.count('name="remove"'), 3)  # two subscriptions and "all"
        self.assertEqual(r.header("Referrer-Policy"), "no-referrer")
        r = self.server.post(manage, body=b"remove=all",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertStatus(r, 200)
        self.assertIn("No subscriptions", r.text)
        self.confirmed("witness@example.com", page=page1)
        self.post_ok(page1, "after removal", author_name="A")
        self.sink.wait_for("witness@example.com", 2)
        self.assertEqual(len(self.sink.to("many@example.com")), 2)
        # A made-up token shows an error page, not a list.
        r = self.server.get("/subscriptions/manage?token=" + "A" * 43)
        self.assertStatus(r, 404)

class Digests(MailCase):
    digest_minutes = "10"

    def test_digest_gathers_later_comments(self):
        page = unique_page()
        self.confirmed("digest@example.com", page=page)
        self.post_ok(page, "first of the day", author_name="A")
        self.sink.wait_for("digest@example.com", 2)
        self.post_ok(page, "second within minutes", author_name="B")
        self.post_ok(page, "third within minutes", author_name="C")
        # Another page's subscriber, whose first notice goes out at once,
        # shows the sender has handled both comments.
        self.confirmed("witness2@example.com", page=page)
        self.post_ok(page, "fourth", author_name="D")
        self.sink.wait_for("witness2@example.com", 2)
        self.assertEqual(len(self.sink.to("digest@example.com")), 2)
        self.jump(11 * MIN)
        try:
            digest = self.sink.wait_for("digest@example.com", 3)[2]
        finally:
            self.jump(0)
        text = digest.part("plain")
        for body in ("second within minutes", "third within minutes", "fourth"):
            self.assertIn(body, text)
        self.assertIn("3 new comments", digest.header("Subject"))



class HeldComments(MailCase):
    extra_args = ("--premoderate",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for email, name, role, pw in ((MOD_EMAIL, "Mia Mod", "moderator", MOD_PASSWORD),):
            r = add_user(cls.server.database_url, email, name, role, pw)
            assert r.returncode == 0, r.stderr

    def login(self):
        r = self.server.post("/api/v1/auth/login", {"email": MOD_EMAIL, "password": MOD_PASSWORD})
        self.assertStatus(r, 200)
        cookie = [h for h in r.header_all("Set-Cookie") if h.startswith("amur_session=")][0]
        return {"Cookie": cookie.split(";")[0], "X-CSRF-Token": r.json["csrf_token"]}

    def decide(self, mod, cid, action):
        self.assertStatus(self.server.post(f"/api/v1/admin/comments/{cid}/decision",
                                           {"action": action}, headers=mod), 200)

    def test_mail_only_when_published_and_exactly_once(self):
        mod = self.login()
        page = unique_page()
        self.confirmed("follower@example.com", page=page)
        held = self.server.post_comment(page, "held at first", author_name="H")
        self.assertStatus(held, 202)
        cid = held.json["comment"]["id"]
        rejected = self.server.post_comment(page, "rejected for good", author_name="R")
        self.decide(mod, rejected.json["comment"]["id"], "reject")
        self.decide(mod, cid, "approve")
        notices = self.sink.wait_for("follower@example.com", 2)
        self.assertIn("held at first", notices[1].part("plain"))
        self.decide(mod, cid, "reject")
        self.decide(mod, cid, "approve")
        marker = self.server.post_comment(page, "the marker", author_name="M")
        self.decide(mod, marker.json["comment"]["id"], "approve")
        got = self.sink.wait_for("follower@example.com", 3)
        time.sleep(0.3)
        texts = [m.part("plain") for m in self.sink.to("follower@example.com")[1:]]
        self.assertEqual(len(texts), 2, texts)
        self.assertIn("the marker", texts[1])
        self.assertNotIn("held at first", texts[1])
        self.assertFalse(any("rejected for good" in t for t in texts))
        self.assertEqual(len(got), 3)

    def test_moderators_may_get_held_comments(self):
        mod = self.login()
        r = self.server.post("/api/v1/subscriptions", {"kind": "moderation"}, headers=mod)
        self.assertStatus(r, 201)
        self.assertEqual(r.json["subscription"]["status"], "active")
        # A guest cannot.
        r = self.subscribe("guest@example.com", kind="moderation")
        self.assertError(r, 401, "unauthorized")
        page = unique_page()
        held = self.server.post_comment(page, "please look at <this>", author_name="Held")
        self.assertStatus(held, 202)
        notice = self.sink.wait_for(MOD_EMAIL)[0]
        self.assertIn("Held for moderation", notice.header("Subject"))
        self.assertIn("please look at <this>", notice.part("plain"))
        self.assertIn("please look at &lt;this&gt;", notice.part("html"))
        r = self.server.get("/api/v1/subscriptions", headers=mod)
        self.assertStatus(r, 200)
        self.assertEqual([s["kind"] for s in r.json["subscriptions"]], ["moderation"])
        sid = r.json["subscriptions"][0]["id"]
        self.assertStatus(self.server.delete(f"/api/v1/subscriptions/{sid}", headers=mod), 204)
        self.assertEqual(self.server.get("/api/v1/subscriptions", headers=mod).json["subscriptions"], [])


class Abuse(MailCase):

    def test_addresses_are_checked_strictly(self):
        page = unique_page()
        for bad in ("a%b@example.com", "*@example.com", "a@b.com,c@d.com", "a@b.com c@d.com",
                    "a@b.com\r\nBcc: x@y.com", "<a@b.com>", "a@localhost", "a@[127.0.0.1]",
                    "\"a b\"@example.com", "a@@example.com", "x" * 250 + "@e.com"):
            r = self.subscribe(bad, page=page)
            self.assertIn(r.status, (400,), (bad, r))
            self.assertIn(r.json["error"]["code"], ("invalid_field", "too_long"), (bad, r))
            self.assertEqual(r.json["error"]["field"], "email")
        self.assertError(self.subscribe("ok@example.com", kind="everything", page=page), 400,
                         "invalid_field", "kind")
        self.assertError(self.subscribe("ok@example.com", page=None), 400, "missing_field", "page")
        r = self.server.post("/api/v1/subscriptions", {"kind": "thread", "page": page})
        self.assertError(r, 400, "missing_field", "email")

    def test_requests_naming_one_address_are_limited(self):
        for i in range(5):
            self.assertStatus(self.subscribe("Limited@example.com", page=unique_page()), 202)
        r = self.subscribe("limited@EXAMPLE.com", page=unique_page())
        self.assertError(r, 429, "rate_limited")
        self.assertStatus(self.subscribe("other@example.com", page=unique_page()), 202)

    def test_one_confirmation_per_address_whoever_asks(self):
        victim = "victim@example.com"
        for i in range(3):
            self.assertStatus(self.subscribe(victim, page=unique_page()), 202)
        self.assertStatus(self.subscribe(victim, kind="replies"), 202)
        # A later, different address is mailed: the sender is not stuck.
        self.assertStatus(self.subscribe("someone@example.com", page=unique_page()), 202)
        self.sink.wait_for("someone@example.com")
        mails = self.sink.to(victim)
        self.assertEqual(len(mails), 1, mails)
        # Its link confirms every subscription made for the address since.
        r = self.server.get(path_of(link(mails[0], "/subscriptions/confirm")))
        self.assertStatus(r, 200)
        manage = re.search(r'href="[^"]*(/subscriptions/manage\?token=[^"]+)"', r.text).group(1)
        r = self.server.get(manage)
        self.assertStatus(r, 200)
        self.assertEqual(r.text.count('name="remove"'), 5)
        self.assertNotIn("waiting for confirmation", r.text)


class RateLimits(MailCase):
    per_hour = "3"

    def test_per_network_limit(self):
        # Malformed requests cost nothing.
        self.assertError(self.subscribe("bad address", page=unique_page()), 400, "invalid_field")
        for i in range(3):
            self.assertStatus(self.subscribe(f"n{i}@example.com", page=unique_page()), 202)
        r = self.subscribe("n4@example.com", page=unique_page())
        self.assertError(r, 429, "rate_limited")
        self.assertTrue(r.header("Retry-After"))


class Outage(MailCase):

    def test_outage_and_restart_deliver_exactly_once(self):
        page = unique_page()
        self.confirmed("patient@example.com", page=page)
        self.sink.stop()
        try:
            self.post_ok(page, "posted while mail was down", author_name="A")
            time.sleep(1.5)  # the sender tries and fails at least once
            self.server.terminate()
            self.server.start()
        finally:
            self.sink.start()
        got = self.sink.wait_for("patient@example.com", 2, timeout=60)
        self.assertIn("posted while mail was down", got[1].part("plain"))
        # A second comment after recovery arrives once too, and the first is
        # not sent again.
        self.post_ok(page, "after the outage", author_name="B")
        got = self.sink.wait_for("patient@example.com", 3, timeout=60)
        time.sleep(0.5)
        ids = [m.header("Message-ID") for m in self.sink.to("patient@example.com")]
        self.assertEqual(len(ids), len(set(ids)), ids)
        self.assertEqual(len(ids), 3, ids)

    def test_one_connection_for_many_messages(self):
        page = unique_page()
        for i in range(5):
            self.confirmed(f"bulk{i}@example.com", page=page)
        greetings = self.sink.greetings
        self.post_ok(page, "to five readers", author_name="A")
        for i in range(5):
            self.sink.wait_for(f"bulk{i}@example.com", 2)
        self.assertLessEqual(self.sink.greetings - greetings, 1)


class StartTlsAndLogin(AmurTestCase):
    """A mail server that offers STARTTLS with its own certificate and wants
    a user and password: amur switches to TLS (checking the certificate
    against --smtp-ca), signs in, and delivers."""

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.folder = tempfile.mkdtemp(prefix="amur-smtp-tls-")
        cert, key = make_certificate(cls.folder)
        cls.sink = SmtpSink(tls=(cert, key), login=("mailer", "s@cret pass")).start()
        cls.addClassCleanup(cls.sink.stop)
        cls.server_args = ("--smtp", f"smtp://mailer:s%40cret%20pass@127.0.0.1:{cls.sink.port}",
                           "--smtp-ca", cert, "--mail-from", "comments@example.com")
        super().setUpClass()

    def test_mail_goes_over_tls_after_login(self):
        r = self.server.post("/api/v1/subscriptions",
                             {"kind": "thread", "page": unique_page(), "email": "tls@example.com"})
        self.assertStatus(r, 202)
        m = self.sink.wait_for("tls@example.com")[0]
        self.assertTrue(m.tls, "the message came over plain text")
        self.assertEqual(m.login, "mailer")


class MailOff(AmurTestCase):

    def test_subscriptions_refused_without_smtp(self):
        r = self.server.post("/api/v1/subscriptions",
                             {"kind": "thread", "page": unique_page(), "email": "a@example.com"})
        self.assertError(r, 403, "not_allowed")


if __name__ == "__main__":
    unittest.main()
