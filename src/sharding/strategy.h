// The strategy of an operator: which iteration axis each mesh axis splits (or none). The
// specs of its operands follow from it (docs/design.md §4).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "mesh/mesh.h"
#include "sharding/sharding_spec.h"

namespace cfp {

struct Strategy {
  static constexpr int16_t kNone = -1;
  // Mesh axis m carries a pending sum through the op: the inputs the op is linear in are
  // partial over m, and so is its result (all-reduce commutes with add, subtract, negate,
  // convert, layout ops, sums, and scaling by a scalar). Nothing is split along m.
  static constexpr int16_t kPending = -2;
  // axis_of[m]: the iteration axis mesh axis m splits, kNone (replicated along m) or
  // kPending.
  std::array<int16_t, kMaxMeshAxes> axis_of{kNone, kNone, kNone};

  bool operator==(const Strategy &) const = default;
  bool Splits(int m) const { return axis_of[m] >= 0; }
  bool HasPending() const;
  // "a0<-[0] a2<-[1]" (iteration axis index <- mesh axes), "sum[1]" for pending sums;
  // "replicated" when none.
  std::string ToString(int mesh_axes) const;
};

struct StrategyRules {
  // Whether a contraction may leave a mesh axis (of size > 1) unused, i.e. compute
  // redundantly along it. Alpa's convention forbids it.
  bool allow_replicated_contractions = true;
};

// Every valid strategy of an op with iteration space `space`, in a fixed order: mesh axis 0
// varies slowest; "none" before axis 0, 1, ... Valid means: only splittable axes are split;
// each axis's size is divisible by the product of the mesh axes splitting it; in a dim made
// of several axes only the outermost non-unit axis may be split (anything else is not a
// contiguous block of the dim). The all-replicated strategy is always first when allowed.
// With `pending_inputs` (a bit per input the op is linear in), the strategies that carry a
// pending sum along some mesh axes follow, in the same order, after all the others.
std::vector<Strategy> EnumerateStrategies(const IterationSpace &space, bool is_contraction, const Mesh &mesh,
                                          const StrategyRules &rules, uint32_t pending_inputs = 0);

// The inputs of `op` a pending sum may flow through (PendingSumInputs) and the op's
// strategies: what the cost model, cfp_op_strategy_count and cfp_evaluate all index into.
uint32_t PendingSumInputs(const Graph &graph, uint32_t op);
std::vector<Strategy> OpStrategies(const Graph &graph, uint32_t op, const Mesh &mesh, const StrategyRules &rules);

// The spec operand `operand` (inputs first, then outputs) of an op must have under `s`.
// An output is partial over mesh axes that split reduction axes or carry a pending sum;
// an input only over the latter, and only if it is one of `pending_inputs`.
ShardingSpec OperandSpec(const IterationSpace &space, uint32_t operand, const Strategy &s, int mesh_axes,
                         uint32_t pending_inputs = 0);

// Devices the op's work is divided over (product of the sizes of the mesh axes in use).
uint64_t WorkShards(const Strategy &s, const Mesh &mesh);

// The strategies of a parameter's identity space: any valid layout of its shape.
IterationSpace IdentitySpace(std::span<const int64_t> shape);

}  // namespace cfp
