#include <cmath>
#include <cstdint>

#include "cost/collective_cost.h"
#include "plan/plan.h"
#include "util/checked_math.h"

namespace cfp {

Plan AssemblePlan(const CostModel &model, const std::vector<uint32_t> &choice) {
  const Graph &g = model.graph();
  Plan plan;
  plan.graph_name = g.name();
  plan.device = model.device().name;
  plan.mesh_shape = model.mesh().shape();
  plan.op_strategy = choice;
  plan.op_block.assign(g.num_ops(), kNoId);
  plan.op_assignment.reserve(g.num_ops());
  for (uint32_t op = 0; op < g.num_ops(); ++op) {
    plan.op_assignment.push_back(model.strategies(op)[choice[op]]);
    plan.compute_time += model.ComputeTime(op, plan.op_assignment.back());
  }
  plan.tensor_spec = model.TensorSpecs(choice);
  model.VisitTransfers(plan.tensor_spec, choice,
                       [&](uint32_t t, const ShardingSpec &from, const ShardingSpec &to, int64_t before, double repeats) {
                         const Tensor &tensor = g.tensor(t);
                         for (const Collective &c : PlanResharding(from, to, tensor.shape, tensor.dtype, model.mesh())) {
                           PlanCollective pc;
                           pc.kind = c.kind;
                           pc.tensor = t;
                           pc.mesh_axes = static_cast<uint8_t>(1u << c.mesh_axis);
                           // A tensor holds fewer than 2^63 bytes, so its share always fits.
                           pc.bytes = RoundToUint64(c.bytes).value_or(UINT64_MAX);
                           pc.before_op = before;
                           // Per step: once per micro-batch where the transfer repeats.
                           pc.time = repeats * CollectiveTime(c, model.mesh());
                           plan.comm_time += pc.time;
                           plan.collectives.push_back(pc);
                         }
                       });
  StepCost cost = model.Evaluate(choice);
  plan.step_time = plan.compute_time + plan.comm_time;
  plan.objective = plan.step_time + cost.penalty;
  plan.peak_memory = RoundToUint64(cost.memory).value_or(UINT64_MAX);
  return plan;
}

}  // namespace cfp
