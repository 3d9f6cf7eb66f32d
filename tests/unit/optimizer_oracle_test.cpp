// The optimizer's plan costs exactly the brute-force minimum over every per-operator
// choice (docs/design.md §11) on small graphs, on 1-D and 2-D meshes.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <functional>

#include "cost/cost_model.h"
#include "graph/emitter.h"
#include "planner/planner.h"
#include "support/per_op_brute_force.h"

namespace cfp {
namespace {

struct Case {
  std::string name;
  std::function<void(OpEmitter &)> build;
};

double BruteForceMinimum(const Graph &g, const OptimizerOptions &o, uint64_t *combos) {
  return cfp_test::PerOpBruteForce(CostModel(g, o.BuildMesh().value(), o.device, o.cost, o.rules), combos);
}

OptimizerOptions Options(std::vector<uint32_t> mesh) {
  OptimizerOptions o;
  o.mesh_shape = std::move(mesh);
  o.threads = 1;
  return o;
}

void ExpectOptimal(const Case &c, const std::vector<uint32_t> &mesh) {
  GraphBuilder b(c.name);
  OpEmitter e(b);
  c.build(e);
  Graph g = b.Finish().value();
  OptimizerOptions o = Options(mesh);
  uint64_t combos = 0;
  double expect = BruteForceMinimum(g, o, &combos);
  auto plan = Optimize(g, o);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  if (std::getenv("CFP_TEST_VERBOSE")) std::printf("%s %zu-D: %llu plans, best %.6g, search %.6g\n", c.name.c_str(), mesh.size(), (unsigned long long)combos, expect, plan->objective);
  EXPECT_NEAR(plan->objective, expect, 1e-12 + 1e-9 * expect) << c.name << " on " << mesh.size() << "-D mesh, " << combos
                                                              << " plans enumerated";
  // And cfp_evaluate of the plan's own choices reproduces it.
  auto again = EvaluateChoices(g, o, plan->op_strategy);
  ASSERT_TRUE(again.ok());
  EXPECT_DOUBLE_EQ(again->objective, plan->objective);
}

// Dims large enough that compute, bandwidth and latency all matter.
const int64_t B = 4096, H = 4096, F = 16384;

Case Mlp() {
  return {"mlp", [](OpEmitter &e) {
            auto x = e.Input("x", {B, H}, DType::BF16);
            auto h = e.MatMul(x, e.Parameter("w1", {H, F}, DType::BF16));
            auto r = e.Max(h, e.Constant(0, DType::BF16));
            e.MatMul(r, e.Parameter("w2", {F, H}, DType::BF16));
          }};
}

Case MlpWithBias() {
  return {"mlp-bias", [](OpEmitter &e) {
            auto x = e.Input("x", {B, H}, DType::BF16);
            auto h = e.MatMul(x, e.Parameter("w1", {H, F}, DType::BF16));
            auto bias = e.Broadcast(e.Parameter("b1", {F}, DType::BF16), {B, F}, {1});
            auto r = e.Max(e.Add(h, bias), e.Constant(0, DType::BF16));
            e.MatMul(r, e.Parameter("w2", {F, H}, DType::BF16));
          }};
}

Case Attention() {
  return {"attention", [](OpEmitter &e) {
            auto q = e.Input("q", {16, 32, 1024, 128}, DType::BF16);
            auto k = e.Input("k", {16, 32, 1024, 128}, DType::BF16);
            auto v = e.Input("v", {16, 32, 1024, 128}, DType::BF16);
            auto s = e.Dot(q, k, {0, 1}, {0, 1}, {3}, {3});
            auto p = e.Unary(OpKind::Exp, s);
            e.Dot(p, v, {0, 1}, {0, 1}, {3}, {2});
          }};
}

Case LayerNormCore() {
  return {"layernorm", [](OpEmitter &e) {
            auto x = e.Input("x", {B, H}, DType::F32);
            auto sum = e.Reduce(OpKind::ReduceSum, x, {1});
            auto centered = e.Sub(x, e.Broadcast(sum, {B, H}, {0}));
            e.Mul(centered, centered);
          }};
}

Case LayerNormAfterDense() {
  return {"dense-layernorm", [](OpEmitter &e) {
            auto x = e.MatMul(e.Input("x", {B, H}, DType::F32), e.Parameter("w", {H, H}));
            auto sum = e.Reduce(OpKind::ReduceSum, x, {1});
            auto centered = e.Sub(x, e.Broadcast(sum, {B, H}, {0}));
            e.Mul(centered, centered);
          }};
}

Case Residual() {
  return {"residual", [](OpEmitter &e) {
            auto x = e.Input("x", {B, H}, DType::BF16);
            auto h = e.MatMul(x, e.Parameter("w1", {H, H}, DType::BF16));
            auto a = e.Add(h, x);
            e.MatMul(a, e.Parameter("w2", {H, H}, DType::BF16));
          }};
}

TEST(OptimalityOracle, MlpOn1DAnd2DMeshes) {
  ExpectOptimal(Mlp(), {4});
  ExpectOptimal(Mlp(), {2, 4});
}

TEST(OptimalityOracle, MlpWithBiasOn1DMesh) { ExpectOptimal(MlpWithBias(), {8}); }

TEST(OptimalityOracle, AttentionOn1DAnd2DMeshes) {
  ExpectOptimal(Attention(), {4});
  ExpectOptimal(Attention(), {2, 2});
}

TEST(OptimalityOracle, LayerNormOn1DAnd2DMeshes) {
  ExpectOptimal(LayerNormCore(), {4});
  ExpectOptimal(LayerNormCore(), {2, 4});
  ExpectOptimal(LayerNormAfterDense(), {4});
}

TEST(OptimalityOracle, ResidualOn1DAnd2DMeshes) {
  ExpectOptimal(Residual(), {8});
  ExpectOptimal(Residual(), {2, 4});
}

}  // namespace
}  // namespace cfp
