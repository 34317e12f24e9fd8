"""A moderator's redaction stays redacted (issue 12, finding 3): versions a
moderator's edit replaced, and versions never shown publicly (held,
rejected, spam), show their hash but not their text at
GET /api/v1/comments/{id}/versions."""

import unittest

from amur_harness import AmurTestCase, parse_cookies, unique_page
from test_moderation import MOD_EMAIL, MOD_PASSWORD, add_user

SECRET = "12 Elm Street, flat 3"


class Redaction(AmurTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = add_user(cls.server.database_url, MOD_EMAIL, "Mia Mod", "moderator", MOD_PASSWORD)
        assert r.returncode == 0, r.stderr

    def mod(self):
        r = self.server.post("/api/v1/auth/login", {"email": MOD_EMAIL, "password": MOD_PASSWORD})
        self.assertStatus(r, 200)
        return {"Cookie": "amur_session=" + parse_cookies(r)["amur_session"],
                "X-CSRF-Token": r.json["csrf_token"]}

    def versions(self, cid):
        r = self.server.versions(cid)
        self.assertStatus(r, 200)
        return r.json["versions"]

    def test_a_moderators_edit_hides_what_it_replaced(self):
        mod = self.mod()
        page = unique_page("/redact")
        comment, token = self.post_ok(page, f"Come and see me at {SECRET}.")
        r = self.server.patch(f"/api/v1/comments/{comment['id']}",
                              {"body": "[address removed by a moderator]"}, headers=mod)
        self.assertStatus(r, 200)
        versions = self.versions(comment["id"])
        self.assertEqual([v["redacted"] for v in versions], [True, False])
        self.assertIsNone(versions[0]["body"])
        self.assertRegex(versions[0]["hash"], r"^[0-9a-f]{64}$")
        self.assertEqual(versions[1]["body"], "[address removed by a moderator]")
        self.assertNotIn(SECRET, self.server.versions(comment["id"]).raw.decode())
        self.assertEqual(self.server.verify(page).json["status"], "verified")

    def test_the_authors_own_edits_stay_visible(self):
        page = unique_page("/redact-own")
        comment, token = self.post_ok(page, "first thoughts")
        self.assertStatus(self.server.edit(comment["id"], "second thoughts", token=token), 200)
        versions = self.versions(comment["id"])
        self.assertEqual([(v["body"], v["redacted"]) for v in versions],
                         [("first thoughts", False), ("second thoughts", False)])


class HeldOriginals(AmurTestCase):
    server_args = ("--premoderate",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = add_user(cls.server.database_url, MOD_EMAIL, "Mia Mod", "moderator", MOD_PASSWORD)
        assert r.returncode == 0, r.stderr

    def test_a_held_original_approved_after_a_moderators_edit_stays_hidden(self):
        r = self.server.post("/api/v1/auth/login", {"email": MOD_EMAIL, "password": MOD_PASSWORD})
        mod = {"Cookie": "amur_session=" + parse_cookies(r)["amur_session"],
               "X-CSRF-Token": r.json["csrf_token"]}
        page = unique_page("/redact-held")
        held = self.server.post_comment(page, f"My address: {SECRET}")
        self.assertStatus(held, 202)
        cid = held.json["comment"]["id"]
        self.assertStatus(self.server.patch(f"/api/v1/comments/{cid}", {"body": "[removed]"},
                                            headers=mod), 200)
        self.assertStatus(self.server.post(f"/api/v1/admin/comments/{cid}/decision",
                                           {"action": "approve"}, headers=mod), 200)
        r = self.server.versions(cid)
        self.assertStatus(r, 200)
        self.assertNotIn(SECRET, r.raw.decode())
        versions = r.json["versions"]
        self.assertEqual([v["redacted"] for v in versions], [True, True, False])
        self.assertEqual(versions[-1]["body"], "[removed]")


if __name__ == "__main__":
    unittest.main()
