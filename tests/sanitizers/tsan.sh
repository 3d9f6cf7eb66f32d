#!/usr/bin/env bash
# Builds the API tests with ThreadSanitizer (clang, -O1; preset tsan, directory build-tsan)
# and runs the concurrency tests: optimizations on separate handles from several threads,
# one graph / options / plan shared read-only by several threads, per-thread errors.
#   tests/sanitizers/tsan.sh [ctest args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cmake --preset tsan > /dev/null
cmake --build --preset tsan
# One worker thread per optimization: see cfp_test::TestThreads in tests/support/c_graphs.h.
export CFP_TEST_THREADS=${CFP_TEST_THREADS:-1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/sanitizers/tsan.supp}
ctest --test-dir build-tsan -R 'Concurren|Threads' -j 1 --output-on-failure "$@"
