// The variable-elimination oracles (support/exact_optimum.h) agree with plain enumeration
// where enumeration is feasible, and their factors sum to the cost model's objective.
#include <gtest/gtest.h>

#include <functional>
#include <limits>

#include "blocks/block_costs.h"
#include "cost/cost_model.h"
#include "graph/autodiff.h"
#include "graph/emitter.h"
#include "planner/planner.h"
#include "support/exact_optimum.h"
#include "support/per_op_brute_force.h"
#include "support/random_training_graph.h"

namespace cfp {
namespace {

using cfp_test::ExactBlockOptimum;
using cfp_test::ExactPerOpOptimum;
using cfp_test::SearchSpace;

CostModel ModelFor(const Graph &g, std::vector<uint32_t> mesh, bool alpa) {
  OptimizerOptions o;
  o.mesh_shape = std::move(mesh);
  if (alpa) UseAlpaTestConvention(o);
  return CostModel(g, o.BuildMesh().value(), o.device, o.cost, o.rules);
}

// The least objective over every assignment of the blocks' table rows.
double BlockBruteForce(const CostModel &model) {
  const BlockPartition &bp = model.blocks();
  std::vector<BlockTable> tables;
  for (const Block &b : bp.blocks) tables.push_back(CostBlock(b, bp, model));
  std::vector<uint32_t> choice(model.graph().num_ops(), 0);
  double best = std::numeric_limits<double>::infinity();
  std::function<void(size_t)> rec = [&](size_t b) {
    if (b == tables.size()) {
      best = std::min(best, model.Evaluate(choice).Objective());
      return;
    }
    for (uint32_t k = 0; k < tables[b].size(); ++k) {
      for (size_t i = 0; i < bp.blocks[b].members.size(); ++i)
        choice[bp.blocks[b].members[i]] = tables[b].member_choice[k][i];
      rec(b + 1);
    }
  };
  rec(0);
  return best;
}

void ExpectBothOraclesMatchEnumeration(const Graph &g, std::vector<uint32_t> mesh, bool alpa) {
  const CostModel model = ModelFor(g, mesh, alpa);
  SCOPED_TRACE(g.name() + " on a " + std::to_string(mesh.size()) + "-D mesh" + (alpa ? ", Alpa's convention" : ""));
  const double per_op = cfp_test::PerOpBruteForce(model);
  const auto exact = ExactPerOpOptimum(model);
  ASSERT_TRUE(exact.solved) << exact.failure;
  EXPECT_NEAR(exact.objective, per_op, 1e-9 * per_op);
  // The choice it reports attains it.
  EXPECT_NEAR(model.Evaluate(exact.choice).Objective(), exact.objective, 1e-9 * per_op);

  const double blocks = BlockBruteForce(model);
  const auto exact_blocks = ExactBlockOptimum(model);
  ASSERT_TRUE(exact_blocks.solved) << exact_blocks.failure;
  EXPECT_NEAR(exact_blocks.objective, blocks, 1e-9 * blocks);
  EXPECT_NEAR(model.Evaluate(exact_blocks.choice).Objective(), exact_blocks.objective, 1e-9 * blocks);
  EXPECT_LE(per_op, blocks * (1 + 1e-12));
}

Graph ForwardMlp() {
  GraphBuilder b("mlp");
  OpEmitter e(b);
  auto x = e.Input("x", {64, 32}, DType::BF16);
  auto h = e.MatMul(x, e.Parameter("w1", {32, 128}, DType::BF16));
  auto r = e.Max(h, e.Constant(0, DType::BF16));
  e.MatMul(r, e.Parameter("w2", {128, 32}, DType::BF16));
  return b.Finish().value();
}

// One dense layer and a squared loss, trained with SGD: forward, backward and update
// ops, few enough for enumeration on a 2-device mesh (the odd contracted dim leaves the
// dots fewer strategies).
Graph TinyTraining() {
  GraphBuilder b("dense-sgd");
  OpEmitter e(b);
  auto x = e.Input("x", {8, 3}, DType::F32);
  auto y = e.MatMul(x, e.Parameter("w", {3, 6}));
  auto sq = e.Reduce(OpKind::ReduceSum, e.Mul(y, y), {0, 1});
  e.Mul(sq, e.Constant(0.5));
  return MakeTrainingGraph(b.Finish().value(), "sgd").value();
}

TEST(ExactOptimum, MatchesEnumerationOnForwardMlp) {
  const Graph g = ForwardMlp();
  ExpectBothOraclesMatchEnumeration(g, {4}, false);
  ExpectBothOraclesMatchEnumeration(g, {2, 2}, false);
  ExpectBothOraclesMatchEnumeration(g, {4}, true);
}

TEST(ExactOptimum, MatchesEnumerationOnTinyTrainingGraph) {
  const Graph g = TinyTraining();
  ExpectBothOraclesMatchEnumeration(g, {2}, false);
  ExpectBothOraclesMatchEnumeration(g, {2}, true);
}

TEST(ExactOptimum, FactorsSumToTheObjectiveOnRandomTrainingGraphs) {
  // Graphs whose factors need more than 2^16 TensorCost calls are passed over (for time).
  const cfp_test::ExactOptions limits{.max_priced_entries = uint64_t{1} << 16};
  int checked[2] = {0, 0};
  for (uint64_t seed = 1; seed <= 24; ++seed) {
    cfp_test::RandomGraphOptions ro;
    ro.optimizer = seed % 2 ? "adam" : "sgd";
    ro.large_dims = seed % 3 == 0;
    auto rg = cfp_test::RandomTrainingGraph(seed, ro);
    ASSERT_TRUE(rg.ok()) << rg.status().message();
    const std::vector<uint32_t> mesh = seed % 4 < 2 ? std::vector<uint32_t>{2, 2} : std::vector<uint32_t>{4};
    const CostModel model = ModelFor(rg->graph, mesh, seed % 5 == 0);
    for (SearchSpace space : {SearchSpace::PerOp, SearchSpace::Blocks}) {
      const double error = cfp_test::MaxDecompositionError(model, space, seed, 10, limits);
      if (error < 0) continue;
      ++checked[space == SearchSpace::Blocks];
      EXPECT_LE(error, 1e-9) << "seed " << seed << ": " << rg->description;
    }
  }
  EXPECT_GE(checked[0], 12);
  EXPECT_GE(checked[1], 20);
}

TEST(ExactOptimum, ReportsNoPlanWhenAContractionHasNoStrategy) {
  GraphBuilder b("odd");
  OpEmitter e(b);
  e.MatMul(e.Input("x", {3, 5}, DType::F32), e.Parameter("w", {5, 7}));
  const Graph g = b.Finish().value();
  const CostModel model = ModelFor(g, {2}, true);  // no replicated contraction, nothing divides by 2
  const auto r = ExactPerOpOptimum(model);
  EXPECT_TRUE(r.solved);
  EXPECT_EQ(r.objective, std::numeric_limits<double>::infinity());
}

TEST(ExactOptimum, GivesUpOnTablesBeyondTheLimit) {
  const Graph g = ForwardMlp();
  const CostModel model = ModelFor(g, {2, 2}, false);
  const auto r = ExactPerOpOptimum(model, {.max_table_entries = 2});
  EXPECT_FALSE(r.solved);
  EXPECT_FALSE(r.failure.empty());
}

}  // namespace
}  // namespace cfp
