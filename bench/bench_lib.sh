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
