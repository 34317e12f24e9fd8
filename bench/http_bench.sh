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
#   3. amur accepting POST /api/v1/comments (durable: group commit, fsync).
# Prints a Markdown table of absolute figures and ratios to the reference.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${1:-10}"
CONNS="${2:-64}"
THREADS=2

for p in wrk nginx curl python3; do
  command -v "$p" >/dev/null || { echo "installing $p"; apt-get install -y -qq wrk nginx curl python3 >/dev/null; break; }
done
# AMUR_BIN: measure that binary instead (an older build, for a before/after
# comparison run back to back with this one).
if [[ -n "${AMUR_BIN:-}" ]]; then
  AMUR="$AMUR_BIN"
else
  "$ROOT/scripts/dev.sh" build-release >/dev/null
  AMUR="$ROOT/build/release/amur"
fi

WORK="$(mktemp -d /tmp/amur-bench.XXXXXX)"
chmod 755 "$WORK"  # nginx workers read the static file
cleanup() {
  [[ -n "${AMUR_PID:-}" ]] && kill "$AMUR_PID" 2>/dev/null && wait "$AMUR_PID" 2>/dev/null || true
  [[ -n "${NGINX_PID:-}" ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
  [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

AMUR_PORT=$(free_port)
# wrk is one client network: past 256 connections it needs the per-network cap lifted.
NET_CAP_ARGS=()
(( CONNS > 256 )) && NET_CAP_ARGS=(--max-connections-per-network 0)
"$AMUR" serve --listen "127.0.0.1:$AMUR_PORT" --database "sqlite:$WORK/amur.db" \
  --posts-per-minute 0 --allow-duplicates --log-level warn "${NET_CAP_ARGS[@]}" \
  >"$WORK/amur.out" 2>"$WORK/amur.err" &
AMUR_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$AMUR_PORT/healthz" >/dev/null && break; sleep 0.1; done

PAGE="/2022/aigun-treaty"
python3 - "$AMUR_PORT" "$PAGE" <<'PY'
import http.client, json, sys
port, page = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", port)
def post(body):
    c.request("POST", "/api/v1/comments", json.dumps(body), {"Content-Type": "application/json"})
    r = c.getresponse(); data = json.loads(r.read()); assert r.status == 201, data
    return data["comment"]["id"]
for t in range(50):
    root = post({"page": page, "author_name": f"Reader {t}", "body": f"Top-level comment {t}: the treaty of **1858** moved the border to the Amur; see https://example.com/{t}. " * 3})
    parent = root
    for r in range(3):
        parent = post({"page": page, "parent_id": parent, "author_name": f"Replier {r}", "body": f"Reply {r} to thread {t}, with _emphasis_ and `code`."})
PY

QUERY="/api/v1/comments?page=%2F2022%2Faigun-treaty&limit=50"
mkdir -p "$WORK/www"
curl -sf "http://127.0.0.1:$AMUR_PORT$QUERY" -o "$WORK/www/thread.json"
BYTES=$(stat -c %s "$WORK/www/thread.json")

NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx.conf" <<CONF
daemon off;
worker_processes $THREADS;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { root $WORK/www; default_type application/json; }
  }
}
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$NGINX_PORT/thread.json" >/dev/null && break; sleep 0.1; done
cmp <(curl -sf "http://127.0.0.1:$NGINX_PORT/thread.json") <(curl -sf "http://127.0.0.1:$AMUR_PORT$QUERY")

# wrk's summary → "rps p50_ms p99_ms"
run_wrk() {
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$@" | tee -a "$WORK/wrk.log" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 }
    END { printf "%s %.3f %.3f\n", rps, p50, p99 }'
}

read -r NG_RPS NG_P50 NG_P99 < <(run_wrk "http://127.0.0.1:$NGINX_PORT/thread.json")
read -r AM_RPS AM_P50 AM_P99 < <(run_wrk "http://127.0.0.1:$AMUR_PORT$QUERY")
BEFORE=$(curl -sf "http://127.0.0.1:$AMUR_PORT/metrics" | awk '/^amur_comments_posted_total/ {print $2}')
read -r PO_RPS PO_P50 PO_P99 < <(run_wrk -s "$ROOT/bench/post.lua" "http://127.0.0.1:$AMUR_PORT")
AFTER=$(curl -sf "http://127.0.0.1:$AMUR_PORT/metrics" | awk '/^amur_comments_posted_total/ {print $2}')
POSTED=$((AFTER - BEFORE))
# Durable: every acknowledged comment is in the database file.
STORED=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) from comments c join pages p on p.id=c.page_id where p.key like '/bench-write-%'\").fetchone()[0])" "$WORK/amur.db")

ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }
cat <<TABLE
machine: $(nproc) cores, $(awk '/model name/ {sub(/.*: /,""); print; exit}' /proc/cpuinfo); wrk -t$THREADS -c$CONNS -d${DURATION}s; answer size $BYTES bytes

| measure | requests/s | p50 ms | p99 ms | ratio to reference |
|---|---:|---:|---:|---|
| nginx static file (reference) | $NG_RPS | $NG_P50 | $NG_P99 | 1.00 |
| amur GET thread (limit=50) | $AM_RPS | $AM_P50 | $AM_P99 | rps $(ratio "$AM_RPS" "$NG_RPS")×, p99 $(ratio "$AM_P99" "$NG_P99")× |
| amur POST comment (durable) | $PO_RPS | $PO_P50 | $PO_P99 | $POSTED acknowledged, $STORED stored |
TABLE
