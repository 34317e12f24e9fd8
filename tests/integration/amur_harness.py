"""Shared harness for the black-box HTTP integration suites of Amur.

Starts the real `amur serve` on a free loopback port with a fresh SQLite file,
speaks HTTP to it with the standard library only, and always stops it again.

Environment:
  AMUR_BIN             path of the amur binary (default /work/main/build/debug/amur)
  AMUR_TEST_DATABASE   "postgresql": each server gets a fresh PostgreSQL database
                       (a copy of amur_template) on the test cluster instead of a
                       SQLite file; AMUR_PG_URL_FILE names the file holding the
                       cluster's URL (tests/support/pg_cluster.py). Missing: fail.
"""

import html.parser
import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse
import uuid

AMUR_BIN = os.environ.get("AMUR_BIN", "/work/main/build/debug/amur")

LISTENING_RE = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")
RFC3339_MS_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
ZERO_HASH = "0" * 64
START_TIMEOUT = 20.0

_UNSET = object()


# The site that embeds Amur in tests that give a page its title and URL: the
# server must list it with --allow-origin, and the post must come from it.
NEWS_ORIGIN = "https://news.example.org"
FROM_NEWS = {"Origin": NEWS_ORIGIN}

def on_postgresql():
    """True when the suites run against PostgreSQL (AMUR_TEST_DATABASE)."""
    return os.environ.get("AMUR_TEST_DATABASE", "sqlite") == "postgresql"


def pg_server_url():
    path = os.environ.get("AMUR_PG_URL_FILE", "")
    if not path or not os.path.exists(path):
        raise RuntimeError("AMUR_TEST_DATABASE=postgresql but the PostgreSQL test server's URL "
                           f"file {path!r} is missing (ctest fixture pg_cluster)")
    with open(path) as f:
        return f.read().strip()


def pg_replica_url():
    """The URL (no database name) of the fixture's hot standby of the test
    cluster (pg-test/replica_url beside the cluster's URL file). It is shared
    by every suite of the run: pause or stop only a standby of your own
    (tests/support/pg_cluster.py, Standby)."""
    path = os.path.join(os.path.dirname(os.environ.get("AMUR_PG_URL_FILE", "")), "replica_url")
    if not os.path.exists(path):
        raise RuntimeError(f"the PostgreSQL test standby's URL file {path!r} is missing "
                           "(ctest fixture pg_cluster)")
    with open(path) as f:
        return f.read().strip()


def pg_admin(sql):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", pg_server_url() + "/postgres",
                    "-c", sql], check=True, stdout=subprocess.DEVNULL)


def create_pg_database():
    """A fresh migrated database on the test cluster; returns (name, url)."""
    name = "amur_it_" + uuid.uuid4().hex[:16]
    for attempt in range(20):
        try:
            pg_admin(f"CREATE DATABASE {name} TEMPLATE amur_template")
            break
        except subprocess.CalledProcessError:
            # Another process copying the template at the same moment.
            if attempt == 19:
                raise
            time.sleep(0.1 * (attempt + 1))
    return name, f"{pg_server_url()}/{name}"


def query_database(url, sql):
    """The rows of `sql` run on the database at `url` (sqlite:FILE or
    postgresql://...): a list of tuples, numbers as int (PostgreSQL's text
    output read back; NULL as None)."""
    if url.startswith("sqlite:"):
        db = sqlite3.connect(url[len("sqlite:"):])
        try:
            rows = db.execute(sql).fetchall()
            db.commit()
        finally:
            db.close()
        return rows
    out = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                          "-d", url, "-c", sql],
                         check=True, capture_output=True, text=True).stdout

    def value(v):
        if v == "":
            return None
        try:
            return int(v)
        except ValueError:
            return v
    return [tuple(value(v) for v in line.split("\t")) for line in out.splitlines() if line]


class TestDatabase:
    """A database of the backend in use that no server owns: a SQLite file
    `name` in `folder` (made by whoever opens it first), or a fresh PostgreSQL
    database on the test cluster (migrated, empty; dropped by close()). For
    tests that run the CLI on a database, restart servers on it, or need a
    second one (export from one, import into another)."""

    def __init__(self, folder, name="amur.db"):
        self.pg_database = None
        if on_postgresql():
            self.pg_database, self.url = create_pg_database()
        else:
            self.url = f"sqlite:{os.path.join(folder, name)}"

    def query(self, sql):
        """As AmurServer.query."""
        return query_database(self.url, sql)

    def close(self):
        if self.pg_database:
            try:
                pg_admin(f"DROP DATABASE IF EXISTS {self.pg_database} WITH (FORCE)")
            except subprocess.CalledProcessError:
                pass
            self.pg_database = None


def clean_env(extra=None):
    """The test process's environment without any AMUR_* variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMUR_")}
    if extra:
        env.update(extra)
    return env


def unique_page(prefix="/it"):
    """A fresh page key so that tests sharing one server never see each other."""
    return f"{prefix}/{uuid.uuid4().hex}"


def q(**params):
    """Query string from keyword arguments; list values repeat the key."""
    return urllib.parse.urlencode(params, doseq=True)


# --------------------------------------------------------------------------- #
# HTTP client
# --------------------------------------------------------------------------- #


class Response:
    """What came back: status, headers, raw bytes, and body (parsed JSON or text).

    Unpacks as (status, headers, body) so tests can write
    `status, headers, body = srv.get(...)`.
    """

    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers  # http.client.HTTPMessage (case-insensitive)
        self.raw = raw
        self.text = raw.decode("utf-8", "replace")
        self.json = None
        ctype = (headers.get("Content-Type") or "").lower()
        if "json" in ctype and raw:
            try:
                self.json = json.loads(raw.decode("utf-8"))
            except ValueError:
                self.json = None

    @property
    def body(self):
        return self.json if self.json is not None else self.text

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def header_all(self, name):
        return self.headers.get_all(name) or []

    def __iter__(self):
        return iter((self.status, self.headers, self.body))

    def __repr__(self):
        text = self.text if len(self.text) < 600 else self.text[:600] + "..."
        return f"<Response {self.status} {text!r}>"


def request(port, method, path, json_body=_UNSET, body=None, headers=None,
            timeout=15.0):
    """One HTTP request on a fresh connection. `json_body` is serialized as
    UTF-8 JSON with Content-Type application/json unless headers override it;
    `body` (bytes or str) is sent as is."""
    hdrs = dict(headers or {})
    if json_body is not _UNSET:
        body = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        if not any(k.lower() == "content-type" for k in hdrs):
            hdrs["Content-Type"] = "application/json"
    if isinstance(body, str):
        body = body.encode("utf-8")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        return Response(resp.status, resp.headers, raw)
    finally:
        conn.close()


def parse_cookies(resp):
    """{name: value} from the Set-Cookie headers of a response."""
    jar = {}
    for line in resp.header_all("Set-Cookie"):
        first = line.split(";", 1)[0]
        if "=" in first:
            name, value = first.split("=", 1)
            jar[name.strip()] = value.strip()
    return jar


def cookie_attrs(set_cookie_line):
    """Lower-cased attribute names (and values) of one Set-Cookie line."""
    parts = [p.strip() for p in set_cookie_line.split(";")[1:]]
    attrs = {}
    for p in parts:
        if "=" in p:
            k, v = p.split("=", 1)
            attrs[k.strip().lower()] = v.strip()
        elif p:
            attrs[p.lower()] = True
    return attrs


def raw_exchange(port, payload, read_timeout=6.0, connect_timeout=5.0):
    """Send raw bytes, then read until the peer closes or `read_timeout`
    passes. Returns (data, outcome) where outcome is 'closed', 'reset' or
    'timeout'."""
    s = socket.create_connection(("127.0.0.1", port), timeout=connect_timeout)
    try:
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return read_until_close(s, read_timeout)
    finally:
        s.close()


def read_until_close(sock, read_timeout):
    data = b""
    deadline = time.monotonic() + read_timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return data, "timeout"
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return data, "timeout"
        except (ConnectionResetError, BrokenPipeError):
            return data, "reset"
        if not chunk:
            return data, "closed"
        data += chunk
        # One complete response is enough: stop once headers + body are in.
        if _complete_response(data):
            return data, "response"


def _complete_response(data):
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    m = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    if m:
        return len(rest) >= int(m.group(1))
    return False


def status_of(raw):
    """Status code of the first response line in raw bytes, or None."""
    m = re.match(rb"HTTP/1\.[01] (\d{3})", raw)
    return int(m.group(1)) if m else None


# --------------------------------------------------------------------------- #
# HTML helpers
# --------------------------------------------------------------------------- #


class FormParser(html.parser.HTMLParser):
    """Collects every <form> with its fields (input, textarea, select)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._textarea = None
        self.anchors = []  # (attrs dict)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"attrs": a, "fields": [], }
            self.forms.append(self._form)
        elif tag in ("input", "select", "button") and self._form is not None:
            self._form["fields"].append({"tag": tag, **a})
        elif tag == "textarea" and self._form is not None:
            self._textarea = {"tag": "textarea", **a, "value": ""}
            self._form["fields"].append(self._textarea)
        elif tag == "a":
            self.anchors.append(a)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data


def parse_html(text):
    p = FormParser()
    p.feed(text)
    p.close()
    return p


# --------------------------------------------------------------------------- #
# The server under test
# --------------------------------------------------------------------------- #


class AmurServer:
    """One `amur serve` child process.

    workdir: a directory holding amur.db; created (and deleted by close())
    when not given.
    edit_window: value for --edit-window, or None to leave the flag out.
    defaults: when False, none of the default flags are passed (only args).
    preexec_fn: run in the child before amur starts (e.g. to lower a limit).
    same_database_as: another AmurServer whose database this one shares (a
    second node, or the same node started again after a stop or a kill); its
    workdir is then used and left to it.
    database_url: the database to serve (e.g. a TestDatabase's url), left to
    its owner; db_path is the file when it is a SQLite URL.
    seed_model: start from the seed model as a real site does; off by default
    (--no-seed-model) because training it takes about 7 s in the sanitized
    build, and only the harassment suites depend on it.
    """

    def __init__(self, args=(), env=None, edit_window=900, workdir=None,
                 defaults=True, posts_per_minute=0, request_timeout=2, preexec_fn=None,
                 same_database_as=None, database_url=None, seed_model=False):
        if same_database_as is not None:
            workdir = same_database_as.workdir
        self.owns_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="amur-it-")
        self.db_path = os.path.join(self.workdir, "amur.db")
        # What --database names: the SQLite file, or a fresh PostgreSQL
        # database when AMUR_TEST_DATABASE=postgresql (dropped by close()).
        self.pg_database = None
        if database_url is not None:
            self.database_url = database_url  # its owner drops it
            if database_url.startswith("sqlite:"):
                self.db_path = database_url[len("sqlite:"):]
        elif same_database_as is not None:
            self.database_url = same_database_as.database_url  # its owner drops it
            self.db_path = same_database_as.db_path
        elif on_postgresql():
            self.pg_database, self.database_url = create_pg_database()
        else:
            self.database_url = f"sqlite:{self.db_path}"
        self.args = list(args)
        self.env = clean_env(env)
        self.edit_window = edit_window
        self.defaults = defaults
        self.posts_per_minute = posts_per_minute
        self.request_timeout = request_timeout
        self.preexec_fn = preexec_fn
        self.seed_model = seed_model
        self.proc = None
        self.port = None
        self.stdout_lines = []
        self.stderr_lines = []
        self._port_event = threading.Event()
        self._readers = []

    # -- lifecycle --------------------------------------------------------- #

    def command(self):
        cmd = [AMUR_BIN, "serve"]
        if self.defaults:
            # /demo starts empty here (its two example comments are tested in
            # tests/e2e/inline.test.mjs).
            cmd += ["--listen", "127.0.0.1:0",
                    "--database", self.database_url, "--no-demo-comments"]
            if self.edit_window is not None:
                cmd += ["--edit-window", str(self.edit_window)]
            if self.posts_per_minute is not None:
                cmd += ["--posts-per-minute", str(self.posts_per_minute)]
            if self.request_timeout is not None:
                cmd += ["--request-timeout", str(self.request_timeout)]
            if not self.seed_model:
                cmd += ["--no-seed-model"]
        return cmd + self.args

    def query(self, sql):
        """The rows of `sql` run on this server's database, whichever backend
        (SQLite file or PostgreSQL database): a list of tuples, numbers as
        int. For checks and fixtures that the API does not reach; `sql` must
        be valid on the backend in use (on_postgresql())."""
        if self.database_url.startswith("postgres"):
            return query_database(self.database_url, sql)
        return query_database(f"sqlite:{self.db_path}", sql)

    def start(self, timeout=START_TIMEOUT):
        if not os.path.exists(AMUR_BIN):
            raise RuntimeError(f"amur binary not found at {AMUR_BIN} (set AMUR_BIN)")
        self.stdout_lines, self.stderr_lines = [], []
        self._port_event = threading.Event()
        self.port = None
        self.proc = subprocess.Popen(
            self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=self.env, cwd=self.workdir,
            preexec_fn=self.preexec_fn)
        self._readers = [
            threading.Thread(target=self._drain, args=(self.proc.stdout, self.stdout_lines, True), daemon=True),
            threading.Thread(target=self._drain, args=(self.proc.stderr, self.stderr_lines, False), daemon=True),
        ]
        for t in self._readers:
            t.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._port_event.wait(0.05):
                return self
            if self.proc.poll() is not None:
                # Give the readers a moment to collect the last words.
                for t in self._readers:
                    t.join(1.0)
                if self._port_event.is_set():
                    return self
                raise RuntimeError(
                    f"amur exited with {self.proc.returncode} before listening\n"
                    f"command: {self.command()}\n{self.output_tail()}")
        self.kill()
        raise RuntimeError(f"amur did not print 'listening on' within {timeout}s\n"
                           f"command: {self.command()}\n{self.output_tail()}")

    def _drain(self, pipe, sink, watch_port):
        for raw in iter(pipe.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            sink.append(line)
            if watch_port and self.port is None:
                m = LISTENING_RE.search(line)
                # Only stdout is the contract (the log on stderr says it too,
                # sometimes first: watching it raced the stdout assertion).
                if m:
                    self.port = int(m.group(1))
                    self._port_event.set()
        pipe.close()

    def output_tail(self, n=40):
        out = "\n".join(self.stdout_lines[-n:])
        err_lines = list(self.stderr_lines)
        # A sanitizer report matters more than the log lines after it.
        for i, line in enumerate(err_lines):
            if "Sanitizer" in line or "runtime error" in line or "terminate called" in line:
                head = err_lines[i:i + 30]
                err_lines = head + ["..."] + err_lines[i + 30:][-10:] if len(err_lines) > i + 40 else err_lines[i:]
                break
        else:
            err_lines = err_lines[-n:]
        err = "\n".join(err_lines)
        return f"--- stdout ---\n{out}\n--- stderr ---\n{err}"

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def terminate(self, timeout=15.0):
        """SIGTERM and wait; returns the exit code (kills after timeout and
        returns None in that case)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
                self._join_readers()
                return None
        self._join_readers()
        return self.proc.returncode

    def kill(self):
        """SIGKILL and wait."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._join_readers()

    def _join_readers(self):
        for t in self._readers:
            t.join(2.0)

    def close(self):
        """Always safe: stops the process and deletes an owned workdir."""
        try:
            if self.running():
                self.terminate(10.0)
        finally:
            if self.proc is not None and self.proc.poll() is None:
                self.kill()
            if self.owns_workdir:
                shutil.rmtree(self.workdir, ignore_errors=True)
            if self.pg_database:
                try:
                    pg_admin(f"DROP DATABASE IF EXISTS {self.pg_database} WITH (FORCE)")
                except subprocess.CalledProcessError:
                    pass
                self.pg_database = None

    # -- HTTP -------------------------------------------------------------- #

    def request(self, method, path, json_body=_UNSET, body=None, headers=None, timeout=15.0):
        return request(self.port, method, path, json_body=json_body, body=body,
                       headers=headers, timeout=timeout)

    def get(self, path, headers=None, timeout=15.0):
        return self.request("GET", path, headers=headers, timeout=timeout)

    def post(self, path, json_body=_UNSET, body=None, headers=None):
        return self.request("POST", path, json_body=json_body, body=body, headers=headers)

    def patch(self, path, json_body=_UNSET, body=None, headers=None):
        return self.request("PATCH", path, json_body=json_body, body=body, headers=headers)

    def delete(self, path, headers=None):
        return self.request("DELETE", path, headers=headers)

    # -- API shortcuts (no assertions; tests assert) ------------------------ #

    def post_comment(self, page, body="Hello", headers=None, **fields):
        payload = {"page": page, "body": body}
        payload.update(fields)
        return self.post("/api/v1/comments", payload, headers=headers)

    def list_comments(self, page, **params):
        return self.get("/api/v1/comments?" + q(page=page, **params))

    def counts(self, pages):
        return self.get("/api/v1/counts?" + q(page=list(pages)))

    def edit(self, cid, body, token=None, headers=None):
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        return self.patch(f"/api/v1/comments/{urllib.parse.quote(cid, safe='')}",
                          {"body": body}, headers=h)

    def remove(self, cid, token=None):
        h = {}
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        return self.delete(f"/api/v1/comments/{urllib.parse.quote(cid, safe='')}", headers=h)

    def vote(self, cid, value, headers=None):
        return self.post(f"/api/v1/comments/{urllib.parse.quote(cid, safe='')}/votes",
                         {"value": value}, headers=headers)

    def versions(self, cid):
        return self.get(f"/api/v1/comments/{urllib.parse.quote(cid, safe='')}/versions")

    def verify(self, page):
        return self.get("/api/v1/pages/verify?" + q(page=page))


# --------------------------------------------------------------------------- #
# Test case base
# --------------------------------------------------------------------------- #


class AmurTestCase(unittest.TestCase):
    """One server per TestCase class. Subclasses set `server_args` (extra
    flags) and `server_kwargs` (AmurServer keyword arguments)."""

    server_args = ()
    server_kwargs = {}
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = AmurServer(args=cls.server_args, **cls.server_kwargs)
        cls.addClassCleanup(cls.server.close)
        cls.server.start()

    def setUp(self):
        super().setUp()
        srv = self.server
        if srv.proc is not None and srv.proc.poll() is not None:
            # An earlier test crashed it (and was failed for it): start it
            # again on the same database so one crash does not fail the rest.
            srv._reported = False
            srv.start()
        self.addCleanup(self._server_still_running)

    def _server_still_running(self):
        srv = self.server
        if srv.proc is not None and srv.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()
            except OSError:
                try:  # refused: it is probably dying; let it finish
                    srv.proc.wait(10)
                except subprocess.TimeoutExpired:
                    pass
        if srv.proc is not None and srv.proc.poll() is not None and not getattr(srv, "_reported", False):
            srv._reported = True  # report the crash once, with its last words
            self.fail(f"amur exited with {srv.proc.returncode} during this test\n"
                      f"{srv.output_tail()}")

    # -- assertions ---------------------------------------------------------- #

    def assertStatus(self, resp, status, msg=None):
        if resp.status != status:
            self.fail(f"expected HTTP {status}, got {resp!r}" + (f" ({msg})" if msg else ""))

    def assertError(self, resp, status, code, field=_UNSET):
        """An error answer of the shape {"error": {"code","message","field"?}}."""
        self.assertStatus(resp, status, f"expected error {code}")
        self.assertIsInstance(resp.json, dict, f"error body is not JSON: {resp!r}")
        self.assertIn("error", resp.json, resp)
        err = resp.json["error"]
        self.assertIsInstance(err, dict, resp)
        self.assertEqual(err.get("code"), code, resp)
        self.assertIsInstance(err.get("message"), str, resp)
        self.assertTrue(err["message"].strip(), f"empty error message: {resp!r}")
        if field is not _UNSET:
            self.assertEqual(err.get("field"), field, resp)

    def post_ok(self, page, body="Hello", headers=None, **fields):
        """Posts a comment, asserts 201 and returns (comment, edit_token)."""
        r = self.server.post_comment(page, body, headers=headers, **fields)
        self.assertStatus(r, 201, f"posting {body!r}")
        return r.json["comment"], r.json["edit_token"]

    def listing(self, page, **params):
        r = self.server.list_comments(page, **params)
        self.assertStatus(r, 200)
        return r.json

    def all_top_ids(self, page, **params):
        return [c["id"] for c in self.listing(page, limit=200, **params)["comments"]]

    def count_of(self, page):
        r = self.server.counts([page])
        self.assertStatus(r, 200)
        return r.json["counts"][page]


def walk(comments):
    """Every comment of a nested listing, depth first."""
    for c in comments:
        yield c
        yield from walk(c.get("replies") or [])


def find(comments, cid):
    for c in walk(comments):
        if c["id"] == cid:
            return c
    return None
