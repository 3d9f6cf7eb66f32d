// Alpa's published auto-sharding expectations (tests/test_auto_sharding_mlp.py), reproduced
// under its convention: alpha = beta = 1 per mesh axis, compute free, f32, 4 devices.
#include <gtest/gtest.h>

#include <map>

#include "planner/planner.h"
#include "support/alpa_mlp.h"

namespace cfp {
namespace {

struct Summary {
  std::map<CollectiveKind, int> count;
  int total = 0;
  int on_parameters_or_gradients = 0;
  std::vector<std::string> weight_layouts;  // per layer
};

Summary Summarize(const Graph &g, const Plan &p) {
  Summary s;
  for (const PlanCollective &c : p.collectives) {
    ++s.count[c.kind];
    ++s.total;
    TensorRole r = g.tensor(c.tensor).role;
    bool grad_of_param = r == TensorRole::Gradient && g.tensor(c.tensor).gradient_of >= 0 &&
                         g.tensor(g.tensor(c.tensor).gradient_of).role == TensorRole::Parameter;
    if (r == TensorRole::Parameter || grad_of_param) ++s.on_parameters_or_gradients;
  }
  for (uint32_t t = 0; t < g.num_tensors(); ++t)
    if (g.tensor(t).role == TensorRole::Parameter && g.tensor(t).shape.size() == 2)
      s.weight_layouts.push_back(p.tensor_spec[t].ToString());
  return s;
}

Plan OptimizeAlpa(const Graph &g, std::vector<uint32_t> mesh) {
  OptimizerOptions o;
  o.mesh_shape = std::move(mesh);
  UseAlpaTestConvention(o);
  auto plan = Optimize(g, o);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  return plan.ok() ? std::move(plan).value() : Plan{};
}

// Alpa's tests train with SGD; Adam reads every gradient twice (first and second moments),
// which must not change the plan nor reduce a gradient twice.
class AlpaExpectations : public ::testing::TestWithParam<std::string> {};

TEST_P(AlpaExpectations, SmallBatchLargeHiddenIsMegatron) {
  Graph g = cfp_test::AlpaMlpTraining(32, 256, 6, GetParam());
  for (auto mesh : std::vector<std::vector<uint32_t>>{{1, 4}, {4, 1}}) {
    Plan p = OptimizeAlpa(g, mesh);
    Summary s = Summarize(g, p);
    const std::string axis = mesh[0] == 4 ? "0" : "1";
    // Weights alternate column split and row split.
    ASSERT_EQ(s.weight_layouts.size(), 6u);
    for (size_t l = 0; l < 6; ++l)
      EXPECT_EQ(s.weight_layouts[l], l % 2 == 0 ? "[-," + axis + "]" : "[" + axis + ",-]") << "layer " << l;
    // Exactly 5 all-reduces of activations (3 forward, 2 backward) and nothing else.
    EXPECT_EQ(s.count[CollectiveKind::AllReduce], 5);
    EXPECT_EQ(s.total, 5);
    EXPECT_EQ(s.on_parameters_or_gradients, 0);
    int forward = 0;
    for (const PlanCollective &c : p.collectives)
      forward += c.before_op >= 0 && g.op(static_cast<uint32_t>(c.before_op)).phase == Phase::Forward;
    EXPECT_EQ(forward, 3);
    // Alpa's objective: 5 all-reduces of a 32x256 f32 activation: each 1 + 2 (n-1)/n B.
    EXPECT_NEAR(p.step_time, 5 * (1 + 2 * 0.75 * 32 * 256 * 4), 1e-6);
    EXPECT_TRUE(p.is_optimal);
  }
}

TEST_P(AlpaExpectations, LargeBatchSmallHiddenIsDataParallel) {
  Graph g = cfp_test::AlpaMlpTraining(256, 32, 6, GetParam());
  for (auto mesh : std::vector<std::vector<uint32_t>>{{1, 4}, {4, 1}}) {
    Plan p = OptimizeAlpa(g, mesh);
    Summary s = Summarize(g, p);
    for (const std::string &layout : s.weight_layouts) EXPECT_EQ(layout, "[-,-]");
    // The batch is split everywhere; only gradients (and the scalar loss) are reduced.
    const uint8_t axis = mesh[0] == 4 ? 0 : 1;
    for (uint32_t t = 0; t < g.num_tensors(); ++t) {
      const Tensor &tensor = g.tensor(t);
      if (tensor.role == TensorRole::Activation && tensor.shape == std::vector<int64_t>{256, 32})
        EXPECT_EQ(p.tensor_spec[t].DimOf(axis), 0) << tensor.name << " " << p.tensor_spec[t].ToString();
    }
    for (const PlanCollective &c : p.collectives) {
      EXPECT_EQ(c.kind, CollectiveKind::AllReduce);
      const Tensor &t = g.tensor(c.tensor);
      bool gradient = t.role == TensorRole::Gradient;
      bool scalar = t.shape.empty();
      EXPECT_TRUE(gradient || scalar) << t.name;
    }
    // One all-reduce for each weight and bias gradient, none reduced twice.
    std::map<uint32_t, int> per_gradient;
    for (const PlanCollective &c : p.collectives)
      if (g.tensor(c.tensor).role == TensorRole::Gradient && !g.tensor(c.tensor).shape.empty()) ++per_gradient[c.tensor];
    EXPECT_EQ(per_gradient.size(), 12u);
    for (const auto &[t, n] : per_gradient) EXPECT_EQ(n, 1) << g.tensor(t).name;
    // Alpa's objective: the 12 gradients all-reduced once each (the scalar loss aside).
    double gradients = 0;
    for (const PlanCollective &c : p.collectives)
      if (per_gradient.count(c.tensor)) gradients += c.time;
    EXPECT_NEAR(gradients, 6 * (1 + 2 * 0.75 * 32 * 32 * 4) + 6 * (1 + 2 * 0.75 * 32 * 4), 1e-6);
  }
}

INSTANTIATE_TEST_SUITE_P(Optimizers, AlpaExpectations, ::testing::Values("sgd", "adam"),
                         [](const ::testing::TestParamInfo<std::string> &i) { return i.param; });

}  // namespace
}  // namespace cfp
