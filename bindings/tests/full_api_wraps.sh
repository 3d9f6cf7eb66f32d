#!/usr/bin/env bash
# Generates the Java and Go layers for the whole of cfp.h, pending functions included, and
# compiles what can be compiled without them being in libcfp: the C wrappers (warnings are
# errors) and the Java classes; the Go file is checked for syntax. This keeps the typemaps
# for functions that have not landed yet honest.
# Usage: full_api_wraps.sh JNI_INCLUDE_DIR JNI_MD_INCLUDE_DIR   (environment: CFP_SOURCE_DIR)
set -euo pipefail
jni=$1
jni_md=$2
iface=$CFP_SOURCE_DIR/bindings/swig/cfp.i
include=$CFP_SOURCE_DIR/include
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/java/org/cfp/internal" "$work/go" "$work/classes"
swig -DCFP_SWIG_WRAP_PENDING -java -package org.cfp.internal -I"$include" \
  -outdir "$work/java/org/cfp/internal" -o "$work/cfp_java_wrap.c" "$iface"
cc -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter -c -fPIC -I"$include" -I"$jni" -I"$jni_md" \
  "$work/cfp_java_wrap.c" -o "$work/java_wrap.o"
javac -Xlint:all -Werror -d "$work/classes" "$work"/java/org/cfp/internal/*.java

swig -DCFP_SWIG_WRAP_PENDING -go -cgo -intgosize 64 -I"$include" -outdir "$work/go" \
  -o "$work/go/cfp_go_wrap.c" "$iface"
# The wrapper's intgo comes from the cgo preamble; 64-bit as -intgosize says.
cc -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-unused-function -c -I"$include" \
  "$work/go/cfp_go_wrap.c" -o "$work/go_wrap.o"
gofmt -e -l "$work/go/capi.go" > /dev/null

for f in cfp_optimize cfp_plan_tensor_sharding cfp_op_strategy_describe cfp_plan_collective cfp_evaluate; do
  grep -q "$f" "$work/java/org/cfp/internal/CfpNative.java" || { echo "Java layer lacks $f" >&2; exit 1; }
  grep -qi "func ${f}(" "$work/go/capi.go" || { echo "Go layer lacks $f" >&2; exit 1; }
done
echo "whole API wraps for Java and Go"
