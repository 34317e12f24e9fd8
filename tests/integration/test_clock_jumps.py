"""The server's clock jumping backwards and forwards while it runs (an NTP
step, a VM resumed, an operator's mistake), through AMUR_CLOCK_OFFSET_FILE
(core/clock.hpp: the system clock plus a signed offset in milliseconds read
from that file on every call; tests only).

Nothing breaks: ids stay unique and ordered, paging with cursors neither
repeats nor skips, edit windows follow the clock, a rate-limited client is not
locked out for the length of a backward jump, sessions live by the clock,
the hash chains and the audit chain verify, and every page renders.
"""

import os
import unittest

from amur_harness import AmurTestCase, parse_cookies, unique_page
from test_moderation import MOD_EMAIL, MOD_PASSWORD, add_user

HOUR = 3_600_000
DAY = 24 * HOUR


class ClockJumpCase(AmurTestCase):

    @classmethod
    def setUpClass(cls):
        cls.clock_file = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                      f"amur-clock-{os.getpid()}-{cls.__name__}")
        with open(cls.clock_file, "w") as f:
            f.write("0\n")
        cls.server_kwargs = dict(cls.server_kwargs,
                                 env={"AMUR_CLOCK_OFFSET_FILE": cls.clock_file})
        super().setUpClass()
        cls.addClassCleanup(lambda: os.path.exists(cls.clock_file) and os.remove(cls.clock_file))

    def setUp(self):
        super().setUp()
        self.jump(0)

    def jump(self, offset_ms):
        """Sets the server's clock to the real time plus `offset_ms`."""
        with open(self.clock_file, "w") as f:
            f.write(f"{offset_ms}\n")


class ClockJumps(ClockJumpCase):
    server_kwargs = {"edit_window": 900}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = add_user(cls.server.database_url, MOD_EMAIL, "Mia Mod", "moderator", MOD_PASSWORD)
        assert r.returncode == 0, r.stderr

    def login(self):
        r = self.server.post("/api/v1/auth/login", {"email": MOD_EMAIL, "password": MOD_PASSWORD})
        self.assertStatus(r, 200)
        return {"Cookie": "amur_session=" + parse_cookies(r)["amur_session"],
                "X-CSRF-Token": r.json["csrf_token"]}

    def test_ids_order_and_cursors_across_jumps(self):
        page = unique_page("/clock")
        posted = []
        for offset in (0, -HOUR, -DAY, 2 * HOUR, -30 * DAY, 0):
            self.jump(offset)
            c, _ = self.post_ok(page, f"posted at offset {offset}")
            posted.append(c["id"])
        self.assertEqual(len(set(posted)), len(posted), "an id was handed out twice")
        self.assertEqual(posted, sorted(posted, key=lambda cid: int(cid[1:])), "ids not increasing")
        self.assertEqual(self.all_top_ids(page), posted, "oldest-first is posting order")
        self.assertEqual(self.all_top_ids(page, sort="newest"), posted[::-1])
        for sort in ("oldest", "newest", "votes"):
            with self.subTest(sort=sort):
                seen, cursor = [], None
                while True:
                    params = {"limit": 2, "sort": sort}
                    if cursor:
                        params["cursor"] = cursor
                    r = self.listing(page, **params)
                    seen += [c["id"] for c in r["comments"]]
                    cursor = r.get("next_cursor")
                    if not cursor:
                        break
                self.assertEqual(sorted(seen), sorted(posted), "paging repeated or skipped")
                self.assertEqual(len(seen), len(set(seen)))
        # Comments "from the future" render.
        self.jump(-2 * DAY)
        r = self.server.get("/t?page=" + page)
        self.assertStatus(r, 200)
        self.assertEqual(self.server.verify(page).json["status"], "verified")
        self.assertEqual(self.count_of(page), len(posted))

    def test_edit_window_follows_the_clock(self):
        page = unique_page("/clock-edit")
        c, token = self.post_ok(page, "edit me")
        self.jump(-HOUR)  # back: still inside the window
        self.assertStatus(self.server.edit(c["id"], "edited in the past", token=token), 200)
        self.jump(16 * 60_000)  # 16 minutes on: the 15 minute window is over
        self.assertError(self.server.edit(c["id"], "too late", token=token), 403,
                         "edit_window_closed")
        self.jump(0)
        self.assertStatus(self.server.edit(c["id"], "edited again", token=token), 200)
        self.assertEqual(self.server.verify(page).json["status"], "verified")

    def test_sessions_and_decisions_across_jumps(self):
        mod = self.login()
        page = unique_page("/clock-mod")
        a, _ = self.post_ok(page, "decide on me")
        self.jump(-DAY)
        self.assertStatus(self.server.get("/api/v1/auth/me", headers=mod), 200)
        r = self.server.post(f"/api/v1/admin/comments/{a['id']}/decision", {"action": "reject"},
                             headers=mod)
        self.assertStatus(r, 200)
        self.jump(HOUR)
        r = self.server.post(f"/api/v1/admin/comments/{a['id']}/decision", {"action": "approve"},
                             headers=mod)
        self.assertStatus(r, 200)
        audit = self.server.get("/api/v1/admin/audit?limit=10", headers=mod)
        self.assertStatus(audit, 200)
        entries = audit.json["entries"]
        for newer, older in zip(entries, entries[1:]):
            self.assertEqual(newer["prev_hash"], older["hash"], "the audit chain is broken")
        self.assertStatus(self.server.get("/api/v1/admin/queue?state=rejected", headers=mod), 200)
        self.assertStatus(self.server.get("/api/v1/admin/pages", headers=mod), 200)
        # Past the 30-day lifetime the session has ended, as it would have.
        self.jump(31 * DAY)
        self.assertStatus(self.server.get("/api/v1/auth/me", headers=mod), 401)
        mod = self.login()
        self.jump(0)  # a session made "in the future" still works after a jump back
        self.assertStatus(self.server.get("/api/v1/auth/me", headers=mod), 200)
        self.assertEqual(self.server.verify(page).json["status"], "verified")


class RateLimitAcrossJumps(ClockJumpCase):
    server_kwargs = {"posts_per_minute": 2}

    def test_a_backward_jump_does_not_lock_a_client_out(self):
        page = unique_page("/clock-rate")
        self.post_ok(page, "one")
        self.post_ok(page, "two")
        r = self.server.post_comment(page, "three")
        self.assertError(r, 429, "rate_limited")
        self.assertLessEqual(int(r.header("Retry-After")), 60)
        self.jump(-HOUR)
        # Without the fix the two slots "from the future" refused this for
        # an hour and a minute.
        self.post_ok(page, "after the jump back")
        self.post_ok(page, "and another")
        r = self.server.post_comment(page, "over the limit again")
        self.assertError(r, 429, "rate_limited")
        self.assertLessEqual(int(r.header("Retry-After")), 60)
        self.jump(HOUR)  # forward: the minute is long over
        self.post_ok(page, "after the jump forward")


if __name__ == "__main__":
    unittest.main()
