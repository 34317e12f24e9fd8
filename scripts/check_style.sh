#!/usr/bin/env bash
# The style of what a change touched, so that the tree converges without a
# reformatting commit: clang-format (.clang-format) on the changed lines of
# C++ files, and clang-tidy (.clang-tidy: naming and a few bug-prone checks)
# on the changed lines of the changed .cpp files.
#
#   scripts/check_style.sh [BUILD_DIR]   (BUILD_DIR holds compile_commands.json;
#                                         default build/debug)
#
# The change is the working tree against AMUR_STYLE_BASE, by default the
# previous commit (HEAD~1). Exits non-zero, printing what to fix, when a
# changed line is off.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="${1:-build/debug}"
BASE="${AMUR_STYLE_BASE:-HEAD~1}"

if ! git rev-parse --verify -q "$BASE" >/dev/null; then
  echo "check_style: no base commit $BASE (a shallow clone?); nothing to compare against"
  exit 0
fi
mapfile -t CHANGED < <(git diff --name-only --diff-filter=ACMR "$BASE" -- 'src/*.cpp' 'src/*.hpp' \
  'bench/*.cpp' 'tests/*.cpp' 'tests/*.hpp')
if ((${#CHANGED[@]} == 0)); then
  echo "check_style: no C++ file changed since $BASE"
  exit 0
fi
echo "check_style: ${#CHANGED[@]} C++ file(s) changed since $BASE"

status=0
FORMAT="$(git clang-format --binary clang-format --diff "$BASE" -- "${CHANGED[@]}" 2>&1 || true)"
if [[ -n "$FORMAT" && "$FORMAT" != *"no modified files to format"* &&
      "$FORMAT" != *"did not modify any files"* ]]; then
  echo "check_style: clang-format would change these lines (run: git clang-format $BASE):"
  echo "$FORMAT"
  status=1
fi

if [[ -f "$BUILD/compile_commands.json" ]]; then
  # clang reads GCC's compile commands without GCC's precompiled header and
  # GCC-only warning flags.
  DB="$(mktemp -d)"
  trap 'rm -rf "$DB"' EXIT
  python3 - "$BUILD/compile_commands.json" "$DB/compile_commands.json" <<'PY'
import json, re, sys
cmds = json.load(open(sys.argv[1]))
for c in cmds:
    c["command"] = re.sub(r"-include \S*cmake_pch\.hxx|-Winvalid-pch|-Wno-(restrict|stringop-overflow|stringop-overread|array-bounds)|-fno-sanitize-recover=\S+|-fsanitize=\S+", "", c["command"])
json.dump(cmds, open(sys.argv[2], "w"))
PY
  TIDY="$(git diff -U0 "$BASE" -- "${CHANGED[@]}" |
    clang-tidy-diff -p1 -path "$DB" -j 2 -quiet -iregex '.*\.cpp' 2>&1 || true)"
  if grep -qE "(warning|error):" <<<"$TIDY"; then
    echo "check_style: clang-tidy:"
    grep -E "(warning|error):" -A3 <<<"$TIDY"
    status=1
  fi
else
  echo "check_style: $BUILD/compile_commands.json is missing; clang-tidy skipped"
fi
((status == 0)) && echo "check_style: the changed lines follow .clang-format and .clang-tidy"
exit "$status"
