#!/usr/bin/env python3
"""Mail delivery, end to end, on this machine: a real `amur serve` (the
Release build) with --smtp to a real SMTP server on loopback (aiosmtpd in a
process of its own, writing a Maildir), N confirmed subscribers of one page,
one comment posted. Measures:

  - how long until the N notices are at the SMTP server (that the sender
    uses one connection for them is asserted by
    tests/integration/test_notifications.py);
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
from smtp_sink import free_port  # noqa: E402

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
    smtp_port = free_port()
    maildir = os.path.join(work, "mail")
    sink = subprocess.Popen(["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}",
                             "-c", "aiosmtpd.handlers.Mailbox", maildir],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def delivered():
        d = os.path.join(maildir, "new")
        return len(os.listdir(d)) if os.path.isdir(d) else 0

    time.sleep(1.0)
    port = free_port()
    db = os.path.join(work, "amur.db")
    proc = subprocess.Popen([amur, "serve", "--listen", f"127.0.0.1:{port}", "--database", f"sqlite:{db}",
                             "--posts-per-minute", "0", "--allow-duplicates", "--smtp",
                             f"smtp://127.0.0.1:{smtp_port}",
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
        start = time.perf_counter()
        post(port, "one comment for every subscriber")
        busy = []
        while delivered() < N:
            busy.append(post(port, f"busy {len(busy)}", "/other"))
            if time.perf_counter() - start > 600:
                raise SystemExit("timed out")
        deliver = time.perf_counter() - start
        d = os.path.join(maildir, "new")
        size = os.path.getsize(os.path.join(d, os.listdir(d)[0]))
    finally:
        proc.terminate()
        proc.wait(30)
    # Reference: smtplib, one connection, N messages of the same size.
    import smtplib
    line = b"x" * 76 + b"\r\n"
    msg = b"Subject: x\r\n\r\n" + line * max(1, (size - 16) // len(line))
    before = delivered()
    t = time.perf_counter()
    s = smtplib.SMTP("127.0.0.1", smtp_port)
    for i in range(N):
        s.sendmail("comments@example.com", [f"ref{i}@example.com"], msg)
    s.quit()
    while delivered() - before < N:
        time.sleep(0.01)
    ref = time.perf_counter() - t
    sink.terminate()
    p50_idle, p50_busy = statistics.median(idle), statistics.median(busy)
    print(f"subscribers                         {N}")
    print(f"amur: notices at the SMTP server    {deliver:.2f} s ({N / deliver:.0f} messages/s, "
          f"{size} bytes each)")
    print(f"reference: smtplib, one connection  {ref:.2f} s ({N / ref:.0f} messages/s)")
    print(f"ratio amur / reference time         {deliver / ref:.2f}")
    print(f"posting p50 while mailing / idle    {p50_busy * 1000:.1f} ms / {p50_idle * 1000:.1f} ms "
          f"= {p50_busy / p50_idle:.2f} ({len(busy)} posts while mailing)")


if __name__ == "__main__":
    main()
