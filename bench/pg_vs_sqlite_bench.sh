#!/usr/bin/env bash
# Reads and writes of amur on PostgreSQL against amur on SQLite, both against
# nginx serving the same bytes, in one run (issue 10).
#
#   bench/pg_vs_sqlite_bench.sh [seconds per run, default 10] [connections, default 64] [rounds, default 2]
#   AMUR_BIN=/path/to/amur bench/pg_vs_sqlite_bench.sh …   (measure another build)
#
# Starts a throwaway PostgreSQL server (durable as shipped: fsync and
# synchronous_commit on), amur on a fresh SQLite file, two amur nodes on one
# PostgreSQL database, and nginx both as a static file server (the reference)
# and as the load balancer in front of the two nodes (plain HTTP, the proxy
# settings of docs/scaling/nginx.conf's `location /`). Seeds the same
# 200-comment page on both databases, then, in each round, measures with wrk:
#   1. nginx serving the GET /api/v1/comments?page=…&limit=50 answer as a
#      static file (the reference);
#   2. that GET (answered from the read cache) on SQLite, on one PostgreSQL
#      node, and through nginx on the two PostgreSQL nodes;
#   3. POST /api/v1/comments (bench/post.lua: durable, 20 pages) on the same three;
#   4. a GET that misses the cache (one comment posted before each timed GET,
#      one at a time, median of 20) on SQLite and on PostgreSQL.
# Prints one Markdown table per round (the machine shares its cores: compare
# figures within a round) and counts every acknowledged comment in the databases.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${1:-10}"
CONNS="${2:-64}"
ROUNDS="${3:-2}"
THREADS=2

source "$ROOT/bench/bench_lib.sh"
bench_tools wrk nginx curl python3
{ command -v psql >/dev/null && [[ -d /usr/lib/postgresql ]]; } || apt-get install -y -qq postgresql >/dev/null
bench_amur_binary

WORK="$(mktemp -d /tmp/amur-bench.XXXXXX)"
chmod 755 "$WORK"  # nginx workers read the static file; postgres enters $WORK/pg
BENCH_PIDS=()
cleanup() {
  bench_stop_pids
  [[ -n "${NGINX_PID:-}" ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
  bench_stop_postgres
  [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

bench_start_postgres
psql -X -q -d "$PG_URL/postgres" -c "CREATE DATABASE amur_bench"
PG_DB="$PG_URL/amur_bench"

SQ_PORT=$(free_port)
bench_start_amur_on "sqlite:$WORK/amur.db" "$SQ_PORT" sqlite --log-level warn --no-demo-comments
PA_PORT=$(free_port)
bench_start_amur_on "$PG_DB" "$PA_PORT" pg-a --log-level warn --no-demo-comments
PB_PORT=$(free_port)
bench_start_amur_on "$PG_DB" "$PB_PORT" pg-b --log-level warn --no-demo-comments

PAGE="/2022/aigun-treaty"
COLD_PAGE="/2022/aigun-treaty-cold"
for port in "$SQ_PORT" "$PA_PORT"; do
  bench_seed_treaty_page "$port" "$PAGE"
  bench_seed_treaty_page "$port" "$COLD_PAGE"
done
sleep 1  # node B has read node A's seed from the log

QUERY="/api/v1/comments?page=%2F2022%2Faigun-treaty&limit=50"
mkdir -p "$WORK/www"
curl -sf "http://127.0.0.1:$SQ_PORT$QUERY" -o "$WORK/www/thread.json"
BYTES=$(stat -c %s "$WORK/www/thread.json")
PG_BYTES=$(curl -sf "http://127.0.0.1:$PA_PORT$QUERY" | wc -c)

NG_PORT=$(free_port)
LB_PORT=$(free_port)
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
    listen 127.0.0.1:$NG_PORT;
    location / { root $WORK/www; default_type application/json; }
  }
  upstream amur {
    server 127.0.0.1:$PA_PORT max_fails=2 fail_timeout=5s;
    server 127.0.0.1:$PB_PORT max_fails=2 fail_timeout=5s;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$LB_PORT;
    location / {
      proxy_pass http://amur;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout;
    }
  }
}
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$NG_PORT/thread.json" >/dev/null && break; sleep 0.1; done
cmp <(curl -sf "http://127.0.0.1:$NG_PORT/thread.json") <(curl -sf "http://127.0.0.1:$SQ_PORT$QUERY")
cmp <(curl -sf "http://127.0.0.1:$PA_PORT$QUERY") <(curl -sf "http://127.0.0.1:$LB_PORT$QUERY")

posted() {  # comments a node has acknowledged since it started
  curl -sf "http://127.0.0.1:$1/metrics" | awk '/^amur_comments_posted_total/ {print $2}'
}

# Median ms of 20 GETs of COLD_PAGE on PORT, each right after a post to it
# (so it misses the cache), and of 20 GETs of nginx's file: "amur_ms nginx_ms".
cold_read() {
  python3 - "$1" "$NG_PORT" "$COLD_PAGE" <<'PY'
import http.client, json, statistics, sys, time, urllib.parse
port, nport, page = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
path = "/api/v1/comments?" + urllib.parse.urlencode({"page": page, "limit": 50})
c = http.client.HTTPConnection("127.0.0.1", port)
n = http.client.HTTPConnection("127.0.0.1", nport)
cold, ref = [], []
for i in range(20):
    c.request("POST", "/api/v1/comments", json.dumps({"page": page, "body": f"fresh {i} {time.time()}"}),
              {"Content-Type": "application/json"})
    r = c.getresponse(); r.read(); assert r.status == 201
    t = time.perf_counter(); c.request("GET", path)
    r = c.getresponse(); r.read(); cold.append((time.perf_counter() - t) * 1000); assert r.status == 200
    t = time.perf_counter(); n.request("GET", "/thread.json")
    r = n.getresponse(); r.read(); ref.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(cold):.2f} {statistics.median(ref):.3f}")
PY
}

echo "machine: $(machine); $(uname -r); PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'); wrk -t$THREADS -c$CONNS -d${DURATION}s"
echo "answer size: SQLite $BYTES bytes, PostgreSQL $PG_BYTES bytes (ids and times differ)"
for round in $(seq "$ROUNDS"); do
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  read -r NG_RPS NG_P50 NG_P99 < <(run_wrk "http://127.0.0.1:$NG_PORT/thread.json")
  read -r SG_RPS SG_P50 SG_P99 < <(run_wrk "http://127.0.0.1:$SQ_PORT$QUERY")
  read -r PG_RPS PG_P50 PG_P99 < <(run_wrk "http://127.0.0.1:$PA_PORT$QUERY")
  read -r LG_RPS LG_P50 LG_P99 < <(run_wrk "http://127.0.0.1:$LB_PORT$QUERY")
  read -r SP_RPS SP_P50 SP_P99 < <(run_wrk -s "$ROOT/bench/post.lua" "http://127.0.0.1:$SQ_PORT")
  read -r PP_RPS PP_P50 PP_P99 < <(run_wrk -s "$ROOT/bench/post.lua" "http://127.0.0.1:$PA_PORT")
  read -r LP_RPS LP_P50 LP_P99 < <(run_wrk -s "$ROOT/bench/post.lua" "http://127.0.0.1:$LB_PORT")
  read -r SC_MS NC_MS < <(cold_read "$SQ_PORT")
  read -r PC_MS NC2_MS < <(cold_read "$PA_PORT")
  LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
  cat <<TABLE

Round $round (load average before: $LOAD_BEFORE; after: $LOAD_AFTER)

| measure | requests/s | p50 ms | p99 ms | ratio to reference | PostgreSQL ÷ SQLite |
|---|---:|---:|---:|---|---|
| nginx static file (reference) | $NG_RPS | $NG_P50 | $NG_P99 | 1.00 | |
| amur on SQLite, GET thread (cached) | $SG_RPS | $SG_P50 | $SG_P99 | rps $(ratio "$SG_RPS" "$NG_RPS")×, p99 $(ratio "$SG_P99" "$NG_P99")× | |
| amur on PostgreSQL, GET thread (cached) | $PG_RPS | $PG_P50 | $PG_P99 | rps $(ratio "$PG_RPS" "$NG_RPS")×, p99 $(ratio "$PG_P99" "$NG_P99")× | rps $(ratio "$PG_RPS" "$SG_RPS")× |
| 2 nodes on PostgreSQL behind nginx, GET thread | $LG_RPS | $LG_P50 | $LG_P99 | rps $(ratio "$LG_RPS" "$NG_RPS")×, p99 $(ratio "$LG_P99" "$NG_P99")× | rps $(ratio "$LG_RPS" "$SG_RPS")× |
| amur on SQLite, POST comment (durable) | $SP_RPS | $SP_P50 | $SP_P99 | rps $(ratio "$SP_RPS" "$NG_RPS")× | |
| amur on PostgreSQL, POST comment (durable) | $PP_RPS | $PP_P50 | $PP_P99 | rps $(ratio "$PP_RPS" "$NG_RPS")× | rps $(ratio "$PP_RPS" "$SP_RPS")× |
| 2 nodes on PostgreSQL behind nginx, POST comment | $LP_RPS | $LP_P50 | $LP_P99 | rps $(ratio "$LP_RPS" "$NG_RPS")× | rps $(ratio "$LP_RPS" "$SP_RPS")× |
| amur on SQLite, GET after a write (uncached; median of 20, one at a time) | | $SC_MS | | $(ratio "$SC_MS" "$NC_MS")× nginx's single request ($NC_MS ms) | |
| amur on PostgreSQL, GET after a write (uncached; median of 20, one at a time) | | $PC_MS | | $(ratio "$PC_MS" "$NC2_MS")× nginx's single request ($NC2_MS ms) | ms $(ratio "$PC_MS" "$SC_MS")× |
TABLE
done

# Durable: every acknowledged comment is in the database.
SQ_POSTED=$(posted "$SQ_PORT")
PG_POSTED=$(( $(posted "$PA_PORT") + $(posted "$PB_PORT") ))
SQ_STORED=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from comments').fetchone()[0])" "$WORK/amur.db")
PG_STORED=$(psql -X -q -A -t -d "$PG_DB" -c "select count(*) from comments")
echo
echo "acknowledged / stored comments (seed included): SQLite $SQ_POSTED / $SQ_STORED; PostgreSQL (2 nodes) $PG_POSTED / $PG_STORED"
