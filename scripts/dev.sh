#!/usr/bin/env bash
# The two commands of the README's quick start, for a fresh Debian 12 machine:
#
#   scripts/dev.sh serve [amur serve flags…]   install what is missing, build
#                                              (Release), run amur serve with
#                                              the demo at http://127.0.0.1:8080/demo
#   scripts/dev.sh test                        install what is missing, build
#                                              (Debug, ASan+UBSan) and the fuzz
#                                              targets (clang), run every test
#   scripts/dev.sh build-fuzz                  build only the fuzz targets
#                                              (build/fuzz; docs/fuzzing.md)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Debian 12 packages the build and the tests need.
BUILD_PACKAGES=(
  g++ cmake ninja-build pkg-config ccache
  libboost1.81-dev libboost-json1.81-dev
  libsqlite3-dev libpq-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libsodium-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev zlib1g-dev libdeflate-dev
  libicu-dev libre2-dev libcurl4-openssl-dev libxml2-dev libssl-dev
)
TEST_PACKAGES=(
  libgtest-dev libgmock-dev libbenchmark-dev python3 sqlite3 curl chromium
  clang-format clang-tidy e2fsprogs clang libclang-rt-14-dev python3-aiosmtpd openssl libxml2-utils
  postgresql nginx wamerican wbritish
)
# The browser tests (tests/e2e) and the CommonMark examples (tests/commonmark)
# run on Node.js with npm; Debian's nodejs (18) and npm (9) are installed only
# where no node or npm is on the PATH already. The npm tools pinned in
# package-lock.json run on Node 18 and newer.
command -v node >/dev/null 2>&1 || TEST_PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || TEST_PACKAGES+=(npm)

install_missing() {
  local missing=()
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]})); then
    echo "dev.sh: installing ${missing[*]}"
    local sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

jobs() { nproc 2>/dev/null || echo 2; }

# The libFuzzer targets of tests/fuzz, built with clang (libFuzzer, ASan and
# UBSan) in build/fuzz; the Debug build's ctest runs them (fuzz.<target>).
build_fuzz() {
  cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DAMUR_BUILD_FUZZ=ON -DAMUR_BUILD_TESTS=OFF \
    -DAMUR_BUILD_BENCH=OFF >/dev/null
  cmake --build build/fuzz -j "$(jobs)"
}

case "${1:-}" in
  serve)
    shift
    install_missing "${BUILD_PACKAGES[@]}"
    # The widget is minified when terser and csso are there (npm ci);
    # otherwise it is served as written, which works the same, only larger.
    if [[ ! -f node_modules/terser/package.json || ! -f node_modules/csso/package.json ]] &&
      command -v npm >/dev/null; then
      PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts >/dev/null 2>&1 ||
        echo "dev.sh: npm ci failed; the widget is served unminified" >&2
    fi
    cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DAMUR_BUILD_TESTS=OFF -DAMUR_BUILD_BENCH=OFF >/dev/null
    cmake --build build/release --target amur -j "$(jobs)"
    exec ./build/release/amur serve "$@"
    ;;
  build-release)
    install_missing "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DAMUR_BUILD_TESTS=OFF -DAMUR_BUILD_BENCH=ON >/dev/null
    cmake --build build/release -j "$(jobs)"
    ;;
  build-fuzz)
    install_missing "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    build_fuzz
    ;;
  test)
    install_missing "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    build_fuzz
    if (($(node -p 'process.versions.node.split(".")[0]') < 18)); then
      echo "dev.sh: the tests need Node.js 18 or newer; found $(node --version)" >&2
      exit 1
    fi
    # playwright-core for the browser tests, terser and csso for the widget, from
    # package-lock.json (before the build, which minifies the widget); it
    # drives Debian's /usr/bin/chromium and never downloads a browser.
    if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
      PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts
    fi
    cmake -S . -B build/debug -G Ninja -DCMAKE_BUILD_TYPE=Debug -DAMUR_SANITIZE=ON \
      -DAMUR_BUILD_TESTS=ON -DAMUR_BUILD_BENCH=ON -DAMUR_FUZZ_BUILD_DIR="$ROOT/build/fuzz" >/dev/null
    cmake --build build/debug -j "$(jobs)"
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    cd build/debug
    exec ctest --output-on-failure -j "$(jobs)" --timeout 900
    ;;
  *)
    echo "usage: scripts/dev.sh serve [flags…] | test | build-fuzz" >&2
    exit 2
    ;;
esac
