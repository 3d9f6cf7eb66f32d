#!/usr/bin/env bash
# Rust crate tests (cargo, offline, no crates.io dependencies) and the Rust example,
# against this build tree's libcfp.
# Usage: rust.sh CARGO   (environment: see bindings/CMakeLists.txt)
set -euo pipefail
PATH=$(dirname "$1"):$PATH
out=$CFP_BINDINGS_BUILD_DIR/rust
mkdir -p "$out"
# One target directory for the crates and the example, inside the build tree.
export CARGO_TARGET_DIR=$out/target

cd "$CFP_SOURCE_DIR/bindings/rust"
cargo test --offline --workspace

cd "$CFP_SOURCE_DIR/examples/rust"
cargo build --offline
example=$CARGO_TARGET_DIR/debug/cfp-example
"$example" --save "$out/mlp.cfpg" | tee "$out/built.out"
"$example" "$out/mlp.cfpg" | tee "$out/loaded.out"
grep -q "^built: tiny-mlp, 5 ops, 10 tensors" "$out/built.out"
grep -q "^loaded $out/mlp.cfpg: tiny-mlp, 5 ops, 10 tensors" "$out/loaded.out"
