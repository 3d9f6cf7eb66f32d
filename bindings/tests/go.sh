#!/usr/bin/env bash
# Go binding tests and the Go example, against this build tree's libcfp.
# Usage: go.sh SWIG_GO_DIR   (environment: see bindings/CMakeLists.txt)
set -euo pipefail
swig_dir=$(realpath "$1")
stage=$CFP_BINDINGS_BUILD_DIR/go/stage
# The package is staged beside its generated capi/ so the source tree stays clean.
rm -rf "$stage"
mkdir -p "$stage/bindings" "$stage/examples"
cp -r "$CFP_SOURCE_DIR/bindings/go" "$stage/bindings/go"
cp -r "$CFP_SOURCE_DIR/examples/go" "$stage/examples/go"
rm -rf "$stage/bindings/go/internal/capi"
mkdir -p "$stage/bindings/go/internal/capi"
cp "$swig_dir/capi.go" "$swig_dir/cfp_go_wrap.c" "$stage/bindings/go/internal/capi/"

export GOPROXY=off GOFLAGS=-mod=mod GO111MODULE=on
if [ -z "${HOME:-}" ] || [ ! -w "${HOME:-/nonexistent}" ]; then
  export GOCACHE=$CFP_BINDINGS_BUILD_DIR/go/cache GOPATH=$CFP_BINDINGS_BUILD_DIR/go/path
fi

cd "$stage/bindings/go"
# The SWIG-generated internal/capi trips vet's cgo heuristics by design; vet the package itself.
go vet .
go test -race -count=1 ./...

# The example optimizes a graph file written by the cfp tool.
cd "$stage/examples/go"
go vet .
go build -o "$stage/example" .
"$CFP_TOOL" model "$CFP_EXAMPLE_SPEC" -o "$stage/gpt.cfpg"
"$stage/example" --graph "$stage/gpt.cfpg" | tee "$stage/example.out"
bash "$CFP_SOURCE_DIR/bindings/tests/check_example.sh" "$stage/example.out" "$stage/gpt.cfpg"
