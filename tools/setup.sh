#!/usr/bin/env bash
# Installs what building and testing libcfp needs, from Debian's packages. Packages
# already present are not reinstalled; apt-get runs only when something is missing.
#   tools/setup.sh            core build + tests
#   tools/setup.sh --all      also bindings (Java, Go, Rust), benchmarks, MPI, fuzzing
set -euo pipefail

core=(build-essential cmake pkg-config libflatbuffers-dev flatbuffers-compiler flatbuffers-compiler-dev
      libtbb-dev libgtest-dev libbenchmark-dev)
extra=(swig golang-go default-jdk-headless maven libmaven-compiler-plugin-java libmaven-resources-plugin-java
       libmaven-jar-plugin-java libsurefire-java junit4 bindgen libclang1-14 clang coinor-libcbc-dev
       libopenmpi-dev openmpi-bin librsvg2-bin)

want=("${core[@]}")
if [ "${1:-}" = "--all" ]; then
  want+=("${extra[@]}")
  # The Rust bindings need cargo; take Debian's only where no toolchain is installed already.
  command -v cargo > /dev/null || [ -x "${HOME:-/root}/.cargo/bin/cargo" ] || want+=(cargo)
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
