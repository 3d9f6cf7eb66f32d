// The analytic cost model (docs/design.md §7) and the objective every plan is priced by.
//
// A plan is one strategy per operator. Its cost is
//   compute:  sum over ops of the roofline time of the op's local share,
//   comm:     per tensor, one resharding for each distinct layout other than its own (its
//             producer's, or for a graph input its stored layout) that the ops of one block
//             read it in (a "read group", see ReadTransfers); for every output that replaces
//             a parameter or optimizer state in the next step (Tensor::updates), the
//             resharding back to that state's stored layout; for every other result no op
//             reads (the loss), the reduction of pending sums,
//   memory:   bytes per device of parameters, optimizer states, data inputs, parameter
//             gradients and activations saved for the backward pass, at their layouts, and
//             of the resharded copies of activations that the backward reads from the
//             forward's copy.
// A graph input is stored in the layout its first consumer (in topological order) needs.
// The search decomposes exactly this objective over blocks, so an optimized plan and
// cfp_evaluate of its choices agree.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "blocks/block.h"
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

// Measured compute that replaces the roofline (the profiled cost model, docs/design.md §7):
// seconds per run of op `op` under its strategy `index`, where a measurement exists.
class ComputeOverride {
 public:
  explicit ComputeOverride(uint32_t num_ops = 0) : per_op_(num_ops) {}
  void Set(uint32_t op, uint32_t strategy_index, double seconds);
  // Seconds per run, or nullptr when `op` under that strategy has no measurement.
  const double *Find(uint32_t op, uint32_t strategy_index) const;
  size_t size() const;

 private:
  std::vector<std::vector<std::pair<uint32_t, double>>> per_op_;
};

// An op reading a tensor at one of its input slots.
struct TensorRead {
  uint32_t op = 0, slot = 0;
};

// One collective's worth of resharding: a tensor brought into layout `to` once and read
// from there by every op of its read group that needs `to`.
struct ReadTransfer {
  ShardingSpec to;
  double repeats = 0;     // per step: the most any of its readers runs
  uint32_t first_op = 0;  // the reader it precedes (the first in topological order)
  bool saved = false;     // kept from the forward pass for the backward: its bytes count
};

class CostModel {
 public:
  CostModel(const Graph &graph, Mesh mesh, DeviceSpec device, CostParams params, StrategyRules rules);

  const Graph &graph() const { return graph_; }
  const Mesh &mesh() const { return mesh_; }
  const DeviceSpec &device() const { return device_; }
  const CostParams &params() const { return params_; }

  // The op's strategies (OpStrategies), computed on first use. Thread-safe.
  const std::vector<Strategy> &strategies(uint32_t op) const;

  // Repeats x compute_scale x (the override's seconds per run where it has the op under
  // `s`, else the roofline time plus the kernel overhead).
  double ComputeTime(uint32_t op, const Strategy &s) const;
  // ComputeTime without measurements: what blocks choose their members' strategies by, so
  // that the configurations profiled are the ones the search prices.
  double AnalyticComputeTime(uint32_t op, const Strategy &s) const;
  // The roofline time of one run, plus the kernel overhead; what measurements are scaled by.
  double AnalyticRunTime(uint32_t op, const Strategy &s) const;
  // Installs (or, with nullptr, removes) measured compute. Not thread-safe against
  // concurrent pricing: set it before costing.
  void SetComputeOverride(std::shared_ptr<const ComputeOverride> o) { override_ = std::move(o); }
  const ComputeOverride *compute_override() const { return override_.get(); }
  ShardingSpec InputSpec(uint32_t op, uint32_t slot, const Strategy &s) const {
    return OperandSpec(graph_.space(op), slot, s, mesh_.num_axes(), pending_inputs_[op]);
  }
  ShardingSpec OutputSpec(uint32_t op, uint32_t slot, const Strategy &s) const {
    return OperandSpec(graph_.space(op), graph_.space(op).num_inputs() + slot, s, mesh_.num_axes(), pending_inputs_[op]);
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
  // The output that replaces a graph input in the next step, or -1.
  int32_t loop_source(uint32_t tensor) const { return loop_source_[tensor]; }
  // A result no op reads and that replaces nothing: it must end the step summed.
  bool final_result(uint32_t tensor) const { return final_result_[tensor]; }
  // Position of each op in the topological order.
  uint32_t topo_position(uint32_t op) const { return topo_pos_[op]; }

  // The blocks of the graph (BuildBlocks): ops of one block that read a tensor in the same
  // layout share one resharding of it.
  const BlockPartition &blocks() const { return blocks_; }
  double blocks_seconds() const { return blocks_seconds_; }
  // The reads of `tensor`, one group per reading block, groups in order of their first
  // read, reads in topological order.
  struct ReadGroup {
    uint32_t block = 0;
    std::vector<TensorRead> reads;
  };
  const std::vector<ReadGroup> &read_groups(uint32_t tensor) const { return read_groups_[tensor]; }
  // The reshardings one read group needs of `tensor` laid out as `have`, where `needs[i]`
  // is the layout `reads[i]` needs. One per distinct layout other than `have`, except that
  // an op of the optimizer update shares nothing with the forward and backward passes, and
  // a tensor other than a per-micro-batch forward activation (a stored tensor, a weight's
  // cast, a gradient) is resharded again in each pass that reads it: the forward's copy is
  // transient. A per-micro-batch activation read in the same layout by the forward and the
  // backward is resharded once and the copy saved for the backward.
  std::vector<ReadTransfer> ReadTransfers(uint32_t tensor, const ShardingSpec &have, std::span<const TensorRead> reads,
                                          std::span<const ShardingSpec> needs) const;
  // Time and memory of those reshardings.
  StepCost PriceReadTransfers(uint32_t tensor, const ShardingSpec &have, std::span<const ReadTransfer> transfers) const;

  // Prices a full choice vector (indices into each op's strategies; checked by the caller).
  // Equals the sum of every op's ComputeTime and every tensor's TensorCost.
  StepCost Evaluate(const std::vector<uint32_t> &choice) const;
  // The layout of `tensor` under a choice vector (reads only the choice of its producer or,
  // for a graph input, of its storage op).
  ShardingSpec SpecOf(uint32_t tensor, const std::vector<uint32_t> &choice) const;
  // What one tensor adds to the objective besides compute: its reshardings, the
  // store-back of a next value, the reduction of a final result, its memory and penalty.
  // Reads only the choices of the ops TensorScope lists.
  StepCost TensorCost(uint32_t tensor, const std::vector<uint32_t> &choice) const;
  // The ops whose strategies TensorCost(tensor, ...) depends on, ascending, no repeats.
  std::vector<uint32_t> TensorScope(uint32_t tensor) const;
  // Every layout change the objective charges for, with how often it runs per step: read
  // groups' reshardings (before_op = the first reader) and next values stored back into
  // their state or final results summed (before_op = -1). Same rules as Evaluate.
  void VisitTransfers(const std::vector<ShardingSpec> &spec, const std::vector<uint32_t> &choice,
                      const std::function<void(uint32_t tensor, const ShardingSpec &from, const ShardingSpec &to,
                                               int64_t before_op, double repeats)> &fn) const;
  // The layout of every tensor under a choice vector.
  std::vector<ShardingSpec> TensorSpecs(const std::vector<uint32_t> &choice) const;

 private:
  // Whether a forward reader and a backward reader of `tensor` share a resharded copy.
  bool SharesCopyAcrossPasses(uint32_t tensor) const;
  // Calls fn(to, before_op, repeats, saved) for each resharding of one tensor laid out as
  // `have` under `choice` (`target`: its loop target's layout, if it has one).
  template <class F>
  void ForEachTransfer(uint32_t tensor, const ShardingSpec &have, const ShardingSpec *target,
                       const std::vector<uint32_t> &choice, F &&fn) const;

  const Graph &graph_;
  BlockPartition blocks_;
  double blocks_seconds_ = 0;
  std::vector<std::vector<ReadGroup>> read_groups_;
  Mesh mesh_;
  DeviceSpec device_;
  CostParams params_;
  StrategyRules rules_;
  std::vector<uint32_t> topo_pos_;
  std::vector<uint32_t> pending_inputs_;  // per op, PendingSumInputs
  std::vector<uint32_t> storage_op_, storage_slot_;
  std::vector<uint8_t> resident_;
  std::vector<int32_t> loop_target_, loop_source_;
  std::vector<uint8_t> final_result_;
  std::vector<uint8_t> invariant_;  // per tensor
  std::shared_ptr<const ComputeOverride> override_;
  mutable std::vector<std::once_flag> strategies_once_;
  mutable std::vector<std::vector<Strategy>> strategies_;
};

}  // namespace cfp
