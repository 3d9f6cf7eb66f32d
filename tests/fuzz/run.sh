#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, preset asan-ubsan), writes seed
# corpora from the model zoo, and runs every target for a bounded time or number of runs.
#
#   tests/fuzz/run.sh                    25 s per target (what CI runs)
#   tests/fuzz/run.sh --time 600         10 minutes per target
#   tests/fuzz/run.sh --runs 1000000     one million executions per target
#   tests/fuzz/run.sh --runs 1000 graph_load plan_load   only these targets
#
# Build directory: $CFP_FUZZ_BUILD (default <repo>/build-asan). The evolving corpus stays
# in <build>/fuzz/corpus/<target> between runs; crashes are written to
# <build>/fuzz/artifacts/ and make the script fail. Reproduce one with
#   <build>/tests/fuzz/fuzz_<target> <artifact>
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${CFP_FUZZ_BUILD:-$root/build-asan}
limit=(-max_total_time=25)
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) limit=(-max_total_time="$2"); shift 2 ;;
    --runs) limit=(-runs="$2"); shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(graph_load graph_builder plan_load model_spec profile_db graph_shared)

set -e
cmake --preset asan-ubsan -B "$build" > /dev/null
cmake --build "$build" -j 2 --target cfp_fuzz
bash "$root/tests/fuzz/make_seeds.sh" "$build" "$build/fuzz/seeds"
set +e

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$build/fuzz/artifacts" "$build/fuzz/logs"
failed=0
summary=""
for t in "${targets[@]}"; do
  corpus="$build/fuzz/corpus/$t"
  log="$build/fuzz/logs/$t.log"
  mkdir -p "$corpus"
  extra=()
  [ -f "$root/tests/fuzz/$t.dict" ] && extra+=(-dict="$root/tests/fuzz/$t.dict")
  # Short programs build small graphs quickly; specs are short strings.
  case "$t" in
    graph_builder) extra+=(-max_len=8192) ;;
    model_spec) extra+=(-max_len=256) ;;
    # Recipes for buffers that share tables: the decode bound must keep each one small.
    graph_shared) extra+=(-max_len=1024 -rss_limit_mb=1024) ;;
  esac
  echo "== fuzz_$t ${limit[*]}"
  start=$(date +%s)
  # -timeout: an input that takes 10 s is a finding (a hang), not something to wait out.
  "$build/tests/fuzz/fuzz_$t" "${limit[@]}" -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz/artifacts/$t-" "${extra[@]}" "$corpus" "$build/fuzz/seeds/$t" > "$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  line=$(printf '%-14s %10s executions  %5s s  coverage %5s  corpus %5s files' "$t" "${runs:-?}" "$secs" "${cov:-?}" \
         "$(find "$corpus" -type f | wc -l)")
  if [ $rc -ne 0 ]; then
    failed=1
    line="$line  FAILED (rc $rc, see $log)"
    tail -40 "$log"
  fi
  echo "$line"
  summary+="$line"$'\n'
done
echo
echo "fuzz summary:"
printf '%s' "$summary"
exit $failed
