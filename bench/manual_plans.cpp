#include "manual_plans.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "graph/graph.h"

namespace cfp_bench {

using cfp::CostModel;
using cfp::Graph;
using cfp::kNoId;
using cfp::Phase;
using cfp::ShardingSpec;
using cfp::Strategy;
using cfp::TensorRole;

const char *ManualPlanName(ManualPlan plan) {
  switch (plan) {
    case ManualPlan::DataParallel: return "dp";
    case ManualPlan::Megatron: return "megatron";
    case ManualPlan::Zero2: return "zero2";
    case ManualPlan::Zero3: return "zero3";
  }
  return "?";
}

namespace {

// The outermost axis of a dim that is not of size 1, or -1.
int32_t OuterAxis(const cfp::IterationSpace &space, uint32_t operand, uint32_t dim) {
  for (uint32_t a : space.DimAxes(operand, dim))
    if (space.axes()[a].size > 1) return static_cast<int32_t>(a);
  return -1;
}

uint32_t OperandTensor(const cfp::Op &op, const cfp::IterationSpace &space, uint32_t operand) {
  return operand < space.num_inputs() ? op.inputs[operand] : op.outputs[operand - space.num_inputs()];
}

}  // namespace

std::vector<int32_t> BatchAxes(const Graph &g) {
  std::vector<int32_t> batch_dim(g.num_tensors(), -1);
  for (uint32_t t = 0; t < g.num_tensors(); ++t)
    if (g.tensor(t).role == TensorRole::DataInput && !g.tensor(t).shape.empty() && g.tensor(t).shape[0] > 1)
      batch_dim[t] = 0;
  std::vector<int32_t> axis(g.num_ops(), -1);
  auto visit = [&](uint32_t op) {
    const cfp::Op &o = g.op(op);
    const cfp::IterationSpace &space = g.space(op);
    bool changed = false;
    if (axis[op] < 0)
      for (uint32_t k = 0; k < space.num_operands() && axis[op] < 0; ++k) {
        int32_t d = batch_dim[OperandTensor(o, space, k)];
        if (d >= 0) axis[op] = OuterAxis(space, k, static_cast<uint32_t>(d));
        changed |= axis[op] >= 0;
      }
    if (axis[op] < 0) return changed;
    for (uint32_t k = 0; k < space.num_operands(); ++k) {
      uint32_t t = OperandTensor(o, space, k);
      if (batch_dim[t] >= 0) continue;
      for (uint32_t d = 0; d < space.Rank(k); ++d)
        if (OuterAxis(space, k, d) == axis[op]) {
          batch_dim[t] = static_cast<int32_t>(d);
          changed = true;
          break;
        }
    }
    return changed;
  };
  // Forwards then backwards, until a fixed point (a few sweeps on training graphs).
  for (int sweep = 0; sweep < 64; ++sweep) {
    bool changed = false;
    for (uint32_t op : g.topo_order()) changed |= visit(op);
    for (auto it = g.topo_order().rbegin(); it != g.topo_order().rend(); ++it) changed |= visit(*it);
    if (!changed) break;
  }
  return axis;
}

int WeightOperand(const Graph &g, uint32_t op) {
  if (!cfp::IsContraction(g.op(op).kind)) return -1;
  const auto &in = g.op(op).inputs;
  for (uint32_t i = 0; i < in.size(); ++i) {
    uint32_t t = in[i];
    for (int depth = 0; depth < 8; ++depth) {
      if (g.tensor(t).role == TensorRole::Parameter) return static_cast<int>(i);
      uint32_t prod = g.producer(t);
      if (prod == kNoId || g.op(prod).inputs.size() != 1) break;
      t = g.op(prod).inputs[0];
    }
  }
  return -1;
}

namespace {

class PlanBuilder {
 public:
  PlanBuilder(const CostModel &model, ManualPlan plan) : model_(model), g_(model.graph()), plan_(plan) {
    const cfp::Mesh &mesh = model.mesh();
    for (int m = 0; m < mesh.num_axes(); ++m)
      if (mesh.size(m) > 1) active_.push_back(m);
    if (plan == ManualPlan::Megatron && !active_.empty()) model_axis_ = active_.back();
    batch_ = BatchAxes(g_);
    spec_.resize(g_.num_tensors());
    known_.assign(g_.num_tensors(), 0);
    decided_.assign(g_.num_ops(), 0);
  }

  ManualPlanChoice Build() {
    out_.choice.assign(g_.num_ops(), 0);
    std::vector<uint8_t> sharded_store = ShardedStorageOps();
    if (plan_ == ManualPlan::Megatron) {
      // Forward ops by Megatron's rule, then the ops that only prepare weights (casts,
      // transposes, bias broadcasts) take the layouts their readers want, so weights are
      // stored split as Megatron stores them; then backward and update ops.
      for (uint32_t op : g_.topo_order())
        if (g_.op(op).phase == Phase::Forward) Decide(op, MegatronForward(op));
      std::vector<uint8_t> weight_only = WeightOnlyOps();
      for (auto it = g_.topo_order().rbegin(); it != g_.topo_order().rend(); ++it)
        if (weight_only[*it] && g_.op(*it).phase == Phase::Forward) Decide(*it, LayoutReadersWant(*it), true);
      for (uint32_t op : g_.topo_order())
        if (g_.op(op).phase != Phase::Forward) Decide(op, LeastLocalCost(op));
      return std::move(out_);
    }
    for (uint32_t op : g_.topo_order()) {
      const bool sharded = (plan_ != ManualPlan::DataParallel && g_.op(op).phase == Phase::Update) || sharded_store[op];
      Decide(op, sharded ? ShardedLikeState(op) : Compose(op, BatchWish(op)));
    }
    return std::move(out_);
  }

 private:
  using Wish = std::array<int16_t, cfp::kMaxMeshAxes>;

  Wish BatchWish(uint32_t op) const {
    Wish w{Strategy::kNone, Strategy::kNone, Strategy::kNone};
    for (int m : active_)
      if (m != model_axis_) w[m] = static_cast<int16_t>(batch_[op]);
    return w;
  }

  int FindStrategy(uint32_t op, const Strategy &s) const {
    const auto &all = model_.strategies(op);
    for (size_t i = 0; i < all.size(); ++i)
      if (all[i] == s) return static_cast<int>(i);
    return -1;
  }

  // The wished strategy, or the valid one that keeps the wished assignments spanning the
  // most devices (a mesh axis that does not divide an axis is dropped).
  uint32_t Compose(uint32_t op, const Wish &wish, bool count_fallback = true) {
    std::vector<int> wished;
    for (int m : active_)
      if (wish[m] != Strategy::kNone) wished.push_back(m);
    const uint32_t full = (1u << wished.size()) - 1;
    std::vector<uint32_t> masks;
    for (uint32_t mask = 0; mask <= full; ++mask) masks.push_back(mask);
    auto devices = [&](uint32_t mask) {
      uint64_t d = 1;
      for (size_t i = 0; i < wished.size(); ++i)
        if (mask >> i & 1) d *= model_.mesh().size(wished[i]);
      return d;
    };
    std::stable_sort(masks.begin(), masks.end(), [&](uint32_t a, uint32_t b) { return devices(a) > devices(b); });
    for (uint32_t mask : masks) {
      Strategy s;
      for (size_t i = 0; i < wished.size(); ++i)
        if (mask >> i & 1) s.axis_of[wished[i]] = wish[wished[i]];
      int idx = FindStrategy(op, s);
      if (idx >= 0) {
        if (mask != full && count_fallback) ++out_.fallbacks;
        return static_cast<uint32_t>(idx);
      }
    }
    if (count_fallback) ++out_.fallbacks;
    return 0;  // e.g. a contraction that may not run replicated
  }

  // ZeRO: the update, and for stage 3 the first reader of each parameter, split the first
  // dim of their result that the whole mesh divides.
  std::vector<uint8_t> ShardedStorageOps() const {
    std::vector<uint8_t> out(g_.num_ops(), 0);
    if (plan_ != ManualPlan::Zero3) return out;
    for (uint32_t t = 0; t < g_.num_tensors(); ++t) {
      if (g_.tensor(t).role != TensorRole::Parameter || g_.producer(t) != kNoId) continue;
      uint32_t store = model_.storage_op(t);
      if (store != kNoId && g_.op(store).phase == Phase::Forward && cfp::IsElementwise(g_.op(store).kind)) out[store] = 1;
    }
    return out;
  }

  uint32_t ShardedLikeState(uint32_t op) {
    const cfp::IterationSpace &space = g_.space(op);
    const uint32_t result = space.num_inputs();
    for (uint32_t d = 0; space.num_outputs() > 0 && d < space.Rank(result); ++d) {
      int32_t a = OuterAxis(space, result, d);
      if (a < 0) continue;
      Strategy s;
      for (int m : active_) s.axis_of[m] = static_cast<int16_t>(a);
      int idx = FindStrategy(op, s);
      if (idx >= 0) return static_cast<uint32_t>(idx);
    }
    ++out_.fallbacks;  // nothing the whole mesh divides: compute it data parallel
    return Compose(op, BatchWish(op));
  }

  // The layout an input has when its reader runs, or nullopt when the reader decides it.
  std::optional<ShardingSpec> InputLayout(uint32_t t) const {
    if (known_[t]) return spec_[t];
    return std::nullopt;
  }

  // Records the op's strategy and the layouts it decides; `again` when it is re-decided.
  void Decide(uint32_t op, uint32_t pick, bool again = false) {
    out_.choice[op] = pick;
    decided_[op] = 1;
    const Strategy &s = model_.strategies(op)[pick];
    const cfp::Op &o = g_.op(op);
    for (uint32_t j = 0; j < o.outputs.size(); ++j) {
      spec_[o.outputs[j]] = model_.OutputSpec(op, j, s);
      known_[o.outputs[j]] = 1;
    }
    for (uint32_t i = 0; i < o.inputs.size(); ++i) {
      uint32_t t = o.inputs[i];
      if ((again || !known_[t]) && g_.producer(t) == kNoId && model_.storage_op(t) == op && model_.storage_slot(t) == i) {
        spec_[t] = model_.InputSpec(op, i, s);
        known_[t] = 1;
      }
    }
  }

  // Ops whose inputs are all graph inputs or results of such ops: they only prepare
  // parameters (and constants) for their readers.
  std::vector<uint8_t> WeightOnlyOps() const {
    std::vector<uint8_t> out(g_.num_ops(), 0);
    for (uint32_t op : g_.topo_order()) {
      bool only = true;
      for (uint32_t t : g_.op(op).inputs) {
        uint32_t prod = g_.producer(t);
        if (prod == kNoId ? g_.tensor(t).role == TensorRole::DataInput : !out[prod]) only = false;
      }
      out[op] = only;
    }
    return out;
  }

  // The strategy whose results reach their (already decided) readers with the least
  // resharding plus compute and penalties; among equals, the one whose results are exactly
  // what the readers need (a weight stored split rather than sliced after a copy).
  uint32_t LayoutReadersWant(uint32_t op) {
    const auto &all = model_.strategies(op);
    const cfp::Op &o = g_.op(op);
    std::pair<double, int> best{std::numeric_limits<double>::infinity(), 0};
    uint32_t pick = out_.choice[op];
    for (uint32_t c = 0; c < all.size(); ++c) {
      double cost = model_.ComputeTime(op, all[c]);
      int mismatches = 0;
      for (uint32_t i = 0; i < o.inputs.size(); ++i)
        if (g_.producer(o.inputs[i]) == kNoId && model_.storage_op(o.inputs[i]) == op)
          cost += model_.ParameterPenalty(o.inputs[i], model_.InputSpec(op, i, all[c]));
      for (uint32_t j = 0; j < o.outputs.size(); ++j) {
        const uint32_t t = o.outputs[j];
        ShardingSpec out = model_.OutputSpec(op, j, all[c]);
        for (uint32_t reader : g_.consumers(t)) {
          if (!decided_[reader]) continue;  // decided later, given this layout
          const auto &in = g_.op(reader).inputs;
          const Strategy &rs = model_.strategies(reader)[out_.choice[reader]];
          for (uint32_t i = 0; i < in.size(); ++i) {
            if (in[i] != t) continue;
            ShardingSpec need = model_.InputSpec(reader, i, rs);
            cost += model_.ReshardTime(t, out, need);
            mismatches += !(out == need);
          }
        }
      }
      if (std::make_pair(cost, mismatches) < best) {
        best = {cost, mismatches};
        pick = c;
      }
    }
    return pick;
  }

  // The input dim split on the model axis (not a pending sum), as this op's axis, or -1.
  int32_t ModelSplitAxis(uint32_t op, uint32_t slot) const {
    uint32_t t = g_.op(op).inputs[slot];
    if (!known_[t]) return -1;
    int d = spec_[t].DimOf(static_cast<uint8_t>(model_axis_));
    if (d < 0) return -1;
    return OuterAxis(g_.space(op), slot, static_cast<uint32_t>(d));
  }

  uint32_t MegatronForward(uint32_t op) {
    Wish wish = BatchWish(op);
    if (model_axis_ < 0) return Compose(op, wish);
    const cfp::Op &o = g_.op(op);
    const cfp::IterationSpace &space = g_.space(op);
    int32_t axis = -1;
    int weight = WeightOperand(g_, op);
    if (weight >= 0 && o.inputs.size() == 2) {
      const uint32_t act = weight == 0 ? 1 : 0;
      axis = ModelSplitAxis(op, act);  // row parallel, or a continued split
      if (axis < 0) {
        // Column parallel: the weight's free axis (in weight and result, not activation).
        const uint32_t n = model_.mesh().size(model_axis_);
        int64_t best = 0;
        for (uint32_t a = 0; a < space.num_axes(); ++a) {
          const auto &ax = space.axes()[a];
          bool free = space.OperandHasAxis(static_cast<uint32_t>(weight), a) &&
                      space.OperandHasAxis(space.num_inputs(), a) && !space.OperandHasAxis(act, a);
          if (free && ax.splittable && ax.size % n == 0 && ax.size > best) {
            best = ax.size;
            axis = static_cast<int32_t>(a);
          }
        }
      }
    } else {
      for (uint32_t i = 0; i < o.inputs.size() && axis < 0; ++i) axis = ModelSplitAxis(op, i);
    }
    wish[model_axis_] = axis < 0 ? Strategy::kNone : static_cast<int16_t>(axis);
    return Compose(op, wish);
  }

  // Backward and update ops: the data axes keep the batch split; on the model axis, the
  // strategy with least compute plus resharding of its inputs and of its results into the
  // layouts they are wanted in.
  uint32_t LeastLocalCost(uint32_t op) {
    const uint32_t base = Compose(op, BatchWish(op), false);
    const Strategy &fixed = model_.strategies(op)[base];
    const cfp::Op &o = g_.op(op);
    const auto &all = model_.strategies(op);
    double best = std::numeric_limits<double>::infinity();
    uint32_t pick = base;
    for (uint32_t c = 0; c < all.size(); ++c) {
      bool same_data = true;
      for (int m : active_)
        if (m != model_axis_ && all[c].axis_of[m] != fixed.axis_of[m]) same_data = false;
      if (!same_data) continue;
      double cost = model_.ComputeTime(op, all[c]);
      for (uint32_t i = 0; i < o.inputs.size() && cost < best; ++i) {
        auto have = InputLayout(o.inputs[i]);
        if (have) cost += model_.ReshardTime(o.inputs[i], *have, model_.InputSpec(op, i, all[c]));
      }
      for (uint32_t j = 0; j < o.outputs.size() && cost < best; ++j) {
        const uint32_t t = o.outputs[j];
        ShardingSpec out = model_.OutputSpec(op, j, all[c]);
        std::optional<ShardingSpec> want = WantedLayout(op, t, all[c]);
        if (want) cost += model_.ReshardTime(t, out, *want);
        else if (out.partial) cost += model_.ReshardTime(t, out, cfp::Summed(out));
      }
      if (cost < best) {
        best = cost;
        pick = c;
      }
    }
    return pick;
  }

  std::optional<ShardingSpec> WantedLayout(uint32_t op, uint32_t t, const Strategy &s) const {
    const cfp::Tensor &tensor = g_.tensor(t);
    if (tensor.gradient_of >= 0) {
      auto f = static_cast<uint32_t>(tensor.gradient_of);
      if (known_[f] && g_.tensor(f).shape == tensor.shape) return cfp::Summed(spec_[f]);
    }
    if (tensor.updates >= 0) {
      auto target = static_cast<uint32_t>(tensor.updates);
      if (known_[target]) return spec_[target];
      if (model_.storage_op(target) == op) return model_.InputSpec(op, model_.storage_slot(target), s);
    }
    return std::nullopt;
  }

  const CostModel &model_;
  const Graph &g_;
  ManualPlan plan_;
  std::vector<int> active_;
  int model_axis_ = -1;
  std::vector<int32_t> batch_;
  std::vector<ShardingSpec> spec_;
  std::vector<uint8_t> known_;
  std::vector<uint8_t> decided_;
  ManualPlanChoice out_;
};

}  // namespace

ManualPlanChoice BuildManualPlan(const CostModel &model, ManualPlan plan) { return PlanBuilder(model, plan).Build(); }

}  // namespace cfp_bench
