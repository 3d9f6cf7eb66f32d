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

# The example builds its GPT from the model zoo.
example=$CFP_SOURCE_DIR/examples/java/PlanGpt.java
java -Dcfp.jni.library="$jni" -cp "$jar" "$example" "$CFP_EXAMPLE_SPEC" | tee "$stage/example.out"
bash "$CFP_SOURCE_DIR/bindings/tests/check_example.sh" "$stage/example.out" "model zoo"
