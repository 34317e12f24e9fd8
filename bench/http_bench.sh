#!/usr/bin/env bash
# HTTP benchmark of amur against nginx serving the same bytes, in one run.
#
#   bench/http_bench.sh [seconds per run, default 10] [connections, default 64]
#   AMUR_BIN=/path/to/amur bench/http_bench.sh …   (measure another build)
#
# Builds the Release binary, seeds a 200-comment page (50 threads of 4), then
# measures with wrk:
#   1. nginx serving the GET /api/v1/comments?page=…&limit=50 answer as a
#      static file (the reference);
#   2. amur answering that GET;
#   3. amur accepting POST /api/v1/comments (durable: group commit, fsync);
#   4. nginx serving that page's Atom feed (50 entries) as a static file, and
#      amur answering GET /feeds/comments.atom?page=… (the same bytes).
# Prints a Markdown table of absolute figures and ratios to the reference.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${1:-10}"
CONNS="${2:-64}"
THREADS=2

source "$ROOT/bench/bench_lib.sh"
bench_tools wrk nginx curl python3
bench_amur_binary

WORK="$(mktemp -d /tmp/amur-bench.XXXXXX)"
chmod 755 "$WORK"  # nginx workers read the static file
cleanup() {
  [[ -n "${AMUR_PID:-}" ]] && kill "$AMUR_PID" 2>/dev/null && wait "$AMUR_PID" 2>/dev/null || true
  [[ -n "${NGINX_PID:-}" ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
  [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

AMUR_PORT=$(free_port)
# wrk is one client network: past 256 connections it needs the per-network cap lifted.
NET_CAP_ARGS=()
(( CONNS > 256 )) && NET_CAP_ARGS=(--max-connections-per-network 0)
bench_start_amur "$AMUR_PORT" --log-level warn "${NET_CAP_ARGS[@]}"

PAGE="/2022/aigun-treaty"
bench_seed_treaty_page "$AMUR_PORT" "$PAGE"

QUERY="/api/v1/comments?page=%2F2022%2Faigun-treaty&limit=50"
mkdir -p "$WORK/www"
curl -sf "http://127.0.0.1:$AMUR_PORT$QUERY" -o "$WORK/www/thread.json"
BYTES=$(stat -c %s "$WORK/www/thread.json")
FEED="/feeds/comments.atom?page=%2F2022%2Faigun-treaty"
curl -sf "http://127.0.0.1:$AMUR_PORT$FEED" -o "$WORK/www/feed.atom"
FEED_BYTES=$(stat -c %s "$WORK/www/feed.atom")

NGINX_PORT=$(free_port)
bench_start_nginx "$NGINX_PORT" application/json /thread.json
cmp <(curl -sf "http://127.0.0.1:$NGINX_PORT/thread.json") <(curl -sf "http://127.0.0.1:$AMUR_PORT$QUERY")
cmp <(curl -sf "http://127.0.0.1:$NGINX_PORT/feed.atom") <(curl -sf "http://127.0.0.1:$AMUR_PORT$FEED")

read -r NG_RPS NG_P50 NG_P99 < <(run_wrk "http://127.0.0.1:$NGINX_PORT/thread.json")
read -r AM_RPS AM_P50 AM_P99 < <(run_wrk "http://127.0.0.1:$AMUR_PORT$QUERY")
read -r NF_RPS NF_P50 NF_P99 < <(run_wrk "http://127.0.0.1:$NGINX_PORT/feed.atom")
read -r AF_RPS AF_P50 AF_P99 < <(run_wrk "http://127.0.0.1:$AMUR_PORT$FEED")
BEFORE=$(curl -sf "http://127.0.0.1:$AMUR_PORT/metrics" | awk '/^amur_comments_posted_total/ {print $2}')
read -r PO_RPS PO_P50 PO_P99 < <(run_wrk -s "$ROOT/bench/post.lua" "http://127.0.0.1:$AMUR_PORT")
AFTER=$(curl -sf "http://127.0.0.1:$AMUR_PORT/metrics" | awk '/^amur_comments_posted_total/ {print $2}')
POSTED=$((AFTER - BEFORE))
# Durable: every acknowledged comment is in the database file.
STORED=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) from comments c join pages p on p.id=c.page_id where p.key like '/bench-write-%'\").fetchone()[0])" "$WORK/amur.db")

cat <<TABLE
machine: $(machine); wrk -t$THREADS -c$CONNS -d${DURATION}s; answer size $BYTES bytes, feed $FEED_BYTES bytes

| measure | requests/s | p50 ms | p99 ms | ratio to reference |
|---|---:|---:|---:|---|
| nginx static file (reference) | $NG_RPS | $NG_P50 | $NG_P99 | 1.00 |
| amur GET thread (limit=50) | $AM_RPS | $AM_P50 | $AM_P99 | rps $(ratio "$AM_RPS" "$NG_RPS")×, p99 $(ratio "$AM_P99" "$NG_P99")× |
| amur POST comment (durable) | $PO_RPS | $PO_P50 | $PO_P99 | $POSTED acknowledged, $STORED stored |
| nginx static feed (reference) | $NF_RPS | $NF_P50 | $NF_P99 | 1.00 |
| amur GET page feed (Atom, 50) | $AF_RPS | $AF_P50 | $AF_P99 | rps $(ratio "$AF_RPS" "$NF_RPS")×, p99 $(ratio "$AF_P99" "$NF_P99")× |
TABLE
