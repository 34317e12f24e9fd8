#!/usr/bin/env python3
"""Live updates at scale, on this machine: a real `amur serve` (the Release
build, fresh SQLite file), N concurrent event streams of one page held by
this one process (epoll, non-blocking sockets; `ulimit -n` raised here, for
itself and for amur), then one comment posted at a time. Measures:

  - memory per stream: amur's RSS with the N streams open, less its RSS
    before, divided by N;
  - delivery latency: from sending the POST until the comment.created
    frame is on each stream's socket (the kernel's receive timestamp,
    SO_TIMESTAMPNS, so the time this process takes to get round to 10,000
    sockets is not counted), p50 / p99 / max over all streams, for K
    comments; also until this process has read it;
  - per comment, the CPU time amur's threads and this process used, and
    the time they were runnable but waiting for a CPU (schedstat): on a
    shared machine, what the wait in the figures above is made of;
  - the references in the same run: the same with 100 streams, and the
    POST's own latency (its answer comes after the commit; the I/O threads
    answer it and write the frame to the streams).

Usage: bench/sse_bench.py [N] [K]   (default 10000 streams, 5 comments;
AMUR_BIN to use another build)
"""

import errno
import http.client
import json
import os
import resource
import select
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
K = int(sys.argv[2]) if len(sys.argv) > 2 else 5
PAGE = "/bench/live"
# Linux's SO_TIMESTAMPNS (= SCM_TIMESTAMPNS): each read also returns when the
# kernel queued its bytes on the socket (CLOCK_REALTIME, a struct timespec).
SO_TIMESTAMPNS = 35


def raise_nofile(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    new = min(hard, max(soft, want)) if hard != resource.RLIM_INFINITY else max(soft, want)
    resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    return new


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def sched_ms(pid):
    """CPU time used and time spent waiting for a CPU (runnable, not
    running), in ms, summed over the threads of `pid` (schedstat)."""
    run = wait = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                r, w, _ = f.read().split()
        except OSError:
            continue
        run += int(r)
        wait += int(w)
    return run / 1e6, wait / 1e6


def post(port, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    payload = json.dumps({"page": PAGE, "body": body, "author_name": "Bench"})
    t = time.time()
    c.request("POST", "/api/v1/comments", payload, {"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    took = time.time() - t
    assert r.status == 201, (r.status, data)
    return t, took, json.loads(data)["comment"]["id"]


class Streams:
    """n event streams of PAGE, read with one epoll."""

    def __init__(self, port, n):
        self.ep = select.epoll()
        self.socks = {}
        self.bufs = {}
        self.ready = set()
        req = (f"GET /api/v1/events?page={PAGE} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               "Accept: text/event-stream\r\n\r\n").encode()
        batch = 500
        # A stream closed by the server while the others are being opened
        # (seen now and then on this shared machine, with both builds and
        # nothing in amur's log) is replaced and counted in `replaced`.
        self.replaced = 0
        self.replaced_unanswered = 0  # of those, closed before any byte came
        self.opening = True
        while len(self.socks) < n:
            for _ in range(min(batch, n - len(self.socks))):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
                # From 127.0.0.2-51, 200 each: runs back to back do not run
                # out of ports while the last run's sit in TIME_WAIT.
                s.bind((f"127.0.0.{2 + len(self.socks) % 50}", 0))
                s.connect(("127.0.0.1", port))
                s.sendall(req)
                s.setblocking(False)
                fd = s.fileno()
                self.socks[fd] = s
                self.bufs[fd] = b""
                self.ep.register(fd, select.EPOLLIN)
            # Wait until this batch has its header and cursor.
            deadline = time.monotonic() + 60
            while len(self.ready) < len(self.socks) and time.monotonic() < deadline:
                self.poll(0.5, None)
            if len(self.ready) < len(self.socks):
                raise SystemExit(f"only {len(self.ready)} of {len(self.socks)} streams opened")
        self.opening = False

    def poll(self, timeout, marker, seen=None):
        """Reads what is ready; with `marker`, records in `seen` when each
        stream first shows it: (when the kernel had it on the socket, when
        this process read it), both time.time() seconds."""
        for fd, _ in self.ep.poll(timeout):
            try:
                data, anc, _, _ = self.socks[fd].recvmsg(65536, 64)
            except OSError as e:
                if e.errno == errno.EAGAIN:
                    continue
                raise
            now = time.time()
            arrived = now
            for level, kind, raw in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(raw) >= 16:
                    sec, nsec = struct.unpack("qq", raw[:16])
                    arrived = sec + nsec / 1e9
            if not data and self.opening and self.replaced < 100:
                if fd not in self.ready and not self.bufs.get(fd):
                    self.replaced_unanswered += 1
                self.ep.unregister(fd)
                self.socks.pop(fd).close()
                self.bufs.pop(fd, None)
                self.ready.discard(fd)
                self.replaced += 1
                continue
            if not data:
                got = self.bufs.get(fd, b"")[:200]
                raise SystemExit(f"a stream was closed by the server ({len(self.ready)} open, "
                                 f"{len(self.socks)} connected; it had read {got!r})")
            if fd not in self.ready:
                self.bufs[fd] += data
                if b"\n\nid: " in self.bufs[fd] or self.bufs[fd].count(b"\n\n") >= 3:
                    self.ready.add(fd)
                    self.bufs[fd] = b""
                continue
            if marker is not None and fd not in seen and marker in data:
                seen[fd] = (arrived, now)

    def wait_for(self, marker, timeout=30):
        seen = {}
        deadline = time.monotonic() + timeout
        while len(seen) < len(self.socks) and time.monotonic() < deadline:
            self.poll(0.2, marker, seen)
        return seen

    def close(self):
        for s in self.socks.values():
            s.close()
        self.ep.close()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def run(port, pid, n, label):
    base = rss_kib(pid)
    streams = Streams(port, n)
    time.sleep(1.0)
    held = rss_kib(pid)
    print(f"{n} streams open", flush=True)
    rows = []
    for i in range(K):
        # Posted from a thread, so that this one reads the streams meanwhile;
        # the comment's id is known in advance from its body's marker.
        marker = f"live comment {i} to {n} readers"
        done = {}
        t = threading.Thread(target=lambda: done.update(r=post(port, marker)))
        s0, me0 = sched_ms(pid), sched_ms(os.getpid())
        t0 = time.time()
        t.start()
        seen = streams.wait_for(marker.encode())
        t.join()
        s1, me1 = sched_ms(pid), sched_ms(os.getpid())
        _, post_s, _ = done["r"]
        lat = [(t[0] - t0) * 1000 for t in seen.values()]
        read = [(t[1] - t0) * 1000 for t in seen.values()]
        rows.append((len(seen), statistics.median(lat), pct(lat, 99), max(lat), post_s * 1000,
                     statistics.median(read), pct(read, 99), s1[0] - s0[0], s1[1] - s0[1],
                     me1[0] - me0[0], me1[1] - me0[1]))
        time.sleep(0.5)
    streams.close()
    print(f"\n{label}: {n} streams; amur RSS {base / 1024:.1f} -> {held / 1024:.1f} MiB, "
          f"{(held - base) / n:.2f} KiB per stream; {streams.replaced} closed by the server "
          f"while opening ({streams.replaced_unanswered} before any answer), replaced")
    print("| comment | streams reached | p50 ms | p99 ms | max ms | POST ms "
          "| read here: p50 ms | p99 ms | amur CPU / waiting for a CPU ms "
          "| this process: CPU / waiting ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for i, r in enumerate(rows):
        print(f"| {i + 1} | {r[0]:,} | {r[1]:.1f} | {r[2]:.1f} | {r[3]:.1f} | {r[4]:.1f} "
              f"| {r[5]:.1f} | {r[6]:.1f} | {r[7]:.0f} / {r[8]:.0f} | {r[9]:.0f} / {r[10]:.0f} |")
    return rows, (held - base) / n


def main():
    fds = raise_nofile(N + 1000)
    if fds < N + 200:
        raise SystemExit(f"descriptor limit {fds} is too low for {N} streams")
    amur = os.environ.get("AMUR_BIN")
    if not amur:
        subprocess.run([os.path.join(ROOT, "scripts/dev.sh"), "build-release"], check=True,
                       stdout=subprocess.DEVNULL)
        amur = os.path.join(ROOT, "build/release/amur")
    work = tempfile.mkdtemp(prefix="amur-sse-bench-")
    proc = subprocess.Popen(
        [amur, "serve", "--listen", "127.0.0.1:0", "--database", f"sqlite:{work}/amur.db",
         "--no-demo-comments", "--posts-per-minute", "0", "--allow-duplicates",
         "--max-connections", str(N + 500), "--max-connections-per-network", "0",
         "--live-heartbeat", "60", "--log-level", "warn"],
        stdout=subprocess.PIPE, stderr=open(os.path.join(work, "amur.log"), "w"), text=True,
        env={**os.environ, "ASAN_OPTIONS": "detect_leaks=0"})
    try:
        line = proc.stdout.readline()
        port = int(line.split("listening on http://127.0.0.1:")[1].split()[0])
        post(port, "the page's first comment")
        print(f"amur {amur}, {os.cpu_count()} cores, descriptor limit {fds}")
        run(port, proc.pid, 100, "reference")
        run(port, proc.pid, N, "load")
    finally:
        proc.terminate()
        proc.wait(30)
        print(f"amur log: {work}/amur.log")


if __name__ == "__main__":
    main()
