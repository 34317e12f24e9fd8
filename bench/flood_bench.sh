#!/usr/bin/env bash
# A normal reader's latency while 10,000 idle connections are held open,
# against the same reader on an idle server, in one run.
#
#   bench/flood_bench.sh [seconds per run, default 10] [idle connections, default 10000] [pairs, default 2]
#   AMUR_BIN=/path/to/amur bench/flood_bench.sh …   (measure another build)
#   AMUR_ARGS="--max-connections 5000" bench/flood_bench.sh …   (more serve flags)
#
# Builds the Release binary, seeds a 200-comment page (50 threads of 4), then
# alternates, `pairs` times:
#   1. wrk reading GET /api/v1/comments?page=…&limit=50 on the idle server
#      (the reference);
#   2. the same while a second process holds N connections open that never
#      send a byte, spread over 127.0.0.2… (200 per address, under the default
#      --max-connections-per-network of 256).
# The server runs with --header-timeout 120, so that the silent connections
# stay for the whole run instead of being closed after 10 s (an attacker would
# open new ones; this keeps the number constant). Prints a Markdown table:
# p50 and p99 of each run, the flood's p99 over the reference's, the server's
# RSS with and without the idle connections, and how many were still open.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${1:-10}"
IDLE="${2:-10000}"
PAIRS="${3:-2}"
THREADS=2
CONNS=32

for p in wrk curl python3; do
  command -v "$p" >/dev/null || { echo "installing $p"; apt-get install -y -qq wrk curl python3 >/dev/null; break; }
done
# Both the server and the holder need more than 10,000 descriptors.
ulimit -n "$(ulimit -Hn)"
if (( $(ulimit -n) < IDLE + 1000 )); then
  echo "the descriptor limit $(ulimit -n) is too low for $IDLE idle connections" >&2
  exit 1
fi
if [[ -n "${AMUR_BIN:-}" ]]; then
  AMUR="$AMUR_BIN"
else
  "$ROOT/scripts/dev.sh" build-release >/dev/null
  AMUR="$ROOT/build/release/amur"
fi

WORK="$(mktemp -d /tmp/amur-flood.XXXXXX)"
cleanup() {
  [[ -n "${HOLDER_PID:-}" ]] && kill "$HOLDER_PID" 2>/dev/null && wait "$HOLDER_PID" 2>/dev/null || true
  [[ -n "${AMUR_PID:-}" ]] && kill "$AMUR_PID" 2>/dev/null && wait "$AMUR_PID" 2>/dev/null || true
  [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

PORT=$(free_port)
"$AMUR" serve --listen "127.0.0.1:$PORT" --database "sqlite:$WORK/amur.db" \
  --posts-per-minute 0 --allow-duplicates --header-timeout 120 ${AMUR_ARGS:-} \
  >"$WORK/amur.out" 2>"$WORK/amur.err" &
AMUR_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

PAGE="/2022/aigun-treaty"
python3 - "$PORT" "$PAGE" <<'PY'
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
QUERY="/api/v1/comments?page=%2F2022%2Faigun-treaty&limit=50"
curl -sf "http://127.0.0.1:$PORT$QUERY" -o /dev/null

# Holds $IDLE silent connections until its stdin closes, then says how many
# the server still had open.
cat >"$WORK/hold.py" <<'PY'
import select, socket, sys
port, n, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
socks = []
for i in range(n):
    s = socket.socket()
    s.bind((f"127.0.{i // 50000}.{2 + (i // 200) % 250}", 0))
    s.connect(("127.0.0.1", port))
    socks.append(s)
open(ready, "w").write(f"held {len(socks)}\n")
sys.stdin.read()
poller = select.poll()  # a closed socket is readable (EOF)
for s in socks:
    poller.register(s, select.POLLIN)
print(len(socks) - len(poller.poll(0)))
PY

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$AMUR_PID/status"; }

# wrk's summary → "rps p50_ms p99_ms"
run_wrk() {
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$@" | tee -a "$WORK/wrk.log" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 }
    END { printf "%s %.3f %.3f\n", rps, p50, p99 }'
}
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }

ROWS=""
for pair in $(seq "$PAIRS"); do
  RSS_IDLE=$(rss_kib)
  read -r I_RPS I_P50 I_P99 < <(run_wrk "http://127.0.0.1:$PORT$QUERY")

  rm -f "$WORK/ready"
  mkfifo "$WORK/stdin.$pair"
  python3 "$WORK/hold.py" "$PORT" "$IDLE" "$WORK/ready" <"$WORK/stdin.$pair" >"$WORK/held.$pair" &
  HOLDER_PID=$!
  exec 3>"$WORK/stdin.$pair"
  for _ in $(seq 600); do [[ -s "$WORK/ready" ]] && break; sleep 0.1; done
  [[ -s "$WORK/ready" ]] || { echo "the holder did not open $IDLE connections" >&2; exit 1; }
  sleep 1
  RSS_FLOOD=$(rss_kib)
  read -r F_RPS F_P50 F_P99 < <(run_wrk "http://127.0.0.1:$PORT$QUERY")
  exec 3>&-
  wait "$HOLDER_PID"; HOLDER_PID=""
  STILL=$(cat "$WORK/held.$pair")
  sleep 1  # the server closes its ends

  ROWS+="| $pair | idle server (reference) | 0 | $I_RPS | $I_P50 | $I_P99 | 1.00 | $((RSS_IDLE / 1024)) |
| $pair | $IDLE idle connections held | $STILL | $F_RPS | $F_P50 | $F_P99 | **$(ratio "$F_P99" "$I_P99")×** | $((RSS_FLOOD / 1024)) |
"
done

cat <<TABLE
machine: $(nproc) cores, $(awk '/model name/ {sub(/.*: /,""); print; exit}' /proc/cpuinfo); wrk -t$THREADS -c$CONNS -d${DURATION}s --latency, GET $QUERY; descriptor limit $(ulimit -n)
server: $(grep -o 'connections: at most.*' "$WORK/amur.err" | head -1)

| pair | run | idle connections open at the end | requests/s | p50 ms | p99 ms | p99 / reference p99 | server RSS MiB |
|---|---|---:|---:|---:|---:|---:|---:|
$ROWS
TABLE
