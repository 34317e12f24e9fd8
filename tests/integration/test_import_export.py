"""Import and export (issue 11) against the real binary and server.

The WordPress and Disqus fixtures (tests/fixtures/import) go in through
`amur import`, while `amur serve` runs on the same database; the API then
shows the threads without a restart, the chains verify, a second run changes
nothing, and malformed files (truncated, not XML, bad UTF-8, an entity bomb,
an external entity) stop with a position and leave nothing of their batch.
A database exported with `amur export` and read back with `amur import amur`
into a fresh one answers the API byte for byte as before.

Runs on SQLite files and on PostgreSQL databases (AMUR_TEST_DATABASE): the
commands take either URL as --database.
"""

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

from amur_harness import AMUR_BIN, AmurServer, TestDatabase, clean_env, q

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures", "import")
WXR = os.path.join(FIXTURES, "wordpress_wpdiscuz.xml")
DISQUS = os.path.join(FIXTURES, "disqus.xml")


def amur(*args, timeout=120):
    return subprocess.run([AMUR_BIN, *args], capture_output=True, text=True,
                          env=clean_env(), timeout=timeout)


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


class ImportTestBase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="amur-import-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def database(self, name="amur.db"):
        """A fresh database (a SQLite file `name`, or a PostgreSQL database)
        that no server runs on yet."""
        d = TestDatabase(self.dir, name)
        self.addCleanup(d.close)
        return d

    def serve(self, workdir, database_url=None):
        s = AmurServer(workdir=workdir, args=["--allow-duplicates"], database_url=database_url)
        s.start()
        self.servers.append(s)
        return s


class TestWordPressAndDisqus(ImportTestBase):
    def test_import_while_serving_shows_threads_without_restart(self):
        work = os.path.join(self.dir, "w")
        os.makedirs(work)
        server = self.serve(work)
        page = "/2019/03/aigun-treaty/"
        before = server.list_comments(page)
        self.assertEqual(before.status, 200)
        self.assertEqual(before.json["comments"], [])
        # Readers and writers go on while the import commits its batches.
        stop = threading.Event()
        errors = []

        def post_loop():
            n = 0
            while not stop.is_set():
                r = server.post_comment("/live-during-import", f"live {n}")
                if r.status not in (201, 202):
                    errors.append(r.status)
                n += 1

        t = threading.Thread(target=post_loop)
        t.start()
        try:
            r = amur("import", "wordpress", WXR, "--batch", "2",
                     "--database", server.database_url)
        finally:
            stop.set()
            t.join()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(errors, [])
        self.assertIn("written:  14 (approved 11, pending 1, rejected 1, spam 1)", r.stdout)
        self.assertIn("a pingback, not a comment", r.stdout)
        self.assertIn("import_orphan", r.stdout)

        # The cached empty answer is dropped once the server reads the log.
        self.assertTrue(wait_for(lambda: len(server.list_comments(page).json["comments"]) > 0),
                        "the server kept serving its cached answer")
        thread = server.list_comments(page).json
        top = thread["comments"]
        ann = top[0]
        self.assertEqual(ann["author"]["name"], "Ann Petrova")
        self.assertEqual(ann["upvotes"], 5)
        self.assertEqual(ann["downvotes"], 2)
        self.assertEqual(ann["created_at"], "2019-03-04T10:15:02.000Z")
        self.assertIn('<a href="https://archive.example.org/aigun"', ann["body_html"])
        self.assertNotIn("ann@example.com", json.dumps(thread))
        self.assertEqual(ann["replies"][0]["author"]["name"], "Boris")
        for key in (page, "/?p=102", "/?p=103", "/?p=104"):
            v = server.verify(key).json
            self.assertEqual(v["status"], "verified", key)
        self.assertEqual(len(server.list_comments("/?p=102").json["comments"]), 1)
        self.assertEqual(amur("verify", "--database", server.database_url).returncode, 0)

        # One staff page.imported per page and batch, no comment events for
        # imported comments (so no webhook and no mail).
        events = server.query("SELECT type, visibility, page_key FROM events "
                              "WHERE page_key <> '/live-during-import'")
        self.assertTrue(events)
        self.assertTrue(all(e[0] == "page.imported" and e[1] == "staff" for e in events), events)

        # A second run changes nothing.
        n_events = len(server.query("SELECT seq FROM events"))
        n_comments = len(server.query("SELECT id FROM comments"))
        again = amur("import", "wordpress", WXR, "--database", server.database_url)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("written:  0\n", again.stdout)
        self.assertEqual(len(server.query("SELECT seq FROM events")), n_events)
        self.assertEqual(len(server.query("SELECT id FROM comments")), n_comments)

    def test_disqus_threads_tombstones_and_anonymous_authors(self):
        work = os.path.join(self.dir, "d")
        os.makedirs(work)
        server = self.serve(work)
        page = "/2020/05/ice-drift/"
        # The empty answer is cached now; nothing but the import writes, so
        # only the server's reading of the log can drop it.
        self.assertEqual(server.list_comments(page).json["comments"], [])
        self.assertEqual(server.list_comments(page).json["comments"], [])
        r = amur("import", "disqus", DISQUS, "--database", server.database_url)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("its thread 5999 is not in the file", r.stdout)
        self.assertTrue(wait_for(lambda: server.list_comments(page).json["comments"]),
                        "the server kept serving its cached answer")
        top = server.list_comments(page).json["comments"]
        first = top[0]
        self.assertIn("<p>See <a href=\"https://river.example.org/gauges\"", first["body_html"])
        tomb = first["replies"][0]
        self.assertEqual(tomb["state"], "deleted")
        self.assertIsNone(tomb["author"]["name"])
        self.assertEqual(tomb["replies"][0]["author"]["name"], "Guest Reader")
        self.assertEqual(server.verify(page).json["status"], "verified")

    def test_strict_turns_repairs_into_errors(self):
        db = self.database()
        r = amur("import", "wordpress", WXR, "--strict", "--database", db.url)
        self.assertEqual(r.returncode, 1)
        self.assertIn("(--strict)", r.stderr)
        self.assertEqual(db.query("SELECT count(*) FROM comments"), [(0,)])


class TestMalformedFiles(ImportTestBase):
    HEAD = ('<?xml version="1.0"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/">'
            "<channel>\n")

    def item(self, n):
        return (f"<item><link>https://x.org/{n}</link><wp:post_id>{n}</wp:post_id><wp:comment>"
                "<wp:comment_id>1</wp:comment_id><wp:comment_date_gmt>2019-01-01 00:00:00"
                "</wp:comment_date_gmt><wp:comment_content>hi</wp:comment_content>"
                "<wp:comment_approved>1</wp:comment_approved></wp:comment></item>\n")

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return path

    def assert_refused(self, path, expect_in_message, kept=0):
        db = self.database(os.path.basename(path) + ".db")
        r = amur("import", "wordpress", path, "--database", db.url, timeout=60)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertRegex(r.stderr, os.path.basename(path) + r":\d+:\d+: ")
        self.assertIn(expect_in_message, r.stderr)
        self.assertEqual(db.query("SELECT count(*) FROM comments"), [(kept,)])
        return db, r

    def test_truncated_keeps_committed_batches_and_resumes(self):
        body = self.HEAD + "".join(self.item(n) for n in range(1, 301))
        path = self.write("truncated.xml", body + "<item><link>https://x.org/301</li")
        db = self.database("resume.db")
        r = amur("import", "wordpress", path, "--batch", "10", "--database", db.url)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"truncated\.xml:\d+:\d+: ")
        # Whole batches of ten are kept (how many depends on how far the
        # parser read ahead before the cut), never part of one.
        [(kept,)] = db.query("SELECT count(*) FROM comments")
        self.assertGreater(kept, 0)
        self.assertEqual(kept % 10, 0)
        [(chained,)] = db.query("SELECT count(*) FROM links")
        self.assertEqual(chained, kept)
        whole = self.write("truncated.xml", body + "</channel></rss>\n")
        r = amur("import", "wordpress", whole, "--batch", "10", "--database", db.url)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"already there (earlier run): {kept}", r.stdout)
        self.assertEqual(db.query("SELECT count(*) FROM comments"), [(300,)])

    def test_not_xml(self):
        self.assert_refused(self.write("notxml.xml", "this is not XML at all\n"), "")

    def test_invalid_utf8(self):
        data = (self.HEAD + self.item(1)).encode().replace(b">hi<", b">h\xff\xfei<")
        self.assert_refused(self.write("badutf8.xml", data + b"</channel></rss>"), "UTF-8")

    def test_billion_laughs(self):
        ents = '<!ENTITY l0 "lol">' + "".join(
            f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10))
        body = (f'<?xml version="1.0"?>\n<!DOCTYPE rss [{ents}]>\n'
                '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
                + self.item(1).replace(">hi<", ">&l9;<") + "</channel></rss>")
        start = time.monotonic()
        self.assert_refused(self.write("lol.xml", body), "")
        self.assertLess(time.monotonic() - start, 30)

    def test_external_entity_is_never_read(self):
        secret = self.write("secret.txt", "TOP-SECRET-7731")
        body = (f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
                '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
                + self.item(1).replace(">hi<", ">&xxe;<") + "</channel></rss>")
        db, r = self.assert_refused(self.write("xxe.xml", body), "DOCTYPE")
        self.assertNotIn("TOP-SECRET", r.stdout + r.stderr)


class TestAmurRoundTrip(ImportTestBase):
    def snapshot(self, server, pages, ids):
        """Every API answer that shows a thread, as raw bytes."""
        out = {}
        for page in pages:
            for sort in ("oldest", "newest", "votes"):
                r = server.get("/api/v1/comments?" + q(page=page, sort=sort))
                out[f"{page} {sort}"] = (r.status, r.raw, r.header("ETag"))
            out[f"verify {page}"] = server.verify(page).raw
        out["counts"] = server.counts(pages).raw
        for cid in ids:
            out[f"versions {cid}"] = server.versions(cid).raw
        return out

    def test_export_and_import_amur_answers_byte_for_byte(self):
        work_a = os.path.join(self.dir, "a")
        os.makedirs(work_a)
        a = self.serve(work_a)
        self.assertEqual(amur("import", "wordpress", WXR, "--database",
                              a.database_url).returncode, 0)
        # Live comments beside the imported ones: replies, votes, an edit, a delete.
        page = "/live"
        c1 = a.post_comment(page, "first **live**", author_name="Ann").json
        c2 = a.post_comment(page, "reply", parent_id=c1["comment"]["id"]).json
        c3 = a.post_comment(page, "to delete").json
        c4 = a.post_comment(page, "reply to the deleted one",
                            parent_id=c3["comment"]["id"]).json
        self.assertEqual(a.edit(c1["comment"]["id"], "first, edited",
                                token=c1["edit_token"]).status, 200)
        self.assertEqual(a.remove(c3["comment"]["id"], token=c3["edit_token"]).status, 204)
        a.vote(c1["comment"]["id"], 1, headers={"X-Amur-Voter": "voter-one-0001"})
        a.vote(c2["comment"]["id"], -1, headers={"X-Amur-Voter": "voter-two-0002"})
        pages = ["/2019/03/aigun-treaty/", "/?p=102", "/?p=103", "/?p=104", page]
        ids = [c["comment"]["id"] for c in (c1, c2, c3, c4)] + [
            f"c{i}" for i in range(1, 15)]
        self.assertTrue(wait_for(
            lambda: server_ready(a, "/2019/03/aigun-treaty/")))
        before = self.snapshot(a, pages, ids)

        export = os.path.join(self.dir, "export.jsonl")
        r = amur("export", "--output", export, "--database", a.database_url)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(export) as f:
            header = json.loads(f.readline())
            types = {json.loads(line)["type"] for line in f}
        self.assertEqual(header["type"], "amur-export")
        self.assertEqual(header["format"], 1)
        self.assertTrue({"page", "comment", "version", "vote"} <= types, types)

        work_b = os.path.join(self.dir, "b")
        os.makedirs(work_b)
        db_b = self.database("b.db")
        r = amur("import", "amur", export, "--database", db_b.url)
        self.assertEqual(r.returncode, 0, r.stderr)
        b = self.serve(work_b, database_url=db_b.url)
        after = self.snapshot(b, pages, ids)
        for k in before:
            self.assertEqual(after[k], before[k], k)
        # The same file again changes nothing.
        again = amur("import", "amur", export, "--database", db_b.url)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("written:  0\n", again.stdout)
        # Not into a database that holds other things.
        other = amur("import", "amur", export, "--database", a.database_url)
        self.assertEqual(other.returncode, 1)
        self.assertIn("not empty", other.stderr)


def server_ready(server, page):
    return bool(server.list_comments(page).json["comments"])


class TestRemap(ImportTestBase):
    def test_remap_moves_threads_and_the_server_follows(self):
        work = os.path.join(self.dir, "r")
        os.makedirs(work)
        server = self.serve(work)
        self.assertEqual(amur("import", "disqus", DISQUS, "--database",
                              server.database_url).returncode, 0)
        old, new = "/2020/05/ice-drift/", "/archive/2020/05/ice-drift/"
        self.assertTrue(wait_for(lambda: server_ready(server, old)))
        dry = amur("remap", "--from", "/2020/", "--to", "/archive/2020/", "--dry-run",
                   "--database", server.database_url)
        self.assertEqual(dry.returncode, 0, dry.stderr)
        self.assertIn("would move /2020/05/ice-drift/ -> /archive/2020/05/ice-drift/", dry.stdout)
        self.assertTrue(server_ready(server, old))
        r = amur("remap", "--from", "/2020/", "--to", "/archive/2020/",
                 "--database", server.database_url)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(wait_for(lambda: not server_ready(server, old)))
        self.assertTrue(server_ready(server, new))
        self.assertEqual(server.verify(new).json["status"], "verified")


if __name__ == "__main__":
    unittest.main()
