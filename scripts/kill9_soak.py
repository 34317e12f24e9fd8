#!/usr/bin/env python3
"""kill -9 soak: mixed load on a real `amur serve`, SIGKILL at a random
moment, restart on the same database, check, repeat.

    scripts/kill9_soak.py [ROUNDS] [--amur PATH] [--seed N] [--workdir DIR]
                          [--database URL]

The database is a SQLite file in the work folder, or --database (e.g. an
empty postgresql://USER@HOST:PORT/DB that exists; psql reads it for the checks).

ROUNDS defaults to 100. Each round starts the server on the same database,
runs posters (new comments and replies), a voter, an admin deciding
(approve / reject / spam) and an author editing, all at once, kills the
server with SIGKILL after a random 0.1-1.2 s, starts it again and checks:

- every acknowledged comment (201/202) is stored, with its comment.created
  event, and no event names a comment that is not stored;
- every acknowledged edit (200) holds: the body is the last acknowledged one
  or the one in flight at the kill;
- every acknowledged decision (200) holds: the state is the last acknowledged
  decision's or the one in flight at the kill; each has its audit entry;
- votes: acknowledged <= stored <= attempted, per comment and direction, and
  the comment's counters equal its vote rows;
- the event log has no gap, the audit chain links and every hash matches,
  and `amur verify` passes on every page's hash chain.

Exit status 0 when every round passed, 1 otherwise (the first failure is
printed with its round). The last line sums up what was checked.
"""

import argparse
import os
import random
import shutil
import string
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import amur_harness  # noqa: E402
from amur_harness import AmurServer, clean_env, parse_cookies, query_database  # noqa: E402
from test_moderation import audit_hash  # noqa: E402

ADMIN_EMAIL, ADMIN_PASSWORD = "soak-admin@example.com", "soak admin password 1"
PAGES = [f"/soak/page-{i}" for i in range(3)]
STATE_OF = {"approve": "approved", "reject": "rejected", "spam": "spam"}


class SoakFailure(Exception):
    pass


def words(rng, n):
    return " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))
                    for _ in range(n))


class Ledger:
    """What the clients were told (acknowledged) and what they tried."""

    def __init__(self):
        self.mu = threading.Lock()
        self.comments = {}        # id -> {"page", "token", "body"}
        self.edits = {}           # id -> [acked bodies in order]
        self.edit_in_flight = {}  # id -> body sent, not answered (at most one per id)
        self.decisions = {}       # id -> [acked states in order]
        self.decision_in_flight = {}
        self.state = {}           # id -> the state the clients know
        self.state_changes = 0    # acknowledged decisions that changed a state
        self.votes_acked = {}     # (id, value) -> count
        self.votes_tried = {}
        self.counts = {"comments": 0, "edits": 0, "decisions": 0, "votes": 0, "unanswered": 0}

    def ids(self, parity):
        with self.mu:
            return [c for c in self.comments if int(c[1:]) % 2 == parity]

    def all_ids(self):
        with self.mu:
            return list(self.comments)


class Round:
    def __init__(self, server, ledger, rng, admin_headers, round_no):
        self.srv = server
        self.ledger = ledger
        self.rng = rng
        self.admin = admin_headers
        self.round_no = round_no
        self.stop = threading.Event()

    def request(self, fn):
        """The answer, or None when the connection died (the kill)."""
        try:
            return fn()
        except OSError:
            return None

    def poster(self, k):
        rng = random.Random(self.rng.random())
        n = 0
        while not self.stop.is_set():
            page = rng.choice(PAGES)
            body = f"r{self.round_no} p{k} n{n} " + words(rng, rng.randint(3, 30))
            fields = {}
            replies_to = [c for c in self.ledger.all_ids()
                          if self.ledger.comments[c]["page"] == page]
            if replies_to and rng.random() < 0.3:
                fields["parent_id"] = rng.choice(replies_to)
            r = self.request(lambda: self.srv.post_comment(page, body, **fields))
            n += 1
            if r is None:
                self.ledger.counts["unanswered"] += 1
                return
            if r.status in (201, 202):
                c = r.json["comment"]
                with self.ledger.mu:
                    self.ledger.comments[c["id"]] = {"page": page, "token": r.json["edit_token"],
                                                     "body": body}
                    self.ledger.state[c["id"]] = "approved" if r.status == 201 else "pending"
                    self.ledger.counts["comments"] += 1
            elif r.status != 404:  # a parent rejected meanwhile
                raise SoakFailure(f"round {self.round_no}: post answered {r!r}")

    def voter(self):
        rng = random.Random(self.rng.random())
        n = 0
        while not self.stop.is_set():
            ids = self.ledger.all_ids()
            if not ids:
                time.sleep(0.01)
                continue
            cid, value = rng.choice(ids), rng.choice((1, -1))
            key = (cid, value)
            with self.ledger.mu:
                self.ledger.votes_tried[key] = self.ledger.votes_tried.get(key, 0) + 1
            voter = f"soak-voter-{self.round_no}-{n}"
            n += 1
            r = self.request(lambda: self.srv.vote(cid, value, headers={"X-Amur-Voter": voter}))
            if r is None:
                self.ledger.counts["unanswered"] += 1
                return
            if r.status == 200:
                with self.ledger.mu:
                    self.ledger.votes_acked[key] = self.ledger.votes_acked.get(key, 0) + 1
                    self.ledger.counts["votes"] += 1
            elif r.status == 404:  # rejected or spam: not public
                with self.ledger.mu:
                    self.ledger.votes_tried[key] -= 1
            else:
                raise SoakFailure(f"round {self.round_no}: vote answered {r!r}")

    def moderator(self):
        rng = random.Random(self.rng.random())
        while not self.stop.is_set():
            ids = self.ledger.ids(0)
            if not ids:
                time.sleep(0.01)
                continue
            cid, action = rng.choice(ids), rng.choice(list(STATE_OF))
            self.ledger.decision_in_flight[cid] = STATE_OF[action]
            r = self.request(lambda: self.srv.post(f"/api/v1/admin/comments/{cid}/decision",
                                                   {"action": action}, headers=self.admin))
            if r is None:
                self.ledger.counts["unanswered"] += 1
                return
            del self.ledger.decision_in_flight[cid]
            if r.status != 200:
                raise SoakFailure(f"round {self.round_no}: decision answered {r!r}")
            self.ledger.decisions.setdefault(cid, []).append(STATE_OF[action])
            if self.ledger.state.get(cid) != STATE_OF[action]:
                self.ledger.state_changes += 1
            self.ledger.state[cid] = STATE_OF[action]
            self.ledger.counts["decisions"] += 1

    def editor(self):
        rng = random.Random(self.rng.random())
        n = 0
        while not self.stop.is_set():
            ids = self.ledger.ids(1)
            if not ids:
                time.sleep(0.01)
                continue
            cid = rng.choice(ids)
            body = f"edited r{self.round_no} e{n} " + words(rng, rng.randint(3, 20))
            n += 1
            self.ledger.edit_in_flight[cid] = body
            token = self.ledger.comments[cid]["token"]
            r = self.request(lambda: self.srv.edit(cid, body, token=token))
            if r is None:
                self.ledger.counts["unanswered"] += 1
                return
            del self.ledger.edit_in_flight[cid]
            if r.status == 404:  # held for moderation meanwhile: not editable
                continue
            if r.status != 200:
                raise SoakFailure(f"round {self.round_no}: edit answered {r!r}")
            self.ledger.edits.setdefault(cid, []).append(body)
            self.ledger.counts["edits"] += 1

    def run(self, kill_after):
        errors = []

        def guarded(fn, *args):
            try:
                fn(*args)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=guarded, args=(self.poster, k)) for k in range(4)]
        threads += [threading.Thread(target=guarded, args=(f,))
                    for f in (self.voter, self.moderator, self.editor)]
        for t in threads:
            t.start()
        time.sleep(kill_after)
        self.srv.kill()
        self.stop.set()
        for t in threads:
            t.join(30)
        if errors:
            raise errors[0]


def rfc3339(at):
    return datetime.fromtimestamp(at / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{at % 1000:03d}Z"


def check(database_url, ledger, round_no):
    """Raises SoakFailure with what is wrong."""
    def fail(msg):
        raise SoakFailure(f"round {round_no}: {msg}")

    def rows_of(sql):
        return query_database(database_url, sql)

    rows = {f"c{i}": (body, state, up, down) for i, body, state, up, down in rows_of(
        "SELECT id, body_markdown, state, upvotes, downvotes FROM comments")}
    created = {f"c{r[0]}" for r in rows_of(
        "SELECT comment_id FROM events WHERE type = 'comment.created'")}
    with ledger.mu:
        comments = dict(ledger.comments)
    for cid, c in comments.items():
        if cid not in rows:
            fail(f"acknowledged comment {cid} is lost")
        if cid not in created:
            fail(f"comment {cid} has no comment.created event")
    for cid in created - set(rows):
        fail(f"an event names comment {cid}, which is not stored")
    for cid in set(rows) - created:
        fail(f"comment {cid} is stored without its comment.created event")
    for cid, bodies in ledger.edits.items():
        allowed = {bodies[-1]}
        if cid in ledger.edit_in_flight:
            allowed.add(ledger.edit_in_flight[cid])
        if rows[cid][0] not in allowed:
            fail(f"comment {cid}: body {rows[cid][0][:40]!r} is not the last acknowledged edit")
    for cid, body in ledger.edit_in_flight.items():
        if cid not in ledger.edits and rows[cid][0] not in (comments[cid]["body"], body):
            fail(f"comment {cid}: body is neither the original nor the edit in flight")
    for cid, states in ledger.decisions.items():
        allowed = {states[-1]}
        if cid in ledger.decision_in_flight:
            allowed.add(ledger.decision_in_flight[cid])
        if rows[cid][1] not in allowed:
            fail(f"comment {cid}: state {rows[cid][1]} is not the last acknowledged decision "
                 f"({states[-1]})")
    stored = {}
    for cid, value, n in rows_of(
            "SELECT comment_id, value, count(*) FROM votes GROUP BY comment_id, value"):
        stored[(f"c{cid}", value)] = n
    for key in set(ledger.votes_acked) | set(stored):
        acked = ledger.votes_acked.get(key, 0)
        tried = ledger.votes_tried.get(key, 0)
        if not acked <= stored.get(key, 0) <= max(tried, acked):
            fail(f"votes {key}: {acked} acknowledged, {stored.get(key, 0)} stored, "
                 f"{tried} tried")
    for cid, (_, _, up, down) in rows.items():
        if (up, down) != (stored.get((cid, 1), 0), stored.get((cid, -1), 0)):
            fail(f"comment {cid}: counters {up}/{down} disagree with its vote rows")
    seqs = [r[0] for r in rows_of("SELECT seq FROM events ORDER BY seq")]
    if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
        fail("the event log has a gap")
    prev, decided_audits = "0" * 64, 0
    # Text columns come back prefixed with "t" (stripped below), so that the
    # zero hash or a digits-only name stays text through psql's output.
    for seq, at, actor, action, comment_id, reason, prev_hash, h in (
            (seq, at, *(None if v is None else v[1:] for v in (actor, action)), comment_id,
             *(None if v is None else v[1:] for v in (reason, prev_hash, h)))
            for seq, at, actor, action, comment_id, reason, prev_hash, h in rows_of(
                "SELECT seq, at, 't' || actor, 't' || action, comment_id, 't' || reason, "
                "'t' || prev_hash, 't' || hash FROM audit ORDER BY seq")):
        if prev_hash != prev:
            fail(f"audit entry {seq} does not link to the one before")
        e = {"at": rfc3339(at), "actor": actor, "action": action,
             "comment_id": None if comment_id is None else f"c{comment_id}",
             "reason": reason, "prev_hash": prev_hash}
        if audit_hash(e) != h:
            fail(f"audit entry {seq}: the hash does not match")
        prev = h
        decided_audits += action in STATE_OF
    # What was in flight at the kill is settled now: it is what the
    # next rounds expect.
    for cid in ledger.edit_in_flight:
        ledger.edits[cid] = [rows[cid][0]]
    ledger.edit_in_flight.clear()
    for cid in ledger.decision_in_flight:
        ledger.decisions[cid] = [rows[cid][1]]
        ledger.state[cid] = rows[cid][1]
    ledger.decision_in_flight.clear()
    ledger.votes_acked = dict(stored)
    ledger.votes_tried = dict(stored)
    if decided_audits < ledger.state_changes:
        fail(f"{ledger.state_changes} decisions that changed a state acknowledged, "
             f"{decided_audits} in the audit log")
    r = subprocess.run([amur_harness.AMUR_BIN, "verify", "--database", database_url],
                       capture_output=True, text=True, env=clean_env(), timeout=300)
    if r.returncode != 0:
        fail(f"amur verify: {r.stdout.strip()} {r.stderr.strip()}")
    return r.stdout.strip().splitlines()[-1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rounds", nargs="?", type=int, default=100)
    ap.add_argument("--amur", default=os.environ.get("AMUR_BIN",
                                                      os.path.join(ROOT, "build/release/amur")))
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--workdir", default=None, help="kept afterwards when given")
    ap.add_argument("--database", default=None,
                    help="the database URL (default: sqlite:WORKDIR/amur.db)")
    args = ap.parse_args(argv)
    args.amur = os.path.abspath(args.amur)
    amur_harness.AMUR_BIN = args.amur
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    workdir = args.workdir or tempfile.mkdtemp(prefix="amur-soak-")
    os.makedirs(workdir, exist_ok=True)
    database_url = args.database or f"sqlite:{os.path.join(workdir, 'amur.db')}"
    shown = database_url if database_url.startswith("sqlite:") else "a PostgreSQL database"
    print(f"kill9_soak: {args.rounds} rounds, seed {seed}, amur {args.amur}, {shown}",
          flush=True)
    ledger = Ledger()
    started = time.monotonic()
    server = None
    try:
        server = AmurServer(workdir=workdir, database_url=database_url,
                            args=("--votes-per-network", "0"), edit_window=86400)
        server.start()
        r = subprocess.run([args.amur, "user", "add", "--email", ADMIN_EMAIL, "--name", "Soak Admin",
                            "--role", "admin", "--database", database_url],
                           env=clean_env({"AMUR_PASSWORD": ADMIN_PASSWORD}),
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise SoakFailure(f"amur user add: {r.stderr}")
        login = server.post("/api/v1/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        if login.status != 200:
            raise SoakFailure(f"login: {login!r}")
        admin = {"Cookie": "amur_session=" + parse_cookies(login)["amur_session"],
                 "X-CSRF-Token": login.json["csrf_token"]}
        verified = ""
        for round_no in range(1, args.rounds + 1):
            Round(server, ledger, rng, admin, round_no).run(rng.uniform(0.1, 1.2))
            if server.proc.returncode != -9:
                raise SoakFailure(f"round {round_no}: the server exited with "
                                  f"{server.proc.returncode} before the kill\n"
                                  f"{server.output_tail()}")
            server = AmurServer(workdir=workdir, database_url=database_url,
                            args=("--votes-per-network", "0"), edit_window=86400)
            server.start()
            verified = check(database_url, ledger, round_no)
            c = ledger.counts
            if round_no % 10 == 0 or round_no == args.rounds:
                print(f"round {round_no}: {len(ledger.comments)} comments, {c['edits']} edits, "
                      f"{c['decisions']} decisions, {c['votes']} votes acknowledged so far; "
                      f"{verified}", flush=True)
        c = ledger.counts
        print(f"kill9_soak: PASSED {args.rounds} rounds of kill -9 in "
              f"{time.monotonic() - started:.0f} s: {c['comments']} comments, {c['edits']} edits, "
              f"{c['decisions']} decisions, {c['votes']} votes acknowledged, all present; "
              f"{c['unanswered']} requests cut by the kills; {verified}", flush=True)
        return 0
    except SoakFailure as e:
        print(f"kill9_soak: FAILED: {e}", flush=True)
        if server is not None:
            print(server.output_tail(), flush=True)
        return 1
    finally:
        if server is not None:
            server.kill()
            server._join_readers()
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
