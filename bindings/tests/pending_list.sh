#!/usr/bin/env bash
# The pending list at the top of bindings/swig/cfp.i must name exactly the functions cfp.h
# declares and libcfp.so does not export yet: a function that lands must leave the list
# (else the bindings silently lack it), and one that is missing must be on it (else the
# SWIG wrappers do not link).
# Usage: pending_list.sh LIBCFP_SO   (environment: CFP_SOURCE_DIR)
set -euo pipefail
lib=$1
iface=$CFP_SOURCE_DIR/bindings/swig/cfp.i
header=$CFP_SOURCE_DIR/include/cfp.h
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# grep finds nothing when the list is empty, which is not an error here.
sed -n '/BEGIN PENDING/,/END PENDING/p' "$iface" | { grep -oE '%ignore cfp_[a-z0-9_]+' || true; } |
  awk '{print $2}' | sort > "$work/pending"
grep -q 'BEGIN PENDING' "$iface" || { echo "bindings/swig/cfp.i has no BEGIN PENDING marker" >&2; exit 1; }
# Left out for good (the progress callback), not pending.
grep -v '^ *//' "$iface" | sed '/BEGIN PENDING/,/END PENDING/d' | grep -oE '%ignore cfp_[a-z0-9_]+' |
  awk '{print $2}' | sort > "$work/ignored"
grep '^CFP_API' "$header" | grep -oE 'cfp_[a-z0-9_]+\(' | tr -d '(' | sort -u > "$work/declared"
nm -D --defined-only "$lib" | awk '{print $3}' | grep '^cfp_' | sort -u > "$work/exported"

status=0
while read -r f; do
  echo "$f is exported by libcfp now: delete it from the pending list in bindings/swig/cfp.i" >&2
  status=1
done < <(comm -12 "$work/pending" "$work/exported")
while read -r f; do
  echo "$f is on the pending list but not declared in include/cfp.h" >&2
  status=1
done < <(comm -23 "$work/pending" "$work/declared")
while read -r f; do
  echo "$f is declared in include/cfp.h but not exported by libcfp: add it to the pending list" >&2
  status=1
done < <(comm -23 "$work/declared" "$work/exported" | comm -23 - "$work/pending" | comm -23 - "$work/ignored")
if [ $status -eq 0 ]; then
  echo "pending list: $(wc -l < "$work/pending") functions; $(wc -l < "$work/exported") exported and wrapped"
fi
exit $status
