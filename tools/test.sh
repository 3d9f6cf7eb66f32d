#!/usr/bin/env bash
# Installs what is missing, builds everything (library, tool, tests, bindings, benchmarks)
# and runs the whole test suite. Usage: bash tools/test.sh [build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
bash "$root/tools/setup.sh" --all
jobs=$(nproc)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCFP_BUILD_TESTS=ON -DCFP_BUILD_BINDINGS=ON \
      -DCFP_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" --output-on-failure -j "$jobs"
