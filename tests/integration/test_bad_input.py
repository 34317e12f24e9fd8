"""Bad input: each request gets the status and JSON error of API.md (or the
connection is closed), nothing is written, and the server keeps serving."""

import json
import random
import socket
import threading
import time
import unittest

from amur_harness import (FROM_NEWS, NEWS_ORIGIN, AmurTestCase, q, raw_exchange, read_until_close,
                          status_of, unique_page)

API = "/api/v1/comments"


class BadJson(AmurTestCase):
    server_args = ("--allow-origin", NEWS_ORIGIN)

    def setUp(self):
        super().setUp()
        self.page = unique_page()
        self.anchor, _ = self.post_ok(self.page, "anchor comment")
        self.before = self.server.list_comments(self.page).raw

    def tearDown(self):
        # After every rejected request, the page's listing is unchanged.
        after = self.server.list_comments(self.page).raw
        self.assertEqual(json.loads(after), json.loads(self.before))

    def post_raw(self, data, ctype="application/json"):
        headers = {"Content-Type": ctype} if ctype is not None else {}
        return self.server.post(API, body=data, headers=headers)

    def good(self, **over):
        d = {"page": self.page, "body": "should not be written"}
        d.update(over)
        return d

    def test_wrong_content_type_is_415(self):
        data = json.dumps(self.good()).encode()
        for ctype in ("text/plain", "application/x-www-form-urlencoded",
                      "multipart/form-data; boundary=x", "application/jsonx",
                      "text/json", None):
            with self.subTest(ctype=ctype):
                self.assertError(self.post_raw(data, ctype), 415, "unsupported_media_type")

    def test_json_content_type_with_charset_is_accepted(self):
        r = self.post_raw(json.dumps({"page": unique_page(), "body": "charset ok"}).encode(),
                          "application/json; charset=utf-8")
        self.assertStatus(r, 201)

    def test_body_over_64_kib_is_413(self):
        big = {"page": self.page, "body": "x" * (64 * 1024)}
        data = json.dumps(big).encode()
        self.assertGreater(len(data), 64 * 1024)
        self.assertError(self.post_raw(data), 413, "payload_too_large")

    def test_much_bigger_body_is_413_or_closed(self):
        data = json.dumps({"page": self.page, "body": "y" * (1024 * 1024)}).encode()
        head = (f"POST {API} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\n\r\n").encode()
        raw, outcome = raw_exchange(self.server.port, head + data)
        if raw:
            self.assertEqual(status_of(raw), 413, raw[:300])
        else:
            self.assertIn(outcome, ("closed", "reset"))

    def test_truncated_and_malformed_json(self):
        for data in (b'{"page": "/x", "body": "hi"', b'{"page": "/x", "body": "hi"}}',
                     b"", b"{", b"not json", b"{'page': '/x'}", b'{"page": "/x",}',
                     b'\xff\xfe{"a":1}', b'{"page": "\xc3\x28", "body": "x"}'):
            with self.subTest(data=data):
                r = self.post_raw(data)
                if b"\xc3\x28" in data:  # invalid UTF-8 inside a string
                    self.assertStatus(r, 400)
                    self.assertIn(r.json["error"]["code"], ("invalid_json", "invalid_field"), r)
                else:
                    self.assertError(r, 400, "invalid_json")

    def test_non_object_json_is_invalid_json(self):
        for data in (b"[1, 2]", b'"a string"', b"42", b"null", b"true",
                     json.dumps([self.good()]).encode()):
            with self.subTest(data=data):
                self.assertError(self.post_raw(data), 400, "invalid_json")

    def test_wrong_types_are_invalid_field(self):
        cases = [
            ("body", 42), ("body", ["x"]), ("body", {"x": 1}), ("body", True),
            ("page", ["/a"]), ("page", 7), ("page", {"k": "/a"}),
            ("author_name", 5), ("author_name", ["x"]),
            ("author_email", 5),
            ("parent_id", 7), ("parent_id", ["c1"]),
            ("page_title", 1), ("page_url", 1),
        ]
        for field, value in cases:
            with self.subTest(field=field, value=value):
                self.assertError(self.server.post(API, self.good(**{field: value})),
                                 400, "invalid_field", field)

    def test_null_optional_fields_are_accepted(self):
        page = unique_page()
        r = self.server.post(API, {"page": page, "body": "nulls", "author_name": None,
                                   "author_email": None, "parent_id": None,
                                   "page_title": None, "page_url": None})
        self.assertStatus(r, 201)
        self.assertIsNone(r.json["comment"]["parent_id"])
        self.assertEqual(r.json["comment"]["author"]["name"], "Guest")

    def test_missing_or_blank_body(self):
        self.assertError(self.server.post(API, {"page": self.page}), 400, "missing_field", "body")
        for blank in ("", " ", "\n\t  \r\n"):
            with self.subTest(body=blank):
                self.assertError(self.server.post(API, self.good(body=blank)), 400,
                                 "missing_field", "body")
        r = self.server.post(API, self.good(body=None))
        self.assertStatus(r, 400)
        self.assertIn(r.json["error"]["code"], ("missing_field", "invalid_field"))
        self.assertEqual(r.json["error"].get("field"), "body")

    def test_missing_page(self):
        self.assertError(self.server.post(API, {"body": "x"}), 400, "missing_field", "page")
        r = self.server.post(API, {"page": "", "body": "x"})
        self.assertStatus(r, 400)
        self.assertIn(r.json["error"]["code"], ("missing_field", "invalid_field"))
        self.assertEqual(r.json["error"].get("field"), "page")

    def test_body_length_in_code_points(self):
        self.assertError(self.server.post(API, self.good(body="a" * 10001)), 400,
                         "too_long", "body")
        self.assertError(self.server.post(API, self.good(body="é" * 10001)), 400,
                         "too_long", "body")
        self.assertError(self.server.post(API, self.good(body="😀" * 10001)), 400,
                         "too_long", "body")
        for body in ("é" * 10000, "😀" * 10000, "a" * 10000, "  \n" + "b" * 10000 + "\n  "):
            with self.subTest(body=body[:3]):
                page = unique_page()
                c, _ = self.post_ok(page, body)
                self.assertEqual(self.server.versions(c["id"]).json["versions"][0]["body"],
                                 body.strip())

    def test_escaped_astral_characters_count_once(self):
        # "\ud83d\ude00" is one code point sent as a JSON surrogate pair.
        # 2,000 of them plus 8,000 ASCII letters: 10,000 code points (12,000
        # UTF-16 units), in well under 64 KiB of JSON.
        page = unique_page()
        body = "\\ud83d\\ude00" * 2000 + "a" * 8000
        data = ('{"page": %s, "body": "%s"}' % (json.dumps(page), body)).encode()
        self.assertLess(len(data), 64 * 1024)
        r = self.post_raw(data)
        self.assertStatus(r, 201)
        self.assertIn("😀", r.json["comment"]["body_html"])
        data = ('{"page": %s, "body": "%s"}' % (json.dumps(self.page), body + "b")).encode()
        self.assertError(self.post_raw(data), 400, "too_long", "body")

    def test_lone_surrogate_is_refused(self):
        data = ('{"page": %s, "body": "bad \\ud800 surrogate"}' % json.dumps(self.page)).encode()
        r = self.post_raw(data)
        self.assertStatus(r, 400)
        self.assertIn(r.json["error"]["code"], ("invalid_json", "invalid_field"))

    def test_author_name_length(self):
        self.assertError(self.server.post(API, self.good(author_name="n" * 65)), 400,
                         "too_long", "author_name")
        self.assertError(self.server.post(API, self.good(author_name="й" * 65)), 400,
                         "too_long", "author_name")
        page = unique_page()
        c, _ = self.post_ok(page, "ok", author_name="n" * 64)
        self.assertEqual(c["author"]["name"], "n" * 64)
        c, _ = self.post_ok(page, "ok", author_name="й" * 64)
        self.assertEqual(c["author"]["name"], "й" * 64)
        c, _ = self.post_ok(page, "ok", author_name="  " + "m" * 64 + "  ")
        self.assertEqual(c["author"]["name"], "m" * 64)

    def test_page_key_length_in_bytes(self):
        self.assertError(self.server.post(API, self.good(page="/" + "p" * 512)), 400,
                         "too_long", "page")
        self.assertError(self.server.post(API, self.good(page="é" * 257)), 400,
                         "too_long", "page")
        ok = "/" + unique_page("")[1:] + "q" * (511 - 32)
        self.assertEqual(len(ok.encode()), 512)
        c, _ = self.post_ok(ok, "longest key")
        self.assertEqual(c["page"], ok)
        self.assertEqual(self.listing(ok)["page"]["comment_count"], 1)
        multibyte = unique_page("")[1:] + "é" * 240  # 32 + 480 = 512 bytes
        self.assertEqual(len(multibyte.encode()), 512)
        self.post_ok(multibyte, "multibyte key")
        self.assertError(self.server.list_comments("/" + "p" * 512), 400, "too_long", "page")

    def test_unknown_parent(self):
        self.assertError(self.server.post(API, self.good(parent_id="c999999999")), 404,
                         "parent_not_found")
        self.assertError(self.server.post(API, self.good(parent_id="bogus")), 404,
                         "parent_not_found")

    def test_parent_on_other_page(self):
        other = unique_page()
        c, _ = self.post_ok(other, "on another page")
        self.assertError(self.server.post(API, self.good(parent_id=c["id"])), 409,
                         "parent_on_other_page")
        self.assertEqual(self.listing(other)["page"]["comment_count"], 1)

    def test_rejected_post_to_new_page_creates_no_page(self):
        fresh = unique_page()
        self.assertError(self.server.post(API, {"page": fresh, "body": "x" * 10001,
                                                "page_title": "Should not stick"}),
                         400, "too_long", "body")
        body = self.listing(fresh)
        self.assertIsNone(body["page"]["title"])
        self.assertEqual(body["page"]["comment_count"], 0)
        # The first accepted post still sets the title.
        self.post_ok(fresh, "ok", page_title="Real title", headers=FROM_NEWS)
        self.assertEqual(self.listing(fresh)["page"]["title"], "Real title")


class Routing(AmurTestCase):

    def test_unknown_routes_are_404(self):
        for path in ("/api/v1/nope", "/api/v2/comments", "/nope", "/api/v1/comments/c1/nope",
                     "/api/v1/comments/c1/versions/extra"):
            with self.subTest(path=path):
                r = self.server.get(path)
                self.assertStatus(r, 404)
                if path.startswith("/api/"):
                    self.assertError(r, 404, "not_found")

    def test_wrong_method_is_405(self):
        page = unique_page()
        c, _ = self.post_ok(page, "x")
        before = self.server.list_comments(page).json
        for method, path in (("PUT", API), ("DELETE", API), ("PATCH", API),
                             ("POST", "/api/v1/counts"), ("DELETE", "/api/v1/counts"),
                             ("PUT", f"{API}/{c['id']}"), ("POST", f"{API}/{c['id']}"),
                             ("GET", f"{API}/{c['id']}/votes"),
                             ("POST", f"{API}/{c['id']}/versions"),
                             ("POST", "/healthz")):
            with self.subTest(method=method, path=path):
                r = self.server.request(method, path, {"page": page, "body": "y"})
                self.assertStatus(r, 405)
                if path.startswith("/api/"):
                    self.assertError(r, 405, "method_not_allowed")
        self.assertEqual(self.server.list_comments(page).json, before)


def healthy(testcase):
    r = testcase.server.get("/healthz", timeout=5)
    testcase.assertStatus(r, 200)
    page = unique_page()
    testcase.post_ok(page, "still alive")
    testcase.assertEqual(testcase.listing(page)["page"]["comment_count"], 1)


class MalformedHttp(AmurTestCase):
    """Raw-socket abuse. Each case: a 4xx answer or the connection closed,
    and then the server still answers a normal request."""

    def assert_4xx_or_closed(self, raw, outcome):
        if raw:
            code = status_of(raw)
            self.assertIsNotNone(code, f"not an HTTP response: {raw[:200]!r}")
            self.assertTrue(400 <= code < 500, f"expected 4xx, got {raw[:300]!r}")
        else:
            self.assertIn(outcome, ("closed", "reset"),
                          "server neither answered nor closed the connection")

    def tearDown(self):
        healthy(self)

    def test_negative_content_length(self):
        page = unique_page()
        body = json.dumps({"page": page, "body": "neg"}).encode()
        req = (f"POST {API} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               f"Content-Length: -5\r\n\r\n").encode() + body
        self.assert_4xx_or_closed(*raw_exchange(self.server.port, req))
        self.assertEqual(self.listing(page)["page"]["comment_count"], 0)

    def test_non_numeric_and_conflicting_content_length(self):
        page = unique_page()
        body = json.dumps({"page": page, "body": "cl"}).encode()
        for cl in ("abc", "1e3", f"{len(body)}, {len(body) + 1}", "0x10", f" +{len(body)}"):
            with self.subTest(cl=cl):
                req = (f"POST {API} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       f"Content-Length: {cl}\r\nConnection: close\r\n\r\n").encode() + body
                self.assert_4xx_or_closed(*raw_exchange(self.server.port, req))
        req = (f"POST {API} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
               ).encode() + body
        self.assert_4xx_or_closed(*raw_exchange(self.server.port, req))
        self.assertEqual(self.listing(page)["page"]["comment_count"], 0)

    def test_huge_content_length(self):
        page = unique_page()
        req = (f"POST {API} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               f"Content-Length: {10**12}\r\n\r\n" + json.dumps({"page": page, "body": "h"})
               ).encode()
        started = time.monotonic()
        raw, outcome = raw_exchange(self.server.port, req, read_timeout=8)
        self.assert_4xx_or_closed(raw, outcome)
        if raw:
            self.assertEqual(status_of(raw), 413, raw[:300])
        self.assertLess(time.monotonic() - started, 6)
        self.assertEqual(self.listing(page)["page"]["comment_count"], 0)

    def test_overflowing_content_length(self):
        req = (f"POST {API} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               f"Content-Length: {'9' * 40}\r\n\r\n{{}}").encode()
        self.assert_4xx_or_closed(*raw_exchange(self.server.port, req))

    def test_endless_headers(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            line = b"X-Filler-%d: " + b"a" * 1000 + b"\r\n"
            sent, peer_closed = 0, False
            deadline = time.monotonic() + 10
            while sent < 4 * 1024 * 1024 and time.monotonic() < deadline:
                try:
                    chunk = b"".join(line % (sent + i) for i in range(16))
                    s.sendall(chunk)
                    sent += len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    peer_closed = True
                    break
                except socket.timeout:
                    break  # the server stopped reading; it must now answer or close
            raw, outcome = read_until_close(s, 6)
            if not raw and not peer_closed:
                self.assertIn(outcome, ("closed", "reset"),
                              f"sent {sent} header bytes, no answer and not closed")
            if raw:
                code = status_of(raw)
                self.assertIsNotNone(code, raw[:200])
                self.assertTrue(400 <= code < 500, raw[:300])
        finally:
            s.close()

    def test_one_enormous_header_line(self):
        req = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * (200 * 1024) + b"\r\n\r\n"
        self.assert_4xx_or_closed(*raw_exchange(self.server.port, req))

    def test_enormous_request_line(self):
        req = b"GET /api/v1/comments?page=" + b"p" * (200 * 1024) + b" HTTP/1.1\r\nHost: x\r\n\r\n"
        self.assert_4xx_or_closed(*raw_exchange(self.server.port, req))

    def test_binary_garbage(self):
        rng = random.Random(20261129)
        for i in range(3):
            with self.subTest(i=i):
                garbage = bytes(rng.getrandbits(8) for _ in range(4096)) + b"\r\n\r\n"
                self.assert_4xx_or_closed(*raw_exchange(self.server.port, garbage))
        self.assert_4xx_or_closed(*raw_exchange(self.server.port, b"\x00" * 1024 + b"\r\n\r\n"))
        self.assert_4xx_or_closed(*raw_exchange(
            self.server.port, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 200))

    def test_unsupported_http_version(self):
        raw, outcome = raw_exchange(self.server.port, b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n")
        if raw:
            self.assertIn(status_of(raw), (400, 505), raw[:300])
        else:
            self.assertIn(outcome, ("closed", "reset"))

    def test_bad_request_lines(self):
        for line in (b"GET\r\n\r\n",
                     b"G@T / HTTP/1.1\r\nHost: x\r\n\r\n",
                     b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
                     b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
            with self.subTest(line=line):
                self.assert_4xx_or_closed(*raw_exchange(self.server.port, line))

    def test_slow_client_is_cut_off(self):
        page = unique_page()
        partial = (f"POST {API} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   f"Content-Length: 200\r\n\r\n{{\"page\": {json.dumps(page)}, \"bo").encode()
        for payload in (partial, b"GET /healthz HTTP/1.1\r\nHo", b""):
            with self.subTest(payload=payload[:20]):
                s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
                try:
                    started = time.monotonic()
                    if payload:
                        s.sendall(payload)
                    # Meanwhile everybody else is served at once.
                    t0 = time.monotonic()
                    self.assertStatus(self.server.get("/healthz", timeout=3), 200)
                    self.assertLess(time.monotonic() - t0, 1.0)
                    raw, outcome = read_until_close(s, 10)
                    waited = time.monotonic() - started
                    self.assert_4xx_or_closed(raw, outcome)
                    self.assertNotEqual(outcome, "timeout")
                    self.assertLess(waited, 7.0, "slow client kept for too long")
                finally:
                    s.close()
        self.assertEqual(self.listing(page)["page"]["comment_count"], 0)

    def test_trickling_client_is_cut_off(self):
        # Sends one byte every 0.5 s: each byte is "progress", but the whole
        # request must still be done within the request timeout.
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        closed = threading.Event()
        started = time.monotonic()
        try:
            for b in b"GET /healthz HTTP/1.1\r\nX-Slow: " + b"s" * 40:
                try:
                    s.sendall(bytes([b]))
                except (BrokenPipeError, ConnectionResetError):
                    closed.set()
                    break
                s.settimeout(0.5)
                try:
                    data = s.recv(4096)
                    if not data or status_of(data):
                        closed.set()
                        break
                except socket.timeout:
                    pass
                except ConnectionResetError:
                    closed.set()
                    break
                if time.monotonic() - started > 12:
                    break
            self.assertTrue(closed.is_set(), "trickling client never cut off")
            self.assertLess(time.monotonic() - started, 8.0)
        finally:
            s.close()

    def test_missing_host(self):
        raw, outcome = raw_exchange(self.server.port, b"GET /healthz HTTP/1.1\r\n\r\n")
        self.assert_4xx_or_closed(raw, outcome)
        page = unique_page()
        body = json.dumps({"page": page, "body": "no host"}).encode()
        req = (f"POST {API} HTTP/1.1\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        self.assert_4xx_or_closed(*raw_exchange(self.server.port, req))
        self.assertEqual(self.listing(page)["page"]["comment_count"], 0)

    def test_many_idle_connections_do_not_block_service(self):
        socks = []
        try:
            for _ in range(50):
                socks.append(socket.create_connection(("127.0.0.1", self.server.port), timeout=5))
            t0 = time.monotonic()
            self.assertStatus(self.server.get("/healthz", timeout=3), 200)
            self.assertLess(time.monotonic() - t0, 1.0)
        finally:
            for s in socks:
                s.close()

    def test_keep_alive_after_error(self):
        # A 4xx on a kept-alive connection must not poison the next request.
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        try:
            body = b'{"page": "/x", "body": 42}'
            s.sendall((f"POST {API} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
            raw, _ = read_until_close(s, 5)
            self.assertEqual(status_of(raw), 400, raw[:300])
            try:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                raw2, outcome = read_until_close(s, 5)
            except (BrokenPipeError, ConnectionResetError):
                raw2, outcome = b"", "reset"
            if raw2:
                self.assertEqual(status_of(raw2), 200, raw2[:300])
            else:
                self.assertIn(outcome, ("closed", "reset"))
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
