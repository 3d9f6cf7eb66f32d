// Options, optimize, evaluate and plans through the C API.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "plan_generated.h"
#include "support/c_graphs.h"

namespace {

using namespace cfp_test;  // NOLINT(google-build-using-namespace): test support

using cfp_test::LastError;

struct Fixture {
  Graph g;
  Options o;
  Fixture(int64_t batch = 512, int64_t hidden = 1024, std::vector<uint32_t> mesh = {4}) {
    auto buf = cfp_test::TinyMlpBuffer(batch, hidden);
    EXPECT_EQ(cfp_graph_from_buffer(buf.data(), buf.size(), g.out()), CFP_OK);
    EXPECT_EQ(cfp_options_create(o.out()), CFP_OK);
    EXPECT_EQ(cfp_options_set_mesh(o.get(), mesh.data(), mesh.size()), CFP_OK);
  }
};

TEST(ApiOptimize, OptimizesAndDescribesAPlan) {
  Fixture f;
  Plan p;
  ASSERT_EQ(cfp_optimize(f.g.get(), f.o.get(), p.out()), CFP_OK) << LastError();
  double step = 0, compute = 0, comm = 0;
  ASSERT_EQ(cfp_plan_step_time(p.get(), &step), CFP_OK);
  ASSERT_EQ(cfp_plan_compute_time(p.get(), &compute), CFP_OK);
  ASSERT_EQ(cfp_plan_comm_time(p.get(), &comm), CFP_OK);
  EXPECT_GT(step, 0);
  EXPECT_NEAR(step, compute + comm, 1e-15);
  int optimal = 0;
  ASSERT_EQ(cfp_plan_is_optimal(p.get(), &optimal), CFP_OK);
  EXPECT_EQ(optimal, 1);
  uint64_t mem = 0;
  ASSERT_EQ(cfp_plan_peak_memory(p.get(), &mem), CFP_OK);
  EXPECT_GT(mem, 0u);
  uint32_t blocks = 0, n_coll = 0;
  ASSERT_EQ(cfp_plan_block_count(p.get(), &blocks), CFP_OK);
  EXPECT_GE(blocks, 2u);
  ASSERT_EQ(cfp_plan_collective_count(p.get(), &n_coll), CFP_OK);
  double coll_sum = 0;
  for (uint32_t i = 0; i < n_coll; ++i) {
    cfp_collective_kind kind;
    uint32_t tensor = 0, mask = 0;
    uint64_t bytes = 0;
    int64_t before = 0;
    double t = 0;
    ASSERT_EQ(cfp_plan_collective(p.get(), i, &kind, &tensor, &mask, &bytes, &before, &t), CFP_OK);
    EXPECT_GT(bytes, 0u);
    EXPECT_NE(mask, 0u);
    coll_sum += t;
  }
  EXPECT_NEAR(coll_sum, comm, 1e-12);
  EXPECT_EQ(cfp_plan_collective(p.get(), n_coll, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr), CFP_ERR_OUT_OF_RANGE);
  double ops = 0;
  ASSERT_EQ(cfp_plan_stat(p.get(), CFP_STAT_OPS, &ops), CFP_OK);
  EXPECT_EQ(ops, 5);
  double costed = 0;
  ASSERT_EQ(cfp_plan_stat(p.get(), CFP_STAT_CONFIGURATIONS_COSTED, &costed), CFP_OK);
  EXPECT_GT(costed, 0);
  EXPECT_EQ(cfp_plan_stat(p.get(), static_cast<cfp_stat>(99), &ops), CFP_ERR_INVALID_ARGUMENT);

  char buf[64];
  size_t needed = 0;
  ASSERT_EQ(cfp_plan_tensor_sharding(p.get(), 0, buf, sizeof buf, &needed), CFP_OK);
  EXPECT_EQ(needed, std::strlen(buf) + 1);
  EXPECT_EQ(buf[0], '[');
  char tiny[2];
  EXPECT_EQ(cfp_plan_tensor_sharding(p.get(), 0, tiny, sizeof tiny, &needed), CFP_ERR_BUFFER_TOO_SMALL);
  EXPECT_GT(needed, 2u);
  EXPECT_EQ(cfp_plan_tensor_sharding(p.get(), 999, buf, sizeof buf, &needed), CFP_ERR_OUT_OF_RANGE);
}

TEST(ApiOptimize, EvaluateOfThePlansChoicesReproducesItsCost) {
  Fixture f;
  Plan p;
  ASSERT_EQ(cfp_optimize(f.g.get(), f.o.get(), p.out()), CFP_OK) << LastError();
  std::vector<uint32_t> choice(5);
  for (uint32_t op = 0; op < 5; ++op) ASSERT_EQ(cfp_plan_op_strategy(p.get(), op, &choice[op]), CFP_OK);
  Plan e;
  ASSERT_EQ(cfp_evaluate(f.g.get(), f.o.get(), choice.data(), choice.size(), e.out()), CFP_OK) << LastError();
  double a = 0, b = 0;
  cfp_plan_step_time(p.get(), &a);
  cfp_plan_step_time(e.get(), &b);
  EXPECT_DOUBLE_EQ(a, b);
  // Every other choice vector costs at least as much (5 ops: enumerate them all).
  std::vector<uint32_t> counts(5);
  for (uint32_t op = 0; op < 5; ++op) ASSERT_EQ(cfp_op_strategy_count(f.g.get(), f.o.get(), op, &counts[op]), CFP_OK);
  std::vector<uint32_t> c(5, 0);
  size_t evaluated = 0;
  for (;;) {
    Plan q;
    ASSERT_EQ(cfp_evaluate(f.g.get(), f.o.get(), c.data(), c.size(), q.out()), CFP_OK);
    double t = 0;
    cfp_plan_step_time(q.get(), &t);
    EXPECT_GE(t, a * (1 - 1e-12));
    ++evaluated;
    size_t i = 0;
    while (i < 5 && ++c[i] == counts[i]) c[i++] = 0;
    if (i == 5) break;
  }
  EXPECT_EQ(evaluated, size_t{counts[0]} * counts[1] * counts[2] * counts[3] * counts[4]);
}

TEST(ApiOptimize, EvaluateRejectsBadChoices) {
  Fixture f;
  Plan e;
  std::vector<uint32_t> c(4, 0);
  EXPECT_EQ(cfp_evaluate(f.g.get(), f.o.get(), c.data(), c.size(), e.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("expected one choice per op (5), got 4"), std::string::npos) << LastError();
  c.assign(5, 0);
  c[4] = 1000;
  EXPECT_EQ(cfp_evaluate(f.g.get(), f.o.get(), c.data(), c.size(), e.out()), CFP_ERR_OUT_OF_RANGE);
  EXPECT_NE(LastError().find("'dot2'"), std::string::npos) << LastError();
  EXPECT_EQ(e.get(), nullptr);
}

TEST(ApiOptimize, DescribesStrategies) {
  Fixture f;
  uint32_t n = 0;
  ASSERT_EQ(cfp_op_strategy_count(f.g.get(), f.o.get(), 0, &n), CFP_OK);
  EXPECT_EQ(n, 4u);  // replicated, or one of the dot's three axes on the 1-D mesh
  char buf[128];
  size_t needed = 0;
  ASSERT_EQ(cfp_op_strategy_describe(f.g.get(), f.o.get(), 0, 0, buf, sizeof buf, &needed), CFP_OK);
  EXPECT_EQ(std::string(buf), "replicated : ac,cb->ab");
  ASSERT_EQ(cfp_op_strategy_describe(f.g.get(), f.o.get(), 0, 3, buf, sizeof buf, &needed), CFP_OK);
  EXPECT_EQ(std::string(buf), "a2<-[0] : ac,cb->ab");
  EXPECT_EQ(cfp_op_strategy_describe(f.g.get(), f.o.get(), 0, 4, buf, sizeof buf, &needed), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(cfp_op_strategy_count(f.g.get(), f.o.get(), 99, &n), CFP_ERR_OUT_OF_RANGE);
}

TEST(ApiOptimize, MemoryBudgetIsHonouredOrInfeasible) {
  Fixture f(4096, 4096);
  Plan fast;
  ASSERT_EQ(cfp_optimize(f.g.get(), f.o.get(), fast.out()), CFP_OK) << LastError();
  uint64_t min_mem = 0;
  ASSERT_EQ(cfp_min_memory(f.g.get(), f.o.get(), &min_mem), CFP_OK) << LastError();
  EXPECT_GT(min_mem, 0u);
  uint64_t fast_mem = 0;
  cfp_plan_peak_memory(fast.get(), &fast_mem);
  EXPECT_GE(fast_mem, min_mem);
  // A budget exactly at the minimum is feasible; one byte less is not.
  ASSERT_EQ(cfp_options_set_memory_budget(f.o.get(), min_mem), CFP_OK);
  Plan tight;
  ASSERT_EQ(cfp_optimize(f.g.get(), f.o.get(), tight.out()), CFP_OK) << LastError();
  uint64_t tight_mem = 0;
  cfp_plan_peak_memory(tight.get(), &tight_mem);
  EXPECT_LE(tight_mem, min_mem);
  ASSERT_EQ(cfp_options_set_memory_budget(f.o.get(), min_mem - 1), CFP_OK);
  Plan none;
  EXPECT_EQ(cfp_optimize(f.g.get(), f.o.get(), none.out()), CFP_ERR_INFEASIBLE);
  EXPECT_EQ(none.get(), nullptr);
  EXPECT_NE(LastError().find("the smallest plan needs " + std::to_string(min_mem) + " bytes"), std::string::npos)
      << LastError();
  ASSERT_EQ(cfp_options_set_memory_budget(f.o.get(), 1), CFP_OK);
  EXPECT_EQ(cfp_optimize(f.g.get(), f.o.get(), none.out()), CFP_ERR_INFEASIBLE);
}

// For every budget from the smallest plan's memory up, the plan fits, is proven optimal, is
// never faster than the fastest fitting choice vector (all priced by cfp_evaluate; the search
// covers the block-consistent ones), and gets no slower as the budget grows.
TEST(ApiOptimize, BudgetedPlansFitAndImproveWithTheBudget) {
  Fixture f(4096, 4096);
  std::vector<uint32_t> counts(5);
  for (uint32_t op = 0; op < 5; ++op) ASSERT_EQ(cfp_op_strategy_count(f.g.get(), f.o.get(), op, &counts[op]), CFP_OK);
  std::vector<std::pair<uint64_t, double>> all;  // (memory, time) of every choice vector
  std::vector<uint32_t> c(5, 0);
  for (;;) {
    Plan q;
    ASSERT_EQ(cfp_evaluate(f.g.get(), f.o.get(), c.data(), c.size(), q.out()), CFP_OK) << LastError();
    uint64_t m = 0;
    double t = 0;
    cfp_plan_peak_memory(q.get(), &m);
    cfp_plan_step_time(q.get(), &t);
    all.emplace_back(m, t);
    size_t i = 0;
    while (i < 5 && ++c[i] == counts[i]) c[i++] = 0;
    if (i == 5) break;
  }
  std::vector<uint64_t> budgets;
  for (const auto &[m, t] : all) budgets.push_back(m);
  std::sort(budgets.begin(), budgets.end());
  budgets.erase(std::unique(budgets.begin(), budgets.end()), budgets.end());
  uint64_t min_mem = 0;
  ASSERT_EQ(cfp_min_memory(f.g.get(), f.o.get(), &min_mem), CFP_OK) << LastError();
  budgets.erase(budgets.begin(), std::lower_bound(budgets.begin(), budgets.end(), min_mem));
  ASSERT_GE(budgets.size(), 3u);
  double previous = INFINITY;
  for (uint64_t budget : budgets) {
    double best = INFINITY;
    for (const auto &[m, t] : all)
      if (m <= budget) best = std::min(best, t);
    ASSERT_EQ(cfp_options_set_memory_budget(f.o.get(), budget), CFP_OK);
    Plan p;
    ASSERT_EQ(cfp_optimize(f.g.get(), f.o.get(), p.out()), CFP_OK) << LastError();
    uint64_t m = 0;
    double t = 0;
    int optimal = 0;
    cfp_plan_peak_memory(p.get(), &m);
    cfp_plan_step_time(p.get(), &t);
    cfp_plan_is_optimal(p.get(), &optimal);
    EXPECT_LE(m, budget);
    EXPECT_GE(t, best * (1 - 1e-12)) << "budget " << budget;
    EXPECT_LE(t, previous * (1 + 1e-12)) << "budget " << budget;
    EXPECT_EQ(optimal, 1) << "budget " << budget;
    previous = t;
  }
}

TEST(ApiOptimize, PlansSerializeToFlatBuffersAndJson) {
  Fixture f(512, 1024, {2, 2});
  Plan p;
  ASSERT_EQ(cfp_optimize(f.g.get(), f.o.get(), p.out()), CFP_OK) << LastError();
  Bytes buf;
  ASSERT_EQ(cfp_plan_to_buffer(p.get(), buf.out()), CFP_OK);
  Plan back;
  ASSERT_EQ(cfp_plan_from_buffer(cfp_bytes_data(buf.get()), cfp_bytes_size(buf.get()), back.out()), CFP_OK) << LastError();
  double a = 0, b = 0;
  cfp_plan_step_time(p.get(), &a);
  cfp_plan_step_time(back.get(), &b);
  EXPECT_DOUBLE_EQ(a, b);
  for (uint32_t op = 0; op < 5; ++op) {
    uint32_t x = 0, y = 0;
    cfp_plan_op_strategy(p.get(), op, &x);
    cfp_plan_op_strategy(back.get(), op, &y);
    EXPECT_EQ(x, y);
  }
  Bytes again;
  ASSERT_EQ(cfp_plan_to_buffer(back.get(), again.out()), CFP_OK);
  ASSERT_EQ(cfp_bytes_size(again.get()), cfp_bytes_size(buf.get()));
  EXPECT_EQ(std::memcmp(cfp_bytes_data(again.get()), cfp_bytes_data(buf.get()), cfp_bytes_size(buf.get())), 0);

  Bytes json;
  ASSERT_EQ(cfp_plan_to_json(p.get(), json.out()), CFP_OK);
  std::string text(static_cast<const char *>(cfp_bytes_data(json.get())), cfp_bytes_size(json.get()));
  EXPECT_NE(text.find("\"graph\": \"tiny-mlp\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"mesh\": [2, 2]"), std::string::npos);
  EXPECT_NE(text.find("\"is_optimal\": true"), std::string::npos);

  // Corrupt plans are rejected, never trusted.
  std::vector<uint8_t> bad(static_cast<const uint8_t *>(cfp_bytes_data(buf.get())),
                           static_cast<const uint8_t *>(cfp_bytes_data(buf.get())) + cfp_bytes_size(buf.get()));
  Plan r;
  EXPECT_EQ(cfp_plan_from_buffer(bad.data(), bad.size() / 2, r.out()), CFP_ERR_INVALID_DATA);
  std::memcpy(bad.data() + 4, "CFPG", 4);
  EXPECT_EQ(cfp_plan_from_buffer(bad.data(), bad.size(), r.out()), CFP_ERR_INVALID_DATA);
  EXPECT_NE(LastError().find("not a libcfp plan"), std::string::npos);
  EXPECT_EQ(cfp_plan_from_buffer(nullptr, 0, r.out()), CFP_ERR_INVALID_DATA);
}

// For every op, the strategy that splits nothing ("replicated"), so every parameter is whole
// on every device.
std::vector<uint32_t> ReplicatedChoice(const cfp_graph *g, const cfp_options *o) {
  uint32_t ops = 0;
  EXPECT_EQ(cfp_graph_op_count(g, &ops), CFP_OK);
  std::vector<uint32_t> choice(ops, UINT32_MAX);
  for (uint32_t op = 0; op < ops; ++op) {
    uint32_t n = 0;
    EXPECT_EQ(cfp_op_strategy_count(g, o, op, &n), CFP_OK);
    for (uint32_t i = 0; i < n && choice[op] == UINT32_MAX; ++i) {
      char text[256];
      EXPECT_EQ(cfp_op_strategy_describe(g, o, op, i, text, sizeof text, nullptr), CFP_OK);
      if (std::string(text).rfind("replicated", 0) == 0) choice[op] = i;
    }
    EXPECT_NE(choice[op], UINT32_MAX) << "op " << op << " has no replicated strategy";
  }
  return choice;
}

double Objective(const cfp_plan *p) {
  double v = -1;
  EXPECT_EQ(cfp_plan_objective(p, &v), CFP_OK) << LastError();
  return v;
}

double StepTime(const cfp_plan *p) {
  double v = -1;
  EXPECT_EQ(cfp_plan_step_time(p, &v), CFP_OK);
  return v;
}

TEST(ApiPlanObjective, IsTheStepTimeWithoutPenalties) {
  Fixture f;
  Plan p;
  ASSERT_EQ(cfp_optimize(f.g.get(), f.o.get(), p.out()), CFP_OK) << LastError();
  EXPECT_GT(Objective(p.get()), 0);
  EXPECT_DOUBLE_EQ(Objective(p.get()), StepTime(p.get()));
}

TEST(ApiPlanObjective, AddsTheReplicatedParameterPenaltyToTheStepTime) {
  Fixture f(512, 1024, {4});
  const double penalty = 1e-9;
  ASSERT_EQ(cfp_options_set_replicated_parameter_penalty(f.o.get(), penalty), CFP_OK);
  const auto choice = ReplicatedChoice(f.g.get(), f.o.get());
  Plan replicated;
  ASSERT_EQ(cfp_evaluate(f.g.get(), f.o.get(), choice.data(), choice.size(), replicated.out()), CFP_OK) << LastError();
  // Each parameter byte beyond its quarter share on each of 4 devices: 3/4 of w1, b1, w2.
  const double param_bytes = (1024.0 * 1024 * 2 + 1024) * 4;
  const double expect = penalty * param_bytes * 3 / 4;
  EXPECT_NEAR(Objective(replicated.get()) - StepTime(replicated.get()), expect, 1e-9 * expect);

  // The search minimizes the objective, which is never below the step time.
  Plan best;
  ASSERT_EQ(cfp_optimize(f.g.get(), f.o.get(), best.out()), CFP_OK) << LastError();
  EXPECT_GE(Objective(best.get()), StepTime(best.get()));
  EXPECT_LE(Objective(best.get()), Objective(replicated.get()));
  // Evaluating the optimum's own choices prices the same objective.
  std::vector<uint32_t> own(choice.size());
  for (uint32_t op = 0; op < own.size(); ++op) ASSERT_EQ(cfp_plan_op_strategy(best.get(), op, &own[op]), CFP_OK);
  Plan again;
  ASSERT_EQ(cfp_evaluate(f.g.get(), f.o.get(), own.data(), own.size(), again.out()), CFP_OK) << LastError();
  EXPECT_NEAR(Objective(again.get()), Objective(best.get()), 1e-12 * Objective(best.get()));
}

TEST(ApiPlanObjective, UnderAlpasConventionTheObjectiveIsCommunicationPlusPenalty) {
  Fixture f(512, 1024, {4});
  ASSERT_EQ(cfp_options_use_alpa_test_convention(f.o.get()), CFP_OK);
  Plan p;
  ASSERT_EQ(cfp_optimize(f.g.get(), f.o.get(), p.out()), CFP_OK) << LastError();
  double compute = -1, comm = -1;
  ASSERT_EQ(cfp_plan_compute_time(p.get(), &compute), CFP_OK);
  ASSERT_EQ(cfp_plan_comm_time(p.get(), &comm), CFP_OK);
  EXPECT_EQ(compute, 0);
  EXPECT_EQ(StepTime(p.get()), comm);
  // 1e-9 s for each byte of w1, b1, w2 (tensors 1 to 3) beyond its share of 4 devices.
  double penalty = 0;
  for (uint32_t t : {1u, 2u, 3u}) {
    char text[64];
    ASSERT_EQ(cfp_plan_tensor_sharding(p.get(), t, text, sizeof text, nullptr), CFP_OK);
    const double bytes = (t == 2 ? 1024.0 : 1024.0 * 1024) * 4;
    const double shards = std::string(text).find('0') != std::string::npos ? 4 : 1;
    penalty += 1e-9 * (bytes / shards - bytes / 4);
  }
  EXPECT_NEAR(Objective(p.get()) - comm, penalty, 1e-12 + 1e-9 * penalty);
  // A later mesh resets the links to the device's but keeps compute free.
  uint32_t ops = 0;
  ASSERT_EQ(cfp_graph_op_count(f.g.get(), &ops), CFP_OK);
  std::vector<uint32_t> own(ops);
  for (uint32_t op = 0; op < ops; ++op) ASSERT_EQ(cfp_plan_op_strategy(p.get(), op, &own[op]), CFP_OK);
  const uint32_t mesh[] = {4};
  ASSERT_EQ(cfp_options_set_mesh(f.o.get(), mesh, 1), CFP_OK);
  Plan q;
  ASSERT_EQ(cfp_evaluate(f.g.get(), f.o.get(), own.data(), own.size(), q.out()), CFP_OK) << LastError();
  ASSERT_EQ(cfp_plan_compute_time(q.get(), &compute), CFP_OK);
  EXPECT_EQ(compute, 0);
  double fast_comm = 0;
  ASSERT_EQ(cfp_plan_comm_time(q.get(), &fast_comm), CFP_OK);
  if (comm > 0) EXPECT_LT(fast_comm, comm * 1e-6);  // NVLink, not 1 byte/s
}

TEST(ApiPlanObjective, SurvivesFlatBuffersAndAppearsInJson) {
  Fixture f(512, 1024, {2, 2});
  ASSERT_EQ(cfp_options_set_replicated_parameter_penalty(f.o.get(), 1e-9), CFP_OK);
  const auto choice = ReplicatedChoice(f.g.get(), f.o.get());
  Plan p;
  ASSERT_EQ(cfp_evaluate(f.g.get(), f.o.get(), choice.data(), choice.size(), p.out()), CFP_OK) << LastError();
  const double objective = Objective(p.get());
  ASSERT_GT(objective, StepTime(p.get()));
  Bytes buf;
  ASSERT_EQ(cfp_plan_to_buffer(p.get(), buf.out()), CFP_OK);
  Plan back;
  ASSERT_EQ(cfp_plan_from_buffer(cfp_bytes_data(buf.get()), cfp_bytes_size(buf.get()), back.out()), CFP_OK) << LastError();
  EXPECT_EQ(Objective(back.get()), objective);
  EXPECT_EQ(StepTime(back.get()), StepTime(p.get()));
  Bytes json;
  ASSERT_EQ(cfp_plan_to_json(back.get(), json.out()), CFP_OK);
  const std::string text(static_cast<const char *>(cfp_bytes_data(json.get())), cfp_bytes_size(json.get()));
  char expect[64];
  std::snprintf(expect, sizeof expect, "\"objective\": %.17g,", objective);
  EXPECT_NE(text.find(expect), std::string::npos) << expect << " not in " << text.substr(0, 300);
}

TEST(ApiPlanObjective, APlanWrittenWithoutItAnswersItsStepTime) {
  // A plan buffer from before the objective was stored: only the older fields.
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<uint32_t> mesh{2};
  fbb.Finish(cfp::fb::CreatePlan(fbb, 1, fbb.CreateString("old"), fbb.CreateVector(mesh), fbb.CreateString("analytic"),
                                 2.5, 2.0, 0.5),
             cfp::fb::PlanIdentifier());
  Plan p;
  ASSERT_EQ(cfp_plan_from_buffer(fbb.GetBufferPointer(), fbb.GetSize(), p.out()), CFP_OK) << LastError();
  EXPECT_EQ(Objective(p.get()), 2.5);
  double v = 9;
  EXPECT_EQ(cfp_plan_objective(nullptr, &v), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(v, 0);
  EXPECT_NE(LastError().find("cfp_plan_objective: plan must not be NULL"), std::string::npos) << LastError();
  EXPECT_EQ(cfp_plan_objective(p.get(), nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("out must not be NULL"), std::string::npos) << LastError();
}

TEST(ApiOptions, RejectBadValues) {
  Options o;
  ASSERT_EQ(cfp_options_create(o.out()), CFP_OK);
  uint32_t four[] = {2, 2, 2, 2}, zero[] = {4, 0};
  EXPECT_EQ(cfp_options_set_mesh(o.get(), four, 4), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("a mesh has 1 to 3 axes, got 4"), std::string::npos) << LastError();
  EXPECT_EQ(cfp_options_set_mesh(o.get(), zero, 2), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("mesh axis 1 has size 0"), std::string::npos) << LastError();
  EXPECT_EQ(cfp_options_set_mesh(o.get(), nullptr, 1), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_axis_link(o.get(), 0, std::nan(""), 0), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_axis_link(o.get(), 0, -1, 0), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_axis_link(o.get(), 0, 1e9, -1), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_axis_link(o.get(), 5, 1e9, 0), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(cfp_options_set_axis_link(o.get(), 0, 1e9, 1e-6), CFP_OK);
  EXPECT_EQ(cfp_options_set_device(o.get(), "tpu-v9"), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("unknown device 'tpu-v9' (known: a100-40gb, a100-80gb, h100-sxm, h200)"), std::string::npos);
  for (const char *d : {"a100-40gb", "a100-80gb", "h100-sxm", "h200"}) EXPECT_EQ(cfp_options_set_device(o.get(), d), CFP_OK);
  EXPECT_EQ(cfp_options_set_device_peak_flops(o.get(), CFP_BF16, 0), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_device_peak_flops(o.get(), static_cast<cfp_dtype>(9), 1e12), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_device_memory_bandwidth(o.get(), -5), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_device_memory_capacity(o.get(), 0), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_kernel_overhead(o.get(), std::nan("")), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_compute_scale(o.get(), -1), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_cost_model(o.get(), "magic"), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_devices_per_node(o.get(), 0), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_time_limit(o.get(), -1), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_threads(o.get(), 100000), CFP_ERR_INVALID_ARGUMENT);
}

TEST(ApiOptimize, ProgressCallbackIsCalledAndCanCancel) {
  Fixture f;
  struct Log {
    int calls = 0;
    bool cancel = false;
  } log;
  auto cb = [](void *user, const char *phase, uint64_t, uint64_t) -> int {
    auto *l = static_cast<Log *>(user);
    ++l->calls;
    return l->cancel && std::strcmp(phase, "search") == 0 ? 1 : 0;
  };
  ASSERT_EQ(cfp_options_set_progress_callback(f.o.get(), cb, &log), CFP_OK);
  Plan p;
  ASSERT_EQ(cfp_optimize(f.g.get(), f.o.get(), p.out()), CFP_OK);
  EXPECT_GT(log.calls, 2);
  log.cancel = true;
  EXPECT_EQ(cfp_optimize(f.g.get(), f.o.get(), p.out()), CFP_ERR_CANCELLED);
  EXPECT_EQ(p.get(), nullptr);
}

TEST(ApiOptimize, SeparateHandlesOptimizeConcurrentlyAndDeterministically) {
  auto buf = cfp_test::TinyMlpBuffer(1024, 2048);
  std::vector<double> times(6, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([&, i] {
      cfp_graph *g = nullptr;
      cfp_options *o = nullptr;
      cfp_plan *p = nullptr;
      uint32_t mesh[] = {2, 4};
      if (cfp_graph_from_buffer(buf.data(), buf.size(), &g) == CFP_OK && cfp_options_create(&o) == CFP_OK &&
          cfp_options_set_mesh(o, mesh, 2) == CFP_OK && cfp_options_set_threads(o, cfp_test::TestThreads(1 + i % 2)) == CFP_OK &&
          cfp_optimize(g, o, &p) == CFP_OK)
        cfp_plan_step_time(p, &times[i]);
      cfp_plan_destroy(p);
      cfp_options_destroy(o);
      cfp_graph_destroy(g);
    });
  for (auto &t : threads) t.join();
  for (double t : times) EXPECT_EQ(t, times[0]);
  EXPECT_GT(times[0], 0);
}

TEST(ApiNull, EveryOptimizeFunctionRejectsNullArguments) {
  Fixture f;
  Plan p;
  uint32_t u = 0;
  uint64_t u64 = 0;
  double d = 0;
  int i = 0;
  EXPECT_EQ(cfp_options_create(nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_optimize(nullptr, f.o.get(), p.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_optimize(f.g.get(), nullptr, p.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_optimize(f.g.get(), f.o.get(), nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_min_memory(nullptr, f.o.get(), &u64), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_min_memory(f.g.get(), f.o.get(), nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_op_strategy_count(f.g.get(), nullptr, 0, &u), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_op_strategy_count(f.g.get(), f.o.get(), 0, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_op_strategy_describe(nullptr, f.o.get(), 0, 0, nullptr, 0, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_evaluate(f.g.get(), f.o.get(), nullptr, 5, p.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_evaluate(f.g.get(), f.o.get(), &u, 1, nullptr), CFP_ERR_INVALID_ARGUMENT);
  for (auto fn : {cfp_options_set_compute_scale, cfp_options_set_kernel_overhead, cfp_options_set_time_limit,
                  cfp_options_set_device_memory_bandwidth, cfp_options_set_replicated_parameter_penalty})
    EXPECT_EQ(fn(nullptr, 1.0), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_mesh(nullptr, &u, 1), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_axis_link(nullptr, 0, 1, 1), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_devices_per_node(nullptr, 1), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_device(nullptr, "h200"), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_device(f.o.get(), nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_device_peak_flops(nullptr, CFP_BF16, 1), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_device_memory_capacity(nullptr, 1), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_memory_budget(nullptr, 1), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_allow_replicated_contractions(nullptr, 1), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_use_alpa_test_convention(nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_cost_model(nullptr, "analytic"), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_cost_model(f.o.get(), nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_profile_db(nullptr, "x"), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_profile_db(f.o.get(), nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_threads(nullptr, 1), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_search_memory_limit(nullptr, 1), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_options_set_progress_callback(nullptr, nullptr, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_step_time(nullptr, &d), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_compute_time(nullptr, &d), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_comm_time(nullptr, &d), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_peak_memory(nullptr, &u64), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_is_optimal(nullptr, &i), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_block_count(nullptr, &u), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_segment_count(nullptr, &u), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_unique_segment_count(nullptr, &u), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_collective_count(nullptr, &u), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_stat(nullptr, CFP_STAT_OPS, &d), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_op_strategy(nullptr, 0, &u), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_tensor_sharding(nullptr, 0, nullptr, 0, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_collective(nullptr, 0, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_to_buffer(nullptr, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_to_json(nullptr, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_from_buffer(&u, 4, nullptr), CFP_ERR_INVALID_ARGUMENT);
  ASSERT_EQ(cfp_optimize(f.g.get(), f.o.get(), p.out()), CFP_OK);
  EXPECT_EQ(cfp_plan_step_time(p.get(), nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_plan_to_buffer(p.get(), nullptr), CFP_ERR_INVALID_ARGUMENT);
  cfp_options_destroy(nullptr);
  cfp_plan_destroy(nullptr);
}

}  // namespace
