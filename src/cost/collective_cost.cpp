#include "cost/collective_cost.h"

namespace cfp {

double RingFactor(CollectiveKind kind, int64_t n) {
  if (n <= 1) return 0;
  const double d = static_cast<double>(n);
  switch (kind) {
    case CollectiveKind::AllReduce: return 2 * (d - 1) / d;
    case CollectiveKind::AllGather:
    case CollectiveKind::ReduceScatter: return (d - 1) / d;
    case CollectiveKind::AllToAll: return (d - 1) / (d * d);
  }
  return 0;
}

double CollectiveTime(const Collective &c, const Mesh &mesh) {
  const MeshAxis &axis = mesh.axis(c.mesh_axis);
  if (axis.size <= 1) return 0;
  return axis.latency + RingFactor(c.kind, axis.size) * c.bytes / axis.bandwidth;
}

double CollectivesTime(std::span<const Collective> cs, const Mesh &mesh) {
  double t = 0;
  for (const Collective &c : cs) t += CollectiveTime(c, mesh);
  return t;
}

double ReshardTime(const ShardingSpec &from, const ShardingSpec &to, std::span<const int64_t> shape, DType dtype,
                   const Mesh &mesh) {
  if (from == to) return 0;
  auto plan = PlanResharding(from, to, shape, dtype, mesh);
  return CollectivesTime(plan, mesh);
}

}  // namespace cfp
