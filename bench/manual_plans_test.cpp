// The manual baselines are what their names say, built from iteration spaces and roles
// alone: on Alpa's MLP expectations they are the optimal plans Alpa's tests expect, and on
// a GPT their layouts and memory follow data parallelism, Megatron and ZeRO.
#include <gtest/gtest.h>

#include "graph/autodiff.h"
#include "graph/emitter.h"
#include "manual_plans.h"
#include "models/model_zoo.h"
#include "plan/plan.h"
#include "planner/planner.h"
#include "support/alpa_mlp.h"

namespace cfp_bench {
namespace {

using namespace cfp;

struct Priced {
  Plan plan;
  uint32_t fallbacks;
};

Priced Price(const Graph &g, const OptimizerOptions &o, ManualPlan kind) {
  CostModel model(g, o.BuildMesh().value(), o.device, o.cost, o.rules);
  ManualPlanChoice c = BuildManualPlan(model, kind);
  return {AssemblePlan(model, c.choice), c.fallbacks};
}

std::vector<std::string> WeightLayouts(const Graph &g, const Plan &p) {
  std::vector<std::string> out;
  for (uint32_t t = 0; t < g.num_tensors(); ++t)
    if (g.tensor(t).role == TensorRole::Parameter && g.tensor(t).shape.size() == 2) out.push_back(p.tensor_spec[t].ToString());
  return out;
}

TEST(BatchAxes, ForwardParallelWeightGradientReducedUpdateNone) {
  Graph g = cfp_test::AlpaMlpTraining(32, 16, 1);
  std::vector<int32_t> axis = BatchAxes(g);
  bool saw_forward_dot = false, saw_weight_grad = false;
  for (uint32_t op = 0; op < g.num_ops(); ++op) {
    const Op &o = g.op(op);
    const IterationSpace &s = g.space(op);
    if (o.phase == Phase::Update) EXPECT_EQ(axis[op], -1) << o.name;
    if (o.kind != OpKind::Dot) continue;
    ASSERT_GE(axis[op], 0) << o.name;
    EXPECT_EQ(s.axes()[axis[op]].size, 32) << o.name;
    const bool weight_gradient = g.tensor(o.outputs[0]).shape == std::vector<int64_t>{16, 16};
    EXPECT_EQ(s.axes()[axis[op]].kind, weight_gradient ? AxisKind::Reduction : AxisKind::Parallel) << o.name;
    saw_forward_dot |= o.phase == Phase::Forward;
    saw_weight_grad |= weight_gradient;
  }
  EXPECT_TRUE(saw_forward_dot && saw_weight_grad);
}

TEST(ManualPlans, DataParallelIsAlpasLargeBatchOptimum) {
  Graph g = cfp_test::AlpaMlpTraining(256, 32, 6);
  OptimizerOptions o;
  o.mesh_shape = {4, 1};
  UseAlpaTestConvention(o);
  Priced dp = Price(g, o, ManualPlan::DataParallel);
  EXPECT_EQ(dp.fallbacks, 0u);
  for (const std::string &layout : WeightLayouts(g, dp.plan)) EXPECT_EQ(layout, "[-,-]");
  for (const PlanCollective &c : dp.plan.collectives) {
    EXPECT_EQ(c.kind, CollectiveKind::AllReduce);
    EXPECT_TRUE(g.tensor(c.tensor).role == TensorRole::Gradient || g.tensor(c.tensor).shape.empty()) << g.tensor(c.tensor).name;
  }
  auto best = Optimize(g, o);
  ASSERT_TRUE(best.ok());
  EXPECT_NEAR(dp.plan.objective, best->objective, 1e-9 * best->objective);
}

TEST(ManualPlans, MegatronIsAlpasSmallBatchOptimum) {
  Graph g = cfp_test::AlpaMlpTraining(32, 256, 6);
  OptimizerOptions o;
  o.mesh_shape = {1, 4};
  UseAlpaTestConvention(o);
  Priced mt = Price(g, o, ManualPlan::Megatron);
  EXPECT_EQ(mt.fallbacks, 0u);
  std::vector<std::string> layouts = WeightLayouts(g, mt.plan);
  ASSERT_EQ(layouts.size(), 6u);
  for (size_t l = 0; l < 6; ++l) EXPECT_EQ(layouts[l], l % 2 == 0 ? "[-,1]" : "[1,-]") << "layer " << l;
  // Megatron's all-reduces: after each row-parallel layer forward (3), and of each
  // column-parallel layer's input gradient backward except the first layer's (2).
  int all_reduce = 0;
  for (const PlanCollective &c : mt.plan.collectives) all_reduce += c.kind == CollectiveKind::AllReduce;
  EXPECT_EQ(all_reduce, 5);
  EXPECT_EQ(mt.plan.collectives.size(), 5u);
  auto best = Optimize(g, o);
  ASSERT_TRUE(best.ok());
  EXPECT_NEAR(mt.plan.objective, best->objective, 1e-9 * best->objective);
}

TEST(ManualPlans, ZeroShardsStatesThenParameters) {
  Graph g = BuildModel("gpt:layers=2,hidden=256,heads=4,seq=64,batch=8,vocab=512").value();
  OptimizerOptions o;
  o.mesh_shape = {2, 4};
  Priced dp = Price(g, o, ManualPlan::DataParallel);
  Priced z2 = Price(g, o, ManualPlan::Zero2);
  Priced z3 = Price(g, o, ManualPlan::Zero3);
  int states = 0, params = 0;
  for (uint32_t t = 0; t < g.num_tensors(); ++t) {
    const Tensor &x = g.tensor(t);
    if (g.producer(t) != kNoId || x.shape.empty()) continue;
    if (x.role == TensorRole::OptimizerState) {
      ++states;
      EXPECT_TRUE(dp.plan.tensor_spec[t].IsFullyReplicated()) << x.name;
      EXPECT_EQ(z2.plan.tensor_spec[t].ShardCount(o.BuildMesh().value()), 8u) << x.name << " " << z2.plan.tensor_spec[t].ToString();
    }
    // Weights are read through a cast first and stored sharded; norm gains and biases are
    // read by a broadcast first and stay replicated (see manual_plans.h).
    if (x.role == TensorRole::Parameter && x.shape.size() >= 2) {
      ++params;
      EXPECT_TRUE(z2.plan.tensor_spec[t].IsFullyReplicated()) << x.name;
      EXPECT_EQ(z3.plan.tensor_spec[t].ShardCount(o.BuildMesh().value()), 8u) << x.name << " " << z3.plan.tensor_spec[t].ToString();
    }
  }
  EXPECT_GT(states, 0);
  EXPECT_GT(params, 0);
  // Sharding state saves memory and costs communication.
  EXPECT_LT(z2.plan.peak_memory, dp.plan.peak_memory);
  EXPECT_LT(z3.plan.peak_memory, z2.plan.peak_memory);
  EXPECT_GT(z3.plan.comm_time, dp.plan.comm_time);
  // Compute stays data parallel: forward activations keep the batch split over the mesh.
  EXPECT_NEAR(z2.plan.compute_time, dp.plan.compute_time, 0.05 * dp.plan.compute_time);
}

TEST(ManualPlans, MegatronSplitsHeadsAndFeedForwardOnTheModelAxis) {
  Graph g = BuildModel("gpt:layers=2,hidden=256,heads=4,seq=64,batch=8,vocab=512").value();
  OptimizerOptions o;
  o.mesh_shape = {2, 4};
  Priced mt = Price(g, o, ManualPlan::Megatron);
  // Every layer weight of rank 2 is split on the model axis (1) along one dim, the batch
  // on the data axis (0) never touches a weight.
  int split = 0, total = 0;
  for (uint32_t t = 0; t < g.num_tensors(); ++t) {
    const Tensor &x = g.tensor(t);
    if (x.role != TensorRole::Parameter || x.shape.size() != 2 || x.name.rfind("layers.", 0) != 0) continue;
    ++total;
    const ShardingSpec &s = mt.plan.tensor_spec[t];
    split += s.DimOf(1) >= 0;
    EXPECT_EQ(s.DimOf(0), -1) << x.name;
  }
  EXPECT_GT(total, 0);
  EXPECT_EQ(split, total);
  Priced dp = Price(g, o, ManualPlan::DataParallel);
  EXPECT_LT(mt.plan.peak_memory, dp.plan.peak_memory);
}

}  // namespace
}  // namespace cfp_bench
