#!/usr/bin/env bash
# Checks what an example printed for a GPT: the graph it optimized and where it came from,
# a step time that is the sum of its compute and communication times, the peak memory,
# and the strategy of the forward contractions of every layer and of the head.
# Usage: check_example.sh OUTPUT_FILE SOURCE   (SOURCE: "model zoo" or the .cfpg path)
set -euo pipefail
out=$1
source=$2

fail() {
  echo "example output $out: $*" >&2
  cat "$out" >&2
  exit 1
}

grep -q '^libcfp [0-9]' "$out" || fail "no version line"
grep -qF "($source): " "$out" || fail "the graph does not come from $source"
grep -qE '^graph +gpt:.* [0-9]+ ops, [0-9]+ parameters$' "$out" || fail "no graph line"
grep -qE '^peak memory +[0-9]+\.[0-9]{2} MiB per device$' "$out" || fail "no peak memory"
grep -qE '^plan +(proven optimal|best found), [0-9]+ collectives per step$' "$out" || fail "no plan line"
for scope in layers.0.attn layers.0.mlp head; do
  grep -qE "^  $scope +[^ ]+ +.+" "$out" || fail "no strategy for the contractions of $scope"
done

# Step time = compute + communication, to the printed precision (3 decimals of each unit);
# a small model may be planned replicated, with no communication at all.
awk '
  function secs(v, unit) { return unit == "s" ? v : unit == "ms" ? v * 1e-3 : v * 1e-6 }
  /^step time/ {
    found = 1
    step = secs($3, $4); compute = secs($7, $8); comm = secs($11, $12)
    slack = 1e-3 * (secs(1, $4) + secs(1, $8) + secs(1, $12))
    if (step <= 0 || compute <= 0 || comm < 0 || (step - compute - comm) ^ 2 > slack ^ 2) bad = 1
  }
  END { exit !(found && !bad) }
' "$out" || fail "the step time is not compute + communication"
echo "example output checked: $(grep -c '^  ' "$out") forward contractions"
