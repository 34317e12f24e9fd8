"""Nothing acknowledged is lost (kill -9 and restart), graceful SIGTERM, and
the command line: --version, --help, flags vs environment vs config file.

Runs on both backends (AMUR_TEST_DATABASE): a restarted server opens the same
SQLite file or PostgreSQL database (AmurServer(same_database_as=...)), and the
command line gets a PostgreSQL URL as --database there."""

import http.client
import json
import os
import re
import socket
import subprocess
import tempfile
import shutil
import signal
import threading
import time
import unittest

from amur_harness import (AMUR_BIN, LISTENING_RE, AmurServer, TestDatabase, clean_env,
                          on_postgresql, q, read_until_close, request, status_of, unique_page)


def all_ids(server, page):
    """Every comment id on a page (all pages of the listing, whole subtrees)."""
    ids, cursor = [], None
    for _ in range(1000):
        params = {"page": page, "limit": 200}
        if cursor:
            params["cursor"] = cursor
        path = "/api/v1/comments?" + q(**params)
        r = server.get(path)
        assert r.status == 200, r
        stack = list(r.json["comments"])
        while stack:
            c = stack.pop()
            ids.append(c["id"])
            stack.extend(c.get("replies") or [])
        cursor = r.json["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("listing never ends")


class Hammer:
    """Threads posting comments as fast as they can, remembering every id
    acknowledged with 201."""

    def __init__(self, port, page, threads=8, parent_ids=()):
        self.port, self.page = port, page
        self.acked, self.errors = [], []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.parent_ids = list(parent_ids)
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True)
                        for i in range(threads)]

    def run(self, i):
        n = 0
        while not self.stop.is_set():
            n += 1
            payload = {"page": self.page, "body": f"thread {i} comment {n}",
                       "author_name": f"T{i}"}
            if self.parent_ids and n % 3 == 0:
                payload["parent_id"] = self.parent_ids[n % len(self.parent_ids)]
            try:
                r = request(self.port, "POST", "/api/v1/comments", payload, timeout=10)
            except (OSError, http.client.HTTPException):
                # The server is gone (or going): nothing was acknowledged.
                time.sleep(0.01)
                continue
            if r.status == 201:
                with self.lock:
                    self.acked.append(r.json["comment"]["id"])
            else:
                with self.lock:
                    self.errors.append(r)

    def start(self):
        for t in self.threads:
            t.start()

    def wait_for(self, n, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.acked) >= n:
                    return
            time.sleep(0.005)
        raise AssertionError(f"only {len(self.acked)} comments acknowledged in {timeout}s")

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(15)
        with self.lock:
            return list(self.acked)


class Durability(unittest.TestCase):
    maxDiff = None

    def start(self, **kw):
        srv = AmurServer(**kw)
        self.addCleanup(srv.close)
        srv.start()
        return srv

    def assert_log_matches_comments(self, server, page):
        """The event log and the comments agree after a crash: each stored
        comment has exactly one comment.created event, and no event names a
        comment that was never stored."""
        assert "'" not in page
        stored = {row[0] for row in server.query(
            f"SELECT c.id FROM comments c JOIN pages p ON p.id = c.page_id WHERE p.key = '{page}'")}
        created = [row[0] for row in server.query(
            "SELECT comment_id FROM events WHERE type = 'comment.created' "
            f"AND page_key = '{page}'")]
        seqs = [row[0] for row in server.query("SELECT seq FROM events ORDER BY seq")]
        self.assertEqual(sorted(created), sorted(stored), "one comment.created per stored comment")
        self.assertEqual(seqs, list(range(seqs[0], seqs[0] + len(seqs))), "no gap in the log")

    def test_acknowledged_comments_survive_kill_9(self):
        first = self.start()
        page = unique_page("/durable")
        acked = []
        server = first
        for round_no in range(2):
            hammer = Hammer(server.port, page, parent_ids=acked[:5])
            hammer.start()
            try:
                hammer.wait_for(40)
                server.kill()  # SIGKILL while the threads are still posting
                self.assertEqual(server.proc.returncode, -9)
            finally:
                got = hammer.finish()
            self.assertEqual(hammer.errors, [], "non-201 answers while posting")
            acked.extend(got)
            server = self.start(same_database_as=first)
            listed = set(all_ids(server, page))
            missing = [cid for cid in acked if cid not in listed]
            self.assertEqual(missing, [], f"round {round_no}: acknowledged but lost")
            self.assertEqual(len(set(acked)), len(acked), "an id was handed out twice")
            r = server.verify(page)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["status"], "verified", r.json)
            self.assertEqual(r.json["failed_ids"], [])
            self.assert_log_matches_comments(server, page)
        # The restarted server keeps working on the same data.
        r = server.post_comment(page, "after two crashes")
        self.assertEqual(r.status, 201, r)
        self.assertIn(r.json["comment"]["id"], all_ids(server, page))

    def test_restart_keeps_everything(self):
        first = self.start()
        page = unique_page()
        r = first.post_comment(page, "persisted *text*", author_name="Keeper",
                               page_title="Title kept")
        self.assertEqual(r.status, 201, r)
        c, token = r.json["comment"], r.json["edit_token"]
        v = first.vote(c["id"], 1)
        self.assertEqual(v.status, 200, v)
        before = first.list_comments(page).json
        self.assertEqual(first.terminate(), 0)
        second = self.start(same_database_as=first)
        self.assertEqual(second.list_comments(page).json, before)
        # The edit token still works after a restart.
        e = second.edit(c["id"], "edited after restart", token)
        self.assertEqual(e.status, 200, e)

    def test_sigterm_exits_0(self):
        srv = self.start()
        self.assertEqual(srv.get("/healthz").status, 200)
        self.assertEqual(srv.terminate(10), 0, srv.output_tail())

    def test_sigterm_with_idle_keep_alive_connection(self):
        srv = self.start()
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            raw, _ = read_until_close(s, 5)
            self.assertEqual(status_of(raw), 200)
            started = time.monotonic()
            self.assertEqual(srv.terminate(10), 0, "did not exit 0 within 10 s")
            self.assertLess(time.monotonic() - started, 5)
        finally:
            s.close()

    def test_sigterm_finishes_in_flight_request(self):
        srv = self.start()
        page = unique_page()
        body = json.dumps({"page": page, "body": "in flight during SIGTERM"}).encode()
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        try:
            s.sendall((f"POST /api/v1/comments HTTP/1.1\r\nHost: x\r\n"
                       f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                       ).encode() + body[:10])
            time.sleep(0.2)
            srv.proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            s.sendall(body[10:])
            raw, _ = read_until_close(s, 5)
        finally:
            s.close()
        srv.proc.wait(10)
        self.assertEqual(srv.proc.returncode, 0)
        self.assertEqual(status_of(raw), 201, raw[:300])
        cid = json.loads(raw.partition(b"\r\n\r\n")[2])["comment"]["id"]
        again = self.start(same_database_as=srv)
        self.assertIn(cid, all_ids(again, page))

    def test_sigterm_under_load_loses_nothing(self):
        first = self.start()
        page = unique_page("/graceful")
        hammer = Hammer(first.port, page, threads=6)
        hammer.start()
        try:
            hammer.wait_for(30)
            rc = first.terminate(15)
        finally:
            acked = hammer.finish()
        self.assertEqual(rc, 0, first.output_tail())
        # While shutting down, a 503 for a new request is acceptable.
        self.assertEqual([r for r in hammer.errors if r.status != 503], [])
        second = self.start(same_database_as=first)
        listed = set(all_ids(second, page))
        self.assertEqual([c for c in acked if c not in listed], [])

    def test_listening_line_is_on_stdout(self):
        srv = self.start()
        self.assertTrue(any(LISTENING_RE.search(l) for l in srv.stdout_lines),
                        srv.output_tail())


def run_cli(args, env=None, timeout=15, cwd=None):
    try:
        p = subprocess.run([AMUR_BIN] + list(args), stdin=subprocess.DEVNULL,
                           capture_output=True, env=clean_env(env), timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"`amur {' '.join(args)}` did not exit within {timeout}s "
                             f"(output: {e.stdout!r} {e.stderr!r})")
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


class CommandLine(unittest.TestCase):

    def setUp(self):
        if not os.path.exists(AMUR_BIN):
            self.fail(f"amur binary not found at {AMUR_BIN}")
        self.tmp = tempfile.mkdtemp(prefix="amur-cli-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        database = TestDatabase(self.tmp)
        self.addCleanup(database.close)
        self.db = database.url

    def test_version(self):
        rc, out, err = run_cli(["--version"])
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"\d+\.\d+\.\d+")

    def test_help(self):
        rc, out, err = run_cli(["--help"])
        self.assertEqual(rc, 0, err)
        self.assertIn("serve", out)
        rc, out, err = run_cli(["serve", "--help"])
        self.assertEqual(rc, 0, err)
        for flag in ("--listen", "--database", "--config", "--edit-window", "--public-url"):
            self.assertIn(flag, out)

    def assertRefused(self, args, mention=None, env=None):
        rc, out, err = run_cli(args, env=env, cwd=self.tmp)
        self.assertNotEqual(rc, 0, f"`amur {' '.join(args)}` exited 0: {out}{err}")
        self.assertFalse(LISTENING_RE.search(out), "it started listening")
        text = (out + err).strip()
        self.assertTrue(text, "refused without a message")
        if mention:
            self.assertIn(mention.lower(), text.lower())

    def serve(self, *extra):
        return ["serve", "--listen", "127.0.0.1:0", "--database", self.db] + list(extra)

    def test_invalid_flag_values_are_refused(self):
        self.assertRefused(self.serve("--edit-window", "abc"), "edit-window")
        self.assertRefused(self.serve("--posts-per-minute", "many"), "posts-per-minute")
        self.assertRefused(["serve", "--listen", "not-an-address", "--database", self.db])
        self.assertRefused(["serve", "--listen", "127.0.0.1:0", "--database", "mysql://x"])

    def test_unknown_flag_and_command_are_refused(self):
        self.assertRefused(self.serve("--no-such-flag"), "no-such-flag")
        self.assertRefused(["no-such-command"])

    def test_invalid_environment_value_is_refused(self):
        self.assertRefused(self.serve(), "edit", env={"AMUR_EDIT_WINDOW": "abc"})

    def test_bad_config_file_is_refused(self):
        missing = os.path.join(self.tmp, "missing.toml")
        self.assertRefused(self.serve("--config", missing))
        broken = os.path.join(self.tmp, "broken.toml")
        with open(broken, "w") as f:
            f.write("edit-window = = 5\n[unclosed\n")
        self.assertRefused(self.serve("--config", broken))
        wrong = os.path.join(self.tmp, "wrong.toml")
        with open(wrong, "w") as f:
            f.write('edit-window = "soon"\n')
        self.assertRefused(self.serve("--config", wrong), "edit-window")


class Precedence(unittest.TestCase):
    """Flag beats environment beats config file, observed through the edit
    window: 1 s closes before we try to edit at 1.6 s, 100 s does not."""

    CASES = {
        # name: (extra args, env, config text or None, expect window open)
        "flag_beats_env": (["--edit-window", "100"], {"AMUR_EDIT_WINDOW": "1"}, None, True),
        "flag_beats_env_short": (["--edit-window", "1"], {"AMUR_EDIT_WINDOW": "100"}, None, False),
        "env_alone": ([], {"AMUR_EDIT_WINDOW": "1"}, None, False),
        "file_alone": ([], {}, "edit-window = 1\n", False),
        "env_beats_file": ([], {"AMUR_EDIT_WINDOW": "100"}, "edit-window = 1\n", True),
        "env_beats_file_short": ([], {"AMUR_EDIT_WINDOW": "1"}, "edit-window = 100\n", False),
        "flag_beats_file": (["--edit-window", "1"], {}, "edit-window = 100\n", False),
        "flag_beats_file_long": (["--edit-window", "100"], {}, "edit-window = 1\n", True),
        "default_is_long": ([], {}, None, True),
    }

    @classmethod
    def setUpClass(cls):
        cls.servers, cls.posted = {}, {}
        for name, (args, env, config, _) in cls.CASES.items():
            srv = AmurServer(args=[], env=env, edit_window=None)
            cls.addClassCleanup(srv.close)
            extra = list(args)
            if config is not None:
                path = os.path.join(srv.workdir, "amur.toml")
                with open(path, "w") as f:
                    f.write(config)
                extra += ["--config", path]
            srv.args = extra
            srv.start()
            cls.servers[name] = srv
        # Config-only and environment-only servers (no flags at all).
        conf = AmurServer(defaults=False)
        cls.addClassCleanup(conf.close)
        path = os.path.join(conf.workdir, "amur.toml")
        with open(path, "w") as f:
            f.write('listen = "127.0.0.1:0"\n'
                    f'database = "{conf.database_url}"\n'
                    'edit-window = 1\nposts-per-minute = 0\n')
        conf.args = ["--config", path]
        conf.start()
        cls.servers["config_file_only"] = conf
        envonly = AmurServer(defaults=False)
        envonly.env.update({"AMUR_LISTEN": "127.0.0.1:0",
                            "AMUR_DATABASE": envonly.database_url,
                            "AMUR_EDIT_WINDOW": "1", "AMUR_POSTS_PER_MINUTE": "0"})
        cls.addClassCleanup(envonly.close)
        envonly.start()
        cls.servers["env_only"] = envonly
        for name, srv in cls.servers.items():
            r = srv.post_comment(unique_page(), f"posted on {name}")
            if r.status != 201:
                raise AssertionError(f"{name}: posting failed: {r!r}")
            cls.posted[name] = (r.json["comment"]["id"], r.json["edit_token"])
        time.sleep(1.6)

    def check(self, name, expect_open):
        cid, token = self.posted[name]
        r = self.servers[name].edit(cid, "edited later", token)
        if expect_open:
            self.assertEqual(r.status, 200, f"{name}: {r!r}")
        else:
            self.assertEqual(r.status, 403, f"{name}: {r!r}")
            self.assertEqual(r.json["error"]["code"], "edit_window_closed")

    def test_cases(self):
        for name, (_, _, _, expect_open) in self.CASES.items():
            with self.subTest(case=name):
                self.check(name, expect_open)

    def assert_uses_its_database(self, name):
        srv = self.servers[name]
        if not on_postgresql():
            self.assertTrue(os.path.exists(srv.db_path))
        self.assertEqual(srv.query("SELECT count(*) FROM comments "
                                   f"WHERE body_markdown = 'posted on {name}'"), [(1,)])

    def test_config_file_alone_configures_everything(self):
        self.check("config_file_only", False)
        self.assert_uses_its_database("config_file_only")

    def test_environment_alone_configures_everything(self):
        self.check("env_only", False)
        self.assert_uses_its_database("env_only")


if __name__ == "__main__":
    unittest.main()
