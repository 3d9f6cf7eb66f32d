#include "blocks/block_costs.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <unordered_map>

namespace cfp {

std::vector<Strategy> EntryStrategies(const Block &block, const CostModel &model) {
  if (block.entry_op != kNoId) return model.strategies(block.entry_op);
  const Tensor &p = model.graph().tensor(block.entry_tensor);
  return EnumerateStrategies(IdentitySpace(p.shape), false, model.mesh(), StrategyRules{});
}

uint32_t DecidingBlock(uint32_t tensor, const BlockPartition &blocks, const CostModel &model) {
  uint32_t prod = model.graph().producer(tensor);
  if (prod != kNoId) return blocks.block_of_op[prod];
  uint32_t store = model.storage_op(tensor);
  return store == kNoId ? kNoId : blocks.block_of_op[store];
}

namespace {

uint32_t SlotOf(const std::vector<uint32_t> &v, uint32_t t) {
  return static_cast<uint32_t>(std::find(v.begin(), v.end(), t) - v.begin());
}

// A small map from tensor id to layout, for the tensors of one block.
class Layouts {
 public:
  void Set(uint32_t t, ShardingSpec s) { map_.insert_or_assign(t, std::move(s)); }
  const ShardingSpec *Get(uint32_t t) const {
    auto it = map_.find(t);
    return it == map_.end() ? nullptr : &it->second;
  }

 private:
  // Hashed: a block can hold a long chain of followers (only looked up, never iterated).
  std::unordered_map<uint32_t, ShardingSpec> map_;
};

// Whether `need` is what a reduce-scatter makes of the pending sum `have`: its summed
// layout with each pending mesh axis splitting a dim (innermost).
bool IsScatterOf(const ShardingSpec &need, const ShardingSpec &have) {
  if (!have.partial || need.partial || need.dims.size() != have.dims.size()) return false;
  int scattered = 0;
  for (size_t d = 0; d < need.dims.size(); ++d) {
    const DimSharding &n = need.dims[d], &h = have.dims[d];
    if (n.count < h.count) return false;
    for (uint8_t i = 0; i < n.count; ++i) {
      if (i < h.count ? n.axes[i] != h.axes[i] : !have.IsPartial(n.axes[i])) return false;
      scattered += i >= h.count;
    }
  }
  return scattered == std::popcount(have.partial);
}

// How a member chooses among the strategies that receive its inputs without communication.
enum class Follow : uint8_t {
  LeastCompute,  // the cheapest locally
  Propagate,     // the least split, then the cheapest
  CarrySums,     // the cheapest locally, carrying pending sums through linear ops
};

// Orders two candidates under `rule`: by devices the work is split over (Propagate only),
// then by cost.
bool Better(Follow rule, uint64_t shards, double cost, uint64_t best_shards, double best_cost) {
  if (rule == Follow::Propagate && shards != best_shards) return shards < best_shards;
  return cost < best_cost;
}

// The candidate that receives the given layouts without communication, chosen by `rule`;
// if none does, the one with least resharding plus compute. Ties: lowest index.
// A pending sum is received in its summed layout (an all-reduce) or reduce-scattered onto a
// dim (Megatron's sequence parallelism after a row-parallel product). Under least compute
// the scattered candidate wins only where its compute and reduce-scatter save more than an
// all-gather back to the summed layout would cost: small tensors are not split for nothing.
// Under propagation the summed one wins: it splits less.
uint32_t FollowInputs(const CostModel &model, uint32_t op, const std::vector<std::pair<uint32_t, ShardingSpec>> &given,
                      Follow rule) {
  const auto &cands = model.strategies(op);
  const auto &inputs = model.graph().op(op).inputs;
  const double repeats = model.Repeats(op);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double best_summed = kInf, best_scattered = kInf, best_any = kInf;
  uint64_t shards_summed = UINT64_MAX, shards_scattered = UINT64_MAX;
  uint32_t pick_summed = UINT32_MAX, pick_scattered = UINT32_MAX, pick_any = 0;
  for (uint32_t c = 0; c < cands.size(); ++c) {
    if (cands[c].HasPending() && rule != Follow::CarrySums) continue;
    const double compute = model.AnalyticComputeTime(op, cands[c]);
    const uint64_t shards = WorkShards(cands[c], model.mesh());
    double reduce = 0, back = 0, reshard = 0;
    bool scattered = false, exact = true;
    for (const auto &[slot, spec] : given) {
      const ShardingSpec need = model.InputSpec(op, slot, cands[c]);
      if (need == spec) continue;
      const uint32_t t = inputs[slot];
      if (spec.partial && need == Summed(spec)) {
        reduce += repeats * model.ReshardTime(t, spec, need);
      } else if (IsScatterOf(need, spec)) {
        scattered = true;
        reduce += repeats * model.ReshardTime(t, spec, need);
        back += repeats * model.ReshardTime(t, need, Summed(spec));
      } else {
        exact = false;
        if (pick_summed == UINT32_MAX && pick_scattered == UINT32_MAX)
          reshard += repeats * model.ReshardTime(t, spec, need);
      }
    }
    if (exact && !scattered) {
      if (pick_summed == UINT32_MAX || Better(rule, shards, compute + reduce, shards_summed, best_summed)) {
        best_summed = compute + reduce;
        shards_summed = shards;
        pick_summed = c;
      }
    } else if (exact && scattered) {
      if (pick_scattered == UINT32_MAX || Better(rule, shards, compute + reduce + back, shards_scattered, best_scattered)) {
        best_scattered = compute + reduce + back;
        shards_scattered = shards;
        pick_scattered = c;
      }
    } else if (!exact && !cands[c].HasPending() && compute + reduce + reshard < best_any) {
      best_any = compute + reduce + reshard;
      pick_any = c;
    }
  }
  if (rule != Follow::Propagate && pick_scattered != UINT32_MAX && best_scattered < best_summed) return pick_scattered;
  if (pick_summed != UINT32_MAX) return pick_summed;
  if (pick_scattered != UINT32_MAX) return pick_scattered;
  return pick_any;
}

// The candidate whose outputs already have the layouts the consumers want, chosen by
// `rule`; if none, least resharding plus compute. Ties: lowest index.
uint32_t ServeConsumers(const CostModel &model, uint32_t op, const std::vector<std::pair<uint32_t, ShardingSpec>> &wanted,
                        Follow rule) {
  const auto &cands = model.strategies(op);
  const auto &outs = model.graph().op(op).outputs;
  double best_exact = std::numeric_limits<double>::infinity();
  double best_any = std::numeric_limits<double>::infinity();
  uint64_t shards_exact = UINT64_MAX;
  uint32_t pick_exact = UINT32_MAX, pick_any = 0;
  for (uint32_t c = 0; c < cands.size(); ++c) {
    if (cands[c].HasPending() && rule != Follow::CarrySums) continue;
    const double compute = model.AnalyticComputeTime(op, cands[c]);
    const uint64_t shards = WorkShards(cands[c], model.mesh());
    double reshard = 0;
    bool exact = true;
    for (const auto &[j, need] : wanted) {
      ShardingSpec have = model.OutputSpec(op, j, cands[c]);
      if (have == need) continue;
      exact = false;
      if (pick_exact != UINT32_MAX) break;
      reshard += model.Repeats(op) * model.ReshardTime(outs[j], have, need);
    }
    if (exact) {
      if (pick_exact == UINT32_MAX || Better(rule, shards, compute, shards_exact, best_exact)) {
        best_exact = compute;
        shards_exact = shards;
        pick_exact = c;
      }
    } else if (pick_exact == UINT32_MAX && !cands[c].HasPending() && compute + reshard < best_any) {
      best_any = compute + reshard;
      pick_any = c;
    }
  }
  return pick_exact != UINT32_MAX ? pick_exact : pick_any;
}

}  // namespace

ShardingSpec DecidedSpec(uint32_t tensor, const BlockPartition &blocks, const BlockTable &table, uint32_t k,
                         const CostModel &model) {
  const Graph &g = model.graph();
  uint32_t prod = g.producer(tensor);
  if (prod != kNoId) {
    uint32_t i = blocks.index_in_block[prod];
    return model.OutputSpec(prod, SlotOf(g.op(prod).outputs, tensor), model.strategies(prod)[table.member_choice[k][i]]);
  }
  uint32_t store = model.storage_op(tensor);
  uint32_t i = blocks.index_in_block[store];
  return model.InputSpec(store, model.storage_slot(tensor), model.strategies(store)[table.member_choice[k][i]]);
}

namespace {

// A gradient contraction of forward contraction `fwd` has the same loop nest with other
// roles (dX = dY·Wᵀ, dW = Xᵀ·dY): its axes correspond to `fwd`'s through the tensors they
// share (a forward operand, or the gradient of one, dim by dim). Returns the strategy index
// of `bwd` that splits the corresponding axes as `s` splits `fwd`'s, or UINT32_MAX where
// the correspondence is incomplete or that strategy is not valid for `bwd`.
uint32_t PartnerStrategy(const CostModel &model, uint32_t bwd, uint32_t fwd, const Strategy &s) {
  const Graph &g = model.graph();
  const IterationSpace &fs = g.space(fwd), &bs = g.space(bwd);
  const Op &f = g.op(fwd), &b = g.op(bwd);
  auto operands = [](const Op &o) {
    std::vector<uint32_t> all(o.inputs);
    all.insert(all.end(), o.outputs.begin(), o.outputs.end());
    return all;
  };
  const std::vector<uint32_t> fwd_tensors = operands(f), bwd_tensors = operands(b);
  if (fwd_tensors.size() != fs.num_operands() || bwd_tensors.size() != bs.num_operands()) return UINT32_MAX;
  std::vector<int32_t> axis_map(fs.num_axes(), -1);
  for (uint32_t bo = 0; bo < bwd_tensors.size(); ++bo) {
    const uint32_t t = bwd_tensors[bo];
    const int32_t grad_of = g.tensor(t).gradient_of;
    for (uint32_t fo = 0; fo < fwd_tensors.size(); ++fo) {
      const uint32_t u = fwd_tensors[fo];
      if (u != t && static_cast<int64_t>(u) != grad_of) continue;
      if (fs.Rank(fo) != bs.Rank(bo)) return UINT32_MAX;
      for (uint32_t d = 0; d < fs.Rank(fo); ++d) {
        auto fa = fs.DimAxes(fo, d), ba = bs.DimAxes(bo, d);
        if (fa.size() != ba.size()) return UINT32_MAX;
        for (size_t i = 0; i < fa.size(); ++i) {
          if (axis_map[fa[i]] >= 0 && axis_map[fa[i]] != static_cast<int32_t>(ba[i])) return UINT32_MAX;
          axis_map[fa[i]] = static_cast<int32_t>(ba[i]);
        }
      }
    }
  }
  Strategy mapped;
  for (int m = 0; m < kMaxMeshAxes; ++m) {
    if (s.axis_of[m] == Strategy::kNone) continue;
    if (!s.Splits(m)) return UINT32_MAX;  // a contraction carries no pending sum
    const int32_t a = axis_map[s.axis_of[m]];
    if (a < 0) return UINT32_MAX;
    mapped.axis_of[m] = static_cast<int16_t>(a);
  }
  const auto &cands = model.strategies(bwd);
  const auto it = std::find(cands.begin(), cands.end(), mapped);
  return it == cands.end() ? UINT32_MAX : static_cast<uint32_t>(it - cands.begin());
}

// The strategy of every member when the entry takes strategy k, `entry`, as CostBlock says.
std::vector<uint32_t> FollowEntry(const Block &block, const BlockPartition &blocks, const CostModel &model,
                                  uint32_t k, const Strategy &entry, Follow rule, RunControl *control) {
  const Graph &g = model.graph();
  const uint32_t self = blocks.block_of_op[block.members.front()];
  const uint32_t n = static_cast<uint32_t>(block.members.size());
  std::vector<uint32_t> choice(n, 0);
  Layouts known;
  if (block.entry_tensor != kNoId) {
    const Tensor &p = g.tensor(block.entry_tensor);
    known.Set(block.entry_tensor, OperandSpec(IdentitySpace(p.shape), 0, entry, model.mesh().num_axes()));
  }
  // Pass 1, topological: members that receive a layout the block decided (or, for a
  // gradient, expects) follow it. Members that receive none are deferred.
  std::vector<uint8_t> deferred(n, 0);
  for (uint32_t i = 0; i < n; ++i) {
    if (StopRequested(control, i)) return choice;
    const uint32_t op = block.members[i];
    const Op &o = g.op(op);
    const auto &cands = model.strategies(op);
    uint32_t pick = k;
    if (std::find(block.entries.begin(), block.entries.end(), op) == block.entries.end()) {
      std::vector<std::pair<uint32_t, ShardingSpec>> given;
      for (uint32_t slot = 0; slot < o.inputs.size(); ++slot) {
        uint32_t t = o.inputs[slot];
        if (const ShardingSpec *spec = known.Get(t)) {
          given.emplace_back(slot, *spec);
        } else if (int32_t fwd = g.tensor(t).gradient_of; fwd >= 0) {
          if (const ShardingSpec *f = known.Get(static_cast<uint32_t>(fwd));
              f && g.tensor(fwd).shape == g.tensor(t).shape)
            given.emplace_back(slot, Summed(*f));
        }
      }
      // Backward partners (docs/design.md §5.3): a gradient contraction of an entry takes the
      // entry's strategy, mapped onto its own axes.
      pick = UINT32_MAX;
      if (o.grad_of >= 0 && IsContraction(o.kind) &&
          std::find(block.entries.begin(), block.entries.end(), static_cast<uint32_t>(o.grad_of)) != block.entries.end())
        pick = PartnerStrategy(model, op, static_cast<uint32_t>(o.grad_of), model.strategies(o.grad_of)[k]);
      if (pick == UINT32_MAX) {
        if (given.empty()) {
          deferred[i] = 1;
          continue;
        }
        pick = FollowInputs(model, op, given, rule);
      }
    }
    choice[i] = pick;
    for (uint32_t j = 0; j < o.outputs.size(); ++j) known.Set(o.outputs[j], model.OutputSpec(op, j, cands[pick]));
  }
  // Pass 2, reverse topological: deferred members (a bias broadcast, a mask, a weight's
  // transpose) produce what their consumers in the block need.
  for (uint32_t i = n; i-- > 0;) {
    if (StopRequested(control, i)) return choice;
    if (!deferred[i]) continue;
    const uint32_t op = block.members[i];
    std::vector<std::pair<uint32_t, ShardingSpec>> wanted;  // (output slot, layout needed)
    const auto &outs = g.op(op).outputs;
    for (uint32_t j = 0; j < outs.size(); ++j)
      for (uint32_t c : g.consumers(outs[j])) {
        if (blocks.block_of_op[c] != self) continue;
        uint32_t ci = blocks.index_in_block[c];
        if (deferred[ci] == 1) continue;  // not decided yet (cannot happen in reverse order)
        const auto &cin = g.op(c).inputs;
        const Strategy &cs = model.strategies(c)[choice[ci]];
        for (uint32_t slot = 0; slot < cin.size(); ++slot)
          if (cin[slot] == outs[j]) wanted.emplace_back(j, model.InputSpec(c, slot, cs));
      }
    choice[i] = ServeConsumers(model, op, wanted, rule);
    deferred[i] = 2;
  }
  return choice;
}

// The block's share of the objective under row `k` of `table`: compute, the reshardings
// its own reads of the tensors it decides need, and the memory of those tensors.
void PriceRow(const Block &block, const BlockPartition &blocks, const CostModel &model, BlockTable &table, uint32_t k,
              RunControl *control) {
  const Graph &g = model.graph();
  const uint32_t self = blocks.block_of_op[block.members.front()];
  const std::vector<uint32_t> &choice = table.member_choice[k];
  auto strategy_of = [&](uint32_t op) -> const Strategy & {
    return model.strategies(op)[choice[blocks.index_in_block[op]]];
  };
  double time = 0, memory = 0;
  std::vector<ShardingSpec> needs;
  // The tensor's reads by this block, and its memory.
  auto decided = [&](uint32_t t, const ShardingSpec &spec) {
    memory += model.ResidentBytes(t, spec);
    for (const CostModel::ReadGroup &group : model.read_groups(t)) {
      if (group.block != self) continue;
      needs.clear();
      for (const TensorRead &r : group.reads) needs.push_back(model.InputSpec(r.op, r.slot, strategy_of(r.op)));
      const StepCost c = model.PriceReadTransfers(t, spec, model.ReadTransfers(t, spec, group.reads, needs));
      time += c.comm;
      memory += c.memory;
    }
  };
  for (uint32_t i = 0; i < block.members.size(); ++i) {
    if (StopRequested(control, i)) return;
    const uint32_t op = block.members[i];
    const Op &o = g.op(op);
    const Strategy &s = model.strategies(op)[choice[i]];
    time += model.ComputeTime(op, s);
    for (uint32_t t : o.outputs) {
      ShardingSpec spec = DecidedSpec(t, blocks, table, k, model);
      decided(t, spec);
      if (model.final_result(t) && spec.partial)
        time += model.TransferRepeats(t, -1) * model.ReshardTime(t, spec, Summed(spec));
      if (const int32_t target = model.loop_target(t); target >= 0) {
        const uint32_t stored = static_cast<uint32_t>(target);
        const uint32_t decider = DecidingBlock(stored, blocks, model);
        if (decider == self)
          time += model.ReshardTime(t, spec, DecidedSpec(stored, blocks, table, k, model));
        else if (decider == kNoId)  // a state nothing reads is stored replicated
          time += model.ReshardTime(t, spec, ShardingSpec::Replicated(g.tensor(stored).shape.size()));
      }
    }
    // Graph inputs stored for this op.
    for (uint32_t slot = 0; slot < o.inputs.size(); ++slot) {
      uint32_t t = o.inputs[slot];
      if (g.producer(t) != kNoId || model.storage_op(t) != op || model.storage_slot(t) != slot) continue;
      ShardingSpec spec = model.InputSpec(op, slot, s);
      decided(t, spec);
      time += model.ParameterPenalty(t, spec);
    }
  }
  table.time[k] = time;
  table.memory[k] = memory;
}

// What other blocks see of row `k`: the layouts of the tensors the block decides that
// another block reads or stores back, and those its members need of tensors decided
// elsewhere, in a fixed order.
std::vector<ShardingSpec> Interface(const Block &block, const BlockPartition &blocks, const CostModel &model,
                                    const BlockTable &table, uint32_t k, RunControl *control) {
  const Graph &g = model.graph();
  const uint32_t self = blocks.block_of_op[block.members.front()];
  auto seen_outside = [&](uint32_t t) {
    for (const CostModel::ReadGroup &group : model.read_groups(t))
      if (group.block != self) return true;
    const int32_t target = model.loop_target(t), source = model.loop_source(t);
    return (target >= 0 && DecidingBlock(static_cast<uint32_t>(target), blocks, model) != self) ||
           (source >= 0 && DecidingBlock(static_cast<uint32_t>(source), blocks, model) != self);
  };
  std::vector<ShardingSpec> out;
  for (uint32_t i = 0; i < block.members.size(); ++i) {
    if (StopRequested(control, i)) return out;
    const uint32_t op = block.members[i];
    const Op &o = g.op(op);
    const Strategy &s = model.strategies(op)[table.member_choice[k][i]];
    for (uint32_t slot = 0; slot < o.inputs.size(); ++slot) {
      const uint32_t t = o.inputs[slot];
      if (DecidingBlock(t, blocks, model) != self) out.push_back(model.InputSpec(op, slot, s));
      else if (g.producer(t) == kNoId && model.storage_op(t) == op && model.storage_slot(t) == slot && seen_outside(t))
        out.push_back(model.InputSpec(op, slot, s));
    }
    for (uint32_t j = 0; j < o.outputs.size(); ++j)
      if (seen_outside(o.outputs[j])) out.push_back(model.OutputSpec(op, j, s));
  }
  return out;
}

}  // namespace

BlockTable FollowBlock(const Block &block, const BlockPartition &blocks, const CostModel &model, RunControl *control) {
  const std::vector<Strategy> entry = EntryStrategies(block, model);
  BlockTable table;
  for (uint32_t k = 0; k < entry.size(); ++k)
    for (Follow rule : {Follow::LeastCompute, Follow::Propagate, Follow::CarrySums}) {
      std::vector<uint32_t> members = FollowEntry(block, blocks, model, k, entry[k], rule, control);
      const auto bit = static_cast<uint8_t>(1u << static_cast<int>(rule));
      bool seen = false;  // by an earlier rule for the same entry strategy
      for (size_t r = table.member_choice.size(); r-- > 0 && table.entry_of_row[r] == k;)
        if (table.member_choice[r] == members) {
          table.rules_of_row[r] |= bit;
          seen = true;
        }
      if (seen) continue;
      table.entry_of_row.push_back(k);
      table.rules_of_row.push_back(bit);
      table.member_choice.push_back(std::move(members));
    }
  table.rows_considered = static_cast<uint32_t>(table.member_choice.size());
  return table;
}

void PriceBlock(const Block &block, const BlockPartition &blocks, const CostModel &model, BlockTable &table,
                RunControl *control) {
  const auto rows = static_cast<uint32_t>(table.member_choice.size());
  table.time.assign(rows, 0);
  table.memory.assign(rows, 0);
  for (uint32_t row = 0; row < rows; ++row) PriceRow(block, blocks, model, table, row, control);
}

void DropDominatedRows(const Block &block, const BlockPartition &blocks, const CostModel &model, BlockTable &table,
                       RunControl *control) {
  if (table.size() < 2) return;
  std::vector<std::vector<ShardingSpec>> face(table.size());
  for (uint32_t row = 0; row < table.size(); ++row) face[row] = Interface(block, blocks, model, table, row, control);
  if (control && !control->stopped().ok()) return;
  // Row r is dropped when a row q kept or later shows the same interface at no more time
  // and memory, strictly less of one or, on a tie, q comes first.
  std::vector<uint8_t> keep(table.size(), 1);
  for (uint32_t r = 0; r < table.size(); ++r)
    for (uint32_t q = 0; q < table.size() && keep[r]; ++q) {
      if (q == r || !keep[q] || table.time[q] > table.time[r] || table.memory[q] > table.memory[r]) continue;
      const bool tie = table.time[q] == table.time[r] && table.memory[q] == table.memory[r];
      if (tie && q > r) continue;
      if (face[q] == face[r]) {
        keep[r] = 0;
        table.rules_of_row[q] |= table.rules_of_row[r];  // q serves r's rules as well
      }
    }
  BlockTable kept;
  kept.rows_considered = table.rows_considered;
  for (uint32_t r = 0; r < table.size(); ++r) {
    if (!keep[r]) continue;
    kept.entry_of_row.push_back(table.entry_of_row[r]);
    kept.rules_of_row.push_back(table.rules_of_row[r]);
    kept.member_choice.push_back(std::move(table.member_choice[r]));
    kept.time.push_back(table.time[r]);
    kept.memory.push_back(table.memory[r]);
  }
  table = std::move(kept);
}

BlockTable CostBlock(const Block &block, const BlockPartition &blocks, const CostModel &model, bool drop_dominated,
                     RunControl *control) {
  BlockTable table = FollowBlock(block, blocks, model, control);
  PriceBlock(block, blocks, model, table, control);
  if (drop_dominated) DropDominatedRows(block, blocks, model, table, control);
  return table;
}

}  // namespace cfp
