#!/usr/bin/env bash
# Installs what is missing, builds libcfp and the cfp tool, and runs the main job.
# Usage: bash tools/main.sh [build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
bash "$root/tools/setup.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target cfp_tool
graph="$build/gpt3-175b.cfpg"
"$build/cfp" version
"$build/cfp" model gpt3-175b -o "$graph"
"$build/cfp" inspect "$graph"
