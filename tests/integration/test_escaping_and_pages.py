"""Hostile Markdown and names never reach a browser unescaped; the pages for
people (/t, /demo), the no-JavaScript form with its CSRF token, /healthz and
/metrics."""

import html.parser
import re
import unittest
import urllib.parse

from amur_harness import (FROM_NEWS, NEWS_ORIGIN, AmurServer, AmurTestCase, parse_cookies, cookie_attrs, parse_html,
                          q, unique_page)

HOSTILE_BODIES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[y](JaVaScRiPt:alert(2))",
    "[z](&#106;avascript:alert(3))",
    "<javascript:alert(4)>",
    "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==)",
    "[v](vbscript:alert(6))",
    "![i](javascript:alert(7))",
    '<a href="javascript:alert(8)">click</a>',
    '"><svg onload=alert(9)>',
    "<iframe src=\"javascript:alert(10)\"></iframe>",
    "<style>body{background:url(javascript:alert(11))}</style>",
    "text <b onmouseover=alert(12)>bold</b> text",
    "<div\nonclick=alert(13)>x</div>",
    "[link](https://example.org/ \"title\\\" onmouseover=alert(14) x=\\\"\")",
]
HOSTILE_NAME = "<b onmouseover=alert(1)>"
DANGEROUS_TAGS = {"script", "style", "iframe", "svg", "img", "object", "embed",
                  "math", "base", "meta", "link", "form", "frame", "frameset"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
SCRIPT_SCHEMES = ("javascript:", "vbscript:")
# data: URLs a browser would run or render as a document ("data:," as an
# empty favicon is harmless).
ACTIVE_DATA = ("text/html", "text/javascript", "application/", "image/svg")


class SafetyScanner(html.parser.HTMLParser):
    """Finds anything a browser would execute that carries a test payload
    (every payload here calls alert(N))."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.text = []
        self.links = []
        self._in = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        if tag in ("script", "style"):
            self._in.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def _check(self, tag, attrs):
        a = [(k.lower(), v or "") for k, v in attrs]
        if tag == "a":
            self.links.append(dict(a))
        for k, v in a:
            if k.startswith("on") and "alert(" in v:
                self.problems.append(f"<{tag} {k}={v!r}>")
            if k in URL_ATTRS:
                squashed = re.sub(r"[\x00-\x20]", "", v).lower()
                if squashed.startswith(SCRIPT_SCHEMES) or (
                        squashed.startswith("data:") and squashed[5:].startswith(ACTIVE_DATA)):
                    self.problems.append(f"<{tag} {k}={v!r}>")
            if tag in DANGEROUS_TAGS and "alert(" in v:
                self.problems.append(f"<{tag} {k}={v!r}>")

    def handle_data(self, data):
        if self._in and "alert(" in data:
            self.problems.append(f"<{self._in[-1]}> containing {data[:80]!r}")
        elif not self._in:
            self.text.append(data)


def scan(markup):
    s = SafetyScanner()
    s.feed(markup)
    s.close()
    return s


def visible_text(markup):
    return re.sub(r"\s+", " ", " ".join(scan(markup).text))


class Escaping(AmurTestCase):
    # The same hostile bodies are posted by several tests on purpose.
    server_args = ("--allow-duplicates", "--allow-origin", NEWS_ORIGIN)

    def assertSafe(self, markup, where):
        s = scan(markup)
        self.assertEqual(s.problems, [], f"unsafe markup in {where}")
        for raw in ("<script>alert(", "<img src=x onerror", "<svg onload", "<b onmouseover",
                    "href=\"javascript:", "href='javascript:", "href=javascript:"):
            self.assertNotIn(raw.lower(), markup.lower(), where)

    def test_hostile_markdown_is_neutralised_in_body_html(self):
        page = unique_page()
        for body in HOSTILE_BODIES:
            with self.subTest(body=body):
                c, _ = self.post_ok(page, body)
                self.assertSafe(c["body_html"], f"body_html of {body!r}")
                for link in scan(c["body_html"]).links:
                    self.assertEqual(link.get("rel"), "nofollow ugc noopener", link)
        listing = self.server.list_comments(page)
        for c in listing.json["comments"]:
            self.assertSafe(c["body_html"], "listing")

    def test_code_spans_are_escaped_not_dropped(self):
        page = unique_page()
        c, _ = self.post_ok(page, "`<script>alert(1)</script>` and a < b & c")
        self.assertIn("<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>", c["body_html"])
        self.assertIn("a &lt; b &amp; c", c["body_html"])

    def test_links_get_safe_rel_and_autolinks(self):
        page = unique_page()
        c, _ = self.post_ok(page, "see [the site](https://example.org/x) and "
                                  "https://example.com/auto and <mailto:ed@example.org> ~~gone~~")
        links = scan(c["body_html"]).links
        hrefs = [l.get("href") for l in links]
        self.assertIn("https://example.org/x", hrefs)
        self.assertIn("https://example.com/auto", hrefs)
        self.assertIn("mailto:ed@example.org", hrefs)
        for link in links:
            self.assertEqual(link.get("rel"), "nofollow ugc noopener", link)
        self.assertIn("<del>gone</del>", c["body_html"])

    def test_quotes_in_urls_cannot_break_the_attribute(self):
        page = unique_page()
        c, _ = self.post_ok(page, '[q](https://example.org/?a="x"onmouseover=alert(1)//)')
        self.assertSafe(c["body_html"], "quoted url")

    def test_hostile_name_is_kept_as_text(self):
        page = unique_page()
        c, _ = self.post_ok(page, "hello", author_name=HOSTILE_NAME)
        self.assertEqual(c["author"]["name"], HOSTILE_NAME)
        r = self.server.get("/t?" + q(page=page))
        self.assertStatus(r, 200)
        self.assertSafe(r.text, "/t with hostile name")
        self.assertIn(HOSTILE_NAME, visible_text(r.text))

    def test_thread_page_escapes_everything(self):
        page = unique_page()
        first = self.server.post_comment(page, "plain top", author_name=HOSTILE_NAME,
                                         page_title="</title><script>alert(20)</script>",
                                         page_url="javascript:alert(21)", headers=FROM_NEWS)
        if first.status == 400:  # refusing a javascript: page URL is fine too
            self.assertError(first, 400, "invalid_field", "page_url")
            first = self.server.post_comment(page, "plain top", author_name=HOSTILE_NAME,
                                             page_title="</title><script>alert(20)</script>",
                                             headers=FROM_NEWS)
        self.assertStatus(first, 201)
        top, tok = first.json["comment"], first.json["edit_token"]
        for body in HOSTILE_BODIES:
            self.post_ok(page, body, author_name='"><img src=x onerror=alert(22)>',
                         parent_id=top["id"])
        self.assertStatus(self.server.edit(top["id"], "edited <script>alert(23)</script>", tok), 200)
        for sort in ("oldest", "newest", "votes"):
            with self.subTest(sort=sort):
                r = self.server.get("/t?" + q(page=page, sort=sort))
                self.assertStatus(r, 200)
                self.assertIn("text/html", r.header("Content-Type", ""))
                self.assertSafe(r.text, f"/t sort={sort}")
                self.assertIn(HOSTILE_NAME, visible_text(r.text))

    def test_hostile_page_key_is_escaped(self):
        page = '/x"><script>alert(30)</script><img src=x onerror=alert(31)>' + unique_page("")
        self.post_ok(page, "a comment on a hostile key")
        r = self.server.get("/t?" + q(page=page))
        self.assertStatus(r, 200)
        self.assertSafe(r.text, "/t with hostile key")
        form = thread_form(self, r.text)
        self.assertEqual(field_value(form, "page"), page)


def thread_form(testcase, markup, parent_id=None):
    """The form on a thread page that posts to /t (the top-level one unless
    parent_id is given)."""
    forms = []
    for f in parse_html(markup).forms:
        action = f["attrs"].get("action", "")
        method = f["attrs"].get("method", "get").lower()
        if method == "post" and urllib.parse.urlsplit(action).path == "/t":
            forms.append(f)
    testcase.assertTrue(forms, "no <form method=post action=/t> on the page")
    for f in forms:
        pid = field_value(f, "parent_id") or ""
        if (parent_id is None and pid == "") or (parent_id is not None and pid == parent_id):
            return f
    if parent_id is None:
        return forms[0]
    return None


def field_value(form, name):
    for fld in form["fields"]:
        if fld.get("name") == name:
            return fld.get("value", "")
    return None


def csrf_field(form):
    for fld in form["fields"]:
        if "csrf" in (fld.get("name") or "").lower():
            return fld.get("name"), fld.get("value", "")
    return None, None


def form_payload(form):
    data = {}
    for fld in form["fields"]:
        name = fld.get("name")
        if not name or fld.get("tag") == "button":
            continue
        if fld.get("type", "").lower() in ("submit", "checkbox", "radio") and "checked" not in fld:
            continue
        data[name] = fld.get("value", "")
    return data


class ThreadPage(AmurTestCase):

    def get_thread(self, page, **params):
        r = self.server.get("/t?" + q(page=page, **params))
        self.assertStatus(r, 200)
        self.assertIn("text/html", r.header("Content-Type", ""))
        return r

    def submit(self, page_resp, data):
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        jar = parse_cookies(page_resp)
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        return self.server.post("/t", body=urllib.parse.urlencode(data), headers=headers)

    def test_thread_page_shows_count_sorts_text_and_form(self):
        page = unique_page()
        a, _ = self.post_ok(page, "The first **comment** text", author_name="Alpha")
        b, _ = self.post_ok(page, "The second comment text", author_name="Beta")
        r = self.get_thread(page)
        text = visible_text(r.text)
        self.assertIn("2 Comments", text)
        self.assertIn("The first comment text", text)
        self.assertIn("The second comment text", text)
        self.assertIn("Alpha", text)
        self.assertIn("Beta", text)
        self.assertLess(text.index("The first comment"), text.index("The second comment"))
        # Sort links for the three orders, on this page.
        sorts = set()
        for link in scan(r.text).links:
            href = link.get("href", "")
            parts = urllib.parse.urlsplit(href)
            qs = urllib.parse.parse_qs(parts.query)
            if parts.path in ("", "/t") and qs.get("page") == [page]:
                sorts.add(qs.get("sort", ["oldest"])[0])
        self.assertTrue({"oldest", "newest", "votes"} <= sorts, sorts)
        # The form posts to /t with the page and a CSRF token.
        form = thread_form(self, r.text)
        self.assertEqual(field_value(form, "page"), page)
        name, value = csrf_field(form)
        self.assertIsNotNone(name, "no CSRF field in the form")
        self.assertTrue(value)
        names = {f.get("name") for f in form["fields"]}
        self.assertTrue({"body", "author_name"} <= names, names)
        # Newest first.
        text = visible_text(self.get_thread(page, sort="newest").text)
        self.assertLess(text.index("The second comment"), text.index("The first comment"))

    def test_unknown_page_thread_has_zero_comments_and_form(self):
        page = unique_page()
        r = self.get_thread(page)
        self.assertIn("0 Comments", visible_text(r.text))
        self.assertEqual(field_value(thread_form(self, r.text), "page"), page)

    def test_thread_page_without_page_is_4xx(self):
        r = self.server.get("/t")
        self.assertTrue(400 <= r.status < 500, r)

    def test_replies_last_edited_and_tombstones(self):
        page = unique_page()
        a, tok_a = self.post_ok(page, "parent to be deleted", author_name="Parent")
        b, tok_b = self.post_ok(page, "a reply that stays", author_name="Child",
                                parent_id=a["id"])
        self.assertStatus(self.server.edit(b["id"], "a reply that was edited", tok_b), 200)
        self.assertStatus(self.server.remove(a["id"], tok_a), 204)
        text = visible_text(self.get_thread(page).text)
        self.assertIn("a reply that was edited", text)
        self.assertNotIn("a reply that stays", text)
        self.assertNotIn("parent to be deleted", text)
        self.assertIn("Last edited", text)
        self.assertRegex(text, r"Last edited .*by Child")
        self.assertIn("1 Comment", text)
        self.assertNotIn("2 Comments", text)

    def test_form_post_redirects_to_new_comment(self):
        page = unique_page()
        existing, _ = self.post_ok(page, "already here")
        r = self.get_thread(page)
        form = thread_form(self, r.text)
        data = form_payload(form)
        data.update({"author_name": "Form Poster", "author_email": "form@example.org",
                     "body": "Posted *without* JavaScript"})
        data["page"] = page
        resp = self.submit(r, data)
        self.assertStatus(resp, 303)
        location = resp.header("Location")
        self.assertTrue(location, "303 without Location")
        target = urllib.parse.urlsplit(urllib.parse.urljoin(f"http://127.0.0.1:{self.server.port}/t", location))
        self.assertEqual(target.path, "/t")
        self.assertEqual(urllib.parse.parse_qs(target.query).get("page"), [page])
        listed = self.listing(page)["comments"]
        self.assertEqual(len(listed), 2)
        new = listed[1]
        self.assertIn(target.fragment, ("c" + new["id"], new["id"]))
        self.assertTrue(target.fragment.startswith("c"))
        self.assertEqual(new["author"]["name"], "Form Poster")
        self.assertIn("<em>without</em>", new["body_html"])
        self.assertNotIn("form@example.org", self.server.list_comments(page).text)
        # The anchor exists on the page the redirect points to.
        follow = self.server.get(target.path + "?" + target.query)
        self.assertStatus(follow, 200)
        self.assertRegex(follow.text, r'id=["\']?%s["\'\s>]' % re.escape(target.fragment))

    def test_form_reply(self):
        page = unique_page()
        top, _ = self.post_ok(page, "top for replies")
        r = self.get_thread(page)
        form = thread_form(self, r.text, parent_id=top["id"]) or thread_form(self, r.text)
        data = form_payload(form)
        data.update({"page": page, "parent_id": top["id"], "author_name": "",
                     "author_email": "", "body": "a form reply"})
        resp = self.submit(r, data)
        self.assertStatus(resp, 303)
        replies = self.listing(page)["comments"][0]["replies"]
        self.assertEqual(len(replies), 1)
        self.assertEqual(replies[0]["parent_id"], top["id"])
        self.assertEqual(replies[0]["author"]["name"], "Guest")
        frag = urllib.parse.urlsplit(resp.header("Location")).fragment
        self.assertIn(frag, ("c" + replies[0]["id"], replies[0]["id"]))

    def test_reply_link_leads_to_a_reply_form(self):
        # Without JavaScript a reader follows a link on the thread page to a
        # form whose parent_id is the comment being answered.
        page = unique_page()
        top, _ = self.post_ok(page, "answer me")
        r = self.get_thread(page)
        reply_form, reply_page = None, None
        for link in scan(r.text).links:
            parts = urllib.parse.urlsplit(link.get("href", ""))
            values = [v for vs in urllib.parse.parse_qs(parts.query).values() for v in vs]
            if parts.path == "/t" and top["id"] in values:
                reply_page = self.server.get(parts.path + "?" + parts.query)
                self.assertStatus(reply_page, 200)
                reply_form = thread_form(self, reply_page.text, parent_id=top["id"])
                if reply_form:
                    break
        self.assertIsNotNone(reply_form, "no link to a reply form for " + top["id"])
        data = form_payload(reply_form)
        self.assertEqual(data.get("parent_id"), top["id"])
        self.assertEqual(data.get("page"), page)
        data.update({"author_name": "Replier", "body": "answered without JavaScript"})
        resp = self.submit(reply_page, data)
        self.assertStatus(resp, 303)
        replies = self.listing(page)["comments"][0]["replies"]
        self.assertEqual([x["author"]["name"] for x in replies], ["Replier"])
        frag = urllib.parse.urlsplit(resp.header("Location")).fragment
        self.assertIn(frag, ("c" + replies[0]["id"], replies[0]["id"]))

    def test_form_post_without_valid_csrf_is_refused(self):
        page = unique_page()
        self.post_ok(page, "already here")
        r = self.get_thread(page)
        form = thread_form(self, r.text)
        name, value = csrf_field(form)
        self.assertIsNotNone(name, "no CSRF field in the form")
        base = form_payload(form)
        base.update({"page": page, "author_name": "Forger", "body": "forged comment"})
        missing = {k: v for k, v in base.items() if k != name}
        wrong = dict(base, **{name: "forged-" + value[::-1]})
        empty = dict(base, **{name: ""})
        cases = [("missing", missing, r), ("wrong", wrong, r), ("empty", empty, r)]
        for label, data, resp_for_cookies in cases:
            with self.subTest(case=label):
                resp = self.submit(resp_for_cookies, data)
                self.assertTrue(400 <= resp.status < 500, resp)
        if parse_cookies(r):
            # The token is bound to the reader's cookie: without it, refused.
            resp = self.server.post("/t", body=urllib.parse.urlencode(base),
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
            self.assertTrue(400 <= resp.status < 500, resp)
        # A token taken from one page does not work with a cookie from another
        # reader when the token is cookie-bound; and nothing was written.
        self.assertEqual(self.listing(page)["page"]["comment_count"], 1)
        self.assertNotIn("forged comment", self.server.list_comments(page).text)

    def test_form_post_with_bad_input_writes_nothing(self):
        page = unique_page()
        r = self.get_thread(page)
        data = form_payload(thread_form(self, r.text))
        data.update({"page": page, "body": "   "})
        resp = self.submit(r, data)
        self.assertLess(resp.status, 500, resp)
        self.assertNotEqual(resp.status, 201)
        data.update({"body": "x" * 10001})
        resp = self.submit(r, data)
        self.assertLess(resp.status, 500, resp)
        self.assertEqual(self.listing(page)["page"]["comment_count"], 0)


class Demo(AmurTestCase):

    def test_demo_has_article_and_thread(self):
        r = self.server.get("/demo")
        self.assertStatus(r, 200)
        self.assertIn("text/html", r.header("Content-Type", ""))
        m = re.search(r"<h1[^>]*>(.*?)</h1>", r.text, re.S | re.I)
        self.assertIsNotNone(m, "no <h1> article title")
        self.assertTrue(re.sub(r"<[^>]+>", "", m.group(1)).strip())
        self.assertRegex(visible_text(r.text), r"\d+ Comments?")
        form = thread_form(self, r.text)
        demo_key = field_value(form, "page")
        self.assertTrue(demo_key)
        self.assertIsNotNone(csrf_field(form)[0])

    def test_demo_escapes_hostile_comments(self):
        demo_key = field_value(thread_form(self, self.server.get("/demo").text), "page")
        for body in HOSTILE_BODIES[:4]:
            self.post_ok(demo_key, body, author_name=HOSTILE_NAME)
        self.post_ok(demo_key, "a visible demo comment")
        r = self.server.get("/demo")
        self.assertStatus(r, 200)
        s = scan(r.text)
        self.assertEqual(s.problems, [])
        for raw in ("<script>alert(", "<img src=x onerror", "<b onmouseover", 'href="javascript:'):
            self.assertNotIn(raw, r.text)
        text = visible_text(r.text)
        self.assertIn("a visible demo comment", text)
        self.assertIn(HOSTILE_NAME, text)


class Operations(AmurTestCase):

    def test_healthz(self):
        r = self.server.get("/healthz")
        self.assertStatus(r, 200)
        self.assertEqual(r.text.strip(), "ok")

    def test_metrics(self):
        self.server.get("/healthz")
        self.post_ok(unique_page(), "for the metrics")
        r = self.server.get("/metrics")
        self.assertStatus(r, 200)
        self.assertTrue(r.header("Content-Type", "").startswith("text/plain"), r.headers)
        self.assertIn("# TYPE", r.text)
        # Every sample line is "name{labels} value".
        for line in r.text.splitlines():
            if line and not line.startswith("#"):
                self.assertRegex(line, r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eEInfNa]+( \d+)?$")


class PrivateMetrics(AmurTestCase):
    """Issue 12, finding 7: /metrics was public."""

    def test_metrics_only_to_this_machine_without_a_token(self):
        self.assertStatus(self.server.get("/metrics"), 200)
        for header in ("X-Forwarded-For", "Forwarded"):
            with self.subTest(header=header):
                r = self.server.get("/metrics", headers={header: "for=203.0.113.9"})
                self.assertError(r, 403, "not_allowed")
                self.assertNotIn("# TYPE", r.text)


class MetricsToken(AmurTestCase):
    server_args = ("--metrics-token", "scrape-me-0123456789")

    def test_metrics_take_the_bearer_token(self):
        for headers in (None, {"Authorization": "Bearer wrong"},
                        {"Authorization": "Bearer scrape-me-012345678"},
                        {"Authorization": "Basic scrape-me-0123456789"}):
            with self.subTest(headers=headers):
                r = self.server.get("/metrics", headers=headers)
                self.assertError(r, 401, "unauthorized")
                self.assertNotIn("# TYPE", r.text)
        r = self.server.get("/metrics", headers={"Authorization": "Bearer scrape-me-0123456789"})
        self.assertStatus(r, 200)
        self.assertIn("# TYPE", r.text)


class PublicUrl(AmurTestCase):
    server_args = ("--public-url", "https://comments.example.org")

    def test_redirect_stays_on_the_public_site(self):
        page = unique_page()
        r = self.server.get("/t?" + q(page=page))
        self.assertStatus(r, 200)
        data = form_payload(thread_form(self, r.text))
        data.update({"page": page, "body": "via public url"})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        jar = parse_cookies(r)
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        resp = self.server.post("/t", body=urllib.parse.urlencode(data), headers=headers)
        self.assertStatus(resp, 303)
        loc = resp.header("Location")
        parts = urllib.parse.urlsplit(loc)
        if parts.scheme:
            self.assertEqual(f"{parts.scheme}://{parts.netloc}", "https://comments.example.org")
        self.assertEqual(parts.path, "/t")


class HeldFormPost(AmurTestCase):
    server_args = ("--premoderate",)

    def test_a_held_form_post_says_so_instead_of_linking_to_a_hidden_comment(self):
        page = unique_page()
        form_page = self.server.get("/t?" + q(page=page))
        self.assertStatus(form_page, 200)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form_page.text).group(1)
        cookie = "amur_form=" + parse_cookies(form_page)["amur_form"]
        r = self.server.post("/t", body=q(page=page, body="Held without JavaScript",
                                          csrf_token=token, return_to="/t"),
                             headers={"Content-Type": "application/x-www-form-urlencoded",
                                      "Cookie": cookie})
        self.assertStatus(r, 303)
        location = r.header("Location")
        self.assertIn("held=1", location)
        shown = self.server.get(location.split("#")[0])
        self.assertIn("Your comment is awaiting moderation.", shown.text)
        self.assertNotIn("Held without JavaScript", shown.text)


class CrossSiteForm(AmurTestCase):
    """Issue 12, finding 6: the no-JS form's token is bound to a cookie
    (double submit) and a post another site makes a browser send is refused."""
    server_args = ("--allow-origin", NEWS_ORIGIN)

    def form(self, page):
        r = self.server.get("/t?" + q(page=page))
        self.assertStatus(r, 200)
        token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
        return r, token, parse_cookies(r).get("amur_form")

    def post(self, page, token, cookie, body, **headers):
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        if cookie:
            h["Cookie"] = "amur_form=" + cookie
        h.update({k.replace("_", "-"): v for k, v in headers.items()})
        return self.server.post("/t", body=q(page=page, body=body, csrf_token=token,
                                             return_to="/t"), headers=h)

    def test_the_form_cookie_is_http_only_same_site_and_kept(self):
        page = unique_page()
        r, token, cookie = self.form(page)
        self.assertIsNotNone(cookie, r.headers)
        self.assertEqual(len(cookie), 43)
        line = [l for l in r.header_all("Set-Cookie") if l.startswith("amur_form=")][0]
        attrs = cookie_attrs(line)
        self.assertIn("httponly", attrs)
        self.assertEqual(attrs.get("samesite", "").lower(), "lax")
        self.assertEqual(attrs.get("path"), "/")
        self.assertNotIn("secure", attrs)  # plain http on loopback
        # A reader who has the cookie keeps it: no new one.
        again = self.server.get("/t?" + q(page=page), headers={"Cookie": "amur_form=" + cookie})
        self.assertEqual(parse_cookies(again).get("amur_form"), None)

    def test_a_token_works_only_with_its_own_cookie(self):
        page = unique_page()
        _, token, cookie = self.form(page)
        _, _, other_cookie = self.form(page)
        self.assertNotEqual(cookie, other_cookie)
        self.assertStatus(self.post(page, token, None, "no cookie"), 403)
        self.assertStatus(self.post(page, token, other_cookie, "someone else's cookie"), 403)
        self.assertStatus(self.post(page, token, "A" * 43, "a made-up cookie"), 403)
        self.assertEqual(self.listing(page)["page"]["comment_count"], 0)
        ok = self.post(page, token, cookie, "my own cookie",
                       Sec_Fetch_Site="same-origin",
                       Origin=f"http://127.0.0.1:{self.server.port}")
        self.assertStatus(ok, 303)
        self.assertEqual(self.listing(page)["page"]["comment_count"], 1)

    def test_cross_site_posts_are_refused_and_change_nothing(self):
        page = unique_page()
        _, token, cookie = self.form(page)
        cases = [
            {"Origin": "https://evil.example"},
            {"Origin": "null"},
            {"Origin": f"http://127.0.0.1:{self.server.port}.evil.example"},
            {"Sec_Fetch_Site": "cross-site"},
            {"Sec_Fetch_Site": "same-site"},
            {"Origin": "https://evil.example", "Sec_Fetch_Site": "cross-site"},
        ]
        for headers in cases:
            with self.subTest(headers=headers):
                r = self.post(page, token, cookie, "posted from evil.example", **headers)
                self.assertStatus(r, 403)
                self.assertIn("another site", r.text)
                # The typed text is kept for a reader who really typed it.
                self.assertIn("posted from evil.example", r.text)
        self.assertEqual(self.listing(page)["page"]["comment_count"], 0)
        # Typed into the address bar (Sec-Fetch-Site: none) or with no such
        # header at all (older browsers): the token and cookie decide.
        self.assertStatus(self.post(page, token, cookie, "from a bookmark", Sec_Fetch_Site="none"),
                          303)
        self.assertStatus(self.post(page, token, cookie, "from an old browser"), 303)
        # Behind a proxy that rewrites Host, the browser's same-origin word decides.
        self.assertStatus(self.post(page, token, cookie, "behind a proxy",
                                    Sec_Fetch_Site="same-origin",
                                    Origin="https://comments.example.org"), 303)
        self.assertEqual(self.listing(page)["page"]["comment_count"], 3)

    def test_text_that_looks_like_the_token_slot_does_not_break_the_form(self):
        page = unique_page()
        slot = "AmurFormTokenSlot7f3c9e1b"
        self.post_ok(page, slot + ' name="csrf_token" value="' + slot + '"',
                     page_title=slot, headers=FROM_NEWS)
        for _ in range(2):  # rendered, then from the cache
            r, token, cookie = self.form(page)
            self.assertNotEqual(token, slot)
            self.assertStatus(self.post(page, token, cookie, "still posts"), 303)

    def test_cached_page_gives_each_reader_their_own_token_and_shows_new_comments(self):
        page = unique_page()
        self.post_ok(page, "first comment")
        r1, t1, c1 = self.form(page)
        r2, t2, c2 = self.form(page)
        self.assertNotEqual(t1, t2)
        self.assertNotIn("AmurFormTokenSlot", r1.text)
        self.assertIn("first comment", r2.text)
        self.post_ok(page, "second comment")
        r3, _, _ = self.form(page)
        self.assertIn("second comment", r3.text)
        self.assertStatus(self.post(page, t1, c1, "third, by form"), 303)
        self.assertIn("third, by form", self.server.get("/t?" + q(page=page)).text)
        # A made-up sort is the default one, from the same cache entry.
        odd = self.server.get("/t?" + q(page=page, sort="x" * 40))
        self.assertStatus(odd, 200)
        self.assertIn("third, by form", odd.text)


class SecurityHeaders(AmurTestCase):

    def test_pages_have_a_strict_policy_and_the_desk_cannot_be_framed(self):
        for path in ("/demo", "/t?" + q(page=unique_page()), "/admin"):
            with self.subTest(path=path):
                r = self.server.get(path)
                self.assertStatus(r, 200)
                csp = r.header("Content-Security-Policy", "")
                self.assertIn("script-src 'self'", csp)
                self.assertNotIn("unsafe-inline", csp)
                self.assertNotIn("unsafe-eval", csp)
                self.assertIn("object-src 'none'", csp)
                self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
                self.assertTrue(r.header("Referrer-Policy"))
        desk = self.server.get("/admin")
        self.assertIn("frame-ancestors 'none'", desk.header("Content-Security-Policy"))
        self.assertEqual(desk.header("X-Frame-Options"), "DENY")


if __name__ == "__main__":
    unittest.main()
