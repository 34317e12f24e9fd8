#!/usr/bin/env bash
# "View all comments" (/t?page=KEY&all=1) on a 3,000-comment page against
# nginx serving the same page as a static file, in one run (issue 12,
# finding 5: the page used to be re-read up to 50 times per request, uncached).
#
#   bench/view_all_bench.sh [seconds per run, default 10] [connections, default 16]
#   AMUR_BIN=/path/to/amur bench/view_all_bench.sh …   (measure another build)
#
# Measures with wrk: nginx serving the rendered page (the reference); amur
# answering /t?all=1 from its cache (every request still gets its own form
# token and cookie); and amur rendering it afresh after each write (one
# comment posted before each timed GET: the cost a busy page pays).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${1:-10}"
CONNS="${2:-16}"
THREADS=2

source "$ROOT/bench/bench_lib.sh"
bench_tools wrk nginx curl python3
bench_amur_binary

WORK="$(mktemp -d /tmp/amur-bench.XXXXXX)"
chmod 755 "$WORK"
cleanup() {
  [[ -n "${AMUR_PID:-}" ]] && kill "$AMUR_PID" 2>/dev/null && wait "$AMUR_PID" 2>/dev/null || true
  [[ -n "${NGINX_PID:-}" ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
  [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

AMUR_PORT=$(free_port)
bench_start_amur "$AMUR_PORT" --log-level warn

PAGE="/2022/view-all"
# 1,000 threads of 3 comments (a top-level comment and a chain of 2 replies).
python3 - "$AMUR_PORT" "$PAGE" <<'PY'
import http.client, json, sys
port, page = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", port)
def post(body):
    c.request("POST", "/api/v1/comments", json.dumps(body), {"Content-Type": "application/json"})
    r = c.getresponse(); data = json.loads(r.read()); assert r.status == 201, data
    return data["comment"]["id"]
for t in range(1000):
    parent = post({"page": page, "author_name": f"Reader {t}", "body": f"Comment {t} on the treaty of **1858**; see https://example.com/{t}."})
    for r in range(2):
        parent = post({"page": page, "parent_id": parent, "author_name": f"Replier {r}", "body": f"Reply {r} in thread {t}, with _emphasis_."})
PY

QUERY="/t?page=%2F2022%2Fview-all&all=1"
mkdir -p "$WORK/www"
curl -sf "http://127.0.0.1:$AMUR_PORT$QUERY" -o "$WORK/www/all.html"
BYTES=$(stat -c %s "$WORK/www/all.html")
COMMENTS=$(grep -o 'id="c[0-9]*"' "$WORK/www/all.html" | wc -l)

NGINX_PORT=$(free_port)
bench_start_nginx "$NGINX_PORT" text/html /all.html

read -r NG_RPS NG_P50 NG_P99 < <(run_wrk "http://127.0.0.1:$NGINX_PORT/all.html")
read -r AM_RPS AM_P50 AM_P99 < <(run_wrk "http://127.0.0.1:$AMUR_PORT$QUERY")

# A fresh render: post to the page (which invalidates it), then time one GET; 20 times.
read -r COLD_MS NG_ONE_MS < <(python3 - "$AMUR_PORT" "$NGINX_PORT" "$PAGE" <<'PY'
import http.client, json, statistics, sys, time
port, nport, page = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port)
n = http.client.HTTPConnection("127.0.0.1", nport)
cold, ref = [], []
for i in range(20):
    c.request("POST", "/api/v1/comments", json.dumps({"page": page, "body": f"fresh {i}"}),
              {"Content-Type": "application/json"})
    r = c.getresponse(); r.read(); assert r.status == 201
    t = time.perf_counter(); c.request("GET", "/t?page=%2F2022%2Fview-all&all=1")
    r = c.getresponse(); r.read(); cold.append((time.perf_counter() - t) * 1000); assert r.status == 200
    t = time.perf_counter(); n.request("GET", "/all.html")
    r = n.getresponse(); r.read(); ref.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(cold):.2f} {statistics.median(ref):.3f}")
PY
)

cat <<TABLE
machine: $(machine); wrk -t$THREADS -c$CONNS -d${DURATION}s; page of $COMMENTS comments, $BYTES bytes

| measure | requests/s | p50 ms | p99 ms | ratio to reference |
|---|---:|---:|---:|---|
| nginx static file (reference) | $NG_RPS | $NG_P50 | $NG_P99 | 1.00 |
| amur /t?all=1, cached | $AM_RPS | $AM_P50 | $AM_P99 | rps $(ratio "$AM_RPS" "$NG_RPS")×, p99 $(ratio "$AM_P99" "$NG_P99")× |
| amur /t?all=1, rendered after a write (median of 20, one at a time) | | $COLD_MS | | $(ratio "$COLD_MS" "$NG_ONE_MS")× nginx's single request ($NG_ONE_MS ms) |
TABLE
