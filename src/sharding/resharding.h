// The collectives that turn one layout of a tensor into another (docs/design.md §4), per mesh axis:
// partial -> replicated all-reduce; partial -> sharded reduce-scatter; sharded ->
// replicated all-gather; sharded on dim i -> sharded on dim j all-to-all; replicated ->
// sharded a free local slice.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sharding/sharding_spec.h"

namespace cfp {

enum class CollectiveKind : uint8_t { AllReduce = 0, AllGather = 1, ReduceScatter = 2, AllToAll = 3 };
// "all-reduce", "all-gather", "reduce-scatter", "all-to-all": the names plans, profiles and
// messages use.
std::string_view CollectiveKindName(CollectiveKind kind);

struct Collective {
  CollectiveKind kind;
  uint8_t mesh_axis;
  // Bytes of the tensor across the group on each device: the size the tensor would have
  // were it not split along this mesh axis (the B of the alpha-beta formulas).
  double bytes;
};

// The collectives, in order, that bring a tensor from `from` to `to`. Steps that shrink data
// come first (reduce-scatter, slices), gathers last.
std::vector<Collective> PlanResharding(const ShardingSpec &from, const ShardingSpec &to,
                                       std::span<const int64_t> shape, DType dtype, const Mesh &mesh);

}  // namespace cfp
