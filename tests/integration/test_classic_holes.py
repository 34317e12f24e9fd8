"""The classic comment-plugin holes (issue 12, docs/security.md), each tried
against a real server: unauthenticated upload, forged forwarding headers,
subscription wildcards and mass notification triggers, SSRF through a page
URL, pending comments leaking to readers and search engines. Stored XSS in
names and bodies is test_escaping_and_pages.py (and tests/e2e/hostile.test.mjs);
SSRF through webhook URLs is test_webhooks.py."""

import os
import socket
import threading
import time
import unittest

from amur_harness import AmurTestCase, q, unique_page


class NoUpload(AmurTestCase):

    def test_nothing_takes_a_file(self):
        before = set(os.listdir(self.server.workdir))
        multipart = ("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.php\"\r\n"
                     "Content-Type: application/x-php\r\n\r\n<?php system($_GET['c']); ?>\r\n--x--\r\n")
        headers = {"Content-Type": "multipart/form-data; boundary=x"}
        self.assertError(self.server.post("/api/v1/comments", body=multipart, headers=headers),
                         415, "unsupported_media_type")
        for path in ("/upload", "/api/v1/upload", "/api/v1/uploads", "/api/v1/media",
                     "/wp-admin/admin-ajax.php", "/wp-content/uploads/a.php", "/assets/a.php"):
            with self.subTest(path=path):
                r = self.server.post(path, body=multipart, headers=headers)
                self.assertIn(r.status, (404, 405), r)
        r = self.server.request("PUT", "/assets/evil.js", body="alert(1)",
                                headers={"Content-Type": "text/javascript"})
        self.assertIn(r.status, (404, 405), r)
        self.assertEqual(self.server.get("/assets/evil.js").status, 404)
        self.assertEqual(self.server.get("/assets/a.php").status, 404)
        # Nothing new on disk but the database's own files.
        new = set(os.listdir(self.server.workdir)) - before
        self.assertTrue(all(n.startswith("amur.db") for n in new), new)


class ForgedForwarding(AmurTestCase):
    """No --trusted-proxy: a client's own X-Forwarded-For is ignored, so it
    cannot dodge rate limits or bans by naming another address."""
    server_kwargs = {"posts_per_minute": 3}

    def test_a_made_up_forwarded_for_does_not_reset_the_rate_limit(self):
        page = unique_page()
        statuses = []
        for i in range(5):
            r = self.server.post_comment(page, f"flood {i}",
                                         headers={"X-Forwarded-For": f"198.51.100.{i + 1}",
                                                  "Forwarded": f"for=203.0.113.{i + 1}"})
            statuses.append(r.status)
        self.assertEqual(statuses[:3], [201, 201, 201])
        self.assertEqual(statuses[3:], [429, 429])


class NoMailTriggers(AmurTestCase):
    """The mail triggers of wpDiscuz's CVE-2026-22201/22216: wildcard
    subscriptions and mass notification triggers. Without --smtp no endpoint
    sends mail at all; with it, test_notifications.Abuse shows the limits
    (one address per request, strict addresses, one confirmation)."""

    def test_no_mail_without_smtp_and_no_other_trigger(self):
        r = self.server.post("/api/v1/subscriptions", {"page": "%", "email": "*@example.com",
                                                       "kind": "thread"})
        self.assertIn(r.status, (400, 403), r)
        r = self.server.post("/api/v1/subscriptions", {"page": "/p", "email": "a@example.com",
                                                       "kind": "thread"})
        self.assertError(r, 403, "not_allowed")
        for path in ("/api/v1/subscribe", "/api/v1/notify", "/api/v1/comments/c1/notify"):
            with self.subTest(path=path):
                r = self.server.post(path, {"page": "%", "email": "*@example.com",
                                            "kind": "thread"})
                self.assertIn(r.status, (404, 405), r)


class PageUrlIsNeverFetched(AmurTestCase):

    @classmethod
    def setUpClass(cls):
        # A listener on loopback that the page URL names, allowed as a site.
        cls.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        cls.listener.bind(("127.0.0.1", 0))
        cls.listener.listen(8)
        cls.listener.settimeout(0.2)
        cls.site = f"http://127.0.0.1:{cls.listener.getsockname()[1]}"
        cls.server_args = ("--allow-origin", cls.site)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        cls.listener.close()
        super().tearDownClass()

    def test_no_request_goes_to_a_page_url(self):
        listener = self.listener
        hits = []
        stop = threading.Event()

        def accept():
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                    hits.append(conn.recv(4096))
                    conn.close()
                except OSError:
                    pass

        t = threading.Thread(target=accept, daemon=True)
        t.start()
        try:
            page = unique_page()
            self.post_ok(page, "a comment naming a page", page_title="Internal",
                         page_url=self.site + "/admin", headers={"Origin": self.site})
            self.assertEqual(self.listing(page)["page"]["url"], self.site + "/admin")
            self.server.get("/t?" + q(page=page))
            time.sleep(1.0)
        finally:
            stop.set()
            t.join()
        self.assertEqual(hits, [])


class PendingNeverLeaks(AmurTestCase):
    server_args = ("--premoderate",)

    def test_a_held_comment_is_nowhere_a_reader_or_crawler_looks(self):
        page = unique_page()
        r = self.server.post_comment(page, "SECRET-HELD-TEXT about a named person",
                                     author_name="Held Author")
        self.assertStatus(r, 202)
        cid = r.json["comment"]["id"]
        for path in ("/t?" + q(page=page), "/t?" + q(page=page, all="1"),
                     "/t?" + q(page=page, sort="newest"), "/api/v1/comments?" + q(page=page),
                     "/api/v1/counts?" + q(page=page)):
            with self.subTest(path=path):
                got = self.server.get(path)
                self.assertStatus(got, 200)
                self.assertNotIn("SECRET-HELD-TEXT", got.text)
                self.assertNotIn("Held Author", got.text)
        self.assertEqual(self.listing(page)["page"]["comment_count"], 0)
        self.assertIn(self.server.get(f"/api/v1/comments/{cid}").status, (404, 405))
        versions = self.server.get(f"/api/v1/comments/{cid}/versions")
        self.assertNotIn("SECRET-HELD-TEXT", versions.text)


if __name__ == "__main__":
    unittest.main()
