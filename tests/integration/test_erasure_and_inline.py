"""Issue 13, server side, black-box: an admin erases a comment's words (API)
and `amur erase --email` does the same for an address; the page still
verifies, naming the erased comments; tampering with the database file is
still caught; /pages/head; the chain status on a thread's first page;
`position` on inline feedback."""

import subprocess

from amur_harness import AMUR_BIN, AmurTestCase, clean_env, parse_cookies, q, unique_page
from test_moderation import MOD_EMAIL, MOD_PASSWORD, add_user

ADMIN_EMAIL, ADMIN_PASSWORD = "erin@example.com", "admin password 13"


class Erasure(AmurTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for email, name, role, pw in ((ADMIN_EMAIL, "Erin Admin", "admin", ADMIN_PASSWORD),
                                      (MOD_EMAIL, "Mia Mod", "moderator", MOD_PASSWORD)):
            r = add_user(cls.server.database_url, email, name, role, pw)
            assert r.returncode == 0, r.stderr

    def login(self, email, password):
        r = self.server.post("/api/v1/auth/login", {"email": email, "password": password})
        self.assertStatus(r, 200)
        cookies = parse_cookies(r)
        return {"Cookie": "amur_session=" + cookies["amur_session"],
                "X-CSRF-Token": r.json["csrf_token"]}

    def db_text(self, sql, *ids):
        """`sql` with its ? replaced by the integer `ids`, on either backend."""
        for i in ids:
            sql = sql.replace("?", str(int(i)), 1)
        return self.server.query(sql)

    def test_admin_erases_every_version_and_the_page_still_verifies(self):
        page = unique_page("/erase")
        a, token = self.post_ok(page, "my first words", author_name="Zed", author_email="zed@example.com")
        reply, _ = self.post_ok(page, "a reply", parent_id=a["id"])
        r = self.server.edit(a["id"], "my second words, with my street", token=token)
        self.assertStatus(r, 200)
        self.assertEqual(self.server.verify(page).json["status"], "verified")

        mod = self.login(MOD_EMAIL, MOD_PASSWORD)
        self.assertError(self.server.post(f"/api/v1/admin/comments/{a['id']}/erase", {}, headers=mod),
                         403, "not_allowed")
        admin = self.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        self.assertError(self.server.post("/api/v1/admin/comments/c999999/erase", {}, headers=admin),
                         404, "not_found")
        r = self.server.post(f"/api/v1/admin/comments/{a['id']}/erase", {}, headers=admin)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["erased"], True)

        v = self.server.verify(page).json
        self.assertEqual(v["status"], "verified")
        self.assertEqual(v["erased_ids"], [a["id"]])
        self.assertEqual(v["failed_ids"], [])
        # Nothing of the words is left in the file.
        cid = int(a["id"][1:])
        for sql in ("SELECT body_markdown, author_name, author_email, client_address FROM comments WHERE id = ?",
                    "SELECT body_markdown, author_name, editor FROM links WHERE comment_id = ?",
                    "SELECT data FROM events WHERE comment_id = ?"):
            for row in self.db_text(sql, cid):
                text = " ".join(str(x) for x in row)
                for word in ("my first words", "street", "Zed", "zed@example.com", "127.0.0.1"):
                    self.assertNotIn(word, text, sql)
        # The thread shows a tombstone above the reply; the audit log says who.
        listing = self.listing(page)
        self.assertEqual(listing["comments"][0]["state"], "deleted")
        self.assertEqual(listing["comments"][0]["replies"][0]["id"], reply["id"])
        self.assertEqual(listing["page"]["chain"]["status"], "verified")
        audit = self.server.get("/api/v1/admin/audit", headers=admin).json
        self.assertTrue(any(e["action"] == "erase" and e["actor"] == "Erin Admin" and e["comment_id"] == a["id"]
                            for e in audit["entries"]), audit)

        # Tampering after erasure is still caught, and names the comment.
        self.db_text("UPDATE comments SET body_markdown = 'forged' WHERE id = ?", reply["id"][1:])
        v = self.server.verify(page).json
        self.assertEqual(v["status"], "failed")
        self.assertEqual(v["failed_ids"], [reply["id"]])
        # The thread's hash line (cached, and checked incrementally) now says so too.
        self.assertEqual(self.listing(page)["page"]["chain"]["status"], "failed")

    def test_cli_erases_by_address_and_verify_passes(self):
        page = unique_page("/erase-cli")
        mine = [self.post_ok(page, f"note {i}", author_email="Kim@Example.com")[0]["id"] for i in range(2)]
        other = self.post_ok(page, "someone else", author_email="lee@example.com")[0]["id"]
        r = subprocess.run([AMUR_BIN, "erase", "--email", "kim@example.com",
                            "--database", self.server.database_url],
                           capture_output=True, text=True, env=clean_env(), timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("2 comments erased", r.stdout)
        v = self.server.verify(page).json
        self.assertEqual(v["status"], "verified")
        self.assertEqual(v["erased_ids"], mine)
        r = subprocess.run([AMUR_BIN, "verify", "--database", self.server.database_url],
                           capture_output=True, text=True, env=clean_env(), timeout=60)
        self.assertNotIn(page, r.stdout)
        rows = self.db_text("SELECT author_email FROM comments WHERE id = ?", int(other[1:]))
        self.assertEqual(rows, [("lee@example.com",)])

    def test_head_answers_the_stored_head_and_length(self):
        page = unique_page("/head")
        r = self.server.get("/api/v1/pages/head?" + q(page=page))
        self.assertStatus(r, 200)
        self.assertEqual(r.json, {"head": "0" * 64, "length": 0})
        a, token = self.post_ok(page, "one")
        self.assertStatus(self.server.edit(a["id"], "one, edited", token=token), 200)
        r = self.server.get("/api/v1/pages/head?" + q(page=page))
        self.assertEqual(r.json["length"], 2)
        self.assertEqual(r.json["head"], self.server.verify(page).json["head"])
        self.assertError(self.server.get("/api/v1/pages/head"), 400, "missing_field", "page")

    def test_position_is_kept_with_the_quote(self):
        page = unique_page("/inline")
        quote = {"exact": "the river", "prefix": "drew ", "suffix": " border"}
        c, _ = self.post_ok(page, "Which river?", quote=quote, position={"start": 4, "end": 13})
        self.assertEqual(c["position"], {"start": 4, "end": 13})
        listed = self.listing(page, filter="inline")["comments"][0]
        self.assertEqual(listed["quote"], quote)
        self.assertEqual(listed["position"], {"start": 4, "end": 13})
        for bad in ({"start": 5, "end": 5}, {"start": -1, "end": 3}, {"start": "1", "end": 3}, [1, 2]):
            r = self.server.post_comment(page, "x", quote=quote, position=bad)
            self.assertError(r, 400, "invalid_field", "position")
        r = self.server.post_comment(page, "x", position={"start": 1, "end": 3})
        self.assertError(r, 400, "invalid_field", "position")


if __name__ == "__main__":
    import unittest
    unittest.main()
