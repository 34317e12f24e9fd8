#!/usr/bin/env bash
# ctest's commonmark.spec: writes the CommonMark spec's examples from npm
# commonmark-spec (root package-lock.json; `npm ci` at the root installs it)
# as JSON with node, then runs the conformance test binary given as $2.
#
#   tests/commonmark/run_conformance_test.sh NODE build/debug/tests/amur_commonmark_conformance_test OUT.json
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NODE="$1"
BINARY="$2"
OUT="$3"

if [[ ! -f "$HERE/../../node_modules/commonmark-spec/spec.txt" ]]; then
  echo "run_conformance_test.sh: node_modules/commonmark-spec is missing (npm ci at the root)" >&2
  exit 1
fi
"$NODE" "$HERE/export_spec_examples.mjs" "$OUT"
AMUR_COMMONMARK_EXAMPLES="$OUT" exec "$BINARY"
