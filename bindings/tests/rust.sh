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

# The example builds its GPT from the model zoo.
cd "$CFP_SOURCE_DIR/examples/rust"
cargo build --offline
"$CARGO_TARGET_DIR/debug/cfp-example" "$CFP_EXAMPLE_SPEC" | tee "$out/example.out"
bash "$CFP_SOURCE_DIR/bindings/tests/check_example.sh" "$out/example.out" "model zoo"
