"""Editing and deleting with the edit token, tombstones, versions and the
page's hash chain (API.md: PATCH/DELETE /api/v1/comments/{id}, versions,
pages/verify)."""

import time
import unittest

from amur_harness import (HEX64, RFC3339_MS_Z, ZERO_HASH, AmurTestCase, find, q,
                          unique_page)


class EditAndDelete(AmurTestCase):

    def test_edit_with_token(self):
        page = unique_page()
        c, token = self.post_ok(page, "first *draft*", author_name="Editor Ed")
        r = self.server.edit(c["id"], "second **version**", token)
        self.assertStatus(r, 200)
        e = r.json
        self.assertIsInstance(e, dict)
        self.assertEqual(e["id"], c["id"])
        self.assertEqual(e["page"], page)
        self.assertEqual(e["created_at"], c["created_at"])
        self.assertRegex(e["edited_at"], RFC3339_MS_Z)
        self.assertGreaterEqual(e["edited_at"], c["created_at"])
        self.assertEqual(e["edited_by"], "Editor Ed")
        self.assertEqual(e["author"]["name"], "Editor Ed")
        self.assertIn("<strong>version</strong>", e["body_html"])
        self.assertNotIn("draft", e["body_html"])
        self.assertRegex(e["hash"], HEX64)
        self.assertNotEqual(e["hash"], c["hash"])
        self.assertEqual(e["state"], "approved")
        listed = self.listing(page)["comments"]
        self.assertEqual(len(listed), 1)
        for key in ("body_html", "edited_at", "edited_by", "hash"):
            self.assertEqual(listed[0][key], e[key], key)

    def test_guest_edit_shows_guest_as_editor(self):
        page = unique_page()
        c, token = self.post_ok(page, "one")
        r = self.server.edit(c["id"], "two", token)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["edited_by"], "Guest")

    def test_edit_twice_keeps_token_valid(self):
        page = unique_page()
        c, token = self.post_ok(page, "v1")
        self.assertStatus(self.server.edit(c["id"], "v2", token), 200)
        r = self.server.edit(c["id"], "v3", token)
        self.assertStatus(r, 200)
        self.assertIn("v3", r.json["body_html"])

    def test_edit_without_credential_is_401(self):
        page = unique_page()
        c, _ = self.post_ok(page, "original")
        self.assertError(self.server.edit(c["id"], "hacked"), 401, "unauthorized")
        self.assertError(self.server.edit(c["id"], "hacked", headers={"Authorization": "Bearer"}),
                         401, "unauthorized")
        self.assertError(self.server.remove(c["id"]), 401, "unauthorized")
        listed = self.listing(page)["comments"]
        self.assertIn("original", listed[0]["body_html"])
        self.assertIsNone(listed[0]["edited_at"])

    def test_wrong_token_is_403_not_allowed(self):
        page = unique_page()
        c, token = self.post_ok(page, "original")
        other, other_token = self.post_ok(page, "other")
        self.assertError(self.server.edit(c["id"], "hacked", "not-the-token"), 403, "not_allowed")
        self.assertError(self.server.edit(c["id"], "hacked", other_token), 403, "not_allowed")
        self.assertError(self.server.edit(c["id"], "hacked", token + "x"), 403, "not_allowed")
        self.assertError(self.server.remove(c["id"], other_token), 403, "not_allowed")
        listed = self.listing(page)["comments"]
        self.assertEqual(len(listed), 2)
        self.assertIn("original", listed[0]["body_html"])
        self.assertIsNone(listed[0]["edited_at"])

    def test_edit_validation(self):
        page = unique_page()
        c, token = self.post_ok(page, "original")
        self.assertError(self.server.edit(c["id"], "   ", token), 400, "missing_field", "body")
        self.assertError(self.server.edit(c["id"], "x" * 10001, token), 400, "too_long", "body")
        r = self.server.patch(f"/api/v1/comments/{c['id']}", {},
                              headers={"Authorization": f"Bearer {token}"})
        self.assertError(r, 400, "missing_field", "body")
        self.assertIn("original", self.listing(page)["comments"][0]["body_html"])
        self.assertIsNone(self.listing(page)["comments"][0]["edited_at"])

    def test_unknown_id_is_404(self):
        for cid in ("c999999999", "nope", "c0"):
            with self.subTest(cid=cid):
                self.assertError(self.server.edit(cid, "x", "some-token"), 404, "not_found")
                self.assertError(self.server.remove(cid, "some-token"), 404, "not_found")
                self.assertError(self.server.versions(cid), 404, "not_found")

    def test_delete_leaf_removes_it(self):
        page = unique_page()
        keep, _ = self.post_ok(page, "keep")
        leaf, token = self.post_ok(page, "leaf")
        self.assertEqual(self.count_of(page), 2)
        r = self.server.remove(leaf["id"], token)
        self.assertStatus(r, 204)
        self.assertEqual(r.raw, b"")
        body = self.listing(page)
        self.assertEqual([c["id"] for c in body["comments"]], [keep["id"]])
        self.assertEqual(body["page"]["comment_count"], 1)
        self.assertEqual(self.count_of(page), 1)
        # Gone means gone: a second delete and its versions are 404.
        self.assertError(self.server.remove(leaf["id"], token), 404, "not_found")
        self.assertError(self.server.versions(leaf["id"]), 404, "not_found")
        self.assertError(self.server.vote(leaf["id"], 1), 404, "not_found")

    def test_delete_leaf_reply(self):
        page = unique_page()
        a, _ = self.post_ok(page, "a")
        b, tok_b = self.post_ok(page, "b", parent_id=a["id"])
        c, _ = self.post_ok(page, "c", parent_id=a["id"])
        self.assertStatus(self.server.remove(b["id"], tok_b), 204)
        body = self.listing(page)
        self.assertEqual([x["id"] for x in body["comments"][0]["replies"]], [c["id"]])
        self.assertEqual(body["page"]["comment_count"], 2)

    def test_delete_with_replies_leaves_tombstone(self):
        page = unique_page()
        a, tok_a = self.post_ok(page, "parent text", author_name="Parent Author")
        b, tok_b = self.post_ok(page, "first reply", parent_id=a["id"])
        c, tok_c = self.post_ok(page, "second reply", parent_id=b["id"])
        self.assertStatus(self.server.remove(a["id"], tok_a), 204)
        body = self.listing(page)
        self.assertEqual(len(body["comments"]), 1)
        t = body["comments"][0]
        self.assertEqual(t["id"], a["id"])
        self.assertEqual(t["state"], "deleted")
        self.assertEqual(t["body_html"], "")
        self.assertIsNone(t["author"]["name"])
        self.assertNotIn("Parent Author", self.server.list_comments(page).text)
        self.assertNotIn("parent text", self.server.list_comments(page).text)
        self.assertEqual([x["id"] for x in t["replies"]], [b["id"]])
        self.assertEqual([x["id"] for x in t["replies"][0]["replies"]], [c["id"]])
        self.assertEqual(body["page"]["comment_count"], 2)

        # The tombstone's own token can no longer act on it.
        self.assertError(self.server.edit(a["id"], "resurrect", tok_a), 404, "not_found")
        self.assertError(self.server.remove(a["id"], tok_a), 404, "not_found")
        self.assertError(self.server.versions(a["id"]), 404, "not_found")
        self.assertError(self.server.vote(a["id"], 1), 404, "not_found")
        self.assertError(self.server.post_comment(page, "reply to tombstone", parent_id=a["id"]),
                         404, "not_found")
        self.assertEqual(len(find(self.listing(page)["comments"], a["id"])["replies"]), 1)

        # Deleting the middle reply (it has a reply) makes a second tombstone.
        self.assertStatus(self.server.remove(b["id"], tok_b), 204)
        body = self.listing(page)
        self.assertEqual(find(body["comments"], b["id"])["state"], "deleted")
        self.assertEqual(body["page"]["comment_count"], 1)

        # Deleting the last reply makes both tombstones disappear.
        self.assertStatus(self.server.remove(c["id"], tok_c), 204)
        body = self.listing(page)
        self.assertEqual(body["comments"], [])
        self.assertEqual(body["page"]["comment_count"], 0)
        self.assertEqual(self.count_of(page), 0)

    def test_tombstone_stays_while_a_reply_remains(self):
        page = unique_page()
        a, tok_a = self.post_ok(page, "a")
        b, tok_b = self.post_ok(page, "b", parent_id=a["id"])
        c, _ = self.post_ok(page, "c", parent_id=a["id"])
        self.assertStatus(self.server.remove(a["id"], tok_a), 204)
        self.assertStatus(self.server.remove(b["id"], tok_b), 204)
        body = self.listing(page)
        self.assertEqual([x["id"] for x in body["comments"]], [a["id"]])
        self.assertEqual(body["comments"][0]["state"], "deleted")
        self.assertEqual([x["id"] for x in body["comments"][0]["replies"]], [c["id"]])


class EditWindow(AmurTestCase):
    server_kwargs = {"edit_window": 1}

    def test_edit_and_delete_refused_after_window(self):
        page = unique_page()
        c, token = self.post_ok(page, "before the window closes")
        quick, quick_token = self.post_ok(page, "edited in time")
        # Within the window: allowed.
        self.assertStatus(self.server.edit(quick["id"], "edited fast", quick_token), 200)
        time.sleep(1.6)
        self.assertError(self.server.edit(c["id"], "too late", token), 403, "edit_window_closed")
        self.assertError(self.server.remove(c["id"], token), 403, "edit_window_closed")
        body = self.listing(page)
        self.assertEqual(len(body["comments"]), 2)
        self.assertIn("before the window closes", body["comments"][0]["body_html"])
        self.assertIsNone(body["comments"][0]["edited_at"])


class Versions(AmurTestCase):

    def test_versions_and_page_chain(self):
        page = unique_page()
        a, tok_a = self.post_ok(page, "A v1", author_name="Alice")
        b, tok_b = self.post_ok(page, "B v1", author_name="Bob")
        ra = self.server.edit(a["id"], "A v2", tok_a)
        self.assertStatus(ra, 200)
        rb = self.server.edit(b["id"], "B v2", tok_b)
        self.assertStatus(rb, 200)
        ra3 = self.server.edit(a["id"], "A v3", tok_a)
        self.assertStatus(ra3, 200)

        va = self.server.versions(a["id"])
        self.assertStatus(va, 200)
        self.assertEqual(set(va.json), {"versions"})
        va = va.json["versions"]
        vb = self.server.versions(b["id"]).json["versions"]
        self.assertEqual([v["n"] for v in va], [1, 2, 3])
        self.assertEqual([v["n"] for v in vb], [1, 2])
        self.assertEqual([v["body"] for v in va], ["A v1", "A v2", "A v3"])
        self.assertEqual([v["body"] for v in vb], ["B v1", "B v2"])
        for v in va + vb:
            for key in ("n", "body", "created_at", "editor", "hash", "prev_hash"):
                self.assertIn(key, v)
            self.assertRegex(v["created_at"], RFC3339_MS_Z)
            self.assertRegex(v["hash"], HEX64)
            self.assertRegex(v["prev_hash"], HEX64)
        self.assertEqual({v["editor"] for v in va}, {"Alice"})
        self.assertEqual({v["editor"] for v in vb}, {"Bob"})
        self.assertEqual(va[0]["created_at"], a["created_at"])
        self.assertEqual(va[1]["created_at"], ra.json["edited_at"])
        self.assertLessEqual(va[0]["created_at"], va[1]["created_at"])
        self.assertLessEqual(va[1]["created_at"], va[2]["created_at"])

        # The comment's hash is the hash of its latest version.
        self.assertEqual(va[0]["hash"], a["hash"])
        self.assertEqual(vb[0]["hash"], b["hash"])
        self.assertEqual(va[1]["hash"], ra.json["hash"])
        self.assertEqual(vb[1]["hash"], rb.json["hash"])
        self.assertEqual(va[2]["hash"], ra3.json["hash"])
        listed = {c["id"]: c for c in self.listing(page)["comments"]}
        self.assertEqual(listed[a["id"]]["hash"], va[2]["hash"])
        self.assertEqual(listed[b["id"]]["hash"], vb[1]["hash"])

        # Page chain in write order: A1, B1, A2, B2, A3.
        chain = [va[0], vb[0], va[1], vb[1], va[2]]
        self.assertEqual(chain[0]["prev_hash"], ZERO_HASH)
        for prev, link in zip(chain, chain[1:]):
            self.assertEqual(link["prev_hash"], prev["hash"])
        self.assertEqual(len({link["hash"] for link in chain}), 5)

        r = self.server.verify(page)
        self.assertStatus(r, 200)
        self.assertEqual(r.json, {"status": "verified", "head": va[2]["hash"], "failed_ids": [], "erased_ids": []})

    def test_a_body_that_starts_indented_keeps_its_indentation(self):
        # Issue 12: the body was trimmed before it was parsed, so a comment
        # that starts with an indented code block or fence lost it.
        page = unique_page()
        plain, _ = self.post_ok(page, "  plain  ")
        c, token = self.post_ok(page, "\n  \n    int x = 1;\n    x++;\n\nThat is all.\n\n")
        self.assertTrue(c["body_html"].startswith("<pre><code>int x = 1;\nx++;\n</code></pre>"),
                        c["body_html"])
        self.assertIn("<p>That is all.</p>", c["body_html"])
        r = self.server.edit(c["id"], "   ```python\n   print(1)\n   ```\n", token)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["body_html"],
                         '<pre><code class="language-python">print(1)\n</code></pre>\n')
        versions = self.server.versions(c["id"]).json["versions"]
        self.assertEqual([v["body"] for v in versions],
                         ["    int x = 1;\n    x++;\n\nThat is all.",
                          "   ```python\n   print(1)\n   ```"])
        self.assertEqual(self.server.versions(plain["id"]).json["versions"][0]["body"], "  plain")
        page_html = self.server.get("/t?" + q(page=page))
        self.assertStatus(page_html, 200)
        self.assertIn('<pre><code class="language-python">print(1)', page_html.text)
        r = self.server.verify(page)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["status"], "verified")

    def test_chains_are_per_page(self):
        p1, p2 = unique_page(), unique_page()
        a, _ = self.post_ok(p1, "on p1")
        b, _ = self.post_ok(p2, "on p2")
        c, _ = self.post_ok(p1, "again on p1")
        va = self.server.versions(a["id"]).json["versions"]
        vb = self.server.versions(b["id"]).json["versions"]
        vc = self.server.versions(c["id"]).json["versions"]
        self.assertEqual(va[0]["prev_hash"], ZERO_HASH)
        self.assertEqual(vb[0]["prev_hash"], ZERO_HASH)
        self.assertEqual(vc[0]["prev_hash"], va[0]["hash"])
        self.assertEqual(self.server.verify(p1).json["head"], vc[0]["hash"])
        self.assertEqual(self.server.verify(p2).json["head"], vb[0]["hash"])

    def test_replies_link_into_the_same_chain(self):
        page = unique_page()
        a, _ = self.post_ok(page, "top")
        b, _ = self.post_ok(page, "reply", parent_id=a["id"])
        vb = self.server.versions(b["id"]).json["versions"]
        self.assertEqual(vb[0]["prev_hash"], a["hash"])
        self.assertEqual(self.server.verify(page).json,
                         {"status": "verified", "head": b["hash"], "failed_ids": [], "erased_ids": []})

    def test_deletion_writes_a_link(self):
        page = unique_page()
        a, _ = self.post_ok(page, "stays")
        b, tok_b = self.post_ok(page, "goes")
        head_before = self.server.verify(page).json["head"]
        self.assertEqual(head_before, b["hash"])
        self.assertStatus(self.server.remove(b["id"], tok_b), 204)
        r = self.server.verify(page)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["status"], "verified")
        self.assertEqual(r.json["failed_ids"], [])
        self.assertRegex(r.json["head"], HEX64)
        self.assertNotEqual(r.json["head"], head_before)
        # The next link builds on the deletion link.
        c, _ = self.post_ok(page, "after the deletion")
        vc = self.server.versions(c["id"]).json["versions"]
        self.assertEqual(vc[0]["prev_hash"], r.json["head"])
        self.assertEqual(self.server.verify(page).json["head"], c["hash"])

    def test_edit_with_same_body_still_versions_consistently(self):
        page = unique_page()
        a, tok = self.post_ok(page, "same")
        r = self.server.edit(a["id"], "same", tok)
        self.assertStatus(r, 200)
        v = self.server.versions(a["id"]).json["versions"]
        self.assertEqual(v[-1]["hash"], r.json["hash"])
        self.assertEqual(self.server.verify(page).json["status"], "verified")

    def test_verify_unknown_page(self):
        r = self.server.verify(unique_page())
        self.assertStatus(r, 200)
        self.assertEqual(r.json["status"], "verified")
        self.assertEqual(r.json["failed_ids"], [])

    def test_verify_without_page_is_400(self):
        self.assertError(self.server.get("/api/v1/pages/verify"), 400, "missing_field", "page")


if __name__ == "__main__":
    unittest.main()
