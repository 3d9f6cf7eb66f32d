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

cd "$stage/examples/go"
go build -o "$stage/example" .
"$stage/example" --save "$stage/mlp.cfpg" | tee "$stage/built.out"
"$stage/example" "$stage/mlp.cfpg" | tee "$stage/loaded.out"
grep -q "^built: tiny-mlp, 5 ops, 10 tensors" "$stage/built.out"
grep -q "^loaded $stage/mlp.cfpg: tiny-mlp, 5 ops, 10 tensors" "$stage/loaded.out"
