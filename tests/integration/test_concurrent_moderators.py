"""Two moderators on one queue, black-box over HTTP: a decision may carry what
the moderator saw (`expected_state`, `queue`) and is refused with 409
`conflict` (saying who decided, with the comment as it stands) when that no
longer holds; without a precondition a decision still goes through, and
repeating the decision that stands writes nothing. The desk's status check
(`GET /api/v1/admin/queue/status`) tells which shown comments left a queue."""

from amur_harness import AmurTestCase, parse_cookies, unique_page
from test_moderation import MOD_EMAIL, MOD_PASSWORD, add_user

ADMIN_EMAIL, ADMIN_PASSWORD = "ada@example.com", "admin password 1"


class ConcurrentModerators(AmurTestCase):
    server_args = ("--premoderate", "--reports-to-queue", "2", "--reports-to-hide", "0",
                   "--trusted-proxy", "127.0.0.1/32")  # reporters on distinct networks

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for email, name, role, pw in ((ADMIN_EMAIL, "Ada Admin", "admin", ADMIN_PASSWORD),
                                      (MOD_EMAIL, "Mia Mod", "moderator", MOD_PASSWORD)):
            r = add_user(cls.server.database_url, email, name, role, pw)
            assert r.returncode == 0, r.stderr

    def setUp(self):
        self.mia = self.login(MOD_EMAIL, MOD_PASSWORD)
        self.ada = self.login(ADMIN_EMAIL, ADMIN_PASSWORD)

    def login(self, email, password):
        r = self.server.post("/api/v1/auth/login", {"email": email, "password": password})
        self.assertStatus(r, 200)
        return {"Cookie": "amur_session=" + parse_cookies(r)["amur_session"],
                "X-CSRF-Token": r.json["csrf_token"]}

    def held(self, page, body="needs a look"):
        r = self.server.post_comment(page, body)
        self.assertStatus(r, 202)
        return r.json["comment"]

    def approved_then_deleted_by_its_author(self):
        r = self.server.post_comment(self.page, "approved, then deleted by its author")
        self.assertStatus(r, 202)
        cid, token = r.json["comment"]["id"], r.json["edit_token"]
        self.assertStatus(self.decide(cid, self.mia, action="approve"), 200)
        self.assertStatus(self.server.remove(cid, token), 204)
        return cid

    def decide(self, cid, headers, **body):
        return self.server.post(f"/api/v1/admin/comments/{cid}/decision", body, headers=headers)

    def audit_for(self, cid):
        entries = self.server.get("/api/v1/admin/audit?limit=200", headers=self.ada).json["entries"]
        return [e for e in entries if e["comment_id"] == cid]

    def versions(self, cid):
        # Held and rejected comments have no public versions; the page's chain
        # counts every link.
        return self.server.get(f"/api/v1/pages/verify?page={self.page}").json

    # ---- the precondition ----------------------------------------------------

    def test_a_decision_on_a_comment_decided_elsewhere_is_refused_with_who_decided(self):
        self.page = unique_page()
        c = self.held(self.page)
        first = self.decide(c["id"], self.mia, action="reject", reason="rude", expected_state="pending",
                            queue="pending")
        self.assertStatus(first, 200)
        self.assertEqual(first.json["state"], "rejected")
        self.assertEqual(first.json["moderation"]["decided"]["by"], "Mia Mod")
        self.assertEqual(first.json["moderation"]["decided"]["action"], "reject")
        head = self.versions(c["id"])["head"]

        for body in ({"expected_state": "pending"}, {"queue": "pending"},
                     {"expected_state": "pending", "queue": "pending"}):
            late = self.decide(c["id"], self.ada, action="approve", **body)
            self.assertError(late, 409, "conflict", "expected_state" if "expected_state" in body else "queue")
            self.assertEqual(late.json["error"]["message"], "Already rejected by Mia Mod.")
            now = late.json["comment"]
            self.assertEqual(now["id"], c["id"])
            self.assertEqual(now["state"], "rejected")
            self.assertEqual(now["moderation"]["decided"]["action"], "reject")
            self.assertEqual(now["moderation"]["decided"]["by"], "Mia Mod")
            self.assertRegex(now["moderation"]["decided"]["at"], r"^\d{4}-\d\d-\d\dT.*Z$")
        # Nothing was written: one audit entry, the same chain head, still rejected.
        self.assertEqual([e["action"] for e in self.audit_for(c["id"])], ["reject"])
        self.assertEqual(self.versions(c["id"])["head"], head)
        rejected = self.server.get("/api/v1/admin/queue?state=rejected&limit=200", headers=self.ada).json
        self.assertIn(c["id"], [x["id"] for x in rejected["comments"]])

    def test_the_same_action_is_a_conflict_too_so_the_desk_can_say_who(self):
        self.page = unique_page()
        c = self.held(self.page)
        self.assertStatus(self.decide(c["id"], self.mia, action="approve", expected_state="pending"), 200)
        late = self.decide(c["id"], self.ada, action="approve", expected_state="pending")
        self.assertError(late, 409, "conflict", "expected_state")
        self.assertEqual(late.json["error"]["message"], "Already approved by Mia Mod.")
        self.assertEqual(late.json["comment"]["state"], "approved")
        self.assertEqual(len(self.audit_for(c["id"])), 1)

    def test_a_matching_precondition_lets_the_decision_through(self):
        self.page = unique_page()
        c = self.held(self.page)
        r = self.decide(c["id"], self.mia, action="spam", expected_state="pending", queue="pending")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["state"], "spam")
        # From the Spam tab, restoring it: the state it was seen in holds.
        r = self.decide(c["id"], self.ada, action="approve", expected_state="spam", queue="spam")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["state"], "approved")
        self.assertEqual(r.json["moderation"]["decided"]["by"], "Ada Admin")
        self.assertEqual([e["action"] for e in self.audit_for(c["id"])], ["approve", "spam"])

    def test_dismissed_reports_are_a_conflict_for_the_reported_queue(self):
        self.page = unique_page()
        c = self.held(self.page)
        self.assertStatus(self.decide(c["id"], self.mia, action="approve"), 200)
        for voter, network in (("reader-one-1", "198.51.100.1"), ("reader-two-2", "198.51.100.2")):
            self.assertStatus(self.server.post(f"/api/v1/comments/{c['id']}/reports", {"reason": "abuse"},
                                               headers={"X-Amur-Voter": voter, "X-Forwarded-For": network}), 202)
        # Mia keeps it (approve clears the reports); Ada, still looking at the
        # Reported tab, would reject it: the state is still "approved", but it
        # left the reported queue.
        self.assertStatus(self.decide(c["id"], self.mia, action="approve", expected_state="approved",
                                      queue="reported"), 200)
        late = self.decide(c["id"], self.ada, action="reject", expected_state="approved", queue="reported")
        self.assertError(late, 409, "conflict", "queue")
        self.assertIn("reports were already dismissed", late.json["error"]["message"])
        self.assertEqual(late.json["comment"]["state"], "approved")
        self.assertEqual(late.json["comment"]["moderation"]["reports"], 0)

    def test_bad_preconditions_are_400(self):
        self.page = unique_page()
        c = self.held(self.page)
        self.assertError(self.decide(c["id"], self.mia, action="approve", expected_state="gone"),
                         400, "invalid_field", "expected_state")
        self.assertError(self.decide(c["id"], self.mia, action="approve", expected_state="deleted"),
                         400, "invalid_field", "expected_state")
        self.assertError(self.decide(c["id"], self.mia, action="approve", queue="approved"),
                         400, "invalid_field", "queue")
        self.assertError(self.decide(c["id"], self.mia, action="approve", expected_state=3),
                         400, "invalid_field", "expected_state")
        self.assertEqual(self.audit_for(c["id"]), [])

    def test_a_deleted_comment_is_404_with_or_without_a_precondition(self):
        self.page = unique_page()
        cid = self.approved_then_deleted_by_its_author()
        self.assertError(self.decide(cid, self.mia, action="reject", expected_state="approved",
                                     queue="reported"), 404, "not_found")
        self.assertError(self.decide(cid, self.mia, action="approve", expected_state="pending"), 404, "not_found")
        self.assertError(self.decide(cid, self.mia, action="approve"), 404, "not_found")

    # ---- without a precondition (backwards compatible) ------------------------

    def test_without_a_precondition_a_later_decision_still_overrides(self):
        self.page = unique_page()
        c = self.held(self.page)
        self.assertStatus(self.decide(c["id"], self.mia, action="reject"), 200)
        r = self.decide(c["id"], self.ada, action="approve")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["state"], "approved")
        self.assertEqual(r.json["moderation"]["decided"], {"action": "approve", "by": "Ada Admin",
                                                           "at": r.json["moderation"]["decided"]["at"]})
        self.assertEqual([e["action"] for e in self.audit_for(c["id"])], ["approve", "reject"])

    def test_repeating_the_decision_that_stands_writes_nothing(self):
        self.page = unique_page()
        c = self.held(self.page)
        first = self.decide(c["id"], self.mia, action="approve")
        self.assertStatus(first, 200)
        head = self.versions(c["id"])["head"]
        metrics_before = self.server.get("/metrics").text
        again = self.decide(c["id"], self.ada, action="approve", reason="looks fine")
        self.assertStatus(again, 200)
        self.assertEqual(again.json["state"], "approved")
        self.assertEqual(again.json["hash"], first.json["hash"])
        # The decision on record is still Mia's.
        self.assertEqual(again.json["moderation"]["decided"]["by"], "Mia Mod")
        self.assertEqual([e["action"] for e in self.audit_for(c["id"])], ["approve"])
        self.assertEqual(self.versions(c["id"])["head"], head)
        self.assertEqual(self.versions(c["id"])["status"], "verified")

        def decisions(text):
            return [l for l in text.splitlines() if l.startswith("amur_moderation_decisions_total")]
        self.assertEqual(decisions(self.server.get("/metrics").text), decisions(metrics_before))

        # Rejecting twice: the same.
        d = self.held(self.page, "another")
        self.assertStatus(self.decide(d["id"], self.mia, action="reject"), 200)
        self.assertStatus(self.decide(d["id"], self.mia, action="reject"), 200)
        self.assertEqual([e["action"] for e in self.audit_for(d["id"])], ["reject"])

    def test_approving_a_reported_comment_again_still_clears_its_reports(self):
        self.page = unique_page()
        c = self.held(self.page)
        self.assertStatus(self.decide(c["id"], self.mia, action="approve"), 200)
        for voter, network in (("reader-one-1", "198.51.100.1"), ("reader-two-2", "198.51.100.2")):
            self.assertStatus(self.server.post(f"/api/v1/comments/{c['id']}/reports", {"reason": "spam"},
                                               headers={"X-Amur-Voter": voter, "X-Forwarded-For": network}), 202)
        r = self.decide(c["id"], self.ada, action="approve")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["moderation"]["reports"], 0)
        self.assertEqual([e["action"] for e in self.audit_for(c["id"])], ["approve", "approve"])

    # ---- the desk's status check ---------------------------------------------

    def test_queue_status_tells_which_shown_comments_left_the_queue(self):
        self.page = unique_page()
        stay, decided = self.held(self.page, "stays"), self.held(self.page, "decided")
        gone = self.approved_then_deleted_by_its_author()
        self.assertStatus(self.decide(decided["id"], self.mia, action="spam"), 200)
        ids = [stay["id"], decided["id"], gone, "c999999"]
        r = self.server.get("/api/v1/admin/queue/status?state=pending&" + "&".join("id=" + i for i in ids),
                            headers=self.ada)
        self.assertStatus(r, 200)
        self.assertEqual(r.headers.get("Cache-Control"), "no-store")
        by_id = {x["id"]: x for x in r.json["comments"]}
        self.assertEqual([x["id"] for x in r.json["comments"]], ids)
        self.assertEqual(by_id[stay["id"]], {"id": stay["id"], "in_queue": True, "state": "pending",
                                             "reports": 0, "decided": None})
        self.assertFalse(by_id[decided["id"]]["in_queue"])
        self.assertEqual(by_id[decided["id"]]["state"], "spam")
        self.assertEqual(by_id[decided["id"]]["decided"]["action"], "spam")
        self.assertEqual(by_id[decided["id"]]["decided"]["by"], "Mia Mod")
        self.assertEqual(by_id[gone]["state"], "deleted")
        self.assertFalse(by_id[gone]["in_queue"])
        self.assertEqual(by_id["c999999"], {"id": "c999999", "in_queue": False, "state": "deleted",
                                            "reports": 0, "decided": None})
        # The same comments seen from the Spam tab.
        r = self.server.get(f"/api/v1/admin/queue/status?state=spam&id={decided['id']}&id={stay['id']}",
                            headers=self.mia)
        self.assertEqual([x["in_queue"] for x in r.json["comments"]], [True, False])

    def test_queue_status_checks_its_input_and_its_caller(self):
        self.assertError(self.server.get("/api/v1/admin/queue/status?state=pending&id=c1"), 401, "unauthorized")
        self.assertError(self.server.get("/api/v1/admin/queue/status?state=pending", headers=self.mia),
                         400, "missing_field", "id")
        self.assertError(self.server.get("/api/v1/admin/queue/status?state=pending&id=nope", headers=self.mia),
                         400, "invalid_field", "id")
        self.assertError(self.server.get("/api/v1/admin/queue/status?state=approved&id=c1", headers=self.mia),
                         400, "invalid_field", "state")
        many = "&".join(f"id=c{i}" for i in range(1, 202))
        self.assertError(self.server.get("/api/v1/admin/queue/status?state=pending&" + many, headers=self.mia),
                         400, "invalid_field", "id")

    def test_queue_items_say_who_decided(self):
        self.page = unique_page()
        c = self.held(self.page)
        self.assertStatus(self.decide(c["id"], self.mia, action="reject"), 200)
        rejected = self.server.get("/api/v1/admin/queue?state=rejected&limit=200", headers=self.ada).json
        item = next(x for x in rejected["comments"] if x["id"] == c["id"])
        self.assertEqual(item["moderation"]["decided"]["by"], "Mia Mod")
        pending = self.held(self.page, "fresh")
        queue = self.server.get("/api/v1/admin/queue?state=pending&limit=200", headers=self.ada).json
        item = next(x for x in queue["comments"] if x["id"] == pending["id"])
        self.assertIsNone(item["moderation"]["decided"])
