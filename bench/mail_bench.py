#!/usr/bin/env python3
"""Mail delivery, end to end, on this machine: a real `amur serve` (the
Release build) with --smtp to a real SMTP server on loopback (aiosmtpd, the
tests' smtp_sink.py), N confirmed subscribers of one page, one comment
posted. Measures:

  - how long until the N notices are at the SMTP server, and how many SMTP
    connections that took (the sender reuses one);
  - the reference in the same run: Python's smtplib sending N messages of the
    same size over one connection to the same server;
  - posting latency while the N notices go out, against posting latency with
    mail idle (ratio; a slow sender must not slow posting).

Usage: bench/mail_bench.py [N]   (default 2000; AMUR_BIN to use another build)
"""

import http.client
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from smtp_sink import SmtpSink, free_port  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000


def post(port, body, page="/bench"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    t = time.perf_counter()
    c.request("POST", "/api/v1/comments", json.dumps({"page": page, "body": body, "author_name": "B"}),
              {"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    assert r.status in (201, 202), r.status
    return time.perf_counter() - t


def main():
    amur = os.environ.get("AMUR_BIN")
    if not amur:
        subprocess.run([os.path.join(ROOT, "scripts/dev.sh"), "build-release"], check=True,
                       stdout=subprocess.DEVNULL)
        amur = os.path.join(ROOT, "build/release/amur")
    work = tempfile.mkdtemp(prefix="amur-mail-bench-")
    sink = SmtpSink().start()
    port = free_port()
    db = os.path.join(work, "amur.db")
    proc = subprocess.Popen([amur, "serve", "--listen", f"127.0.0.1:{port}", "--database", f"sqlite:{db}",
                             "--posts-per-minute", "0", "--allow-duplicates", "--smtp", sink.url,
                             "--mail-from", "comments@example.com", "--digest-minutes", "0",
                             "--log-level", "warn"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                post(port, "warm-up", "/warm")
                break
            except OSError:
                time.sleep(0.1)
        # N confirmed subscribers of /bench, written straight into the database.
        post(port, "the page exists", "/bench")
        con = sqlite3.connect(db, timeout=30)
        page_id = con.execute("SELECT id FROM pages WHERE key = '/bench'").fetchone()[0]
        with con:
            con.executemany(
                "INSERT INTO subscriptions(email, kind, page_id, confirmed, created_at, confirmed_at) "
                "VALUES (?, 'thread', ?, 1, 0, 0)",
                [(f"reader{i}@example.com", page_id) for i in range(N)])
        con.close()
        idle = [post(port, f"idle {i}", "/other") for i in range(40)]
        greetings = sink.greetings
        start = time.perf_counter()
        post(port, "one comment for every subscriber")
        busy = []
        while len(sink.messages) < N + 0:
            busy.append(post(port, f"busy {len(busy)}", "/other"))
            if time.perf_counter() - start > 600:
                raise SystemExit("timed out")
        deliver = time.perf_counter() - start
        connections = sink.greetings - greetings
        size = len(sink.messages[-1].data)
    finally:
        proc.terminate()
        proc.wait(30)
    # Reference: smtplib, one connection, N messages of the same size.
    import smtplib
    msg = b"Subject: x\r\n\r\n" + b"x" * max(0, size - 16)
    before = len(sink.messages)
    t = time.perf_counter()
    s = smtplib.SMTP("127.0.0.1", sink.port)
    for i in range(N):
        s.sendmail("comments@example.com", [f"ref{i}@example.com"], msg)
    s.quit()
    ref = time.perf_counter() - t
    assert len(sink.messages) - before == N
    sink.stop()
    p50_idle, p50_busy = statistics.median(idle), statistics.median(busy)
    print(f"subscribers                         {N}")
    print(f"amur: notices at the SMTP server    {deliver:.2f} s ({N / deliver:.0f} messages/s, "
          f"{connections} SMTP connection(s), {size} bytes each)")
    print(f"reference: smtplib, one connection  {ref:.2f} s ({N / ref:.0f} messages/s)")
    print(f"ratio amur / reference time         {deliver / ref:.2f}")
    print(f"posting p50 while mailing / idle    {p50_busy * 1000:.1f} ms / {p50_idle * 1000:.1f} ms "
          f"= {p50_busy / p50_idle:.2f} ({len(busy)} posts while mailing)")


if __name__ == "__main__":
    main()
