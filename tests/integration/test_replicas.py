"""Read replicas (--database-replica, docs/scaling.md): cacheable reads go to a
hot standby of the PostgreSQL primary when it has caught up, and to the
primary when it lags or is down; a reader sees their own write at once, on
the node they wrote through and on any other. PostgreSQL only (the fixture's
cluster, and standbys of it).

The fixture's standby is shared by every suite of the run, so the tests that
pause or stop a standby start one of their own (pg_cluster.Standby)."""
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

from amur_harness import (AMUR_BIN, AmurServer, AmurTestCase, clean_env, on_postgresql,
                          pg_replica_url, pg_server_url, q, unique_page)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import pg_cluster  # noqa: E402

METRIC_RE = re.compile(r'^(\w+)\{replica="(\d+)"\} (\S+)$')


def replica_metrics(server):
    """{name: value} of the first replica's gauges on `server`'s /metrics."""
    r = server.get("/metrics")
    if r.status != 200:
        raise AssertionError(f"/metrics: {r!r}")
    out = {}
    for line in r.text.splitlines():
        m = METRIC_RE.match(line)
        if m and m.group(2) == "1":
            out[m.group(1)] = float(m.group(3))
    return out


def served(server):
    return replica_metrics(server).get("amur_replica_reads_served", 0)


def lagging(server):
    return replica_metrics(server).get("amur_replica_reads_lagging", 0)


def seen_of(resp):
    """The X-Amur-Seen a write answered with (as int)."""
    v = resp.header("X-Amur-Seen")
    if v is None:
        raise AssertionError(f"no X-Amur-Seen on {resp!r}")
    return int(v)


@unittest.skipUnless(on_postgresql(), "read replicas need PostgreSQL")
class ReplicaTestCase(AmurTestCase):
    """self.server reads from the standby at replica_url(): set
    `own_standby` to give the class a standby of its own (self.standby)."""
    own_standby = False
    server_args = ("--allow-duplicates",)

    @classmethod
    def setUpClass(cls):
        cls.standby = None
        if cls.own_standby:
            cls.standby = pg_cluster.Standby(pg_server_url())
            cls.addClassCleanup(cls.standby.close)
            cls.standby.start()
        # The node's database must exist on the standby before the node
        # starts reading there (it is made on the primary, then replayed).
        cls.server = AmurServer(args=cls.server_args)
        cls.addClassCleanup(cls.server.close)
        cls.server.args += ["--database-replica", cls.replica_base() + "/" + cls.server.pg_database]
        pg_cluster.wait_for_replay(pg_server_url(), cls.replica_base())
        cls.server.start()

    @classmethod
    def replica_base(cls):
        return cls.standby.url if cls.standby else pg_replica_url()

    def wait_for(self, condition, what, within=10.0):
        deadline = time.monotonic() + within
        while not condition():
            if time.monotonic() > deadline:
                self.fail(f"{what}: not within {within} s")
            time.sleep(0.05)

    def count_on(self, node, page):
        r = node.counts([page])
        self.assertStatus(r, 200)
        return r.json["counts"][page]

    def ids_on(self, node, page, headers=None):
        r = node.get("/api/v1/comments?" + q(page=page, limit=200), headers=headers)
        if r.status == 404:
            return []
        self.assertStatus(r, 200)
        return [c["id"] for c in r.json["comments"]]


class ReadsFromTheSharedStandby(ReplicaTestCase):
    def test_cacheable_reads_are_served_by_the_replica_once_it_has_caught_up(self):
        page = unique_page("/replica")
        c, _ = self.post_ok(page, "Read me from the standby.")
        # Own write, at once (the replica may not have it yet: then the primary).
        self.assertEqual(self.count_on(self.server, page), 1)
        self.assertIn(c["id"], self.ids_on(self.server, page))
        pg_cluster.wait_for_replay(pg_server_url(), pg_replica_url())
        before = served(self.server)
        for _ in range(5):
            self.assertEqual(self.count_on(self.server, page), 1)
        self.assertGreaterEqual(served(self.server), before + 5)
        self.assertEqual(replica_metrics(self.server)["amur_replica_up"], 1)

    def test_a_write_answers_with_the_seq_it_published(self):
        page = unique_page("/replica-seen")
        r = self.server.post_comment(page, "Seen.")
        self.assertStatus(r, 201)
        seq = seen_of(r)
        self.assertGreater(seq, 0)
        cookie = [v for v in r.header_all("Set-Cookie") if v.startswith("amur_seen=")]
        self.assertEqual(len(cookie), 1, r)
        self.assertTrue(cookie[0].startswith(f"amur_seen={seq};"), cookie)
        # A failed write sets nothing.
        bad = self.server.post_comment(page, "")
        self.assertEqual(bad.status // 100, 4, bad)
        self.assertIsNone(bad.header("X-Amur-Seen"))

    def test_a_reader_ahead_of_the_node_skips_its_cache_and_the_replica(self):
        page = unique_page("/replica-ahead")
        r = self.server.post_comment(page, "Cached soon.")
        self.assertStatus(r, 201)
        pg_cluster.wait_for_replay(pg_server_url(), pg_replica_url())
        self.ids_on(self.server, page)  # cached now
        # A seq no node has published yet: neither the cache nor the replica
        # may answer; the primary does.
        ahead = {"X-Amur-Seen": str(seen_of(r) + 1_000_000)}
        before_lagging, before_served = lagging(self.server), served(self.server)
        self.assertEqual(len(self.ids_on(self.server, page, headers=ahead)), 1)
        self.assertEqual(lagging(self.server), before_lagging + 1)
        self.assertEqual(served(self.server), before_served)
        # And the same as a cookie.
        cookie = {"Cookie": f"amur_seen={seen_of(r) + 1_000_000}"}
        self.assertEqual(len(self.ids_on(self.server, page, headers=cookie)), 1)
        self.assertEqual(lagging(self.server), before_lagging + 2)


class ALaggingOrStoppedReplica(ReplicaTestCase):
    """Node A and node B on one database, both reading from a standby of
    this class's own."""
    own_standby = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = AmurServer(args=list(cls.server.args), same_database_as=cls.server)
        cls.addClassCleanup(cls.other.close)
        cls.other.start()

    def setUp(self):
        super().setUp()
        self.addCleanup(self.standby.resume_replay)

    def test_a_paused_replica_is_passed_over_and_every_read_stays_fresh(self):
        page = unique_page("/replica-paused")
        self.post_ok(page, "Before the pause.")
        self.standby.wait_for_replay()
        before = served(self.server)
        self.assertEqual(self.count_on(self.server, page), 1)
        self.assertGreater(served(self.server), before, "the caught-up replica served the read")
        # B has the thread cached from before the next write.
        self.assertEqual(len(self.ids_on(self.other, page)), 1)

        self.standby.pause_replay()
        r = self.server.post_comment(page, "While the replica stands still.")
        self.assertStatus(r, 201)
        new_id = r.json["comment"]["id"]
        # The very next read on A: its own write, from the primary.
        lag_before = lagging(self.server)
        self.assertEqual(self.count_on(self.server, page), 2)
        self.assertIn(new_id, self.ids_on(self.server, page))
        self.assertGreater(lagging(self.server), lag_before, "the replica was asked and lagged")
        # The very next read on B, carrying what A answered: the write too.
        seen = {"X-Amur-Seen": r.header("X-Amur-Seen")}
        self.assertIn(new_id, self.ids_on(self.other, page, headers=seen))
        self.assertEqual(self.count_on(self.other, page), 2)
        # Many reads while it lags: all fresh, none from the replica.
        served_before = served(self.server)
        for _ in range(10):
            self.assertEqual(self.count_on(self.server, page), 2)
        self.assertEqual(served(self.server), served_before)

        self.standby.resume_replay()
        self.standby.wait_for_replay()
        self.wait_for(lambda: self.count_on(self.server, page) == 2 and served(self.server) > served_before,
                      "the replica serves again once it has caught up")

    def test_a_stopped_replica_is_skipped_and_used_again_after_it_restarts(self):
        page = unique_page("/replica-stopped")
        self.post_ok(page, "Before the stop.")
        self.standby.wait_for_replay()
        self.assertEqual(self.count_on(self.server, page), 1)
        self.standby.stop()
        try:
            # Reads go on: 200 and fresh, from the primary.
            for i in range(5):
                self.post_ok(page, f"While the replica is down ({i}).")
                self.assertEqual(self.count_on(self.server, page), 2 + i)
                self.assertEqual(len(self.ids_on(self.server, page)), 2 + i)
                r = self.server.get("/feeds/comments.atom?" + q(page=page))
                self.assertStatus(r, 200)
                self.assertEqual(self.count_on(self.other, page), 2 + i)
            self.assertEqual(replica_metrics(self.server)["amur_replica_up"], 0)
            self.assertGreaterEqual(replica_metrics(self.server)["amur_replica_reads_failed"], 1)
        finally:
            self.standby.start()
        self.standby.wait_for_replay()
        # After its back-off (5 s), a read tries it again and it serves.
        before = served(self.server)
        self.wait_for(lambda: self.count_on(self.server, page) == 6 and served(self.server) > before,
                      "the restarted replica serves again", within=15.0)
        self.assertEqual(replica_metrics(self.server)["amur_replica_up"], 1)

    def test_a_replica_that_stops_answering_is_given_up_on_within_seconds(self):
        page = unique_page("/replica-frozen")
        self.post_ok(page, "Before the freeze.")
        self.standby.wait_for_replay()
        # Every reader thread of the node gets a connection to the replica:
        # reads of distinct keys (cache misses) at once, until it served many.
        before = served(self.server)
        for round_ in range(5):
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                pages = [unique_page("/replica-warm") for _ in range(8)]
                list(pool.map(lambda p: self.server.counts([page, p]), pages))
        self.assertGreaterEqual(served(self.server), before + 20, "the replica served")
        # The standby's processes stop: connections stay open, nothing answers.
        self.standby.freeze()
        try:
            for i in range(4):
                self.post_ok(page, f"While the replica is frozen ({i}).")
                started = time.monotonic()
                # Each read would wait on the replica for as long as it is frozen.
                self.assertEqual(self.count_on(self.server, page), 2 + i)
                self.assertEqual(len(self.ids_on(self.server, page)), 2 + i)
                self.assertLess(time.monotonic() - started, 6.0, "reads went on within seconds")
            self.assertEqual(replica_metrics(self.server)["amur_replica_up"], 0)
        finally:
            self.standby.thaw()
        self.standby.wait_for_replay()
        before = served(self.server)
        self.wait_for(lambda: self.count_on(self.server, page) == 5 and served(self.server) > before,
                      "the thawed replica serves again", within=15.0)


@unittest.skipUnless(on_postgresql(), "read replicas need PostgreSQL")
class StartUp(unittest.TestCase):
    def test_replicas_with_a_sqlite_primary_are_refused(self):
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run([AMUR_BIN, "serve", "--listen", "127.0.0.1:0",
                                "--database", f"sqlite:{d}/amur.db",
                                "--database-replica", pg_replica_url() + "/amur_template"],
                               env=clean_env(), capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("SQLite", p.stderr)

    def test_a_replica_that_is_down_at_start_up_does_not_keep_the_node_from_serving(self):
        server = AmurServer(args=("--database-replica", "postgresql://postgres@127.0.0.1:1/none"))
        self.addCleanup(server.close)
        server.start()
        page = unique_page("/replica-never")
        r = server.post_comment(page, "No replica at all.")
        self.assertEqual(r.status, 201, r)
        for _ in range(3):
            r = server.counts([page])
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["counts"][page], 1)
        self.assertEqual(replica_metrics(server)["amur_replica_up"], 0)


if __name__ == "__main__":
    unittest.main()
