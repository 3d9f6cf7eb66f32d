#include "cost/collective_cost.h"

namespace cfp {

double CollectiveTime(const Collective &c, const Mesh &mesh) {
  const MeshAxis &axis = mesh.axis(c.mesh_axis);
  const double n = axis.size;
  if (n <= 1) return 0;
  double volume = 0;
  switch (c.kind) {
    case CollectiveKind::AllReduce: volume = 2 * (n - 1) / n * c.bytes; break;
    case CollectiveKind::AllGather:
    case CollectiveKind::ReduceScatter: volume = (n - 1) / n * c.bytes; break;
    case CollectiveKind::AllToAll: volume = (n - 1) / (n * n) * c.bytes; break;
  }
  return axis.latency + volume / axis.bandwidth;
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
