"""Real storage faults under a running `amur serve`, no fault injection: a full
disk (a small tmpfs), a file system that turns read-only under the server
(ext4 on a loop device, its error trigger with errors=remount-ro), a
read-only file system at start, and the database locked by another process
(a second SQLite connection holding BEGIN EXCLUSIVE).

In each case writes answer 503 with the JSON error of docs/api.md, reads go
on, nothing half-written is left (every stored comment has its
comment.created event, the hash chains and the audit chain verify), and the
server takes writes again once the fault is gone.

The mounts need root (CI runs as root); without it those tests are skipped
with the reason. The lock test needs nothing special.

On PostgreSQL (AMUR_TEST_DATABASE=postgresql) those SQLite cases are skipped
and the PostgreSQL analogues run instead, on a small cluster of the test's own
(tests/support/pg_cluster.py, Cluster; the shared fixture cluster is never
stopped): the database server stopping under the running server and coming
back, and the server terminating amur's connections while it writes.
"""

import contextlib
import functools
import os
import random
import shutil
import sqlite3
import string
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

from amur_harness import (AMUR_BIN, AmurServer, AmurTestCase, clean_env, on_postgresql,
                          parse_cookies, query_database, unique_page)
from test_moderation import MOD_EMAIL, MOD_PASSWORD, add_user, audit_hash

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import pg_cluster  # noqa: E402

SQLITE_ONLY = "about the SQLite file and its file system; on PostgreSQL PostgreSQLGoesAway runs"

ACKED = (200, 201, 202)


def run(cmd, check=True, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=check, **kw)


@functools.lru_cache(maxsize=None)
def mounts_unavailable():
    """None when this process may mount file systems, else why not."""
    if os.geteuid() != 0:
        return "mounting a small file system needs root (CI runs as root)"
    probe = tempfile.mkdtemp(prefix="amur-mount-probe-")
    try:
        r = run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe], check=False)
        if r.returncode != 0:
            return f"cannot mount a tmpfs here: {r.stderr.strip()}"
        run(["umount", probe], check=False)
        return None
    finally:
        os.rmdir(probe)


@contextlib.contextmanager
def tmpfs(size):
    where = tempfile.mkdtemp(prefix="amur-tmpfs-")
    run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", where])
    try:
        yield where
    finally:
        run(["umount", "-l", where], check=False)
        os.rmdir(where)


class Ext4Image:
    """An ext4 file system in a file, loop-mounted with errors=remount-ro, so
    that its sysfs trigger_fs_error turns it read-only under open files as a
    disk error would."""

    def __init__(self, size_mb=32):
        self.dir = tempfile.mkdtemp(prefix="amur-ext4-")
        self.image = os.path.join(self.dir, "fs.img")
        self.mnt = os.path.join(self.dir, "mnt")
        os.mkdir(self.mnt)
        with open(self.image, "wb") as f:
            f.truncate(size_mb << 20)
        run(["mkfs.ext4", "-q", "-F", self.image])
        self.mounted = False

    def mount(self, *options):
        r = run(["mount", "-o", ",".join(("loop", "errors=remount-ro") + options), self.image,
                 self.mnt], check=False)
        if r.returncode != 0 and not os.path.exists("/dev/loop-control"):
            raise unittest.SkipTest(f"no loop devices here: {r.stderr.strip()}")
        if r.returncode != 0:
            raise subprocess.CalledProcessError(r.returncode, r.args, r.stdout, r.stderr)
        self.mounted = True

    def device(self):
        return run(["findmnt", "-n", "-o", "SOURCE", self.mnt]).stdout.strip()

    def trigger_error(self, test):
        """The kernel's own path for a failing disk: ext4_error, then an
        emergency read-only remount; open files get EROFS on write."""
        trigger = f"/sys/fs/ext4/{os.path.basename(self.device())}/trigger_fs_error"
        if not os.path.exists(trigger):
            test.skipTest(f"this kernel has no {trigger} (Linux 5.x+ has it)")
        with open(trigger, "w") as f:
            f.write("amur fault test")

    def unmount(self):
        if self.mounted:
            run(["umount", self.mnt], check=False)
            self.mounted = False

    def fsck(self):
        r = run(["e2fsck", "-f", "-y", self.image], check=False)
        assert r.returncode in (0, 1), r.stdout + r.stderr  # 1: errors corrected

    def close(self):
        if self.mounted:
            run(["umount", "-l", self.mnt], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


def words(n, rng):
    return " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))
                    for _ in range(n))


class StorageFaultCase(AmurTestCase):
    """Helpers shared by the cases; each test starts its own server."""

    server_kwargs = {}

    @classmethod
    def setUpClass(cls):  # no class-wide server
        unittest.TestCase.setUpClass()

    def setUp(self):
        unittest.TestCase.setUp(self)
        self.rng = random.Random(12)
        self.server = None

    def start(self, workdir, **kw):
        os.makedirs(workdir, exist_ok=True)
        srv = AmurServer(workdir=workdir, **kw)
        self.addCleanup(srv.close)
        srv.start()
        self.server = srv
        return srv

    def add_moderator(self, db_path):
        r = add_user(db_path, MOD_EMAIL, "Mia Mod", "moderator", MOD_PASSWORD)
        self.assertEqual(r.returncode, 0, r.stderr)

    def login(self):
        r = self.server.post("/api/v1/auth/login", {"email": MOD_EMAIL, "password": MOD_PASSWORD})
        self.assertStatus(r, 200)
        return {"Cookie": "amur_session=" + parse_cookies(r)["amur_session"],
                "X-CSRF-Token": r.json["csrf_token"]}

    def decide(self, mod, cid, action):
        return self.server.post(f"/api/v1/admin/comments/{cid}/decision", {"action": action},
                                headers=mod)

    def assert_ack_or_unavailable(self, r, what):
        if r.status in ACKED:
            return True
        self.assertError(r, 503, "unavailable")
        return False

    def assert_reads_go_on(self, page, expect_ids):
        t0 = time.monotonic()
        r = self.server.list_comments(page, limit=200)
        self.assertStatus(r, 200, "a read during the fault")
        self.assertLess(time.monotonic() - t0, 3.0, "a read waited on the fault")
        listed = {c["id"] for c in r.json["comments"]}
        self.assertTrue(set(expect_ids) <= listed, f"missing {set(expect_ids) - listed}")
        self.assertStatus(self.server.get("/t?" + f"page={page}"), 200, "the thread page")
        self.assertStatus(self.server.get("/healthz"), 200, "/healthz")

    def assert_consistent(self, database, acked_bodies, lost_bodies, decided=(), voted=()):
        """Nothing half-written: every acknowledged comment is stored with its
        comment.created event, no refused one is, every acknowledged decision
        and vote is there, the audit chain links, `amur verify` passes.
        `database`: a SQLite file or a database URL."""
        url = database if database.startswith(("sqlite:", "postgres")) else f"sqlite:{database}"

        def rows_of(sql):
            return query_database(url, sql)

        def text(v):  # text columns are read as 't' || column: psql's output has no types
            return None if v is None else v[1:]

        rows = {text(b): i for i, b in rows_of("SELECT id, 't' || body_markdown FROM comments")}
        created = {r[0] for r in rows_of(
            "SELECT comment_id FROM events WHERE type = 'comment.created'")}
        for body in acked_bodies:
            self.assertIn(body, rows, "an acknowledged comment is lost")
            self.assertIn(rows[body], created, "a stored comment without its event")
        for body in lost_bodies:
            self.assertNotIn(body, rows, "a refused comment was stored")
        self.assertEqual(created, set(rows.values()), "events and comments disagree")
        for cid, state in decided:
            self.assertEqual(rows_of(f"SELECT state FROM comments WHERE id = {int(cid[1:])}"),
                             [(state,)])
        for cid in voted:
            self.assertEqual(rows_of(f"SELECT upvotes FROM comments WHERE id = {int(cid[1:])}"),
                             [(1,)])
        prev = "0" * 64
        for seq, at, actor, action, comment_id, reason, prev_hash, h in rows_of(
                "SELECT seq, at, 't' || actor, 't' || action, comment_id, 't' || reason, "
                "'t' || prev_hash, 't' || hash FROM audit ORDER BY seq"):
            actor, action, reason, prev_hash, h = map(text, (actor, action, reason, prev_hash, h))
            self.assertEqual(prev_hash, prev, f"audit entry {seq} does not link")
            from datetime import datetime, timezone
            stamp = datetime.fromtimestamp(at / 1000, timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%S.") + f"{at % 1000:03d}Z"
            e = {"at": stamp, "actor": actor, "action": action,
                 "comment_id": None if comment_id is None else f"c{comment_id}",
                 "reason": reason, "prev_hash": prev_hash}
            self.assertEqual(audit_hash(e), h, f"audit entry {seq} hash")
            prev = h
        r = subprocess.run([AMUR_BIN, "verify", "--database", url],
                           capture_output=True, text=True, env=clean_env(), timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(" 0 failed", r.stdout)

    def seed(self, page):
        """A few comments, a vote and a decision before the fault."""
        bodies, ids = [], []
        for i in range(3):
            body = f"before the fault {i} " + words(5, self.rng)
            r = self.server.post_comment(page, body)
            self.assertStatus(r, 201)
            bodies.append(body)
            ids.append(r.json["comment"]["id"])
        self.assertStatus(self.server.vote(ids[0], 1, headers={"X-Amur-Voter": "voter-seed-1"}), 200)
        return bodies, ids


@unittest.skipIf(on_postgresql(), SQLITE_ONLY)
@unittest.skipIf(mounts_unavailable(), mounts_unavailable() or "")
class DiskFull(StorageFaultCase):

    def test_full_disk_refuses_writes_keeps_reads_and_recovers(self):
        with tmpfs("6m") as data:
            srv = self.start(os.path.join(data, "amur"))
            self.add_moderator(srv.db_path)
            page = unique_page("/disk-full")
            acked, ids = self.seed(page)
            mod = self.login()
            self.assertStatus(self.decide(mod, ids[1], "reject"), 200)
            decided = [(ids[1], "rejected")]
            voted = [ids[0]]

            # Fill the file system to the last block.
            filler = os.path.join(data, "filler")
            # Unbuffered: a buffered file would fail again when closed,
            # flushing what the full disk refused.
            with open(filler, "wb", buffering=0) as f:
                try:
                    while True:
                        f.write(b"\0" * 65536)
                except OSError:
                    pass
            lost, refused = [], 0
            for i in range(60):
                body = f"while full {i} " + words(900, self.rng)
                r = srv.post_comment(page, body)
                if self.assert_ack_or_unavailable(r, "a post on a full disk"):
                    acked.append(body)
                    ids.append(r.json["comment"]["id"])
                else:
                    lost.append(body)
                    refused += 1
                    if refused >= 3:
                        break
            self.assertGreaterEqual(refused, 3, "a full disk never refused a write")
            print(f"\nfull disk: {len(acked) - 3} posts of ~6 KB taken, then {refused} refused "
                  f"({i + 1} tried)", file=sys.stderr)
            r = srv.vote(ids[2], 1, headers={"X-Amur-Voter": "voter-full-1"})
            if self.assert_ack_or_unavailable(r, "a vote on a full disk"):
                voted.append(ids[2])
            r = self.decide(mod, ids[2], "spam")
            if self.assert_ack_or_unavailable(r, "a decision on a full disk"):
                decided.append((ids[2], "spam"))
            self.assert_reads_go_on(page, [ids[0]])
            self.assertTrue(srv.running())

            # Space again: writes work without a restart.
            os.remove(filler)
            body = "after the disk was freed " + words(5, self.rng)
            r = srv.post_comment(page, body)
            self.assertStatus(r, 201, "a post once space is back")
            acked.append(body)
            new_id = r.json["comment"]["id"]
            self.assertStatus(srv.vote(new_id, 1, headers={"X-Amur-Voter": "voter-after-1"}), 200)
            voted.append(new_id)
            self.assertStatus(self.decide(mod, new_id, "reject"), 200)
            decided.append((new_id, "rejected"))
            self.assertEqual(srv.verify(page).json["status"], "verified")
            self.assertEqual(srv.terminate(), 0, srv.output_tail())
            self.assert_consistent(srv.db_path, acked, lost, decided, voted)


@unittest.skipIf(on_postgresql(), SQLITE_ONLY)
@unittest.skipIf(mounts_unavailable(), mounts_unavailable() or "")
class ReadOnly(StorageFaultCase):

    def setUp(self):
        super().setUp()
        self.fs = Ext4Image()
        self.addCleanup(self.fs.close)

    def test_file_system_turning_read_only_under_the_server(self):
        self.fs.mount()
        workdir = os.path.join(self.fs.mnt, "amur")
        srv = self.start(workdir)
        self.add_moderator(srv.db_path)
        page = unique_page("/read-only")
        acked, ids = self.seed(page)
        mod = self.login()
        self.assertStatus(self.decide(mod, ids[1], "reject"), 200)

        self.fs.trigger_error(self)
        lost = []
        for i in range(3):
            body = f"on a read-only disk {i} " + words(5, self.rng)
            self.assertError(srv.post_comment(page, body), 503, "unavailable")
            lost.append(body)
        self.assertError(srv.vote(ids[2], 1, headers={"X-Amur-Voter": "voter-ro-1"}), 503,
                         "unavailable")
        self.assertError(self.decide(mod, ids[2], "spam"), 503, "unavailable")
        self.assert_reads_go_on(page, [ids[0], ids[2]])
        self.assertTrue(srv.running())

        # The operator's way back: stop, fsck, mount again, start.
        self.assertEqual(srv.terminate(), 0, srv.output_tail())
        self.fs.unmount()
        self.fs.fsck()
        self.fs.mount()
        srv = self.start(workdir)
        body = "after the read-only disk " + words(5, self.rng)
        self.assertStatus(srv.post_comment(page, body), 201)
        acked.append(body)
        self.assert_reads_go_on(page, [ids[0], ids[2]])
        self.assertEqual(srv.terminate(), 0, srv.output_tail())
        self.assert_consistent(srv.db_path, acked, lost, [(ids[1], "rejected")], [ids[0]])

    def test_read_only_file_system_at_start(self):
        # Stopped cleanly (no -wal file left: the file is opened immutable)
        # or killed (committed pages still in the -wal file: read through it).
        for stop in ("terminate", "kill"):
            with self.subTest(stop=stop):
                self.fs.mount()
                workdir = os.path.join(self.fs.mnt, f"amur-{stop}")
                srv = self.start(workdir)
                page = unique_page("/read-only-start")
                acked, ids = self.seed(page)
                getattr(srv, stop)()
                self.fs.unmount()
                self.fs.mount("ro")
                srv = self.start(workdir)
                self.assertTrue(any("is read-only: reads are served" in line
                                    for line in srv.stderr_lines), srv.output_tail())
                self.assert_reads_go_on(page, ids)
                self.assertError(srv.post_comment(page, "refused at start"), 503, "unavailable")
                self.assertError(srv.vote(ids[1], 1, headers={"X-Amur-Voter": "voter-ro-2"}),
                                 503, "unavailable")
                self.assertEqual(self.server.verify(page).json["status"], "verified")
                self.assertTrue(srv.running())
                self.assertEqual(srv.terminate(), 0, srv.output_tail())
                self.fs.unmount()
                self.fs.mount()
                self.assert_consistent(srv.db_path, acked, ["refused at start"], (), [ids[0]])
                # Writable again: a restart takes writes.
                srv = self.start(workdir)
                self.assertStatus(srv.post_comment(page, "writable again"), 201)
                self.assertEqual(srv.terminate(), 0, srv.output_tail())
                self.fs.unmount()


@unittest.skipIf(on_postgresql(), SQLITE_ONLY)
class LockedByAnotherProcess(StorageFaultCase):
    """Another process holds the write lock (BEGIN EXCLUSIVE in a second
    SQLite connection, as a backup tool or `sqlite3` shell would)."""

    BUSY_TIMEOUT = 10.0  # sqlite3_busy_timeout in the SQLite store

    def test_writes_wait_for_the_lock_then_refuse_and_reads_go_on(self):
        srv = self.start(tempfile.mkdtemp(prefix="amur-lock-"))
        self.addCleanup(shutil.rmtree, srv.workdir, True)
        self.add_moderator(srv.db_path)
        page = unique_page("/locked")
        acked, ids = self.seed(page)
        mod = self.login()

        other = sqlite3.connect(srv.db_path, timeout=30, isolation_level=None,
                                check_same_thread=False)
        self.addCleanup(other.close)
        other.execute("BEGIN EXCLUSIVE")
        other.execute("INSERT INTO settings(key, value) VALUES ('lock-test', 'x') "
                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        # Held past the busy timeout: a clear 503, in bounded time.
        results = {}

        def post_while_locked():
            t0 = time.monotonic()
            results["r"] = srv.post_comment(page, "refused while locked")
            results["t"] = time.monotonic() - t0

        t = threading.Thread(target=post_while_locked)
        t.start()
        time.sleep(0.5)
        self.assert_reads_go_on(page, ids)
        t.join(30)
        self.assertFalse(t.is_alive(), "a write hung on the lock")
        self.assertError(results["r"], 503, "unavailable")
        print(f"\nrefused after {results['t']:.2f} s of lock", file=sys.stderr)
        self.assertGreater(results["t"], self.BUSY_TIMEOUT - 1)
        self.assertLess(results["t"], self.BUSY_TIMEOUT + 4)
        other.execute("ROLLBACK")
        self.assertEqual(srv.verify(page).json["status"], "verified")

        # Held for a moment only: the write waits and succeeds.
        def release_later():
            time.sleep(2)
            other.execute("ROLLBACK")

        other.execute("BEGIN EXCLUSIVE")
        rel = threading.Thread(target=release_later)
        rel.start()
        t0 = time.monotonic()
        r = srv.post_comment(page, "accepted after the lock")
        rel.join()
        self.assertStatus(r, 201)
        waited = time.monotonic() - t0
        self.assertGreater(waited, 1.5, "the write did not wait for the lock")
        print(f"accepted after {waited:.2f} s (lock released after 2 s)", file=sys.stderr)
        acked.append("accepted after the lock")
        self.assertStatus(self.decide(mod, r.json["comment"]["id"], "reject"), 200)
        self.assertEqual(srv.verify(page).json["status"], "verified")
        self.assertEqual(srv.terminate(), 0, srv.output_tail())
        self.assert_consistent(srv.db_path, acked, ["refused while locked"],
                               [(r.json["comment"]["id"], "rejected")], [ids[0]])


@unittest.skipUnless(on_postgresql(), "the PostgreSQL analogues of the SQLite faults above "
                     "(AMUR_TEST_DATABASE=postgresql)")
class PostgreSQLGoesAway(StorageFaultCase):
    """The database server stops under the running server (pg_ctl stop -m
    fast) and comes back, or terminates amur's connections while it writes
    (pg_terminate_backend): writes answer 503 unavailable meanwhile, nothing
    half-written is stored, cached reads go on, and amur takes writes again
    by itself, without a restart; a connection ended while idle fails no
    request. On a small cluster of the test's own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cluster = pg_cluster.Cluster()
        cls.addClassCleanup(cls.cluster.close)
        cls.cluster.start()

    def start_own(self):
        """amur on a fresh database of the test's own cluster (migrated by
        amur at start)."""
        self.database = "amur_" + uuid.uuid4().hex[:12]
        self.cluster.sql(f"CREATE DATABASE {self.database}")
        srv = AmurServer(database_url=f"{self.cluster.url}/{self.database}")
        self.addCleanup(srv.close)
        srv.start()
        self.server = srv
        return srv

    def terminate_connections(self):
        """Ends every session of amur's database from the server's side and
        waits until they are gone; how many."""
        pids = self.cluster.sql("SELECT string_agg(pid::text, ',') FROM pg_stat_activity "
                                f"WHERE datname = '{self.database}' AND pid <> pg_backend_pid()")
        if not pids:
            return 0
        those = f" FROM pg_stat_activity WHERE pid IN ({pids})"
        n = int(self.cluster.sql("SELECT count(pg_terminate_backend(pid))" + those))
        deadline = time.monotonic() + 5
        while self.cluster.sql("SELECT count(*)" + those) != "0" and time.monotonic() < deadline:
            time.sleep(0.05)
        return n

    def test_database_server_stopping_and_coming_back(self):
        srv = self.start_own()
        self.add_moderator(srv.database_url)
        page = unique_page("/pg-stopped")
        acked, ids = self.seed(page)
        mod = self.login()
        self.assertStatus(self.decide(mod, ids[1], "reject"), 200)
        decided, voted = [(ids[1], "rejected")], [ids[0]]
        self.assertStatus(srv.list_comments(page, limit=200), 200)  # cached now

        self.cluster.stop("fast")
        lost = []
        for i in range(3):
            body = f"while the database is down {i} " + words(5, self.rng)
            t0 = time.monotonic()
            self.assertError(srv.post_comment(page, body), 503, "unavailable")
            self.assertLess(time.monotonic() - t0, 5.0, "a write waited long on a stopped server")
            lost.append(body)
        self.assertError(srv.vote(ids[2], 1, headers={"X-Amur-Voter": "voter-down-1"}), 503,
                         "unavailable")
        self.assertError(self.decide(mod, ids[2], "spam"), 503, "unavailable")
        t0 = time.monotonic()
        r = srv.list_comments(page, limit=200)
        self.assertStatus(r, 200, "a cached listing while the database is down")
        self.assertLess(time.monotonic() - t0, 3.0, "a cached read waited on the database")
        self.assertEqual({c["id"] for c in r.json["comments"]}, {ids[0], ids[2]})
        self.assertStatus(srv.get("/healthz"), 503, "/healthz while the database is down")
        self.assertTrue(srv.running(), srv.output_tail())

        # Back: amur's connections are made again at their next transaction,
        # so the first request after the restart is served.
        self.cluster.start()
        body = "after the database came back " + words(5, self.rng)
        r = srv.post_comment(page, body)
        self.assertStatus(r, 201, "the first post once the database is back")
        acked.append(body)
        new_id = r.json["comment"]["id"]
        self.assertStatus(srv.vote(new_id, 1, headers={"X-Amur-Voter": "voter-back-1"}), 200)
        voted.append(new_id)
        self.assertStatus(self.decide(mod, new_id, "reject"), 200)
        decided.append((new_id, "rejected"))
        self.assertStatus(srv.get("/healthz"), 200, "/healthz once the database is back")
        self.assertEqual(srv.verify(page).json["status"], "verified")
        self.assertEqual(srv.terminate(), 0, srv.output_tail())
        self.assert_consistent(srv.database_url, acked, lost, decided, voted)

    def test_connections_terminated_while_writing(self):
        srv = self.start_own()
        self.add_moderator(srv.database_url)
        page = unique_page("/pg-terminated")
        acked, ids = self.seed(page)
        mod = self.login()

        # Four posters write while the server cuts amur's sessions three
        # times: each answer is 201 or 503 unavailable, never anything else.
        stop = threading.Event()
        answers, errors = [], []

        def poster(k):
            n = 0
            while not stop.is_set():
                body = f"poster {k} post {n} " + words(4, random.Random(k * 1000 + n))
                n += 1
                r = srv.post_comment(page, body)
                answers.append((body, r))
                if r.status not in (201, 503):
                    errors.append(r)

        threads = [threading.Thread(target=poster, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        terminated = 0
        try:
            for _ in range(3):
                time.sleep(0.5)
                terminated += self.terminate_connections()
            time.sleep(0.5)
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        self.assertEqual(errors, [])
        self.assertGreater(terminated, 0, "no session of amur was terminated")
        lost = []
        for body, r in answers:
            if r.status == 201:
                acked.append(body)
            else:
                self.assertError(r, 503, "unavailable")
                lost.append(body)
        print(f"\nterminated {terminated} sessions: {len(acked) - 3} posts taken, "
              f"{len(lost)} refused", file=sys.stderr)
        self.assertTrue(srv.running(), srv.output_tail())

        # One more cut while idle (as a server restart, a failover or
        # idle_session_timeout would): each connection finds itself dead when
        # its next transaction starts and is made again there, so no request
        # fails.
        self.assertGreater(self.terminate_connections(), 0)
        body = "after the sessions were cut " + words(5, self.rng)
        self.assertStatus(srv.post_comment(page, body), 201, "a post after an idle cut")
        acked.append(body)
        self.assertStatus(srv.vote(ids[2], 1, headers={"X-Amur-Voter": "voter-cut-1"}), 200)
        self.assertStatus(self.decide(mod, ids[1], "reject"), 200)
        self.assertStatus(srv.list_comments(page, limit=200), 200)
        self.assertStatus(srv.get("/healthz"), 200)
        self.assertEqual(srv.verify(page).json["status"], "verified")
        self.assertEqual(srv.terminate(), 0, srv.output_tail())
        self.assert_consistent(srv.database_url, acked, lost, [(ids[1], "rejected")],
                               [ids[0], ids[2]])


if __name__ == "__main__":
    unittest.main()
