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

source "$ROOT/bench/bench_lib.sh"
bench_tools wrk curl python3
# Both the server and the holder need more than 10,000 descriptors.
ulimit -n "$(ulimit -Hn)"
if (( $(ulimit -n) < IDLE + 1000 )); then
  echo "the descriptor limit $(ulimit -n) is too low for $IDLE idle connections" >&2
  exit 1
fi
bench_amur_binary

WORK="$(mktemp -d /tmp/amur-flood.XXXXXX)"
cleanup() {
  [[ -n "${HOLDER_PID:-}" ]] && kill "$HOLDER_PID" 2>/dev/null && wait "$HOLDER_PID" 2>/dev/null || true
  [[ -n "${AMUR_PID:-}" ]] && kill "$AMUR_PID" 2>/dev/null && wait "$AMUR_PID" 2>/dev/null || true
  [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(free_port)
# shellcheck disable=SC2086  # AMUR_ARGS is a list of flags
bench_start_amur "$PORT" --header-timeout 120 ${AMUR_ARGS:-}

PAGE="/2022/aigun-treaty"
bench_seed_treaty_page "$PORT" "$PAGE"
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
machine: $(machine); wrk -t$THREADS -c$CONNS -d${DURATION}s --latency, GET $QUERY; descriptor limit $(ulimit -n)
server: $(grep -o 'connections: at most.*' "$WORK/amur.err" | head -1)

| pair | run | idle connections open at the end | requests/s | p50 ms | p99 ms | p99 / reference p99 | server RSS MiB |
|---|---|---:|---:|---:|---:|---:|---:|
$ROWS
TABLE
