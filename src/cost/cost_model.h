// The analytic cost model (DESIGN §7) and the objective every plan is priced by.
//
// A plan is one strategy per operator. Its cost is
//   compute:  sum over ops of the roofline time of the op's local share,
//   comm:     for every op input whose producer's layout (or, for a graph input, its stored
//             layout) differs from the layout the op needs, the resharding collectives; for
//             every output that replaces a parameter or optimizer state in the next step
//             (Tensor::updates), the resharding back to that state's stored layout; for every
//             other result no op reads (the loss), the reduction of pending sums,
//   memory:   bytes per device of parameters, optimizer states, data inputs, parameter
//             gradients and activations saved for the backward pass, at their layouts.
// A graph input is stored in the layout its first consumer (in topological order) needs.
// The search decomposes exactly this objective over blocks, so an optimized plan and
// cfp_evaluate of its choices agree.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "cost/cost_params.h"
#include "graph/graph.h"
#include "mesh/device.h"
#include "sharding/strategy.h"

namespace cfp {

struct StepCost {
  double compute = 0;
  double comm = 0;
  double penalty = 0;  // tie-breakers only; not part of the reported step time
  double memory = 0;   // bytes per device
  double StepTime() const { return compute + comm; }
  double Objective() const { return compute + comm + penalty; }
};

class CostModel {
 public:
  CostModel(const Graph &graph, Mesh mesh, DeviceSpec device, CostParams params, StrategyRules rules);

  const Graph &graph() const { return graph_; }
  const Mesh &mesh() const { return mesh_; }
  const DeviceSpec &device() const { return device_; }
  const CostParams &params() const { return params_; }

  // The op's strategies (EnumerateStrategies), computed on first use. Thread-safe.
  const std::vector<Strategy> &strategies(uint32_t op) const;

  double ComputeTime(uint32_t op, const Strategy &s) const;
  ShardingSpec InputSpec(uint32_t op, uint32_t slot, const Strategy &s) const {
    return OperandSpec(graph_.space(op), slot, s, mesh_.num_axes());
  }
  ShardingSpec OutputSpec(uint32_t op, uint32_t slot, const Strategy &s) const {
    return OperandSpec(graph_.space(op), graph_.space(op).num_inputs() + slot, s, mesh_.num_axes());
  }
  double ReshardTime(uint32_t tensor, const ShardingSpec &from, const ShardingSpec &to) const;
  // How many times per step an op runs: the micro-batch count; once for the update phase and
  // for computations of parameters alone (a weight's cast), which do not change within a step.
  double Repeats(uint32_t op) const;
  // How many times per step a transfer runs: that of the op it precedes; once for a next
  // value stored back and for the gradient of a parameter (or of a parameter's cast), which
  // is accumulated over micro-batches and reduced once; a final result once per micro-batch
  // of its producer.
  double TransferRepeats(uint32_t tensor, int64_t before_op) const;
  // Computed from parameters and constants alone.
  bool step_invariant(uint32_t tensor) const { return invariant_[tensor]; }
  double ResidentBytes(uint32_t tensor, const ShardingSpec &spec) const;
  double ParameterPenalty(uint32_t tensor, const ShardingSpec &spec) const;

  // For a graph input: the op whose needed layout is its stored layout, and the input slot.
  uint32_t storage_op(uint32_t tensor) const { return storage_op_[tensor]; }
  uint32_t storage_slot(uint32_t tensor) const { return storage_slot_[tensor]; }
  // Whether the tensor counts towards memory (see above).
  bool resident(uint32_t tensor) const { return resident_[tensor]; }
  // The graph input an output replaces in the next step, or -1.
  int32_t loop_target(uint32_t tensor) const { return loop_target_[tensor]; }
  // A result no op reads and that replaces nothing: it must end the step summed.
  bool final_result(uint32_t tensor) const { return final_result_[tensor]; }
  // Position of each op in the topological order.
  uint32_t topo_position(uint32_t op) const { return topo_pos_[op]; }

  // Prices a full choice vector (indices into each op's strategies; checked by the caller).
  StepCost Evaluate(const std::vector<uint32_t> &choice) const;
  // Every layout change the objective charges for: op inputs (before_op = the op) and next
  // values stored back into their state (before_op = -1). Same order and rules as Evaluate.
  void VisitTransfers(const std::vector<ShardingSpec> &spec, const std::vector<uint32_t> &choice,
                      const std::function<void(uint32_t tensor, const ShardingSpec &from, const ShardingSpec &to,
                                               int64_t before_op)> &fn) const;
  // The layout of every tensor under a choice vector.
  std::vector<ShardingSpec> TensorSpecs(const std::vector<uint32_t> &choice) const;

 private:
  const Graph &graph_;
  Mesh mesh_;
  DeviceSpec device_;
  CostParams params_;
  StrategyRules rules_;
  std::vector<uint32_t> topo_pos_;
  std::vector<uint32_t> storage_op_, storage_slot_;
  std::vector<uint8_t> resident_;
  std::vector<int32_t> loop_target_;
  std::vector<uint8_t> final_result_;
  std::vector<uint8_t> invariant_;  // per tensor
  mutable std::vector<std::once_flag> strategies_once_;
  mutable std::vector<std::vector<Strategy>> strategies_;
};

}  // namespace cfp
