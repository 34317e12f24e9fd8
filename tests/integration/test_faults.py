"""Database failures in the middle of a write, injected by the
fault-injecting store (AMUR_FAULTS_FILE, src/store/fault_injecting_store.hpp)
around the real SQLite file: the client gets 503 with a JSON error, nothing
of the write is in the database, no event exists for it, and the next write
works."""

import os
import unittest

from amur_harness import AmurTestCase, parse_cookies, unique_page
from test_moderation import MOD_EMAIL, MOD_PASSWORD, add_user


class Faults(AmurTestCase):

    @classmethod
    def setUpClass(cls):
        cls.fault_file = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                      f"amur-faults-{os.getpid()}-{id(cls)}")
        open(cls.fault_file, "w").close()
        cls.server_kwargs = {"env": {"AMUR_FAULTS_FILE": cls.fault_file}}
        super().setUpClass()
        cls.addClassCleanup(lambda: os.path.exists(cls.fault_file) and os.remove(cls.fault_file))
        r = add_user(cls.server.database_url, MOD_EMAIL, "Mia Mod", "moderator", MOD_PASSWORD)
        assert r.returncode == 0, r.stderr

    def inject(self, point, times=1):
        with open(self.fault_file, "w") as f:
            f.write(f"{point} {times}\n")

    def one(self, sql):
        """The single value `sql` answers, on either backend (the bodies and
        ids these tests put in it are plain words and numbers)."""
        [(value,)] = self.server.query(sql)
        return value

    def events_for(self, body):
        ids = [r[0] for r in self.server.query(f"SELECT id FROM comments WHERE body_markdown = '{body}'")]
        return ids, self.one(f"SELECT count(*) FROM events WHERE data LIKE '%{body}%'")

    def assert_unavailable(self, r):
        self.assertError(r, 503, "unavailable")

    def test_a_failure_at_each_point_of_a_post_leaves_nothing(self):
        page = unique_page("/faults")
        self.post_ok(page, "a comment before the faults")
        before = self.server.list_comments(page).raw
        for point in ("begin_write", "savepoint", "insert_comment", "append_event", "commit"):
            with self.subTest(point=point):
                body = f"lost at {point}"
                self.inject(point)
                self.assert_unavailable(self.server.post_comment(page, body))
                ids, evs = self.events_for(body)
                self.assertEqual(ids, [], "no half-written comment")
                self.assertEqual(evs, 0, "no event for a failed write")
                self.assertEqual(self.server.list_comments(page).raw, before)
                # The next write works.
                self.post_ok(unique_page("/faults-after"), f"fine after {point}")
        self.assertEqual(self.server.verify(page).json["status"], "verified")

    def test_a_failed_vote_is_not_counted(self):
        page = unique_page("/faults-vote")
        comment, _ = self.post_ok(page, "vote on me")
        self.inject("commit")
        self.assert_unavailable(self.server.vote(comment["id"], 1, headers={"X-Amur-Voter": "voter-00001"}))
        listed = self.listing(page)["comments"][0]
        self.assertEqual(listed["upvotes"], 0)
        self.assertEqual(self.one("SELECT count(*) FROM events WHERE type = 'comment.voted' "
                                  f"AND comment_id = {int(comment['id'][1:])}"), 0)
        r = self.server.vote(comment["id"], 1, headers={"X-Amur-Voter": "voter-00001"})
        self.assertStatus(r, 200)
        self.assertEqual(self.listing(page)["comments"][0]["upvotes"], 1)

    def test_a_failed_decision_changes_nothing(self):
        login = self.server.post("/api/v1/auth/login", {"email": MOD_EMAIL, "password": MOD_PASSWORD})
        mod = {"Cookie": "amur_session=" + parse_cookies(login)["amur_session"],
               "X-CSRF-Token": login.json["csrf_token"]}
        page = unique_page("/faults-decide")
        comment, _ = self.post_ok(page, "decide on me")
        audit_before = self.one("SELECT count(*) FROM audit")
        self.inject("append_event")
        r = self.server.post(f"/api/v1/admin/comments/{comment['id']}/decision",
                             {"action": "reject"}, headers=mod)
        self.assert_unavailable(r)
        self.assertEqual([c["id"] for c in self.listing(page)["comments"]], [comment["id"]])
        self.assertEqual(self.one("SELECT count(*) FROM audit"), audit_before)
        self.assertEqual(self.one(f"SELECT state FROM comments WHERE id = {int(comment['id'][1:])}"),
                         "approved")


if __name__ == "__main__":
    unittest.main()
