#!/usr/bin/env bash
# Java binding tests (Maven, offline) and the Java example, against this build tree's libcfp.
# Usage: java.sh LIBCFP_JNI_SO SWIG_JAVA_DIR   (environment: see bindings/CMakeLists.txt)
set -euo pipefail
jni=$(realpath "$1")
swig_dir=$(realpath "$2")
stage=$CFP_BINDINGS_BUILD_DIR/java/stage
# The Maven project is staged beside the generated org.cfp.internal so the source tree
# stays clean.
rm -rf "$stage"
mkdir -p "$stage"
cp -r "$CFP_SOURCE_DIR/bindings/java/." "$stage/"
rm -rf "$stage/target" "$stage/src/main/java/org/cfp/internal"
cp -r "$swig_dir/org/cfp/internal" "$stage/src/main/java/org/cfp/internal"

cd "$stage"
mvn -o -q -s settings.xml -Dmaven.repo.local="$CFP_BINDINGS_BUILD_DIR/java/m2" -Dcfp.jni.library="$jni" package
jar=$stage/target/cfp-0.1.0.jar
test -f "$jar"
for report in target/surefire-reports/*.txt; do
  sed -n 's/^Tests run: .*/&/p' "$report" | head -n1 | sed "s|^|$(basename "$report" .txt): |"
done

example=$CFP_SOURCE_DIR/examples/java/GraphSummary.java
java -Dcfp.jni.library="$jni" -cp "$jar" "$example" --save "$stage/mlp.cfpg" | tee "$stage/built.out"
java -Dcfp.jni.library="$jni" -cp "$jar" "$example" "$stage/mlp.cfpg" | tee "$stage/loaded.out"
grep -q "^built: tiny-mlp, 5 ops, 10 tensors" "$stage/built.out"
grep -q "^loaded $stage/mlp.cfpg: tiny-mlp, 5 ops, 10 tensors" "$stage/loaded.out"
