#!/usr/bin/env bash
# Regenerates src/bindings.rs from include/cfp.h with Debian's bindgen (+ libclang1-14).
#   generate.sh           rewrite src/bindings.rs
#   generate.sh --check   regenerate into a temporary file and fail if the committed file
#                         differs (the header changed without regenerating)
# rustfmt, when present, only lays out the file; the check ignores layout, so a machine
# without rustfmt (or with another version) checks the same thing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
committed=$here/src/bindings.rs

generate() {
  bindgen "$root/include/cfp.h" --no-rustfmt-bindings \
    --allowlist-function 'cfp_.*' --allowlist-type 'cfp_.*' --allowlist-var 'CFP_.*' \
    --newtype-enum 'cfp_.*' --no-layout-tests --size_t-is-usize \
    -- -I"$root/include"
}

# The file with all whitespace and the trailing commas rustfmt adds removed, one item per
# line: equal for the same declarations however they were laid out.
normalize() {
  tr -d ' \t\r\n' < "$1" | sed -e 's/,\([])}>]\)/\1/g' -e 's/;/;\n/g' -e 's/}/}\n/g'
}

if [ "${1:-}" = "--check" ]; then
  fresh=$(mktemp)
  trap 'rm -f "$fresh" "$fresh.a" "$fresh.b"' EXIT
  generate > "$fresh"
  normalize "$committed" > "$fresh.a"
  normalize "$fresh" > "$fresh.b"
  if ! diff -u "$fresh.a" "$fresh.b" > /dev/null; then
    echo "bindings/rust/cfp-sys/src/bindings.rs is out of date with include/cfp.h;" >&2
    echo "run bindings/rust/cfp-sys/generate.sh and commit the result. Difference (committed vs fresh):" >&2
    diff -u "$fresh.a" "$fresh.b" | head -n 40 >&2
    exit 1
  fi
  echo "cfp-sys bindings match include/cfp.h"
  exit 0
fi

generate > "$committed.tmp"
if command -v rustfmt > /dev/null; then
  rustfmt --edition 2021 "$committed.tmp"
fi
mv "$committed.tmp" "$committed"
echo "wrote $committed"
