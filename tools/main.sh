#!/usr/bin/env bash
# Installs what is missing, builds libcfp and the cfp tool, and runs the main job: the GPT-3
# 175B training step (a micro-batch of 4 sequences of 2048 tokens, 384 micro-batches per step:
# a global batch of 1536) is written as a graph, inspected, and optimized on 64 H200 GPUs
# (8 nodes of 8, a 8x8 mesh) with the analytic cost model.
# Usage: bash tools/main.sh [build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
bash "$root/tools/setup.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target cfp_tool
graph="$build/gpt3-175b.cfpg"
"$build/cfp" version
"$build/cfp" model gpt3-175b:batch=4 -o "$graph"
"$build/cfp" inspect "$graph"
"$build/cfp" optimize "$graph" --mesh 8x8 --device h200 --microbatches 384 --json "$build/gpt3-175b.plan.json"
