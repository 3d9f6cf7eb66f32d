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
  for (uint32_t t = 0; t < g.num_tensors(); ++t) {
    const uint32_t from = DecidingBlock(t, blocks, model);
    if (from == kNoId) continue;
    // A rank-0 graph input has one layout only: sharing it costs nothing and must not
    // tie blocks together (hyper-parameters, shared constants).
    if (g.producer(t) == kNoId && g.tensor(t).shape.empty()) continue;
    for (const CostModel::ReadGroup &group : model.read_groups(t)) {
      if (group.block == from) continue;
      EdgeTerm term;
      term.tensor = t;
      term.from_block = from;
      term.to_block = group.block;
      term.reads = group.reads;
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

namespace {

// The distinct values a term's side takes over a block's rows: index[row] into values.
template <class T>
struct Distinct {
  std::vector<T> values;
  std::vector<uint32_t> index;
  void Add(T v) {
    auto it = std::find(values.begin(), values.end(), v);
    index.push_back(static_cast<uint32_t>(it - values.begin()));
    if (it == values.end()) values.push_back(std::move(v));
  }
};

// What the reading side of a term needs at row `b`: the layout each read needs, or for a
// next value stored back, its state's layout.
std::vector<ShardingSpec> Needs(const EdgeTerm &term, const BlockPartition &blocks, const BlockTable &to_table, uint32_t b,
                                const CostModel &model) {
  if (term.reads.empty()) return {DecidedSpec(term.loop_target, blocks, to_table, b, model)};
  std::vector<ShardingSpec> needs;
  needs.reserve(term.reads.size());
  for (const TensorRead &r : term.reads) {
    const Strategy &s = model.strategies(r.op)[to_table.member_choice[b][blocks.index_in_block[r.op]]];
    needs.push_back(model.InputSpec(r.op, r.slot, s));
  }
  return needs;
}

StepCost PriceTerm(const EdgeTerm &term, const ShardingSpec &have, const std::vector<ShardingSpec> &needs,
                   const CostModel &model) {
  if (term.reads.empty()) {
    StepCost c;
    c.comm = model.ReshardTime(term.tensor, have, needs.front());
    return c;
  }
  return model.PriceReadTransfers(term.tensor, have, model.ReadTransfers(term.tensor, have, term.reads, needs));
}

}  // namespace

EdgeMatrix EdgeCostMatrix(const BlockEdge &edge, const BlockPartition &blocks, const BlockTable &table_u,
                          const BlockTable &table_v, const CostModel &model) {
  const uint32_t ku = table_u.size(), kv = table_v.size();
  EdgeMatrix m;
  m.cost.assign(static_cast<size_t>(ku) * kv, 0.0);
  std::vector<double> mem(m.cost.size(), 0.0);
  bool any_mem = false;
  for (const EdgeTerm &term : edge.terms) {
    const bool forward = term.from_block == edge.u;
    const BlockTable &from_t = forward ? table_u : table_v;
    const BlockTable &to_t = forward ? table_v : table_u;
    // Rows mostly differ where this tensor does not: price each distinct pair of sides once.
    Distinct<ShardingSpec> haves;
    for (uint32_t a = 0; a < from_t.size(); ++a) haves.Add(DecidedSpec(term.tensor, blocks, from_t, a, model));
    Distinct<std::vector<ShardingSpec>> needs;
    for (uint32_t b = 0; b < to_t.size(); ++b) needs.Add(Needs(term, blocks, to_t, b, model));
    std::vector<StepCost> priced(haves.values.size() * needs.values.size());
    for (size_t h = 0; h < haves.values.size(); ++h)
      for (size_t n = 0; n < needs.values.size(); ++n)
        priced[h * needs.values.size() + n] = PriceTerm(term, haves.values[h], needs.values[n], model);
    for (uint32_t a = 0; a < ku; ++a)
      for (uint32_t b = 0; b < kv; ++b) {
        const uint32_t from_row = forward ? a : b, to_row = forward ? b : a;
        const StepCost &c = priced[haves.index[from_row] * needs.values.size() + needs.index[to_row]];
        const size_t i = static_cast<size_t>(a) * kv + b;
        m.cost[i] += c.comm;
        mem[i] += c.memory;
        any_mem |= c.memory != 0;
      }
  }
  if (any_mem) m.mem = std::move(mem);
  return m;
}

}  // namespace cfp
