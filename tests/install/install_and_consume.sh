#!/usr/bin/env bash
# Installs libcfp into a fresh prefix, then builds and runs the two consumer examples the
# way users do: examples/c with pkg-config, examples/cpp with find_package(cfp).
set -euo pipefail
build=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
test -f "$prefix/include/cfp.h"
test -x "$prefix/bin/cfp"
libdir=$(ls -d "$prefix"/lib*/ | head -n1)
libdir=${libdir%/}
test -f "$libdir/pkgconfig/cfp.pc"
test -f "$libdir/cmake/cfp/cfpConfig.cmake"
# Only the C API is exported.
if nm -D --defined-only "$libdir/libcfp.so" | awk '{print $3}' | grep -v '^cfp_' | grep -v '^_' | grep -q .; then
  echo "libcfp exports symbols outside the cfp_ namespace:" >&2
  nm -D --defined-only "$libdir/libcfp.so" | awk '{print $3}' | grep -v '^cfp_' | grep -v '^_' | head >&2
  exit 1
fi
soname=$(objdump -p "$libdir/libcfp.so" | awk '/SONAME/ {print $2}')
case "$soname" in libcfp.so.[0-9]*) ;; *) echo "unexpected SONAME '$soname'" >&2; exit 1 ;; esac

# The installed tool starts from a prefix the loader does not search, on its RUNPATH alone
# ($ORIGIN-relative, so the prefix can move).
if ! objdump -p "$prefix/bin/cfp" | grep -E '(RUNPATH|RPATH) +\$ORIGIN/' >/dev/null; then
  echo "the installed cfp has no \$ORIGIN-relative RUNPATH:" >&2
  objdump -p "$prefix/bin/cfp" | grep -E 'RUNPATH|RPATH' >&2 || true
  exit 1
fi
env -u LD_LIBRARY_PATH "$prefix/bin/cfp" version | grep -q "^cfp "

export PKG_CONFIG_PATH=$libdir/pkgconfig
export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

# C consumer through pkg-config.
cc -std=c11 -Wall -Wextra -Werror -o "$work/example_c" "$src/examples/c/main.c" $(pkg-config --cflags --libs cfp)
"$work/example_c" | tee "$work/c.out"
grep -q "ops: " "$work/c.out"

# C++ consumer through find_package.
cmake -S "$src/examples/cpp" -B "$work/cpp-build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/cpp-build" >/dev/null
"$work/cpp-build/example_cpp" | tee "$work/cpp.out"
grep -q "ops: " "$work/cpp.out"

# The installed tool runs against the installed library.
"$prefix/bin/cfp" version | grep -q "^cfp "
echo "install and consumers OK"
