#include "segments/fingerprint.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <unordered_map>

#include "blocks/block_costs.h"
#include "util/hash.h"

namespace cfp {

uint64_t HashAttrs(const OpAttrs &a) {
  Hasher h;
  for (const auto *v : {&a.dims, &a.lhs_batch, &a.rhs_batch, &a.lhs_contract, &a.rhs_contract, &a.starts, &a.limits,
                        &a.pad_low, &a.pad_high}) {
    h.Add(v->size());
    for (int64_t x : *v) h.Add(static_cast<uint64_t>(x));
  }
  h.Add(static_cast<uint64_t>(a.axis)).Add(static_cast<uint64_t>(a.comparison)).AddDouble(a.pad_value);
  h.AddDouble(a.flops_per_point).AddString(a.custom_name);
  return h.value();
}

namespace {

void HashTensor(Hasher &h, const Tensor &t) {
  h.Add(static_cast<uint64_t>(t.dtype)).Add(static_cast<uint64_t>(t.role)).Add(t.shape.size());
  for (int64_t d : t.shape) h.Add(static_cast<uint64_t>(d));
}

uint64_t FingerprintBlock(const Block &block, const BlockPartition &blocks, const CostModel &model, uint32_t self) {
  const Graph &g = model.graph();
  Hasher h;
  h.Add(static_cast<uint64_t>(block.kind)).Add(block.members.size());
  auto member_index = [&](uint32_t op) -> uint64_t {
    return blocks.block_of_op[op] == self ? blocks.index_in_block[op] : UINT64_MAX;
  };
  auto source = [&](uint32_t t) {
    // Where an in-block operand comes from: a member's output, the parameter root, or outside.
    uint32_t prod = g.producer(t);
    if (prod != kNoId && blocks.block_of_op[prod] == self) {
      const auto &outs = g.op(prod).outputs;
      h.Add(1).Add(member_index(prod)).Add(static_cast<uint64_t>(std::find(outs.begin(), outs.end(), t) - outs.begin()));
    } else if (t == block.entry_tensor) {
      h.Add(2);
    } else if (prod == kNoId) {
      h.Add(3).Add(model.storage_op(t) != kNoId && blocks.block_of_op[model.storage_op(t)] == self
                       ? member_index(model.storage_op(t)) * 64 + model.storage_slot(t)
                       : UINT64_MAX);
    } else {
      h.Add(4);
    }
    HashTensor(h, g.tensor(t));
    h.Add(model.resident(t));
    // The gradient link, when it points at a tensor this block decides.
    int32_t fwd = g.tensor(t).gradient_of;
    if (fwd >= 0 && DecidingBlock(static_cast<uint32_t>(fwd), blocks, model) == self) {
      uint32_t fp = g.producer(static_cast<uint32_t>(fwd));
      h.Add(5).Add(fp == kNoId ? UINT64_MAX : member_index(fp));
    }
    int32_t target = model.loop_target(t);
    if (target >= 0) h.Add(6).Add(DecidingBlock(static_cast<uint32_t>(target), blocks, model) == self);
  };
  if (block.entry_tensor != kNoId) HashTensor(h, g.tensor(block.entry_tensor));
  for (uint32_t op : block.members) {
    const Op &o = g.op(op);
    h.Add(static_cast<uint64_t>(o.kind)).Add(static_cast<uint64_t>(o.phase));
    h.Add(std::find(block.entries.begin(), block.entries.end(), op) != block.entries.end());
    h.Add(HashAttrs(o.attrs)).Add(g.space(op).Hash());
    h.Add(o.inputs.size());
    for (uint32_t t : o.inputs) source(t);
    h.Add(o.outputs.size());
    for (uint32_t t : o.outputs) {
      HashTensor(h, g.tensor(t));
      h.Add(model.resident(t)).Add(model.final_result(t));
      int32_t target = model.loop_target(t);
      h.Add(target >= 0 && DecidingBlock(static_cast<uint32_t>(target), blocks, model) == self
                ? member_index(model.storage_op(static_cast<uint32_t>(target)))
                : UINT64_MAX);
    }
  }
  return h.value();
}

}  // namespace

std::vector<uint64_t> FingerprintBlocks(const BlockPartition &blocks, const CostModel &model) {
  std::vector<uint64_t> fp(blocks.blocks.size());
  tbb::parallel_for(size_t{0}, blocks.blocks.size(), [&](size_t b) {
    fp[b] = FingerprintBlock(blocks.blocks[b], blocks, model, static_cast<uint32_t>(b));
  });
  return fp;
}

BlockTypes GroupBlockTypes(const BlockPartition &blocks, const CostModel &model) {
  BlockTypes types;
  types.fingerprint = FingerprintBlocks(blocks, model);
  types.type_of_block.resize(blocks.blocks.size());
  std::unordered_map<uint64_t, uint32_t> type_of;
  for (uint32_t b = 0; b < blocks.blocks.size(); ++b) {
    auto [it, inserted] = type_of.try_emplace(types.fingerprint[b], types.size());
    if (inserted) types.instances.emplace_back();
    types.instances[it->second].push_back(b);
    types.type_of_block[b] = it->second;
  }
  return types;
}

}  // namespace cfp
