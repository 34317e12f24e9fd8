"""Posting, listing, threading, sorting, paging and counts (API.md)."""

import datetime
import unittest

from amur_harness import (FROM_NEWS, NEWS_ORIGIN, HEX64, RFC3339_MS_Z, AmurTestCase, find, q,
                          unique_page, walk)


def parse_time(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc)


class PostingAndListing(AmurTestCase):
    server_args = ("--allow-origin", NEWS_ORIGIN)

    def assertCommentShape(self, c, page, parent_id=None):
        for key in ("id", "page", "parent_id", "author", "body_html", "state",
                    "created_at", "edited_at", "edited_by", "upvotes",
                    "downvotes", "score", "hash", "replies"):
            self.assertIn(key, c, f"Comment lacks {key!r}: {c}")
        self.assertIsInstance(c["id"], str)
        self.assertTrue(c["id"])
        self.assertEqual(c["page"], page)
        self.assertEqual(c["parent_id"], parent_id)
        self.assertIsInstance(c["author"], dict)
        self.assertIsInstance(c["author"].get("is_guest"), bool)
        self.assertIn("name", c["author"])
        self.assertIn("role", c["author"])
        self.assertIsInstance(c["body_html"], str)
        self.assertRegex(c["created_at"], RFC3339_MS_Z)
        for k in ("upvotes", "downvotes", "score"):
            self.assertIs(type(c[k]), int, f"{k} is not an integer: {c[k]!r}")
        self.assertRegex(c["hash"], HEX64)
        self.assertIsInstance(c["replies"], list)

    def test_post_as_guest_answers_201_with_comment_and_edit_token(self):
        page = unique_page()
        before = datetime.datetime.now(datetime.timezone.utc)
        r = self.server.post_comment(page, "Hello *world*", author_name="Realpolitik",
                                     author_email="realpolitik@example.org")
        after = datetime.datetime.now(datetime.timezone.utc)
        self.assertStatus(r, 201)
        self.assertIn("application/json", r.header("Content-Type", ""))
        self.assertEqual(set(r.json), {"comment", "edit_token"})
        self.assertIsInstance(r.json["edit_token"], str)
        self.assertGreaterEqual(len(r.json["edit_token"]), 16, "edit token too short to be a secret")
        c = r.json["comment"]
        self.assertCommentShape(c, page)
        self.assertEqual(c["author"], {"name": "Realpolitik", "is_guest": True, "role": None})
        self.assertEqual(c["state"], "approved")
        self.assertIn("<em>world</em>", c["body_html"])
        self.assertTrue(c["body_html"].startswith("<p>"), c["body_html"])
        self.assertIsNone(c["edited_at"])
        self.assertIsNone(c["edited_by"])
        self.assertEqual((c["upvotes"], c["downvotes"], c["score"]), (0, 0, 0))
        self.assertEqual(c["replies"], [])
        created = parse_time(c["created_at"])
        self.assertLessEqual(before - datetime.timedelta(seconds=2), created)
        self.assertLessEqual(created, after + datetime.timedelta(seconds=2))

    def test_two_comments_get_distinct_ids_tokens_and_hashes(self):
        page = unique_page()
        r1 = self.server.post_comment(page, "one")
        r2 = self.server.post_comment(page, "one")
        self.assertStatus(r1, 201)
        self.assertStatus(r2, 201)
        self.assertNotEqual(r1.json["comment"]["id"], r2.json["comment"]["id"])
        self.assertNotEqual(r1.json["edit_token"], r2.json["edit_token"])
        self.assertNotEqual(r1.json["comment"]["hash"], r2.json["comment"]["hash"])

    def test_empty_or_missing_author_name_shows_guest(self):
        page = unique_page()
        c1, _ = self.post_ok(page, "no name field")
        c2, _ = self.post_ok(page, "empty name", author_name="")
        c3, _ = self.post_ok(page, "blank name", author_name="   ")
        for c in (c1, c2, c3):
            self.assertEqual(c["author"], {"name": "Guest", "is_guest": True, "role": None})
        listed = self.listing(page)["comments"]
        self.assertEqual([c["author"]["name"] for c in listed], ["Guest", "Guest", "Guest"])

    def test_author_name_is_trimmed(self):
        page = unique_page()
        c, _ = self.post_ok(page, "hi", author_name="  Ada  ")
        self.assertEqual(c["author"]["name"], "Ada")

    def test_author_email_never_appears(self):
        page = unique_page()
        email = "secret.reader.4711@example.org"
        r = self.server.post_comment(page, "my email is private", author_name="Quiet",
                                     author_email=email)
        self.assertStatus(r, 201)
        cid = r.json["comment"]["id"]
        reply = self.server.post_comment(page, "reply", parent_id=cid, author_email=email)
        self.assertStatus(reply, 201)
        answers = [
            r, reply,
            self.server.list_comments(page),
            self.server.list_comments(page, sort="newest"),
            self.server.list_comments(page, sort="votes"),
            self.server.versions(cid),
            self.server.vote(cid, 1),
            self.server.get("/t?" + q(page=page)),
        ]
        for a in answers:
            self.assertLess(a.status, 300, a)
            self.assertNotIn(email, a.text)
            self.assertNotIn("secret.reader", a.text)
            if a.json is not None:
                self.assertNotIn('"author_email"', a.text)
                self.assertNotIn('"email"', a.text)

    def test_listing_shape(self):
        page = unique_page()
        c, _ = self.post_ok(page, "first", author_name="Ann", page_title="An article",
                            page_url="https://news.example.org/an-article", headers=FROM_NEWS)
        r = self.server.list_comments(page)
        self.assertStatus(r, 200)
        self.assertIn("application/json", r.header("Content-Type", ""))
        body = r.json
        self.assertEqual(set(body) & {"page", "comments", "next_cursor"},
                         {"page", "comments", "next_cursor"})
        expected = {"key": page, "title": "An article",
                    "url": "https://news.example.org/an-article",
                    "comment_count": 1, "closed": False}
        self.assertEqual({k: body["page"].get(k) for k in expected}, expected)
        self.assertIsNone(body["next_cursor"])
        self.assertEqual(len(body["comments"]), 1)
        listed = body["comments"][0]
        for key in ("id", "page", "parent_id", "author", "body_html", "state",
                    "created_at", "edited_at", "edited_by", "upvotes",
                    "downvotes", "score", "hash", "replies"):
            self.assertEqual(listed[key], c[key], key)

    def test_unknown_page_is_empty_with_null_title_and_url(self):
        page = unique_page("/never-commented")
        r = self.server.list_comments(page)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["page"]["key"], page)
        self.assertIsNone(r.json["page"]["title"])
        self.assertIsNone(r.json["page"]["url"])
        self.assertEqual(r.json["page"]["comment_count"], 0)
        self.assertIs(r.json["page"]["closed"], False)
        self.assertEqual(r.json["comments"], [])
        self.assertIsNone(r.json["next_cursor"])

    def test_listing_without_page_is_400(self):
        r = self.server.get("/api/v1/comments")
        self.assertError(r, 400, "missing_field", "page")

    def test_page_title_and_url_kept_from_first_post(self):
        page = unique_page()
        self.post_ok(page, "first", page_title="First title",
                     page_url="https://news.example.org/first", headers=FROM_NEWS)
        self.post_ok(page, "second", page_title="Second title",
                     page_url="https://news.example.org/second", headers=FROM_NEWS)
        self.post_ok(page, "third")
        p = self.listing(page)["page"]
        self.assertEqual(p["title"], "First title")
        self.assertEqual(p["url"], "https://news.example.org/first")
        self.assertEqual(p["comment_count"], 3)

    def test_title_and_url_only_from_an_allowed_site(self):
        """Issue 12, finding 7: the first poster of a page key named the
        article for everyone; now only the embedding sites (and moderators) do."""
        for headers in (None, {"Origin": "https://evil.example"},
                        {"Origin": f"http://127.0.0.1:{self.server.port}"}):
            with self.subTest(headers=headers):
                page = unique_page()
                self.post_ok(page, "first", page_title="Scam: send bitcoin",
                             page_url="https://news.example.org/a", headers=headers)
                p = self.listing(page)["page"]
                self.assertIsNone(p["title"])
                self.assertIsNone(p["url"])
                # Still checked: bad input is refused, not silently kept.
                self.assertError(self.server.post_comment(page, "x", headers=headers,
                                                          page_url="javascript:alert(1)"),
                                 400, "invalid_field", "page_url")
                # The allowed site still names the page afterwards.
                self.post_ok(page, "second", page_title="Real", headers=FROM_NEWS,
                             page_url="https://news.example.org/a")
                self.assertEqual(self.listing(page)["page"]["title"], "Real")
        # From the allowed site, the URL must point into an allowed site.
        page = unique_page()
        r = self.server.post_comment(page, "x", headers=FROM_NEWS, page_title="T",
                                     page_url="https://evil.example/phish")
        self.assertError(r, 400, "invalid_field", "page_url")
        self.assertEqual(self.listing(page)["page"]["comment_count"], 0)

    def test_page_keys_are_exact(self):
        # Keys differing only by a trailing slash or case are different pages.
        base = unique_page()
        self.post_ok(base, "a")
        self.post_ok(base + "/", "b")
        self.post_ok(base.upper(), "c")
        self.assertEqual(self.listing(base)["page"]["comment_count"], 1)
        self.assertEqual(self.listing(base + "/")["page"]["comment_count"], 1)
        self.assertEqual(self.listing(base.upper())["page"]["comment_count"], 1)

    def test_unicode_page_key_round_trips(self):
        page = unique_page("/статьи/Амур ∑ & ?x=1#frag")
        c, _ = self.post_ok(page, "юникод")
        self.assertEqual(c["page"], page)
        body = self.listing(page)
        self.assertEqual(body["page"]["key"], page)
        self.assertEqual([x["id"] for x in body["comments"]], [c["id"]])


class AnyOrigin(AmurTestCase):
    server_args = ("--allow-origin", "*")

    def test_a_wildcard_lets_any_site_embed_but_names_no_page(self):
        page = unique_page()
        self.post_ok(page, "first", page_title="Named by anyone",
                     page_url="https://any.example/a", headers={"Origin": "https://any.example"})
        p = self.listing(page)["page"]
        self.assertIsNone(p["title"])
        self.assertIsNone(p["url"])


class Caching(AmurTestCase):

    def test_etag_and_304(self):
        page = unique_page()
        self.post_ok(page, "cached")
        r1 = self.server.list_comments(page)
        self.assertStatus(r1, 200)
        etag = r1.header("ETag")
        self.assertTrue(etag, "listing has no ETag")
        path = "/api/v1/comments?" + q(page=page)
        r2 = self.server.get(path, headers={"If-None-Match": etag})
        self.assertStatus(r2, 304)
        self.assertEqual(r2.raw, b"")
        # A write invalidates it.
        self.post_ok(page, "new one")
        r4 = self.server.get(path, headers={"If-None-Match": etag})
        self.assertStatus(r4, 200)
        self.assertNotEqual(r4.header("ETag"), etag)
        self.assertEqual(r4.json["page"]["comment_count"], 2)
        # A vote changes the answer too.
        etag = r4.header("ETag")
        self.assertStatus(self.server.vote(r4.json["comments"][0]["id"], 1), 200)
        r5 = self.server.get(path, headers={"If-None-Match": etag})
        self.assertStatus(r5, 200)
        self.assertEqual(r5.json["comments"][0]["upvotes"], 1)


class Threads(AmurTestCase):

    def test_nested_replies_oldest_first_inside_thread(self):
        page = unique_page()
        a, _ = self.post_ok(page, "A")
        b, _ = self.post_ok(page, "B reply to A", parent_id=a["id"])
        self.assertEqual(b["parent_id"], a["id"])
        c, _ = self.post_ok(page, "C reply to A", parent_id=a["id"])
        d, _ = self.post_ok(page, "D reply to B", parent_id=b["id"])
        e, _ = self.post_ok(page, "E top")
        for sort in ("oldest", "newest", "votes"):
            with self.subTest(sort=sort):
                body = self.listing(page, sort=sort)
                self.assertEqual(body["page"]["comment_count"], 5)
                tops = [x["id"] for x in body["comments"]]
                self.assertEqual(sorted(tops), sorted([a["id"], e["id"]]))
                ta = next(x for x in body["comments"] if x["id"] == a["id"])
                self.assertEqual([x["id"] for x in ta["replies"]], [b["id"], c["id"]])
                tb = ta["replies"][0]
                self.assertEqual(tb["parent_id"], a["id"])
                self.assertEqual([x["id"] for x in tb["replies"]], [d["id"]])
                self.assertEqual(tb["replies"][0]["parent_id"], b["id"])
                self.assertEqual(tb["replies"][0]["replies"], [])
                self.assertEqual(ta["replies"][1]["replies"], [])
        self.assertEqual(self.all_top_ids(page, sort="oldest"), [a["id"], e["id"]])
        self.assertEqual(self.all_top_ids(page, sort="newest"), [e["id"], a["id"]])

    def test_many_replies_in_order(self):
        page = unique_page()
        a, _ = self.post_ok(page, "root")
        ids = [self.post_ok(page, f"r{i}", parent_id=a["id"])[0]["id"] for i in range(12)]
        body = self.listing(page, sort="newest")
        self.assertEqual([x["id"] for x in body["comments"][0]["replies"]], ids)

    def test_default_depth_limit_is_five(self):
        page = unique_page()
        chain = [self.post_ok(page, "d1")[0]]
        for depth in range(2, 6):
            c, _ = self.post_ok(page, f"d{depth}", parent_id=chain[-1]["id"])
            self.assertEqual(c["parent_id"], chain[-1]["id"])
            chain.append(c)
        # A reply to the depth-5 comment attaches to its depth-4 parent.
        deep, _ = self.post_ok(page, "d6", parent_id=chain[4]["id"])
        self.assertEqual(deep["parent_id"], chain[3]["id"])
        listed = find(self.listing(page)["comments"], deep["id"])
        self.assertIsNotNone(listed)
        self.assertEqual(listed["parent_id"], chain[3]["id"])


class DepthLimit(AmurTestCase):
    server_args = ("--max-depth", "3")

    def test_reply_beyond_max_depth_attaches_to_deepest_allowed_ancestor(self):
        page = unique_page()
        a, _ = self.post_ok(page, "depth 1")
        b, _ = self.post_ok(page, "depth 2", parent_id=a["id"])
        c, _ = self.post_ok(page, "depth 3", parent_id=b["id"])
        self.assertEqual(c["parent_id"], b["id"])
        d, _ = self.post_ok(page, "reply to depth 3", parent_id=c["id"])
        self.assertEqual(d["parent_id"], b["id"])
        e, _ = self.post_ok(page, "reply to the reply", parent_id=d["id"])
        self.assertEqual(e["parent_id"], b["id"])
        body = self.listing(page)
        self.assertEqual(len(body["comments"]), 1)
        ta = body["comments"][0]
        self.assertEqual([x["id"] for x in ta["replies"]], [b["id"]])
        tb = ta["replies"][0]
        self.assertEqual([x["id"] for x in tb["replies"]], [c["id"], d["id"], e["id"]])
        for x in tb["replies"]:
            self.assertEqual(x["replies"], [])
        self.assertEqual(body["page"]["comment_count"], 5)


class Sorting(AmurTestCase):

    def test_sorts(self):
        page = unique_page()
        ids = {}
        for name in ("A", "B", "C", "D", "E"):
            ids[name] = self.post_ok(page, name)[0]["id"]
        # A reply with many votes must not influence its thread's rank.
        reply, _ = self.post_ok(page, "reply", parent_id=ids["E"])
        votes = {"A": [1], "B": [1, 1], "C": [1, 1, -1], "D": [-1], "E": []}
        for name, values in votes.items():
            for v in values:  # each vote without identity is a new voter
                self.assertStatus(self.server.vote(ids[name], v), 200)
        for _ in range(5):
            self.assertStatus(self.server.vote(reply["id"], 1), 200)
        order = lambda **p: self.all_top_ids(page, **p)
        names = {v: k for k, v in ids.items()}
        self.assertEqual([names[i] for i in order()], ["A", "B", "C", "D", "E"])
        self.assertEqual([names[i] for i in order(sort="oldest")], ["A", "B", "C", "D", "E"])
        self.assertEqual([names[i] for i in order(sort="newest")], ["E", "D", "C", "B", "A"])
        # score: B 2, A 1, C 1, E 0, D -1; ties oldest first.
        self.assertEqual([names[i] for i in order(sort="votes")], ["B", "A", "C", "E", "D"])
        body = self.listing(page, sort="votes")
        scores = [(c["upvotes"], c["downvotes"], c["score"]) for c in body["comments"]]
        self.assertEqual(scores, [(2, 0, 2), (1, 0, 1), (2, 1, 1), (0, 0, 0), (0, 1, -1)])

    def test_invalid_sort_and_limit(self):
        page = unique_page()
        self.post_ok(page, "x")
        for sort in ("best", "", "OLDEST", "score"):
            with self.subTest(sort=sort):
                self.assertError(self.server.list_comments(page, sort=sort), 400,
                                 "invalid_field", "sort")
        for limit in ("0", "201", "abc", "-1", "1.5", "99999999999999999999"):
            with self.subTest(limit=limit):
                self.assertError(self.server.list_comments(page, limit=limit), 400,
                                 "invalid_field", "limit")
        for limit in ("1", "200"):
            with self.subTest(limit=limit):
                self.assertStatus(self.server.list_comments(page, limit=limit), 200)

    def test_invalid_cursor(self):
        page = unique_page()
        self.post_ok(page, "x")
        for cursor in ("garbage", "!!!"):
            with self.subTest(cursor=cursor):
                self.assertError(self.server.list_comments(page, cursor=cursor), 400,
                                 "invalid_field", "cursor")


class Paging(AmurTestCase):

    def collect(self, page, sort, limit, between=None, max_pages=50):
        """Pages through the listing; `between(i)` runs after page i."""
        seen, cursor, pages = [], None, 0
        while True:
            params = {"sort": sort, "limit": limit}
            if cursor is not None:
                params["cursor"] = cursor
            body = self.listing(page, **params)
            self.assertLessEqual(len(body["comments"]), limit)
            seen.extend(c["id"] for c in body["comments"])
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                return seen, pages
            self.assertIsInstance(cursor, str)
            self.assertEqual(len(body["comments"]), limit)
            if between:
                between(pages)
            self.assertLess(pages, max_pages, "paging does not end")

    def test_limit_counts_top_level_threads_with_whole_subtrees(self):
        page = unique_page()
        tops = []
        for i in range(5):
            t, _ = self.post_ok(page, f"top {i}")
            r1, _ = self.post_ok(page, f"reply {i}.1", parent_id=t["id"])
            self.post_ok(page, f"reply {i}.1.1", parent_id=r1["id"])
            self.post_ok(page, f"reply {i}.2", parent_id=t["id"])
            tops.append(t["id"])
        body = self.listing(page, limit=2)
        self.assertEqual([c["id"] for c in body["comments"]], tops[:2])
        self.assertEqual(body["page"]["comment_count"], 20)
        self.assertIsInstance(body["next_cursor"], str)
        for c in body["comments"]:
            self.assertEqual(len(c["replies"]), 2)
            self.assertEqual(len(c["replies"][0]["replies"]), 1)
        seen, pages = self.collect(page, "oldest", 2)
        self.assertEqual(seen, tops)
        self.assertEqual(pages, 3)

    def test_exact_multiple_of_limit(self):
        page = unique_page()
        tops = [self.post_ok(page, f"t{i}")[0]["id"] for i in range(4)]
        seen, pages = self.collect(page, "oldest", 2)
        self.assertEqual(seen, tops)
        self.assertIn(pages, (2, 3))  # a final empty page is allowed
        seen, _ = self.collect(page, "newest", 4)
        self.assertEqual(seen, tops[::-1])

    def test_oldest_never_repeats_or_skips_while_comments_arrive(self):
        page = unique_page()
        tops = [self.post_ok(page, f"t{i}")[0]["id"] for i in range(5)]

        def arrive(_):
            tops.append(self.post_ok(page, f"late {len(tops)}")[0]["id"])
            # A new reply to an already-seen thread must not re-list it.
            self.post_ok(page, "late reply", parent_id=tops[0])

        seen, _ = self.collect(page, "oldest", 2, between=arrive)
        self.assertEqual(len(seen), len(set(seen)), f"repeated: {seen}")
        self.assertEqual(seen, tops)

    def test_newest_never_repeats_while_comments_arrive(self):
        page = unique_page()
        tops = [self.post_ok(page, f"t{i}")[0]["id"] for i in range(5)]
        first = list(tops)

        def arrive(_):
            self.post_ok(page, "late")

        seen, _ = self.collect(page, "newest", 2, between=arrive)
        self.assertEqual(seen, first[::-1])

    def test_votes_paging_never_repeats(self):
        page = unique_page()
        tops = [self.post_ok(page, f"t{i}")[0]["id"] for i in range(7)]
        for i, cid in enumerate(tops):
            for _ in range(i % 3):
                self.assertStatus(self.server.vote(cid, 1), 200)
        full = self.all_top_ids(page, sort="votes")
        seen, _ = self.collect(page, "votes", 2)
        self.assertEqual(seen, full)
        self.assertEqual(sorted(seen), sorted(tops))

    def test_default_limit_is_50(self):
        page = unique_page()
        tops = [self.post_ok(page, f"t{i}")[0]["id"] for i in range(51)]
        body = self.listing(page)
        self.assertEqual([c["id"] for c in body["comments"]], tops[:50])
        self.assertIsInstance(body["next_cursor"], str)
        rest = self.listing(page, cursor=body["next_cursor"])
        self.assertEqual([c["id"] for c in rest["comments"]], tops[50:])
        self.assertIsNone(rest["next_cursor"])

    def test_tombstone_counts_for_limit(self):
        page = unique_page()
        t1, tok1 = self.post_ok(page, "t1")
        self.post_ok(page, "reply", parent_id=t1["id"])
        t2, _ = self.post_ok(page, "t2")
        t3, _ = self.post_ok(page, "t3")
        self.assertStatus(self.server.remove(t1["id"], tok1), 204)
        body = self.listing(page, limit=2)
        self.assertEqual([c["id"] for c in body["comments"]], [t1["id"], t2["id"]])
        self.assertEqual(body["comments"][0]["state"], "deleted")
        seen, _ = self.collect(page, "oldest", 2)
        self.assertEqual(seen, [t1["id"], t2["id"], t3["id"]])


class RateLimit(AmurTestCase):
    server_kwargs = {"posts_per_minute": 2}

    def test_posts_per_minute(self):
        page = unique_page()
        # A refused request does not use up the allowance.
        self.assertError(self.server.post_comment(page, "   "), 400, "missing_field", "body")
        self.assertError(self.server.post_comment(page, "x" * 10001), 400, "too_long", "body")
        self.post_ok(page, "one")
        self.post_ok(page, "two")
        r = self.server.post_comment(page, "three")
        self.assertError(r, 429, "rate_limited")
        retry = r.header("Retry-After")
        self.assertIsNotNone(retry, "429 without Retry-After")
        self.assertRegex(retry, r"^\d+$")
        self.assertTrue(1 <= int(retry) <= 60, retry)
        # Nothing was written, and reading is not limited.
        for _ in range(5):
            body = self.listing(page)
        self.assertEqual(body["page"]["comment_count"], 2)
        self.assertEqual(self.count_of(page), 2)


class Counts(AmurTestCase):

    def test_counts_repeated_pages_unknown_zero(self):
        p1, p2, unknown = unique_page(), unique_page(), unique_page()
        a, _ = self.post_ok(p1, "a")
        self.post_ok(p1, "b", parent_id=a["id"])
        self.post_ok(p2, "c")
        r = self.server.counts([p1, p2, unknown])
        self.assertStatus(r, 200)
        self.assertEqual(r.json, {"counts": {p1: 2, p2: 1, unknown: 0}})

    def test_deleted_and_tombstones_not_counted(self):
        page = unique_page()
        a, tok_a = self.post_ok(page, "a")
        b, tok_b = self.post_ok(page, "b", parent_id=a["id"])
        c, tok_c = self.post_ok(page, "c")
        self.assertEqual(self.count_of(page), 3)
        self.assertStatus(self.server.remove(c["id"], tok_c), 204)
        self.assertEqual(self.count_of(page), 2)
        self.assertStatus(self.server.remove(a["id"], tok_a), 204)  # tombstone
        self.assertEqual(self.count_of(page), 1)
        self.assertEqual(self.listing(page)["page"]["comment_count"], 1)
        self.assertStatus(self.server.remove(b["id"], tok_b), 204)
        self.assertEqual(self.count_of(page), 0)
        self.assertEqual(self.listing(page)["page"]["comment_count"], 0)

    def test_unicode_and_special_keys(self):
        p = unique_page("/a&b=c/ü")
        self.post_ok(p, "x")
        r = self.server.counts([p])
        self.assertStatus(r, 200)
        self.assertEqual(r.json, {"counts": {p: 1}})

    def test_100_pages_allowed_101_refused(self):
        keys = [f"/k{i}-{unique_page('')[1:9]}" for i in range(101)]
        self.post_ok(keys[0], "x")
        r = self.server.counts(keys[:100])
        self.assertStatus(r, 200)
        self.assertEqual(len(r.json["counts"]), 100)
        self.assertEqual(r.json["counts"][keys[0]], 1)
        self.assertEqual(r.json["counts"][keys[99]], 0)
        self.assertError(self.server.counts(keys), 400, "invalid_field", "page")

    def test_counts_and_listing_agree(self):
        page = unique_page()
        a, _ = self.post_ok(page, "a")
        for i in range(3):
            self.post_ok(page, f"r{i}", parent_id=a["id"])
        self.assertEqual(self.count_of(page), self.listing(page)["page"]["comment_count"])
        self.assertEqual(self.count_of(page), 4)


if __name__ == "__main__":
    unittest.main()
