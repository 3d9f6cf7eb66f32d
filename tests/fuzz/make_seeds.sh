#!/usr/bin/env bash
# Writes seed corpora for the fuzz targets from small model-zoo graphs, with the cfp tool:
#   tests/fuzz/make_seeds.sh <build-dir> <seed-dir>
# <seed-dir>/<target>/ gets graph files (graph_load), builder streams (graph_builder),
# plans (plan_load), spec strings (model_spec) and profile DBs measured on the simulated
# device (profile_db). Seeds are rebuilt, never committed.
set -euo pipefail
build=$(cd "$1" && pwd)
out=$2
cfp="$build/cfp"
writer="$build/tests/fuzz/cfp_fuzz_seed_writer"
rm -rf "$out"
mkdir -p "$out"/{graph_load,graph_builder,plan_load,model_spec,profile_db,graph_shared}

# Small enough to mutate quickly; together they cover every op kind the zoo emits.
specs=(
  "mlp:layers=1,hidden=8,batch=4,optimizer=none"
  "mlp:layers=2,hidden=8,batch=4,optimizer=sgd"
  "gpt:layers=1,hidden=16,heads=2,seq=8,batch=2,vocab=32,optimizer=none"
  "gpt:layers=1,hidden=16,heads=2,seq=8,batch=2,vocab=32,tied=false,optimizer=sgd"
  "llama:layers=1,hidden=16,heads=4,kv_heads=2,seq=8,batch=2,vocab=32,optimizer=none"
  "moe:layers=2,hidden=16,heads=2,ffn=32,seq=8,batch=2,vocab=32,experts=4,top_k=2,optimizer=none"
)
i=0
for spec in "${specs[@]}"; do
  name=$(printf 'zoo%02d' $i)
  "$cfp" model "$spec" -o "$out/graph_load/$name.cfpg" > /dev/null
  "$writer" "$out/graph_load/$name.cfpg" "$out/graph_builder/$name.bin"
  for mesh in 2 2x2; do
    "$cfp" optimize "$out/graph_load/$name.cfpg" --mesh "$mesh" --threads 1 \
      --plan "$out/plan_load/$name-$mesh.cfpp" > /dev/null
  done
  printf '%s' "$spec" > "$out/model_spec/$name.txt"
  # Block times and link calibrations (collectives) of the simulated device.
  CFP_FAKE_DEVICE=1 "$cfp" profile "$out/graph_load/$name.cfpg" --mesh 2 --threads 1 \
    --profile-db "$out/profile_db/$name.cfpdb" > /dev/null 2>&1
  rm -f "$out/profile_db/$name.cfpdb.lock"
  i=$((i + 1))
done
# Presets and preset overrides exercise the other half of the grammar.
for spec in gpt2-small "gpt3-175b:layers=1" "llama2-7b:layers=1,batch=1" "gshard-moe-2.4b:layers=2" \
            "llama:layers=1,rope_theta=500000.5" "gpt:layers=1,dtype=f16"; do
  printf '%s' "$spec" > "$out/model_spec/$(printf 'spec%02d' $i).txt"
  i=$((i + 1))
done
# Recipes for fuzz_graph_shared (the byte layout is in fuzz_graph_shared.cpp): a plain
# two-tensor graph; one tensor with a 128 KB name referenced 2^16 times; one op with a
# 128 KB name, and one with a 256 KB attribute list, referenced 2^16 times; 2^62-element
# tensors under a concatenation and a pad; eight distinct tensors that all name one 64 KB
# string, each referenced 2^14 times.
recipe() {
  local file=$1
  shift
  for byte in "$@"; do printf "\\x$byte"; done > "$out/graph_shared/$file"
}
tensor_pair="02 03 00 00 00 00 00 02 03 00 03 00 00 00"
recipe plain.bin 00 00 00 01 01 $tensor_pair 00 01 00 01 01 00 00 00
recipe shared-tensor.bin 11 00 00 00 00 03 03 00 03 00 00 87
recipe shared-op.bin 11 00 00 01 01 $tensor_pair 00 01 00 01 01 01 00 87
recipe shared-attrs.bin 00 0f 00 01 01 $tensor_pair 00 01 00 01 01 0a 00 00 00 00 87
recipe extreme-dims.bin 00 00 00 03 02 02 0c 06 00 00 00 00 02 0c 06 00 00 00 00 02 03 06 03 00 00 00 \
  02 03 06 03 00 00 00 09 02 00 01 01 02 00 00 00 0a 01 02 01 03 08 00 01 0c 0d 00 00 00
recipe shared-name.bin 10 00 00 07 00 $(for i in 1 2 3 4 5 6 7 8; do printf '03 03 00 03 00 00 85 '; done)
echo "seeds: $(find "$out" -type f | wc -l) files, $(du -sh "$out" | cut -f1) in $out"
