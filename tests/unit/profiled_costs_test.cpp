// The "cuda" cost model without a GPU: a FakeDeviceBackend returns known block times and
// collective times, and the optimizer must plan by them, reuse them from the profile DB,
// and price its plan exactly as EvaluateChoices does.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>

#include "graph/emitter.h"
#include "profile/collective_model.h"
#include "profile/fake_device_backend.h"
#include "profile/profile_db.h"
#include "profile/profiled_costs.h"
#include "planner/planner.h"
#include "support/scratch_dir.h"

namespace cfp {
namespace {

const int64_t B = 4096, H = 2048, F = 8192;

Graph Mlp() {
  GraphBuilder b("mlp");
  OpEmitter e(b);
  auto x = e.Input("x", {B, H}, DType::BF16);
  auto h = e.MatMul(x, e.Parameter("w1", {H, F}, DType::BF16));
  auto r = e.Max(h, e.Constant(0, DType::BF16));
  e.MatMul(r, e.Parameter("w2", {F, H}, DType::BF16));
  return b.Finish().value();
}

uint32_t TensorNamed(const Graph &g, const std::string &name) {
  for (uint32_t t = 0; t < g.num_tensors(); ++t)
    if (g.tensor(t).name == name) return t;
  ADD_FAILURE() << "no tensor " << name;
  return 0;
}

// The first dot's local lhs shape in a program, or an empty shape.
std::vector<int64_t> FirstDotLhs(const Graph &program) {
  for (uint32_t op : program.topo_order())
    if (IsContraction(program.op(op).kind)) return program.tensor(program.op(op).inputs[0]).shape;
  return {};
}

// Every block program costs 1 s, except the one multiplying x split along H (the first
// matmul's contraction dim): 1 us. No roofline would choose that split on its own here.
Result<double> ContractionSplitIsCheap(const Graph &program) {
  return FirstDotLhs(program) == std::vector<int64_t>{B, H / 2} ? 1e-6 : 1.0;
}

class ProfiledCosts : public ::testing::Test {
 protected:
  OptimizerOptions Options(std::shared_ptr<DeviceBackend> backend) const {
    OptimizerOptions o;
    o.mesh_shape = {2};
    o.threads = 1;
    o.cost_model = "cuda";
    o.profile_db = db_path();
    o.profiling_backend = std::move(backend);
    return o;
  }
  std::string db_path() const { return dir_.path() + "/profile.cfpdb"; }

  cfp_test::ScratchDir dir_{"profiled_costs"};
};

std::shared_ptr<FakeDeviceBackend> CheapContractionSplit() {
  return std::make_shared<FakeDeviceBackend>("fake-gpu", 1, ContractionSplitIsCheap);
}

TEST_F(ProfiledCosts, MeasuredTimesSteerThePlan) {
  Graph g = Mlp();
  const uint32_t w1 = TensorNamed(g, "w1");
  OptimizerOptions analytic = Options(nullptr);
  analytic.cost_model = "analytic";
  auto by_roofline = Optimize(g, analytic);
  ASSERT_TRUE(by_roofline.ok()) << by_roofline.status().message();
  ASSERT_NE(by_roofline->tensor_spec[w1].ToString(), "[0,-]") << "the roofline alone must not pick the split these times favour";

  auto fake = CheapContractionSplit();
  auto plan = Optimize(g, Options(fake));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->tensor_spec[w1].ToString(), "[0,-]");  // w1 split along H, the contraction dim
  EXPECT_EQ(plan->cost_model, "cuda");
  EXPECT_NE(plan->cost_notes.find("profiled on fake-gpu"), std::string::npos) << plan->cost_notes;
  EXPECT_GT(plan->stats.configurations_profiled, 0u);
  EXPECT_EQ(plan->stats.configurations_reused, 0u);
  EXPECT_EQ(fake->program_calls(), plan->stats.configurations_profiled);
  // One measurement per strategy of each unique block type: the sum the search costs.
  EXPECT_EQ(plan->stats.configurations_profiled, plan->stats.configurations_costed);
}

TEST_F(ProfiledCosts, SecondRunProfilesNothingAndGivesTheSamePlan) {
  Graph g = Mlp();
  auto first = Optimize(g, Options(CheapContractionSplit()));
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto again_backend = CheapContractionSplit();
  auto second = Optimize(g, Options(again_backend));
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(again_backend->program_calls(), 0u);
  EXPECT_EQ(second->stats.configurations_profiled, 0u);
  EXPECT_EQ(second->stats.configurations_reused, first->stats.configurations_profiled);
  EXPECT_EQ(second->op_strategy, first->op_strategy);
  EXPECT_EQ(second->objective, first->objective);
}

TEST_F(ProfiledCosts, PlanCostEqualsEvaluationOfItsChoices) {
  Graph g = Mlp();
  OptimizerOptions o = Options(CheapContractionSplit());
  auto plan = Optimize(g, o);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  auto evaluated = EvaluateChoices(g, o, plan->op_strategy);
  ASSERT_TRUE(evaluated.ok()) << evaluated.status().message();
  EXPECT_DOUBLE_EQ(evaluated->objective, plan->objective);
  EXPECT_DOUBLE_EQ(evaluated->compute_time, plan->compute_time);
  // And the measurements matter: the roofline prices the same choices differently.
  OptimizerOptions analytic = o;
  analytic.cost_model = "analytic";
  auto roofline = EvaluateChoices(g, analytic, plan->op_strategy);
  ASSERT_TRUE(roofline.ok());
  EXPECT_GT(std::abs(roofline->compute_time - plan->compute_time), 1e-9);
}

TEST_F(ProfiledCosts, CorruptedDatabaseIsReportedAndRebuilt) {
  {
    std::ofstream out(db_path(), std::ios::binary);
    out << "this is not a profile database";
  }
  Graph g = Mlp();
  auto plan = Optimize(g, Options(CheapContractionSplit()));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_NE(plan->cost_notes.find("warning:"), std::string::npos) << plan->cost_notes;
  EXPECT_GT(plan->stats.configurations_profiled, 0u);
  auto reopened = ProfileDb::Open(db_path());
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE(reopened->warnings().empty());
  EXPECT_EQ(reopened->size(), plan->stats.configurations_profiled);
}

TEST_F(ProfiledCosts, ProgramsTheDeviceCannotRunKeepTheAnalyticTime) {
  Graph g = Mlp();
  auto fake = std::make_shared<FakeDeviceBackend>("fake-gpu", 1, [](const Graph &program) -> Result<double> {
    // The second matmul's block (its lhs has F columns or a share of them) cannot run.
    std::vector<int64_t> lhs = FirstDotLhs(program);
    if (lhs.size() == 2 && (lhs[1] == F || lhs[1] == F / 2)) return Unsupported("no kernel for this program");
    return 1e-3;
  });
  auto plan = Optimize(g, Options(fake));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_NE(plan->cost_notes.find("use the analytic time: no kernel for this program"), std::string::npos) << plan->cost_notes;
  EXPECT_LT(plan->stats.configurations_profiled, plan->stats.configurations_costed);
  auto evaluated = EvaluateChoices(g, Options(fake), plan->op_strategy);
  ASSERT_TRUE(evaluated.ok());
  EXPECT_DOUBLE_EQ(evaluated->objective, plan->objective);
}

TEST_F(ProfiledCosts, CancellingDuringProfilingKeepsWhatWasMeasured) {
  Graph g = Mlp();
  OptimizerOptions o = Options(CheapContractionSplit());
  o.progress = [](const char *phase, uint64_t done, uint64_t) { return !(std::string(phase) == "profile" && done >= 2); };
  auto plan = Optimize(g, o);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), Code::kCancelled);
  auto db = ProfileDb::Open(db_path());
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db->size(), 2u);
}

TEST_F(ProfiledCosts, ProgressCountsEveryConfiguration) {
  Graph g = Mlp();
  OptimizerOptions o = Options(CheapContractionSplit());
  uint64_t last_done = 0, last_total = 0;
  o.progress = [&](const char *phase, uint64_t done, uint64_t total) {
    if (std::string(phase) == "profile") last_done = done, last_total = total;
    return true;
  };
  auto plan = Optimize(g, o);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(last_total, plan->stats.configurations_costed);
  EXPECT_EQ(last_done, last_total);
}

TEST_F(ProfiledCosts, LocalProgramHasShardedShapes) {
  Graph g = Mlp();
  OptimizerOptions o = Options(nullptr);
  CostModel model(g, o.BuildMesh().value(), o.device, o.cost, o.rules);
  BlockPartition blocks = BuildBlocks(g);
  const Block &first = blocks.blocks[blocks.block_of_op[g.topo_order()[0]]];
  BlockTable table = CostBlock(first, blocks, model);
  bool saw_split = false;
  for (uint32_t k = 0; k < table.size(); ++k) {
    auto program = LocalProgram(model, first, table.member_choice[k]);
    ASSERT_TRUE(program.ok()) << program.status().message();
    EXPECT_EQ(program->num_ops(), first.members.size());
    int64_t elements = 1;
    for (int64_t d : FirstDotLhs(*program)) elements *= d;
    // x is either whole or halved: the mesh has one axis of 2.
    EXPECT_TRUE(elements == B * H || elements == B * H / 2) << elements;
    saw_split |= elements == B * H / 2;
  }
  EXPECT_TRUE(saw_split);
}

TEST_F(ProfiledCosts, LinksAreMeasuredWhereEnoughDevicesAreVisible) {
  Graph g = Mlp();
  const AlphaBeta truth{20e-6, 100e9};
  auto collective = [truth](CollectiveKind kind, uint64_t bytes, int group) -> Result<double> {
    return AlphaBetaTime(truth, kind, bytes, group);
  };
  auto two = std::make_shared<FakeDeviceBackend>("fake-gpu", 2, ContractionSplitIsCheap, collective);
  auto plan = Optimize(g, Options(two));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_NE(plan->cost_notes.find("links: axis 0 (2): measured on fake-gpu"), std::string::npos) << plan->cost_notes;
  EXPECT_EQ(two->collective_calls(), 12u);  // four kinds at three sizes

  // The fitted links price communication as the true ones do.
  OptimizerOptions preset = Options(CheapContractionSplit());
  preset.axis_links = {std::make_pair(truth.bandwidth, truth.alpha)};
  auto with_truth = EvaluateChoices(g, preset, plan->op_strategy);
  ASSERT_TRUE(with_truth.ok()) << with_truth.status().message();
  EXPECT_NEAR(with_truth->comm_time, plan->comm_time, 1e-6 * plan->comm_time + 1e-12);
  EXPECT_NE(with_truth->cost_notes.find("links as set"), std::string::npos) << with_truth->cost_notes;

  // One device cannot measure a 2-way axis: the preset stays and the plan says so.
  auto one = std::make_shared<FakeDeviceBackend>("fake-gpu", 1, ContractionSplitIsCheap, collective);
  auto single = Optimize(g, Options(one));
  ASSERT_TRUE(single.ok());
  EXPECT_NE(single->cost_notes.find("axis 0 (2): device preset"), std::string::npos) << single->cost_notes;
  EXPECT_EQ(one->collective_calls(), 0u);
}

TEST_F(ProfiledCosts, CancellingDuringLinkCalibrationKeepsWhatWasMeasured) {
  auto collective = [](CollectiveKind kind, uint64_t bytes, int group) -> Result<double> {
    return AlphaBetaTime(AlphaBeta{1e-5, 1e11}, kind, bytes, group);
  };
  auto fake = std::make_shared<FakeDeviceBackend>("fake-gpu", 2, ContractionSplitIsCheap, collective);
  OptimizerOptions o = Options(fake);
  uint64_t calibrate_total = 0;
  o.progress = [&](const char *phase, uint64_t done, uint64_t total) {
    if (std::string(phase) != "calibrate") return true;
    calibrate_total = total;
    return done < 5;
  };
  auto plan = Optimize(Mlp(), o);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), Code::kCancelled);
  EXPECT_EQ(calibrate_total, 12u);
  EXPECT_EQ(fake->collective_calls(), 5u);
  EXPECT_EQ(fake->program_calls(), 0u);
  auto db = ProfileDb::Open(db_path());
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db->collective_count(), 5u);
}

TEST(ComputeOverride, ReplacesTheRooflineOfOneStrategyOnly) {
  Graph g = Mlp();
  OptimizerOptions o;
  o.mesh_shape = {2};
  o.cost.microbatches = 3;
  CostModel model(g, o.BuildMesh().value(), o.device, o.cost, o.rules);
  const uint32_t op = g.topo_order()[0];
  const auto &strategies = model.strategies(op);
  ASSERT_GE(strategies.size(), 2u);
  const double before0 = model.ComputeTime(op, strategies[0]), before1 = model.ComputeTime(op, strategies[1]);
  EXPECT_DOUBLE_EQ(before0, model.Repeats(op) * model.AnalyticRunTime(op, strategies[0]));
  auto table = std::make_shared<ComputeOverride>(g.num_ops());
  table->Set(op, 0, 0.25);
  model.SetComputeOverride(table);
  EXPECT_DOUBLE_EQ(model.ComputeTime(op, strategies[0]), model.Repeats(op) * 0.25);  // repeats still apply
  EXPECT_EQ(model.ComputeTime(op, strategies[1]), before1);
  model.SetComputeOverride(nullptr);
  EXPECT_EQ(model.ComputeTime(op, strategies[0]), before0);

  o.cost.compute_scale = 0;  // Alpa's convention: compute is free, measured or not
  CostModel free(g, o.BuildMesh().value(), o.device, o.cost, o.rules);
  free.SetComputeOverride(table);
  EXPECT_EQ(free.ComputeTime(op, free.strategies(op)[0]), 0.0);
}

TEST_F(ProfiledCosts, UnknownCostModelIsUnsupported) {
  OptimizerOptions o = Options(CheapContractionSplit());
  o.cost_model = "tpu";
  auto plan = Optimize(Mlp(), o);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), Code::kUnsupported);
  EXPECT_NE(plan.status().message().find("'tpu'"), std::string::npos);
}

}  // namespace
}  // namespace cfp
