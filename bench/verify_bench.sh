#!/usr/bin/env bash
# Hash-chain verification speed (issue 13): `amur verify` over PAGES x PER_PAGE
# comments plus one page of BIG comments, and GET /api/v1/pages/verify on that
# big page. References in the same run: reading every link row with the
# sqlite3 shell (the floor for `amur verify`), and GET /api/v1/pages/head on
# the same page (a request that reads one row). Then the thread line: the
# first page of that thread read first after start (checks the whole chain) and
# right after each of 15 new comments (checks only the new link).
#   bench/verify_bench.sh [PAGES [PER_PAGE [BIG]]]     (default 1000 1000 10000)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PAGES="${1:-1000}" PER_PAGE="${2:-1000}" BIG="${3:-10000}"
AMUR="${AMUR_BIN:-$ROOT/build/release/amur}"
if [[ -z "${AMUR_BIN:-}" ]]; then
  cmake -S "$ROOT" -B "$ROOT/build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DAMUR_BUILD_TESTS=OFF -DAMUR_BUILD_BENCH=OFF >/dev/null
  cmake --build "$ROOT/build/release" --target amur >/dev/null
fi
WORK="$(mktemp -d)"
trap 'kill "${PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
DB="$WORK/amur.db"
"$AMUR" verify --database "sqlite:$DB" >/dev/null
python3 "$ROOT/bench/chain_seed.py" "$DB" "$PAGES" "$PER_PAGE" "$BIG"
LINKS=$((PAGES * PER_PAGE + BIG))

now() { date +%s.%N; }
t0=$(now); sqlite3 "$DB" "SELECT * FROM links" >/dev/null; t1=$(now)
"$AMUR" verify --database "sqlite:$DB" | tail -1; t2=$(now)
read_s=$(echo "$t1 - $t0" | bc -l); verify_s=$(echo "$t2 - $t1" | bc -l)
printf 'amur verify: %d links in %.2f s = %.0f links/s; sqlite3 reading every link row: %.2f s; ratio %.2f\n' \
  "$LINKS" "$verify_s" "$(echo "$LINKS / $verify_s" | bc -l)" "$read_s" "$(echo "$verify_s / $read_s" | bc -l)"

"$AMUR" serve --listen 127.0.0.1:0 --database "sqlite:$DB" --posts-per-minute 0 --allow-duplicates \
  >"$WORK/out" 2>&1 &
PID=$!
for _ in $(seq 100); do
  PORT=$(grep -oE '127\.0\.0\.1:[0-9]+' "$WORK/out" | head -1 | cut -d: -f2 || true)
  [[ -n "$PORT" ]] && break
  sleep 0.1
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() {
  for _ in $(seq 30); do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT$1"; done | tail -25 | median
}
# The thread line: the first read of /big's first page after start checks the
# whole chain; a read right after a new comment (which drops the cached
# answers) checks only the new link. Both build the 10,000-comment thread.
THREAD="/api/v1/comments?page=/big&limit=1"
full=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$PORT$THREAD")
curl -s "http://127.0.0.1:$PORT/api/v1/pages/verify?page=/big" | head -c 120; echo
v=$(timeit "/api/v1/pages/verify?page=/big"); h=$(timeit "/api/v1/pages/head?page=/big")
printf '/pages/verify on a %d-comment page: median %.1f ms; /pages/head on it: %.2f ms; ratio %.0f\n' \
  "$BIG" "$(echo "$v * 1000" | bc -l)" "$(echo "$h * 1000" | bc -l)" "$(echo "$v / $h" | bc -l)"

miss() {
  for i in $(seq 15); do
    curl -s -o /dev/null -H 'Content-Type: application/json' \
      -d "{\"page\":\"/big\",\"author_name\":\"Bench\",\"body\":\"one more, number $i\"}" \
      "http://127.0.0.1:$PORT/api/v1/comments"
    sleep 1.2  # the event poll (every second) drops the cached answers
    curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT$THREAD"
  done | median
}
m=$(miss)
curl -s "http://127.0.0.1:$PORT$THREAD" | grep -o '"chain":{[^}]*}'
printf 'thread first page of /big on a cache miss: first after start (whole chain) %.1f ms; after a new comment (median of 15) %.1f ms\n' \
  "$(echo "$full * 1000" | bc -l)" "$(echo "$m * 1000" | bc -l)"
