// The strategy of an operator: which iteration axis each mesh axis splits (or none). The
// specs of its operands follow from it (DESIGN §4).
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
  // axis_of[m]: the iteration axis mesh axis m splits, or kNone (replicated along m).
  std::array<int16_t, kMaxMeshAxes> axis_of{kNone, kNone, kNone};

  bool operator==(const Strategy &) const = default;
  // "a0<-[0] a2<-[1]" (iteration axis index <- mesh axes); "replicated" when none.
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
std::vector<Strategy> EnumerateStrategies(const IterationSpace &space, bool is_contraction, const Mesh &mesh,
                                          const StrategyRules &rules);

// The spec operand `operand` (inputs first, then outputs) of an op must have under `s`.
// Inputs are never partial; an output is partial over mesh axes that split reduction axes.
ShardingSpec OperandSpec(const IterationSpace &space, uint32_t operand, const Strategy &s, int mesh_axes);

// Devices the op's work is divided over (product of the sizes of the mesh axes in use).
uint64_t WorkShards(const Strategy &s, const Mesh &mesh);

// The strategies of a parameter's identity space: any valid layout of its shape.
IterationSpace IdentitySpace(std::span<const int64_t> shape);

}  // namespace cfp
