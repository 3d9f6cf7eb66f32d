#!/usr/bin/env bash
# Each schema must evolve compatibly with its last released version: flatc --conform
# fails on removed, renumbered or retyped fields and enum values.
set -euo pipefail
flatc=$1
dir=$2
status=0
for released in "$dir"/released/*.fbs; do
  name=$(basename "$released")
  current="$dir/$name"
  if [ ! -f "$current" ]; then
    echo "schema $name was released but is gone" >&2
    status=1
    continue
  fi
  if ! out=$("$flatc" --conform "$released" "$current" 2>&1) || [ -n "$out" ]; then
    echo "schema $name does not conform to its released version:" >&2
    echo "$out" >&2
    status=1
  else
    echo "schema $name conforms to its released version"
  fi
done
exit $status
