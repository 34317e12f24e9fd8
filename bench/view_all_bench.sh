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

for p in wrk nginx curl python3; do
  command -v "$p" >/dev/null || { echo "installing $p"; apt-get install -y -qq wrk nginx curl python3 >/dev/null; break; }
done
if [[ -n "${AMUR_BIN:-}" ]]; then
  AMUR="$AMUR_BIN"
else
  "$ROOT/scripts/dev.sh" build-release >/dev/null
  AMUR="$ROOT/build/release/amur"
fi

WORK="$(mktemp -d /tmp/amur-bench.XXXXXX)"
chmod 755 "$WORK"
cleanup() {
  [[ -n "${AMUR_PID:-}" ]] && kill "$AMUR_PID" 2>/dev/null && wait "$AMUR_PID" 2>/dev/null || true
  [[ -n "${NGINX_PID:-}" ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
  [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

AMUR_PORT=$(free_port)
"$AMUR" serve --listen "127.0.0.1:$AMUR_PORT" --database "sqlite:$WORK/amur.db" \
  --posts-per-minute 0 --allow-duplicates --log-level warn >"$WORK/amur.out" 2>"$WORK/amur.err" &
AMUR_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$AMUR_PORT/healthz" >/dev/null && break; sleep 0.1; done

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
    location / { root $WORK/www; default_type text/html; }
  }
}
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$NGINX_PORT/all.html" >/dev/null && break; sleep 0.1; done

# wrk's summary → "rps p50_ms p99_ms"
run_wrk() {
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$@" | tee -a "$WORK/wrk.log" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 }
    END { printf "%s %.3f %.3f\n", rps, p50, p99 }'
}

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

ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }
cat <<TABLE
machine: $(nproc) cores, $(awk '/model name/ {sub(/.*: /,""); print; exit}' /proc/cpuinfo); wrk -t$THREADS -c$CONNS -d${DURATION}s; page of $COMMENTS comments, $BYTES bytes

| measure | requests/s | p50 ms | p99 ms | ratio to reference |
|---|---:|---:|---:|---|
| nginx static file (reference) | $NG_RPS | $NG_P50 | $NG_P99 | 1.00 |
| amur /t?all=1, cached | $AM_RPS | $AM_P50 | $AM_P99 | rps $(ratio "$AM_RPS" "$NG_RPS")×, p99 $(ratio "$AM_P99" "$NG_P99")× |
| amur /t?all=1, rendered after a write (median of 20, one at a time) | | $COLD_MS | | $(ratio "$COLD_MS" "$NG_ONE_MS")× nginx's single request ($NG_ONE_MS ms) |
TABLE
