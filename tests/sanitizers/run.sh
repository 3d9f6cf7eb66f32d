#!/usr/bin/env bash
# Builds the unit and API test suites with AddressSanitizer + UndefinedBehaviorSanitizer
# (clang, -O1, assertions on; preset asan-ubsan, directory build-asan) and runs them. Any
# leak, out-of-bounds access, use-after-free or undefined behaviour fails the test.
#   tests/sanitizers/run.sh [ctest args...]     e.g. -R Hostile
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cmake --preset asan-ubsan > /dev/null
cmake --build --preset asan-ubsan
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir build-asan -L 'unit|api' -j 2 --output-on-failure "$@"
