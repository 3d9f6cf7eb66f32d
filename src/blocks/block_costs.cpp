#include "blocks/block_costs.h"

#include <algorithm>
#include <limits>

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
  void Set(uint32_t t, ShardingSpec s) {
    for (auto &[id, spec] : v_)
      if (id == t) {
        spec = std::move(s);
        return;
      }
    v_.emplace_back(t, std::move(s));
  }
  const ShardingSpec *Get(uint32_t t) const {
    for (const auto &[id, spec] : v_)
      if (id == t) return &spec;
    return nullptr;
  }

 private:
  std::vector<std::pair<uint32_t, ShardingSpec>> v_;
};

// The candidate whose needed input layouts equal the given ones (a pending sum's: its summed
// layout), with least compute; if none, the one with least resharding plus compute. Ties:
// lowest index.
uint32_t FollowInputs(const CostModel &model, uint32_t op, const std::vector<std::pair<uint32_t, ShardingSpec>> &given) {
  const auto &cands = model.strategies(op);
  const auto &inputs = model.graph().op(op).inputs;
  double best_exact = std::numeric_limits<double>::infinity();
  double best_any = std::numeric_limits<double>::infinity();
  uint32_t pick_exact = UINT32_MAX, pick_any = 0;
  for (uint32_t c = 0; c < cands.size(); ++c) {
    const double compute = model.ComputeTime(op, cands[c]);
    struct Mismatch {
      uint32_t slot;
      const ShardingSpec *have;
      ShardingSpec need;
    };
    std::vector<Mismatch> mismatched;
    for (const auto &[slot, spec] : given) {
      ShardingSpec need = model.InputSpec(op, slot, cands[c]);
      // A pending sum is followed in its summed layout: reduce, then carry on as laid out.
      if (!(need == spec) && !(spec.partial && need == Summed(spec))) mismatched.push_back({slot, &spec, std::move(need)});
    }
    if (mismatched.empty()) {
      if (compute < best_exact) {
        best_exact = compute;
        pick_exact = c;
      }
      continue;
    }
    if (pick_exact != UINT32_MAX) continue;  // an exact follower always wins
    double cost = compute;
    for (size_t m = 0; m < mismatched.size() && cost < best_any; ++m)
      cost += model.Repeats(op) * model.ReshardTime(inputs[mismatched[m].slot], *mismatched[m].have, mismatched[m].need);
    if (cost < best_any) {
      best_any = cost;
      pick_any = c;
    }
  }
  return pick_exact != UINT32_MAX ? pick_exact : pick_any;
}

// The candidate whose outputs already have the layouts the consumers want, with least
// compute; if none, least resharding plus compute. Ties: lowest index.
uint32_t ServeConsumers(const CostModel &model, uint32_t op, const std::vector<std::pair<uint32_t, ShardingSpec>> &wanted) {
  const auto &cands = model.strategies(op);
  const auto &outs = model.graph().op(op).outputs;
  double best_exact = std::numeric_limits<double>::infinity();
  double best_any = std::numeric_limits<double>::infinity();
  uint32_t pick_exact = UINT32_MAX, pick_any = 0;
  for (uint32_t c = 0; c < cands.size(); ++c) {
    const double compute = model.ComputeTime(op, cands[c]);
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
      if (compute < best_exact) {
        best_exact = compute;
        pick_exact = c;
      }
    } else if (pick_exact == UINT32_MAX && compute + reshard < best_any) {
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

BlockTable CostBlock(const Block &block, const BlockPartition &blocks, const CostModel &model) {
  const Graph &g = model.graph();
  const std::vector<Strategy> entry = EntryStrategies(block, model);
  const uint32_t self = blocks.block_of_op[block.members.front()];
  BlockTable table;
  table.member_choice.resize(entry.size());
  table.time.resize(entry.size());
  table.memory.resize(entry.size());
  const uint32_t n = static_cast<uint32_t>(block.members.size());

  for (uint32_t k = 0; k < entry.size(); ++k) {
    std::vector<uint32_t> &choice = table.member_choice[k];
    choice.assign(n, 0);
    Layouts known;
    if (block.entry_tensor != kNoId) {
      const Tensor &p = g.tensor(block.entry_tensor);
      known.Set(block.entry_tensor, OperandSpec(IdentitySpace(p.shape), 0, entry[k], model.mesh().num_axes()));
    }
    // Pass 1, topological: members that receive a layout the block decided (or, for a
    // gradient, expects) follow it. Members that receive none are deferred.
    std::vector<uint8_t> deferred(n, 0);
    for (uint32_t i = 0; i < n; ++i) {
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
        if (given.empty()) {
          deferred[i] = 1;
          continue;
        }
        pick = FollowInputs(model, op, given);
      }
      choice[i] = pick;
      for (uint32_t j = 0; j < o.outputs.size(); ++j) known.Set(o.outputs[j], model.OutputSpec(op, j, cands[pick]));
    }
    // Pass 2, reverse topological: deferred members (a bias broadcast, a mask, a weight's
    // transpose) produce what their consumers in the block need.
    for (uint32_t i = n; i-- > 0;) {
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
      choice[i] = ServeConsumers(model, op, wanted);
      deferred[i] = 2;
    }
    // The block's share of the objective.
    double time = 0, memory = 0;
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t op = block.members[i];
      const Op &o = g.op(op);
      const Strategy &s = model.strategies(op)[choice[i]];
      time += model.ComputeTime(op, s);
      std::vector<std::pair<uint32_t, ShardingSpec>> seen;
      for (uint32_t slot = 0; slot < o.inputs.size(); ++slot) {
        uint32_t t = o.inputs[slot];
        if (DecidingBlock(t, blocks, model) != self) continue;
        ShardingSpec need = model.InputSpec(op, slot, s);
        bool dup = false;
        for (const auto &[u, sp] : seen) dup |= u == t && sp == need;
        if (dup) continue;
        seen.emplace_back(t, need);
        time += model.TransferRepeats(t, op) * model.ReshardTime(t, DecidedSpec(t, blocks, table, k, model), need);
      }
      for (uint32_t t : o.outputs) {
        ShardingSpec spec = DecidedSpec(t, blocks, table, k, model);
        memory += model.ResidentBytes(t, spec);
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
        memory += model.ResidentBytes(t, spec);
        time += model.ParameterPenalty(t, spec);
      }
    }
    table.time[k] = time;
    table.memory[k] = memory;
  }
  return table;
}

}  // namespace cfp
