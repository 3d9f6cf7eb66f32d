#include "cost/cost_model.h"

#include <algorithm>

#include "cost/collective_cost.h"
#include "graph/op_semantics.h"

namespace cfp {

CostModel::CostModel(const Graph &graph, Mesh mesh, DeviceSpec device, CostParams params, StrategyRules rules)
    : graph_(graph),
      mesh_(std::move(mesh)),
      device_(std::move(device)),
      params_(params),
      rules_(rules),
      strategies_once_(graph.num_ops()),
      strategies_(graph.num_ops()) {
  const uint32_t nt = graph.num_tensors(), no = graph.num_ops();
  topo_pos_.resize(no);
  for (uint32_t i = 0; i < no; ++i) topo_pos_[graph.topo_order()[i]] = i;
  invariant_.assign(nt, 0);
  for (uint32_t t = 0; t < nt; ++t)
    invariant_[t] = graph.producer(t) == kNoId &&
                    (graph.tensor(t).role == TensorRole::Parameter || graph.tensor(t).role == TensorRole::Constant);
  for (uint32_t op : graph.topo_order()) {
    const Op &o = graph.op(op);
    bool inv = o.phase == Phase::Forward && !o.inputs.empty();
    for (uint32_t t : o.inputs) inv &= invariant_[t] != 0;
    for (uint32_t t : o.outputs) invariant_[t] = inv;
  }
  storage_op_.assign(nt, kNoId);
  storage_slot_.assign(nt, 0);
  resident_.assign(nt, 0);
  loop_target_.assign(nt, -1);
  final_result_.assign(nt, 0);
  for (uint32_t t = 0; t < nt; ++t) {
    const Tensor &tensor = graph.tensor(t);
    auto consumers = graph.consumers(t);
    if (graph.producer(t) == kNoId && !consumers.empty()) {
      uint32_t first = *std::min_element(consumers.begin(), consumers.end(),
                                         [&](uint32_t a, uint32_t b) { return topo_pos_[a] < topo_pos_[b]; });
      storage_op_[t] = first;
      const auto &in = graph.op(first).inputs;
      storage_slot_[t] = static_cast<uint32_t>(std::find(in.begin(), in.end(), t) - in.begin());
    }
    if (tensor.updates >= 0 && graph.producer(t) != kNoId &&
        graph.producer(static_cast<uint32_t>(tensor.updates)) == kNoId)
      loop_target_[t] = tensor.updates;
    bool is_input = graph.producer(t) == kNoId;
    final_result_[t] = !is_input && consumers.empty() && loop_target_[t] < 0;
    bool res = false;
    switch (tensor.role) {
      case TensorRole::Parameter:
      case TensorRole::OptimizerState:
      case TensorRole::DataInput:
        // Stored state; its next-step value replaces it in place.
        res = is_input;
        break;
      case TensorRole::Gradient: {
        bool of_param = tensor.gradient_of >= 0 && graph.tensor(tensor.gradient_of).role == TensorRole::Parameter;
        for (uint32_t c : consumers) of_param |= graph.op(c).phase == Phase::Update;
        res = of_param;
        break;
      }
      case TensorRole::Activation:
        if (!is_input && graph.op(graph.producer(t)).phase == Phase::Forward)
          for (uint32_t c : consumers) res |= graph.op(c).phase == Phase::Backward;
        break;
      case TensorRole::Constant:
        break;
    }
    resident_[t] = res;
  }
}

const std::vector<Strategy> &CostModel::strategies(uint32_t op) const {
  std::call_once(strategies_once_[op], [&] {
    strategies_[op] = EnumerateStrategies(graph_.space(op), IsContraction(graph_.op(op).kind), mesh_, rules_);
  });
  return strategies_[op];
}

void ComputeOverride::Set(uint32_t op, uint32_t strategy_index, double seconds) {
  for (auto &[index, value] : per_op_[op])
    if (index == strategy_index) {
      value = seconds;
      return;
    }
  per_op_[op].emplace_back(strategy_index, seconds);
}

const double *ComputeOverride::Find(uint32_t op, uint32_t strategy_index) const {
  if (op >= per_op_.size()) return nullptr;
  for (const auto &[index, value] : per_op_[op])
    if (index == strategy_index) return &value;
  return nullptr;
}

size_t ComputeOverride::size() const {
  size_t n = 0;
  for (const auto &v : per_op_) n += v.size();
  return n;
}

double CostModel::ComputeTime(uint32_t op, const Strategy &s) const {
  if (params_.compute_scale == 0) return 0;
  if (override_) {
    const auto &cands = strategies(op);
    auto it = std::find(cands.begin(), cands.end(), s);
    if (it != cands.end())
      if (const double *measured = override_->Find(op, static_cast<uint32_t>(it - cands.begin())))
        return Repeats(op) * params_.compute_scale * *measured;
  }
  return Repeats(op) * params_.compute_scale * AnalyticRunTime(op, s);
}

double CostModel::AnalyticRunTime(uint32_t op, const Strategy &s) const {
  const Op &o = graph_.op(op);
  const IterationSpace &space = graph_.space(op);
  // A reshape is a view of the same bytes.
  if (o.kind == OpKind::Reshape) return 0;
  const double shards = static_cast<double>(WorkShards(s, mesh_));
  const double flops = OpFlops(o, space) / shards;
  double bytes = 0;
  const int nm = mesh_.num_axes();
  auto operand_bytes = [&](uint32_t operand, uint32_t tensor) {
    double split = 1;
    for (int m = 0; m < nm; ++m)
      if (s.axis_of[m] != Strategy::kNone && space.OperandHasAxis(operand, static_cast<uint32_t>(s.axis_of[m])))
        split *= mesh_.size(m);
    return static_cast<double>(graph_.tensor(tensor).Bytes()) / split;
  };
  for (uint32_t i = 0; i < o.inputs.size(); ++i) {
    double in = operand_bytes(i, o.inputs[i]);
    // A gather reads the rows it returns, not its whole table (at most the local shard).
    if (o.kind == OpKind::Gather && i == 0 && !o.outputs.empty())
      in = std::min(in, operand_bytes(space.num_inputs(), o.outputs[0]));
    bytes += in;
  }
  for (uint32_t j = 0; j < o.outputs.size(); ++j) bytes += operand_bytes(space.num_inputs() + j, o.outputs[j]);
  double peak = device_.vector_flops;
  if (IsContraction(o.kind) && !o.inputs.empty()) peak = device_.MatrixFlops(graph_.tensor(o.inputs[0]).dtype);
  double t = std::max(peak > 0 ? flops / peak : 0.0, device_.memory_bandwidth > 0 ? bytes / device_.memory_bandwidth : 0.0);
  return t + device_.kernel_overhead;
}

double CostModel::Repeats(uint32_t op) const {
  const Op &o = graph_.op(op);
  if (o.phase == Phase::Update || (!o.outputs.empty() && invariant_[o.outputs[0]])) return 1.0;
  return static_cast<double>(params_.microbatches);
}

double CostModel::TransferRepeats(uint32_t tensor, int64_t before_op) const {
  const Tensor &t = graph_.tensor(tensor);
  if (t.role == TensorRole::Gradient && t.gradient_of >= 0 && invariant_[t.gradient_of]) return 1.0;
  if (before_op >= 0) return Repeats(static_cast<uint32_t>(before_op));
  if (loop_target_[tensor] >= 0 || graph_.producer(tensor) == kNoId) return 1.0;
  return Repeats(graph_.producer(tensor));
}

double CostModel::ReshardTime(uint32_t tensor, const ShardingSpec &from, const ShardingSpec &to) const {
  if (from == to) return 0;
  const Tensor &t = graph_.tensor(tensor);
  return cfp::ReshardTime(from, to, t.shape, t.dtype, mesh_);
}

double CostModel::ResidentBytes(uint32_t tensor, const ShardingSpec &spec) const {
  if (!resident_[tensor]) return 0;
  const Tensor &t = graph_.tensor(tensor);
  return LocalBytes(t.shape, t.dtype, spec, mesh_);
}

double CostModel::ParameterPenalty(uint32_t tensor, const ShardingSpec &spec) const {
  const Tensor &t = graph_.tensor(tensor);
  if (params_.replicated_param_penalty == 0 || t.role != TensorRole::Parameter) return 0;
  double local = LocalBytes(t.shape, t.dtype, spec, mesh_);
  double ideal = static_cast<double>(t.Bytes()) / static_cast<double>(mesh_.num_devices());
  return params_.replicated_param_penalty * (local - ideal);
}

std::vector<ShardingSpec> CostModel::TensorSpecs(const std::vector<uint32_t> &choice) const {
  std::vector<ShardingSpec> spec(graph_.num_tensors());
  for (uint32_t t = 0; t < graph_.num_tensors(); ++t) {
    uint32_t p = graph_.producer(t);
    if (p != kNoId) {
      const auto &outs = graph_.op(p).outputs;
      auto slot = static_cast<uint32_t>(std::find(outs.begin(), outs.end(), t) - outs.begin());
      spec[t] = OutputSpec(p, slot, strategies(p)[choice[p]]);
    } else if (storage_op_[t] != kNoId) {
      uint32_t c = storage_op_[t];
      spec[t] = InputSpec(c, storage_slot_[t], strategies(c)[choice[c]]);
    } else {
      spec[t] = ShardingSpec::Replicated(graph_.tensor(t).shape.size());
    }
  }
  return spec;
}

void CostModel::VisitTransfers(
    const std::vector<ShardingSpec> &spec, const std::vector<uint32_t> &choice,
    const std::function<void(uint32_t, const ShardingSpec &, const ShardingSpec &, int64_t)> &fn) const {
  for (uint32_t op = 0; op < graph_.num_ops(); ++op) {
    const Strategy &s = strategies(op)[choice[op]];
    const auto &in = graph_.op(op).inputs;
    std::vector<std::pair<uint32_t, ShardingSpec>> seen;
    for (uint32_t i = 0; i < in.size(); ++i) {
      ShardingSpec need = InputSpec(op, i, s);
      bool dup = false;
      for (const auto &[t, sp] : seen) dup |= t == in[i] && sp == need;
      if (dup) continue;
      if (!(spec[in[i]] == need)) fn(in[i], spec[in[i]], need, op);
      seen.emplace_back(in[i], std::move(need));
    }
  }
  for (uint32_t t = 0; t < graph_.num_tensors(); ++t) {
    if (loop_target_[t] >= 0 && !(spec[t] == spec[loop_target_[t]])) fn(t, spec[t], spec[loop_target_[t]], -1);
    if (final_result_[t] && spec[t].partial) fn(t, spec[t], Summed(spec[t]), -1);
  }
}

StepCost CostModel::Evaluate(const std::vector<uint32_t> &choice) const {
  StepCost cost;
  const std::vector<ShardingSpec> spec = TensorSpecs(choice);
  for (uint32_t op = 0; op < graph_.num_ops(); ++op) cost.compute += ComputeTime(op, strategies(op)[choice[op]]);
  VisitTransfers(spec, choice, [&](uint32_t t, const ShardingSpec &from, const ShardingSpec &to, int64_t before) {
    cost.comm += TransferRepeats(t, before) * ReshardTime(t, from, to);
  });
  for (uint32_t t = 0; t < graph_.num_tensors(); ++t) {
    cost.memory += ResidentBytes(t, spec[t]);
    if (graph_.producer(t) == kNoId) cost.penalty += ParameterPenalty(t, spec[t]);
  }
  return cost;
}

}  // namespace cfp
