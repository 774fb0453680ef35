#!/usr/bin/env bash
# Sets up the machine, then builds and runs the whole test suite twice: the normal build and the
# sanitizer build (ASan + UBSan), then fuzzes every libFuzzer target for PLAINT_FUZZ_SECONDS
# (default 15) seconds each (scripts/fuzz.sh). Exit 0 only if every test passes and fuzzing finds
# nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --sanitize

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
jobs=$(nproc 2>/dev/null || echo 2)

echo "== normal build: all tests"
ctest --preset default -j "$jobs"
echo "== sanitizer build (ASan + UBSan): all tests"
ctest --preset sanitize -j "$jobs"
echo "== fuzzing (libFuzzer + ASan + UBSan, build-fuzz/): every target for a bounded time"
bash scripts/fuzz.sh "${PLAINT_FUZZ_SECONDS:-15}"
