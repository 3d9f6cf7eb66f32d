// The alpha-beta model of collectives on one mesh axis of n devices with B bytes
// (docs/design.md §7): all-reduce a + 2(n-1)/n B/bw; all-gather and reduce-scatter
// a + (n-1)/n B/bw; all-to-all a + (n-1)/n^2 B/bw. Multi-axis collectives are composed per
// axis by the resharding planner.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mesh/mesh.h"
#include "sharding/resharding.h"

namespace cfp {

// Share of the `bytes` buffer each device's link carries in a ring collective over n
// devices: all-reduce 2(n-1)/n, all-gather and reduce-scatter (n-1)/n, all-to-all
// (n-1)/n^2. 0 for n <= 1.
double RingFactor(CollectiveKind kind, int64_t n);

double CollectiveTime(const Collective &c, const Mesh &mesh);
double CollectivesTime(std::span<const Collective> cs, const Mesh &mesh);
// Time to bring a tensor from one layout to another.
double ReshardTime(const ShardingSpec &from, const ShardingSpec &to, std::span<const int64_t> shape, DType dtype,
                   const Mesh &mesh);

}  // namespace cfp
