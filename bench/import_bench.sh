#!/usr/bin/env bash
# amur import wordpress on generated WXR files of 100,000 and 1,000,000
# comments (bench/gen_wxr.py): comments per second and peak memory
# (/usr/bin/time -v), against references measured in the same run on the
# same file: `xmllint --stream --noout` (libxml2 parsing alone), `cat FILE >
# /dev/null` (reading it), and the SQLite floor: the sqlite3 shell copying
# the rows the import wrote (pages, comments, links, import_sources) into an
# empty database of the same schema, in one transaction, foreign keys on,
# synchronous=FULL (what writing those rows costs SQLite with no parsing,
# rendering or hashing at all). Issue 11's targets: at least 50,000
# comments/s, peak RSS under 200 MB whatever the file's size.
#
# usage: bench/import_bench.sh [COUNTS…]   (default: 100000 1000000)
#        AMUR_BIN=… to measure another build (default: the Release build)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/bench_lib.sh"
bench_tools xmllint sqlite3
[[ -x /usr/bin/time ]] || apt-get install -y -qq time >/dev/null
bench_amur_binary
WORK="$(mktemp -d /tmp/amur-import-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
COUNTS=("$@")
((${#COUNTS[@]})) || COUNTS=(100000 1000000)

peak_kb() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }
# user + system CPU seconds of a `time -v` report: steadier than wall time on
# a machine others share.
cpu_s() { awk -F': ' '/User time|System time/ {t += $2} END {print t}' "$1"; }
wall_s() { python3 -c 'import sys; print(float(open(sys.argv[1]).read()))' "$1"; }
timed() {  # timed NAME CMD…: wall seconds in $WORK/NAME.s, time -v in $WORK/NAME.tv
  local name="$1"
  shift
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -v "$@" >"$WORK/$name.out" 2>"$WORK/$name.tv"
  t1=$(date +%s.%N)
  python3 -c "print($t1 - $t0)" >"$WORK/$name.s"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024) " MB"}' /proc/meminfo), $(uname -r)"
echo "binary:  $AMUR"
printf '%-10s %8s %9s %11s %8s %12s %8s %10s %9s %7s %12s %6s\n' comments file_MB import_s comments/s cpu_s comments/cpu_s peak_MB xmllint_s xml_cpu_s cat_s sql_floor_cpu load
# An empty database with the schema (an import of a file with no comments).
printf '<?xml version="1.0"?>\n<rss version="2.0"><channel></channel></rss>\n' >"$WORK/empty.xml"
"$AMUR" import wordpress "$WORK/empty.xml" --database "sqlite:$WORK/empty.db" >/dev/null
for n in "${COUNTS[@]}"; do
  python3 "$ROOT/bench/gen_wxr.py" "$n" >"$WORK/in.xml"
  rm -f "$WORK"/amur.db*
  timed cat sh -c 'cat "$1" >/dev/null' cat "$WORK/in.xml"
  timed xmllint xmllint --stream --noout "$WORK/in.xml"
  timed import "$AMUR" import wordpress "$WORK/in.xml" --database "sqlite:$WORK/amur.db"
  # The machine's 1-minute load average as the import ends: others' work
  # inflates the wall time.
  load=$(cut -d' ' -f1 /proc/loadavg)
  grep -q "^written:  $n " "$WORK/import.out" || { cat "$WORK/import.out"; exit 1; }
  rm -f "$WORK"/floor.db*
  cp "$WORK/empty.db" "$WORK/floor.db"
  timed floor sqlite3 "$WORK/floor.db" "PRAGMA cache_size=-65536; PRAGMA synchronous=FULL;
    PRAGMA foreign_keys=ON; ATTACH '$WORK/amur.db' AS src; BEGIN;
    INSERT INTO main.pages SELECT * FROM src.pages;
    INSERT INTO main.comments SELECT * FROM src.comments;
    INSERT INTO main.links SELECT * FROM src.links;
    INSERT INTO main.import_sources SELECT * FROM src.import_sources; COMMIT;"
  rm -f "$WORK"/floor.db*
  imp=$(wall_s "$WORK/import.s")
  cpu=$(cpu_s "$WORK/import.tv")
  printf '%-10s %8.0f %9.2f %11.0f %8.2f %12.0f %8.0f %10.2f %9.2f %7.2f %12.2f %6s\n' "$n" \
    "$(($(stat -c %s "$WORK/in.xml") / 1048576))" "$imp" "$(python3 -c "print($n / $imp)")" \
    "$cpu" "$(python3 -c "print($n / max($cpu, 0.01))")" "$(($(peak_kb "$WORK/import.tv") / 1024))" \
    "$(wall_s "$WORK/xmllint.s")" "$(cpu_s "$WORK/xmllint.tv")" "$(wall_s "$WORK/cat.s")" \
    "$(cpu_s "$WORK/floor.tv")" "$load"
  rm -f "$WORK/in.xml" "$WORK"/amur.db*
done
