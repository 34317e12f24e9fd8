"""Votes: up, down, change, retract; one vote per identity; the amur_voter
cookie and the X-Amur-Voter header (API.md: POST /api/v1/comments/{id}/votes)."""

import unittest

from amur_harness import AmurTestCase, cookie_attrs, parse_cookies, unique_page


class Votes(AmurTestCase):

    def new_voter(self):
        """A server-issued voter id, obtained by voting on a throwaway comment."""
        c, _ = self.post_ok(unique_page("/voter-seed"), "seed")
        r = self.server.vote(c["id"], 1)
        self.assertStatus(r, 200)
        return r.json["voter_id"]

    def tallies(self, page, cid):
        for c in self.listing(page)["comments"]:
            if c["id"] == cid:
                return c["upvotes"], c["downvotes"], c["score"]
        self.fail(f"{cid} not listed")

    def assertVote(self, r, up, down, mine, voter=None):
        self.assertStatus(r, 200)
        body = r.json
        for key in ("upvotes", "downvotes", "score", "my_vote", "voter_id"):
            self.assertIn(key, body)
        self.assertEqual((body["upvotes"], body["downvotes"], body["score"], body["my_vote"]),
                         (up, down, up - down, mine), body)
        self.assertIsInstance(body["voter_id"], str)
        self.assertTrue(body["voter_id"])
        if voter is not None:
            self.assertEqual(body["voter_id"], voter)
        return body["voter_id"]

    def test_first_vote_sets_cookie(self):
        page = unique_page()
        c, _ = self.post_ok(page, "vote on me")
        r = self.server.vote(c["id"], 1)
        voter = self.assertVote(r, 1, 0, 1)
        lines = [l for l in r.header_all("Set-Cookie") if l.strip().startswith("amur_voter=")]
        self.assertEqual(len(lines), 1, r.header_all("Set-Cookie"))
        self.assertEqual(parse_cookies(r)["amur_voter"], voter)
        attrs = cookie_attrs(lines[0])
        self.assertIn("httponly", attrs)
        self.assertEqual(str(attrs.get("samesite", "")).lower(), "lax")
        self.assertNotIn("secure", attrs, "plain http: a Secure cookie would never come back")
        self.assertEqual(self.tallies(page, c["id"]), (1, 0, 1))

    def test_up_change_retract_with_cookie(self):
        page = unique_page()
        c, _ = self.post_ok(page, "x")
        r = self.server.vote(c["id"], 1)
        voter = self.assertVote(r, 1, 0, 1)
        cookie = {"Cookie": f"amur_voter={voter}"}
        # Voting the same again does not count twice.
        self.assertVote(self.server.vote(c["id"], 1, headers=cookie), 1, 0, 1, voter)
        # Change to a down vote.
        self.assertVote(self.server.vote(c["id"], -1, headers=cookie), 0, 1, -1, voter)
        self.assertEqual(self.tallies(page, c["id"]), (0, 1, -1))
        # Retract.
        self.assertVote(self.server.vote(c["id"], 0, headers=cookie), 0, 0, 0, voter)
        self.assertEqual(self.tallies(page, c["id"]), (0, 0, 0))
        # Retracting twice is harmless.
        self.assertVote(self.server.vote(c["id"], 0, headers=cookie), 0, 0, 0, voter)
        # And voting again after a retract counts once.
        self.assertVote(self.server.vote(c["id"], -1, headers=cookie), 0, 1, -1, voter)

    def test_one_vote_per_identity_many_identities(self):
        page = unique_page()
        c, _ = self.post_ok(page, "popular")
        voters = []
        for i in range(3):
            r = self.server.vote(c["id"], 1)  # no identity: a new voter each time
            voters.append(self.assertVote(r, i + 1, 0, 1))
        self.assertEqual(len(set(voters)), 3)
        self.assertVote(self.server.vote(c["id"], -1, headers={"X-Amur-Voter": voters[0]}),
                        2, 1, -1, voters[0])
        self.assertVote(self.server.vote(c["id"], 0, headers={"X-Amur-Voter": voters[1]}),
                        1, 1, 0, voters[1])
        self.assertEqual(self.tallies(page, c["id"]), (1, 1, 0))

    def test_header_identity(self):
        page = unique_page()
        c, _ = self.post_ok(page, "x")
        voter = self.new_voter()
        h = {"X-Amur-Voter": voter}
        self.assertVote(self.server.vote(c["id"], 1, headers=h), 1, 0, 1, voter)
        self.assertVote(self.server.vote(c["id"], 1, headers=h), 1, 0, 1, voter)
        self.assertVote(self.server.vote(c["id"], -1, headers=h), 0, 1, -1, voter)
        self.assertVote(self.server.vote(c["id"], 0, headers=h), 0, 0, 0, voter)

    def test_header_and_cookie_name_the_same_identity(self):
        page = unique_page()
        c, _ = self.post_ok(page, "x")
        voter = self.new_voter()
        self.assertVote(self.server.vote(c["id"], 1, headers={"Cookie": f"amur_voter={voter}"}),
                        1, 0, 1, voter)
        self.assertVote(self.server.vote(c["id"], -1, headers={"X-Amur-Voter": voter}),
                        0, 1, -1, voter)

    def test_header_wins_over_cookie(self):
        page = unique_page()
        c, _ = self.post_ok(page, "x")
        cookie_voter = self.new_voter()
        header_voter = self.new_voter()
        self.assertNotEqual(cookie_voter, header_voter)
        self.assertVote(self.server.vote(c["id"], 1, headers={"Cookie": f"amur_voter={cookie_voter}"}),
                        1, 0, 1, cookie_voter)
        both = {"Cookie": f"amur_voter={cookie_voter}", "X-Amur-Voter": header_voter}
        # Counted for the header's identity: the cookie's up vote stays.
        self.assertVote(self.server.vote(c["id"], -1, headers=both), 1, 1, -1, header_voter)
        self.assertVote(self.server.vote(c["id"], 0, headers=both), 1, 0, 0, header_voter)
        self.assertEqual(self.tallies(page, c["id"]), (1, 0, 1))

    def test_votes_are_per_comment(self):
        page = unique_page()
        a, _ = self.post_ok(page, "a")
        b, _ = self.post_ok(page, "b")
        voter = self.new_voter()
        h = {"X-Amur-Voter": voter}
        self.assertVote(self.server.vote(a["id"], 1, headers=h), 1, 0, 1, voter)
        self.assertVote(self.server.vote(b["id"], -1, headers=h), 0, 1, -1, voter)
        self.assertEqual(self.tallies(page, a["id"]), (1, 0, 1))
        self.assertEqual(self.tallies(page, b["id"]), (0, 1, -1))

    def test_votes_on_replies(self):
        page = unique_page()
        a, _ = self.post_ok(page, "a")
        b, _ = self.post_ok(page, "b", parent_id=a["id"])
        self.assertVote(self.server.vote(b["id"], -1), 0, 1, -1)
        reply = self.listing(page)["comments"][0]["replies"][0]
        self.assertEqual((reply["upvotes"], reply["downvotes"], reply["score"]), (0, 1, -1))

    def test_invalid_values(self):
        page = unique_page()
        c, _ = self.post_ok(page, "x")
        url = f"/api/v1/comments/{c['id']}/votes"
        r = self.server.post(url, {"value": None})  # null: absent or wrong, both fine
        self.assertStatus(r, 400)
        self.assertIn(r.json["error"]["code"], ("missing_field", "invalid_field"))
        self.assertEqual(r.json["error"].get("field"), "value")
        for value in (2, -2, "1", 1.5, True, [1], {"v": 1}):
            with self.subTest(value=value):
                self.assertError(self.server.post(url, {"value": value}), 400,
                                 "invalid_field", "value")
        self.assertError(self.server.post(url, {}), 400, "missing_field", "value")
        self.assertError(self.server.post(url, {"vote": 1}), 400, "missing_field", "value")
        self.assertError(self.server.post(url, body=b'{"value": 1', headers={
            "Content-Type": "application/json"}), 400, "invalid_json")
        self.assertError(self.server.post(url, body=b"value=1", headers={
            "Content-Type": "application/x-www-form-urlencoded"}), 415, "unsupported_media_type")
        self.assertEqual(self.tallies(page, c["id"]), (0, 0, 0))

    def test_unknown_comment_is_404(self):
        for cid in ("c999999999", "zzz"):
            with self.subTest(cid=cid):
                self.assertError(self.server.vote(cid, 1), 404, "not_found")

    def test_wrong_method_on_votes(self):
        page = unique_page()
        c, _ = self.post_ok(page, "x")
        r = self.server.request("PUT", f"/api/v1/comments/{c['id']}/votes", {"value": 1})
        self.assertStatus(r, 405)



class VotesBehindHttps(AmurTestCase):
    """Behind https (--public-url https://…) the voter cookie is Secure, as the
    session cookie is (issue 12, finding 7)."""

    server_args = ("--public-url", "https://comments.example.org")

    def test_the_voter_cookie_is_secure(self):
        c, _ = self.post_ok(unique_page(), "vote on me")
        r = self.server.vote(c["id"], 1)
        self.assertStatus(r, 200)
        lines = [l for l in r.header_all("Set-Cookie") if l.strip().startswith("amur_voter=")]
        self.assertEqual(len(lines), 1, r.header_all("Set-Cookie"))
        self.assertIn("secure", cookie_attrs(lines[0]))


class VotesPerNetwork(AmurTestCase):
    tallies = Votes.tallies
    """Voter ids are free to make up: 51 ids from one address once gave 51
    upvotes (issue 12, finding 4). A network may bring --votes-per-network
    voters to one comment; a shared office address can still vote a little."""

    server_args = ("--votes-per-network", "3", "--trusted-proxy", "127.0.0.1/32")

    def vote_from(self, cid, address, voter, value=1):
        return self.server.vote(cid, value, headers={"X-Amur-Voter": voter,
                                                     "X-Forwarded-For": address})

    def test_one_network_cannot_stuff_a_comment(self):
        page = unique_page("/stuffing")
        c, _ = self.post_ok(page, "vote me up")
        for i in range(3):
            self.assertStatus(self.vote_from(c["id"], "198.51.100.7", f"office-{i:04d}"), 200)
        for i in range(3, 51):
            r = self.vote_from(c["id"], "198.51.100.7", f"office-{i:04d}")
            self.assertError(r, 403, "not_allowed")
        self.assertEqual(self.tallies(page, c["id"]), (3, 0, 3))
        # The same /64 is one network for IPv6.
        for i in range(3):
            self.assertStatus(self.vote_from(c["id"], f"2001:db8:1:2::{i + 1}", f"six-{i:04d}"), 200)
        self.assertError(self.vote_from(c["id"], "2001:db8:1:2::99", "six-0099"), 403, "not_allowed")
        # Another network votes freely; a voter already counted may change or retract.
        self.assertStatus(self.vote_from(c["id"], "203.0.113.5", "home-0001"), 200)
        self.assertStatus(self.vote_from(c["id"], "198.51.100.7", "office-0000", -1), 200)
        self.assertStatus(self.vote_from(c["id"], "198.51.100.7", "office-0001", 0), 200)
        self.assertEqual(self.tallies(page, c["id"]), (5, 1, 4))
        # The retracted vote frees a place for another voter of that network.
        self.assertStatus(self.vote_from(c["id"], "198.51.100.7", "office-0100"), 200)
        # Another comment has its own share.
        d, _ = self.post_ok(page, "another")
        self.assertStatus(self.vote_from(d["id"], "198.51.100.7", "office-0050"), 200)

if __name__ == "__main__":
    unittest.main()
