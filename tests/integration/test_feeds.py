"""The Atom feeds, black-box over HTTP: GET /feeds/comments.atom?page=KEY and
GET /feeds/recent.atom parsed as XML and held to RFC 4287's rules; approved
comments only (never held, rejected, spam, deleted, tombstones or hidden by
reports); hostile text stays text; a change shows at once (the read cache is
invalidated); ETag and 304; errors; the <link rel="alternate"> on /t and /demo."""

import html.parser
import re
import subprocess
import urllib.parse
import xml.etree.ElementTree as ET

from amur_harness import (AMUR_BIN, FROM_NEWS, NEWS_ORIGIN, RFC3339_MS_Z, AmurTestCase,
                          clean_env, parse_cookies, q, unique_page)

ATOM = "{http://www.w3.org/2005/Atom}"
PUBLIC_URL = "https://comments.example"
MOD_EMAIL, MOD_PASSWORD = "mia@example.com", "correct horse battery"
# RFC 3339 date-time (Atom's Date construct), any offset.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
TAG_URI = re.compile(r"^tag:[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:[A-Za-z0-9/%._~:@!$&'()*+,;=?-]+$")


def one(parent, name):
    """The single child `name` of `parent` (an Atom element), asserting there is one."""
    found = parent.findall(ATOM + name)
    assert len(found) == 1, f"{len(found)} <{name}> in <{parent.tag}>"
    return found[0]


class HeadLinks(html.parser.HTMLParser):
    """Every <link> of a document's <head>, as attribute dicts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self._in_head = [], False

    def handle_starttag(self, tag, attrs):
        if tag == "head":
            self._in_head = True
        elif tag == "link" and self._in_head:
            self.links.append({k: v or "" for k, v in attrs})

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False


def feed_links(html_text):
    p = HeadLinks()
    p.feed(html_text)
    p.close()
    return [a for a in p.links if a.get("rel") == "alternate" and
            a.get("type") == "application/atom+xml"]


class Feeds(AmurTestCase):
    # Reports from two networks hide a comment; the test's reporters name
    # their network in X-Forwarded-For, trusted from loopback.
    server_args = ("--public-url", PUBLIC_URL, "--allow-origin", NEWS_ORIGIN,
                   "--reports-to-queue", "2", "--reports-to-hide", "2",
                   "--trusted-proxy", "127.0.0.1/32")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = subprocess.run(
            [AMUR_BIN, "user", "add", "--email", MOD_EMAIL, "--name", "Mia Mod", "--role",
             "moderator", "--database", cls.server.database_url],
            env=clean_env({"AMUR_PASSWORD": MOD_PASSWORD}), capture_output=True, text=True,
            timeout=60)
        assert r.returncode == 0, r.stderr

    # -- helpers ----------------------------------------------------------- #

    def moderator(self):
        r = self.server.post("/api/v1/auth/login", {"email": MOD_EMAIL, "password": MOD_PASSWORD})
        self.assertStatus(r, 200)
        return {"Cookie": "amur_session=" + parse_cookies(r)["amur_session"],
                "X-CSRF-Token": r.json["csrf_token"]}

    def decide(self, mod, cid, action):
        self.assertStatus(self.server.post(f"/api/v1/admin/comments/{cid}/decision",
                                           {"action": action}, headers=mod), 200)

    def get_feed(self, path, headers=None):
        """GETs a feed, checks its headers and parses it; returns (response, <feed>)."""
        r = self.server.get(path, headers=headers)
        self.assertStatus(r, 200)
        self.assertEqual(r.header("Content-Type"), "application/atom+xml; charset=utf-8")
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        self.assertTrue(r.header("ETag", "").startswith('"'), r)
        self.assertIn("max-age", r.header("Cache-Control", ""))
        self.assertTrue(r.raw.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), r.raw[:60])
        root = ET.fromstring(r.raw)  # raises on anything that is not well-formed XML
        self.check_atom(root)
        return r, root

    def page_feed(self, page, headers=None):
        return self.get_feed("/feeds/comments.atom?" + q(page=page), headers)[1]

    def recent_feed(self):
        return self.get_feed("/feeds/recent.atom")[1]

    def check_atom(self, feed):
        """The rules of RFC 4287 that matter to a feed reader."""
        self.assertEqual(feed.tag, ATOM + "feed")
        self.assertRegex(one(feed, "id").text, TAG_URI)
        self.assertTrue(one(feed, "title").text.strip())
        self.assertRegex(one(feed, "updated").text, RFC3339)
        links = {(l.get("rel") or "alternate"): l for l in feed.findall(ATOM + "link")}
        self.assertEqual(links["self"].get("type"), "application/atom+xml")
        self.assertTrue(links["self"].get("href").startswith(PUBLIC_URL + "/feeds/"))
        self.assertTrue(links["alternate"].get("href").startswith("http"))
        ids = set()
        for entry in feed.findall(ATOM + "entry"):
            entry_id = one(entry, "id").text
            self.assertRegex(entry_id, TAG_URI)
            self.assertNotIn(entry_id, ids)
            ids.add(entry_id)
            self.assertTrue(one(entry, "title").text.strip())
            self.assertRegex(one(entry, "updated").text, RFC3339_MS_Z)
            self.assertRegex(one(entry, "published").text, RFC3339_MS_Z)
            self.assertLessEqual(one(entry, "published").text, one(entry, "updated").text)
            author = one(entry, "author")
            self.assertTrue(one(author, "name").text.strip())
            self.assertEqual(author.findall(ATOM + "email"), [])
            alternate = [l for l in entry.findall(ATOM + "link")
                         if (l.get("rel") or "alternate") == "alternate"]
            self.assertEqual(len(alternate), 1)
            self.assertTrue(alternate[0].get("href").startswith("http"))
            content = one(entry, "content")
            self.assertEqual(content.get("type"), "html")
            self.assertEqual(list(content), [], "markup inside <content> must be escaped text")

    def entries(self, feed):
        """{comment id: entry} of a parsed feed, in feed order."""
        out = {}
        for entry in feed.findall(ATOM + "entry"):
            out[one(entry, "id").text.rsplit("/", 1)[1]] = entry
        return out

    # -- tests ------------------------------------------------------------- #

    def test_page_feed_lists_the_newest_approved_comments_as_atom(self):
        page = unique_page()
        first, _ = self.post_ok(page, "First **words**", author_name="Ann",
                                author_email="ann@private.example", page_title="Aigun & Peking",
                                page_url="https://news.example.org/aigun?x=1", headers=FROM_NEWS)
        second, _ = self.post_ok(page, "Second", author_name="Bob", parent_id=first["id"])
        r, feed = self.get_feed("/feeds/comments.atom?" + q(page=page))
        self.assertNotIn(b"private.example", r.raw)  # never the email
        self.assertEqual(one(feed, "title").text, "Comments on Aigun & Peking")
        self.assertIn("/feeds/comments.atom?page=", [l.get("href") for l in feed.findall(ATOM + "link")
                                                     if l.get("rel") == "self"][0])
        alternate = [l for l in feed.findall(ATOM + "link") if l.get("rel") == "alternate"][0]
        self.assertEqual(alternate.get("href"), "https://news.example.org/aigun?x=1")
        entries = self.entries(feed)
        self.assertEqual(list(entries), [second["id"], first["id"]])  # newest first
        e = entries[first["id"]]
        self.assertEqual(one(e, "title").text, "Ann on Aigun & Peking")
        self.assertEqual(one(one(e, "author"), "name").text, "Ann")
        self.assertEqual(one(e, "published").text, first["created_at"])
        self.assertEqual(one(e, "updated").text, first["created_at"])
        self.assertEqual(one(e, "content").text, first["body_html"])
        self.assertIn("<strong>words</strong>", one(e, "content").text)
        self.assertEqual(one(e, "link").get("href"),
                         f"https://news.example.org/aigun?x=1#amur-{first['id']}")
        self.assertEqual(one(feed, "updated").text, second["created_at"])
        # A page without a URL links to its /t thread, anchored at the comment.
        bare = unique_page()
        c, _ = self.post_ok(bare, "on a bare page")
        e = self.entries(self.page_feed(bare))[c["id"]]
        self.assertEqual(one(e, "link").get("href"),
                         f"{PUBLIC_URL}/t?{q(page=bare)}#{c['id']}".replace("+", "%20"))
        self.assertEqual(one(e, "title").text, f"Guest on {bare}")

    def test_edit_keeps_the_entry_id_and_moves_updated(self):
        page = unique_page()
        c, token = self.post_ok(page, "before the edit")
        entry_id = one(self.entries(self.page_feed(page))[c["id"]], "id").text
        self.assertTrue(entry_id.startswith("tag:comments.example,"), entry_id)
        edited = self.server.edit(c["id"], "after the edit", token=token)
        self.assertStatus(edited, 200)
        e = self.entries(self.page_feed(page))[c["id"]]
        self.assertEqual(one(e, "id").text, entry_id)
        self.assertEqual(one(e, "updated").text, edited.json["edited_at"])
        self.assertEqual(one(e, "published").text, c["created_at"])
        self.assertIn("after the edit", one(e, "content").text)
        recent = self.entries(self.recent_feed())
        self.assertEqual(one(recent[c["id"]], "id").text, entry_id)

    def test_only_approved_comments_appear(self):
        mod = self.moderator()
        page = unique_page()
        kept, _ = self.post_ok(page, "kept")
        self.assertStatus(self.server.post("/api/v1/admin/pages", {"page": page, "premoderate": True},
                                           headers=mod), 200)
        held = []
        for text in ("held then approved", "held then rejected", "held then spam", "held for ever"):
            r = self.server.post_comment(page, text)
            self.assertStatus(r, 202)
            held.append(r.json["comment"]["id"])
        self.assertEqual(list(self.entries(self.page_feed(page))), [kept["id"]])
        self.assertNotIn(held[3], self.entries(self.recent_feed()))
        self.decide(mod, held[0], "approve")
        self.decide(mod, held[1], "reject")
        self.decide(mod, held[2], "spam")
        # The approved one shows at once, in both feeds.
        self.assertEqual(list(self.entries(self.page_feed(page))), [held[0], kept["id"]])
        recent = self.entries(self.recent_feed())
        self.assertIn(held[0], recent)
        for cid in held[1:]:
            self.assertNotIn(cid, recent)
        # Approved, then rejected: gone again.
        self.decide(mod, held[0], "reject")
        self.assertEqual(list(self.entries(self.page_feed(page))), [kept["id"]])
        self.assertNotIn(held[0], self.entries(self.recent_feed()))

    def test_deleted_comments_and_tombstones_disappear(self):
        page = unique_page()
        parent, parent_token = self.post_ok(page, "a parent")
        reply, _ = self.post_ok(page, "a reply", parent_id=parent["id"])
        alone, alone_token = self.post_ok(page, "alone")
        self.assertEqual(set(self.entries(self.page_feed(page))), {parent["id"], reply["id"], alone["id"]})
        self.assertEqual(set(self.entries(self.recent_feed())) & {parent["id"], alone["id"]},
                         {parent["id"], alone["id"]})
        self.assertStatus(self.server.remove(parent["id"], parent_token), 204)  # a tombstone
        self.assertStatus(self.server.remove(alone["id"], alone_token), 204)    # gone
        self.assertEqual(list(self.entries(self.page_feed(page))), [reply["id"]])
        recent = self.entries(self.recent_feed())
        self.assertNotIn(parent["id"], recent)
        self.assertNotIn(alone["id"], recent)
        self.assertIn(reply["id"], recent)

    def test_a_comment_hidden_by_reports_disappears(self):
        page = unique_page()
        c, _ = self.post_ok(page, "reported")
        self.assertIn(c["id"], self.entries(self.page_feed(page)))
        for voter, network in (("reader-aaaa-1", "198.51.100.1"), ("reader-bbbb-2", "203.0.113.2")):
            self.assertStatus(self.server.post(f"/api/v1/comments/{c['id']}/reports",
                                               {"reason": "abuse"},
                                               headers={"X-Amur-Voter": voter,
                                                        "X-Forwarded-For": network}), 202)
        self.assertEqual(self.listing(page)["comments"], [])
        self.assertNotIn(c["id"], self.entries(self.page_feed(page)))
        self.assertNotIn(c["id"], self.entries(self.recent_feed()))

    def test_hostile_content_stays_text(self):
        page = unique_page()
        body = ("</content></entry><entry><id>x</id> ]]> <![CDATA[ <script>alert(1)</script> "
                "&amp; &#0; \x7f\u0085 \ufffe\uffff \u2603 \U0001d11e")
        name = "</name><email>a@b.c</email>"
        c, _ = self.post_ok(page, body, author_name=name,
                            page_title="</title><script>alert(2)</script>", headers=FROM_NEWS)
        for path in ("/feeds/comments.atom?" + q(page=page), "/feeds/recent.atom"):
            r, feed = self.get_feed(path)
            for bad in (b"<script", b"]]>", b"<![CDATA[", b"\x7f", "\u0085".encode(),
                        "\ufffe".encode(), "\uffff".encode()):
                self.assertNotIn(bad, r.raw, path)
            e = self.entries(feed)[c["id"]]
            self.assertEqual(one(one(e, "author"), "name").text, name)
            self.assertEqual(one(e, "title").text, name + " on </title><script>alert(2)</script>")
            text = one(e, "content").text
            # The comment's sanitised HTML, as text, less what XML cannot carry.
            expected = c["body_html"]
            for ch in ("\x7f", "\u0085", "\ufffe", "\uffff"):
                expected = expected.replace(ch, "")
            self.assertEqual(text, expected)
            self.assertIn("\u2603 \U0001d11e", text)
            self.assertNotIn("<script>", text)  # the Markdown sanitiser's work, kept

    def test_a_new_comment_shows_at_once_in_both_feeds(self):
        page, other = unique_page(), unique_page()
        self.post_ok(page, "one")
        self.post_ok(other, "elsewhere")
        before_page = self.page_feed(page)
        before_recent = self.recent_feed()
        self.assertEqual(len(self.entries(before_page)), 1)
        # Served from the cache now; the next comment must still show at once.
        self.assertEqual(ET.tostring(self.page_feed(page)), ET.tostring(before_page))
        c, _ = self.post_ok(page, "two")
        self.assertEqual(list(self.entries(self.page_feed(page)))[0], c["id"])
        self.assertEqual(list(self.entries(self.recent_feed()))[0], c["id"])
        # A comment on another page changes the site's feed, not this page's.
        page_before = self.page_feed(page)
        d, _ = self.post_ok(other, "three")
        self.assertEqual(list(self.entries(self.recent_feed()))[0], d["id"])
        self.assertEqual(ET.tostring(self.page_feed(page)), ET.tostring(page_before))
        self.assertNotEqual(ET.tostring(before_recent), ET.tostring(self.recent_feed()))
        # A new title from the desk renames the page's entries in both feeds.
        mod = self.moderator()
        self.assertStatus(self.server.post("/api/v1/admin/pages", {"page": page, "title": "Renamed"},
                                           headers=mod), 200)
        self.assertEqual(one(self.page_feed(page), "title").text, "Comments on Renamed")
        self.assertEqual(one(self.entries(self.recent_feed())[c["id"]], "title").text,
                         "Guest on Renamed")

    def test_etag_answers_304_until_something_changes(self):
        page = unique_page()
        self.post_ok(page, "etag")
        for path in ("/feeds/comments.atom?" + q(page=page), "/feeds/recent.atom"):
            r, _ = self.get_feed(path)
            etag = r.header("ETag")
            again = self.server.get(path, headers={"If-None-Match": etag})
            self.assertStatus(again, 304)
            self.assertEqual(again.raw, b"")
            self.assertEqual(again.header("ETag"), etag)
            self.post_ok(page, "a change")
            changed, _ = self.get_feed(path, headers={"If-None-Match": etag})
            self.assertNotEqual(changed.header("ETag"), etag)

    def test_errors(self):
        self.assertError(self.server.get("/feeds/comments.atom?" + q(page=unique_page("/never"))),
                         404, "not_found")
        self.assertError(self.server.get("/feeds/comments.atom"), 400, "missing_field", "page")
        self.assertError(self.server.get("/feeds/comments.atom?page="), 400, "missing_field", "page")
        self.assertError(self.server.get("/feeds/comments.atom?page=%2Fa%01b"), 400, "invalid_field",
                         "page")
        self.assertError(self.server.get("/feeds/comments.atom?page=%FF"), 400, "invalid_field", "page")
        self.assertError(self.server.get("/feeds/comments.atom?" + q(page="/" + "x" * 600)), 400,
                         "too_long", "page")
        r = self.server.post("/feeds/recent.atom", {})
        self.assertError(r, 405, "method_not_allowed")
        self.assertIn("GET", r.header("Allow"))

    def test_thread_and_demo_pages_link_their_feed(self):
        page = unique_page()
        # A page nobody wrote on has no feed (404) and links none.
        t = self.server.get("/t?" + q(page=page))
        self.assertStatus(t, 200)
        self.assertEqual(feed_links(t.text), [])
        self.post_ok(page, "now there is one", page_title="Linked", headers=FROM_NEWS)
        links = feed_links(self.server.get("/t?" + q(page=page)).text)
        self.assertEqual(len(links), 1)
        href = f"{PUBLIC_URL}/feeds/comments.atom?page={urllib.parse.quote(page, safe='')}"
        self.assertEqual(links[0]["href"], href)
        self.assertEqual(links[0]["title"], "Comments (Atom)")
        self.page_feed(page)  # and it answers
        self.assertStatus(self.server.get(href[len(PUBLIC_URL):]), 200)
        # The demo article links the /demo page's feed once someone commented there.
        self.post_ok("/demo", "on the demo")
        links = feed_links(self.server.get("/demo").text)
        self.assertEqual([l["href"] for l in links],
                         [f"{PUBLIC_URL}/feeds/comments.atom?page=%2Fdemo"])
        e = list(self.entries(self.page_feed("/demo")).values())[0]
        self.assertTrue(one(e, "link").get("href").startswith(f"{PUBLIC_URL}/demo#c"))
