#include "cost/cost_model.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <unordered_map>

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
  pending_inputs_.resize(no);
  for (uint32_t op = 0; op < no; ++op) pending_inputs_[op] = PendingSumInputs(graph, op);
  for (uint32_t i = 0; i < no; ++i) topo_pos_[graph.topo_order()[i]] = i;
  const auto blocks_start = std::chrono::steady_clock::now();
  blocks_ = BuildBlocks(graph);
  blocks_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - blocks_start).count();
  read_groups_.resize(nt);
  // (tensor, block) -> its group's index; hashed, since a scalar can be read by every block.
  std::unordered_map<uint64_t, uint32_t> group_of;
  for (uint32_t op : graph.topo_order()) {
    const auto &in = graph.op(op).inputs;
    const uint32_t b = blocks_.block_of_op[op];
    for (uint32_t slot = 0; slot < in.size(); ++slot) {
      std::vector<ReadGroup> &groups = read_groups_[in[slot]];
      auto [it, added] = group_of.try_emplace(uint64_t{in[slot]} << 32 | b, static_cast<uint32_t>(groups.size()));
      if (added) groups.push_back(ReadGroup{b, {}});
      groups[it->second].reads.push_back(TensorRead{op, slot});
    }
  }
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
  loop_source_.assign(nt, -1);
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
      loop_target_[t] = tensor.updates, loop_source_[tensor.updates] = static_cast<int32_t>(t);
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
    strategies_[op] = EnumerateStrategies(graph_.space(op), IsContraction(graph_.op(op).kind), mesh_, rules_,
                                          pending_inputs_[op]);
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

double CostModel::AnalyticComputeTime(uint32_t op, const Strategy &s) const {
  if (params_.compute_scale == 0) return 0;
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
      if (s.Splits(m) && space.OperandHasAxis(operand, static_cast<uint32_t>(s.axis_of[m])))
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

bool CostModel::SharesCopyAcrossPasses(uint32_t tensor) const {
  const uint32_t prod = graph_.producer(tensor);
  return prod != kNoId && graph_.op(prod).phase == Phase::Forward && !invariant_[tensor];
}

std::vector<ReadTransfer> CostModel::ReadTransfers(uint32_t tensor, const ShardingSpec &have,
                                                   std::span<const TensorRead> reads,
                                                   std::span<const ShardingSpec> needs) const {
  // Which pass a copy belongs to: 0 shared by forward and backward, else 1 + phase.
  const bool across = SharesCopyAcrossPasses(tensor);
  auto pass_of = [&](uint32_t op) {
    const Phase ph = graph_.op(op).phase;
    return across && ph != Phase::Update ? 0 : 1 + static_cast<int>(ph);
  };
  std::vector<ReadTransfer> out;
  std::vector<int> pass;
  std::vector<uint8_t> seen_phases;  // bit 0: forward reader, bit 1: backward reader
  for (size_t i = 0; i < reads.size(); ++i) {
    const ShardingSpec &need = needs[i];
    if (need == have) continue;
    const uint32_t op = reads[i].op;
    const int p = pass_of(op);
    size_t j = 0;
    while (j < out.size() && !(pass[j] == p && out[j].to == need)) ++j;
    if (j == out.size()) {
      out.push_back(ReadTransfer{need, 0, op, false});
      pass.push_back(p);
      seen_phases.push_back(0);
    }
    ReadTransfer &tr = out[j];
    tr.repeats = std::max(tr.repeats, TransferRepeats(tensor, op));
    if (topo_pos_[op] < topo_pos_[tr.first_op]) tr.first_op = op;
    const Phase ph = graph_.op(op).phase;
    seen_phases[j] |= ph == Phase::Forward ? 1 : ph == Phase::Backward ? 2 : 0;
  }
  for (size_t j = 0; j < out.size(); ++j) out[j].saved = pass[j] == 0 && seen_phases[j] == 3 && resident_[tensor];
  return out;
}

StepCost CostModel::PriceReadTransfers(uint32_t tensor, const ShardingSpec &have,
                                       std::span<const ReadTransfer> transfers) const {
  StepCost c;
  const Tensor &t = graph_.tensor(tensor);
  for (const ReadTransfer &tr : transfers) {
    c.comm += tr.repeats * ReshardTime(tensor, have, tr.to);
    if (tr.saved) c.memory += LocalBytes(t.shape, t.dtype, tr.to, mesh_);
  }
  return c;
}

template <class F>
void CostModel::ForEachTransfer(uint32_t tensor, const ShardingSpec &have, const ShardingSpec *target,
                                const std::vector<uint32_t> &choice, F &&fn) const {
  std::vector<ShardingSpec> needs;
  for (const ReadGroup &group : read_groups_[tensor]) {
    needs.clear();
    for (const TensorRead &r : group.reads) needs.push_back(InputSpec(r.op, r.slot, strategies(r.op)[choice[r.op]]));
    for (const ReadTransfer &tr : ReadTransfers(tensor, have, group.reads, needs))
      fn(tr.to, static_cast<int64_t>(tr.first_op), tr.repeats, tr.saved);
  }
  if (target && !(have == *target)) fn(*target, int64_t{-1}, TransferRepeats(tensor, -1), false);
  if (final_result_[tensor] && have.partial) fn(Summed(have), int64_t{-1}, TransferRepeats(tensor, -1), false);
}

void CostModel::VisitTransfers(
    const std::vector<ShardingSpec> &spec, const std::vector<uint32_t> &choice,
    const std::function<void(uint32_t, const ShardingSpec &, const ShardingSpec &, int64_t, double)> &fn) const {
  for (uint32_t t = 0; t < graph_.num_tensors(); ++t)
    ForEachTransfer(t, spec[t], loop_target_[t] >= 0 ? &spec[loop_target_[t]] : nullptr, choice,
                    [&](const ShardingSpec &to, int64_t before, double repeats, bool) { fn(t, spec[t], to, before, repeats); });
}

ShardingSpec CostModel::SpecOf(uint32_t t, const std::vector<uint32_t> &choice) const {
  const uint32_t p = graph_.producer(t);
  if (p != kNoId) {
    const auto &outs = graph_.op(p).outputs;
    const auto slot = static_cast<uint32_t>(std::find(outs.begin(), outs.end(), t) - outs.begin());
    return OutputSpec(p, slot, strategies(p)[choice[p]]);
  }
  if (storage_op_[t] != kNoId) return InputSpec(storage_op_[t], storage_slot_[t], strategies(storage_op_[t])[choice[storage_op_[t]]]);
  return ShardingSpec::Replicated(graph_.tensor(t).shape.size());
}

std::vector<ShardingSpec> CostModel::TensorSpecs(const std::vector<uint32_t> &choice) const {
  std::vector<ShardingSpec> spec(graph_.num_tensors());
  for (uint32_t t = 0; t < graph_.num_tensors(); ++t) spec[t] = SpecOf(t, choice);
  return spec;
}

StepCost CostModel::TensorCost(uint32_t t, const std::vector<uint32_t> &choice) const {
  const ShardingSpec have = SpecOf(t, choice);
  std::optional<ShardingSpec> target;
  if (loop_target_[t] >= 0) target = SpecOf(static_cast<uint32_t>(loop_target_[t]), choice);
  StepCost c;
  const Tensor &tensor = graph_.tensor(t);
  ForEachTransfer(t, have, target ? &*target : nullptr, choice,
                  [&](const ShardingSpec &to, int64_t, double repeats, bool saved) {
                    c.comm += repeats * ReshardTime(t, have, to);
                    if (saved) c.memory += LocalBytes(tensor.shape, tensor.dtype, to, mesh_);
                  });
  c.memory += ResidentBytes(t, have);
  if (graph_.producer(t) == kNoId) c.penalty += ParameterPenalty(t, have);
  return c;
}

std::vector<uint32_t> CostModel::TensorScope(uint32_t t) const {
  std::vector<uint32_t> scope;
  auto decider = [&](uint32_t u) {
    const uint32_t p = graph_.producer(u);
    if (p != kNoId) scope.push_back(p);
    else if (storage_op_[u] != kNoId) scope.push_back(storage_op_[u]);
  };
  decider(t);
  if (loop_target_[t] >= 0) decider(static_cast<uint32_t>(loop_target_[t]));
  for (const ReadGroup &g : read_groups_[t])
    for (const TensorRead &r : g.reads) scope.push_back(r.op);
  std::sort(scope.begin(), scope.end());
  scope.erase(std::unique(scope.begin(), scope.end()), scope.end());
  return scope;
}

StepCost CostModel::Evaluate(const std::vector<uint32_t> &choice) const {
  StepCost cost;
  for (uint32_t op = 0; op < graph_.num_ops(); ++op) cost.compute += ComputeTime(op, strategies(op)[choice[op]]);
  for (uint32_t t = 0; t < graph_.num_tensors(); ++t) {
    const StepCost c = TensorCost(t, choice);
    cost.comm += c.comm;
    cost.memory += c.memory;
    cost.penalty += c.penalty;
  }
  return cost;
}

}  // namespace cfp
