# Shared by the HTTP benchmarks (http_bench.sh, view_all_bench.sh,
# flood_bench.sh): sourced, not run. The caller sets ROOT, THREADS, CONNS,
# DURATION and WORK before calling what needs them.

# Installs the Debian packages named when one of them is missing.
bench_tools() {
  for p in "$@"; do
    command -v "$p" >/dev/null || { echo "installing $*"; apt-get install -y -qq "$@" >/dev/null; return; }
  done
}

# Sets AMUR: $AMUR_BIN when given (another build, for a before/after run),
# otherwise the Release build, built first.
bench_amur_binary() {
  if [[ -n "${AMUR_BIN:-}" ]]; then
    AMUR="$AMUR_BIN"
  else
    "$ROOT/scripts/dev.sh" build-release >/dev/null
    AMUR="$ROOT/build/release/amur"
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts `amur serve` on PORT with a fresh database in $WORK (rate limit and
# duplicate hold off, plus any further flags) and waits until it answers.
# Sets AMUR_PID.
bench_start_amur() {
  local port="$1"
  shift
  "$AMUR" serve --listen "127.0.0.1:$port" --database "sqlite:$WORK/amur.db" \
    --posts-per-minute 0 --allow-duplicates "$@" >"$WORK/amur.out" 2>"$WORK/amur.err" &
  AMUR_PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
}

# Seeds PAGE on the server at PORT with 50 threads of 4 comments (200 in all).
bench_seed_treaty_page() {
  python3 - "$1" "$2" <<'PY'
import http.client, json, sys
port, page = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", port)
def post(body):
    c.request("POST", "/api/v1/comments", json.dumps(body), {"Content-Type": "application/json"})
    r = c.getresponse(); data = json.loads(r.read()); assert r.status == 201, data
    return data["comment"]["id"]
for t in range(50):
    parent = post({"page": page, "author_name": f"Reader {t}", "body": f"Top-level comment {t}: the treaty of **1858** moved the border to the Amur; see https://example.com/{t}. " * 3})
    for r in range(3):
        parent = post({"page": page, "parent_id": parent, "author_name": f"Replier {r}", "body": f"Reply {r} to thread {t}, with _emphasis_ and `code`."})
PY
}

# Starts nginx on PORT serving $WORK/www with TYPE as the default content
# type, and waits until PROBE (a path) answers. Sets NGINX_PID.
bench_start_nginx() {
  local port="$1" type="$2" probe="$3"
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
    listen 127.0.0.1:$port;
    location / { root $WORK/www; default_type $type; }
  }
}
CONF
  nginx -c "$WORK/nginx.conf" -p "$WORK/nginx" &
  NGINX_PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port$probe" >/dev/null && break; sleep 0.1; done
}

# wrk's summary → "rps p50_ms p99_ms"
run_wrk() {
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$@" | tee -a "$WORK/wrk.log" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 }
    END { printf "%s %.3f %.3f\n", rps, p50, p99 }'
}

ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }

machine() { echo "$(nproc) cores, $(awk '/model name/ {sub(/.*: /,""); print; exit}' /proc/cpuinfo)"; }

# Starts `amur serve` on PORT with DATABASE (sqlite:… or postgresql://…), the
# rate limit and duplicate hold off, plus any further flags; its output goes to
# $WORK/NAME.out and .err. Waits until it answers; sets AMUR_PID and adds it to
# BENCH_PIDS (stop them with bench_stop_pids).
bench_start_amur_on() {
  local database="$1" port="$2" name="$3"
  shift 3
  "$AMUR" serve --listen "127.0.0.1:$port" --database "$database" \
    --posts-per-minute 0 --allow-duplicates "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  AMUR_PID=$!
  BENCH_PIDS+=("$AMUR_PID")
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
  echo "amur ($name) did not answer on $port:" >&2
  tail -5 "$WORK/$name.err" >&2
  return 1
}

bench_stop_pids() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  BENCH_PIDS=()
}

# A throwaway PostgreSQL server in $WORK/pg on a free loopback port, durable as
# shipped (fsync, synchronous_commit and full_page_writes on), run as the
# postgres user when we are root. Sets PG_URL (no database name).
bench_start_postgres() {
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  PG_AS=()
  mkdir -p "$WORK/pg"
  if [[ $EUID -eq 0 ]]; then
    chown postgres:postgres "$WORK/pg"
    PG_AS=(runuser -u postgres --)
  fi
  "${PG_AS[@]}" "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >/dev/null
  PG_PORT=$(free_port)
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -w -t 60 -l "$WORK/pg/server.log" \
    -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=128MB" \
    start >/dev/null
  PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT"
}

bench_stop_postgres() {
  [[ -n "${PG_URL:-}" ]] || return 0
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast stop >/dev/null 2>&1 || true
  PG_URL=""
}
