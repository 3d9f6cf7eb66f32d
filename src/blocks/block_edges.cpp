#include "blocks/block_edges.h"

#include <algorithm>
#include <map>

namespace cfp {

std::vector<BlockEdge> BuildBlockEdges(const BlockPartition &blocks, const CostModel &model) {
  const Graph &g = model.graph();
  std::map<std::pair<uint32_t, uint32_t>, BlockEdge> edges;
  auto add = [&](EdgeTerm term) {
    uint32_t u = std::min(term.from_block, term.to_block), v = std::max(term.from_block, term.to_block);
    BlockEdge &e = edges[{u, v}];
    e.u = u;
    e.v = v;
    e.terms.push_back(std::move(term));
  };
  for (uint32_t op = 0; op < g.num_ops(); ++op) {
    const uint32_t b = blocks.block_of_op[op];
    const auto &in = g.op(op).inputs;
    for (uint32_t slot = 0; slot < in.size(); ++slot) {
      const uint32_t t = in[slot];
      const uint32_t from = DecidingBlock(t, blocks, model);
      if (from == b || from == kNoId) continue;
      // A rank-0 graph input has one layout only: sharing it costs nothing and must not
      // tie blocks together (hyper-parameters, shared constants).
      if (g.producer(t) == kNoId && g.tensor(t).shape.empty()) continue;
      bool merged = false;
      for (uint32_t s = 0; s < slot; ++s) merged |= in[s] == t;
      if (merged) continue;  // collected with the first slot below
      EdgeTerm term;
      term.tensor = t;
      term.from_block = from;
      term.to_block = b;
      term.consumer = op;
      for (uint32_t s = slot; s < in.size(); ++s)
        if (in[s] == t) term.slots.push_back(s);
      add(std::move(term));
    }
  }
  for (uint32_t t = 0; t < g.num_tensors(); ++t) {
    int32_t target = model.loop_target(t);
    if (target < 0) continue;
    uint32_t from = DecidingBlock(t, blocks, model), to = DecidingBlock(static_cast<uint32_t>(target), blocks, model);
    if (from == to || from == kNoId || to == kNoId) continue;
    EdgeTerm term;
    term.tensor = t;
    term.from_block = from;
    term.to_block = to;
    term.loop_target = static_cast<uint32_t>(target);
    add(std::move(term));
  }
  std::vector<BlockEdge> out;
  out.reserve(edges.size());
  for (auto &[key, e] : edges) out.push_back(std::move(e));
  return out;
}

double EdgeTermCost(const EdgeTerm &term, const BlockPartition &blocks, const BlockTable &from_table, uint32_t a,
                    const BlockTable &to_table, uint32_t b, const CostModel &model) {
  ShardingSpec have = DecidedSpec(term.tensor, blocks, from_table, a, model);
  if (term.consumer == kNoId) {
    ShardingSpec target = DecidedSpec(term.loop_target, blocks, to_table, b, model);
    return model.ReshardTime(term.tensor, have, target);
  }
  const Strategy &s = model.strategies(term.consumer)[to_table.member_choice[b][blocks.index_in_block[term.consumer]]];
  double cost = 0;
  std::vector<ShardingSpec> seen;
  for (uint32_t slot : term.slots) {
    ShardingSpec need = model.InputSpec(term.consumer, slot, s);
    if (std::find(seen.begin(), seen.end(), need) != seen.end()) continue;
    cost += model.TransferRepeats(term.tensor, term.consumer) * model.ReshardTime(term.tensor, have, need);
    seen.push_back(std::move(need));
  }
  return cost;
}

std::vector<double> EdgeCostMatrix(const BlockEdge &edge, const BlockPartition &blocks, const BlockTable &table_u,
                                   const BlockTable &table_v, const CostModel &model) {
  const uint32_t ku = table_u.size(), kv = table_v.size();
  std::vector<double> cost(static_cast<size_t>(ku) * kv, 0.0);
  for (const EdgeTerm &term : edge.terms) {
    const bool forward = term.from_block == edge.u;
    const BlockTable &from_t = forward ? table_u : table_v;
    const BlockTable &to_t = forward ? table_v : table_u;
    for (uint32_t a = 0; a < ku; ++a)
      for (uint32_t b = 0; b < kv; ++b)
        cost[static_cast<size_t>(a) * kv + b] +=
            forward ? EdgeTermCost(term, blocks, from_t, a, to_t, b, model) : EdgeTermCost(term, blocks, from_t, b, to_t, a, model);
  }
  return cost;
}

}  // namespace cfp
