// The optimizer against exact oracles (support/exact_optimum.h) on seeded random training
// graphs (support/random_training_graph.h), per mesh and cost convention, alternating Adam
// and SGD, small and large dims:
//   (a) its plan costs exactly the minimum over the block space it searches;
//   (b) no plan beats the per-operator minimum, and the plan stays within a measured gap
//       of it;
//   (c) cfp_evaluate of the plan's choices reproduces its objective.
// Each instance prints a summary of the gaps (ctest's log keeps it).
//
// CFP_RANDOM_GRAPHS sets the graphs per instance (default 80; 12 under sanitizers).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "cost/cost_model.h"
#include "planner/planner.h"
#include "support/exact_optimum.h"
#include "support/random_training_graph.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CFP_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define CFP_TEST_SANITIZED 1
#endif
#endif

namespace cfp {
namespace {

// How far above the per-operator optimum a plan may be, (plan - per_op) / per_op, set just
// above the largest gap measured over the 320 default graphs: per-op optima found for 216
// (2 graphs have no plan, 102 need larger tables, see kPerOpLimits), 150 of them at gap 0;
// largest gaps 19.9% under the device model (seed 108; mean 0.65% on a 1-D mesh, 0.41% on
// 2x2) and 33.2% under Alpa's convention (seed 7; means 3.9% and 4.3%), where every
// collective costs 1 s whatever its size. More graphs find larger gaps (MoE under Alpa's
// convention), so a larger CFP_RANDOM_GRAPHS can fail this bound; the summary each
// instance prints names the worst seeds. What the per-op optimum does that no row of a
// block's table does:
//  - after a residual's row-split contraction, the add reduce-scatters into a split add
//    where the block's rows all-reduce or carry the sum (7);
//  - an embedding's scatter-add gradient and the table's update: the per-op optimum keeps
//    the table's gradient split, the block's rows leave it pending or summed (76, 25);
//  - the tied head's contraction and its two gradient contractions follow one entry
//    strategy, while the per-op optimum maps them differently (108, 220);
//  - MoE: the combine product on [T,E,C] and its gradient follow the gating contraction
//    while the per-op optimum splits them on their own (168, 297, 34, 103).
constexpr double kMaxPerOpGapDeviceModel = 0.20;
constexpr double kMaxPerOpGapAlpaConvention = 0.34;
// And on average over the graphs whose per-op optimum is known (measured 0.65% and 0.41%
// under the device model, 3.9% and 4.3% under Alpa's convention).
constexpr double kMaxMeanGapDeviceModel = 0.01;
constexpr double kMaxMeanGapAlpaConvention = 0.05;

constexpr double kRelTol = 1e-9;

// Per-op problems on a 2x2 mesh can need tables of 9^8 entries (attention: eight ops of
// nine strategies coupled by the tensors they share) or 16^5 TensorCost calls (a 3-D
// activation read by four backward ops of sixteen strategies each); those are skipped
// to keep the test fast.
constexpr cfp_test::ExactOptions kPerOpLimits{.max_table_entries = uint64_t{1} << 22,
                                              .max_priced_entries = uint64_t{1} << 19};

struct Instance {
  const char *name;
  std::vector<uint32_t> mesh;
  bool alpa;  // Alpa's test convention instead of the H100 SXM device model
  double max_gap;
  double max_mean_gap;
};

void PrintTo(const Instance &in, std::ostream *os) { *os << in.name; }

struct Case {
  uint64_t seed = 0;
  bool adam = false, large = false;
  const Instance *instance = nullptr;

  std::string Describe() const {
    return "seed " + std::to_string(seed) + " (" + (adam ? "adam" : "sgd") + ", " + instance->name + ", " +
           (large ? "large" : "small") + " dims)";
  }
};

int GraphsPerInstance() {
  if (const char *env = std::getenv("CFP_RANDOM_GRAPHS")) return std::max(0, std::atoi(env));
#ifdef CFP_TEST_SANITIZED
  return 12;
#else
  return 80;
#endif
}

OptimizerOptions OptionsFor(const Instance &in) {
  OptimizerOptions o;
  o.mesh_shape = in.mesh;
  o.threads = 1;
  if (in.alpa) UseAlpaTestConvention(o);
  // The oracles ignore memory: the budget must not bind.
  o.memory_budget = uint64_t{1} << 62;
  return o;
}

bool Near(double a, double b) { return std::abs(a - b) <= kRelTol * std::max({std::abs(a), std::abs(b), 1e-300}); }

struct Outcome {
  Case c;
  std::string graph;
  uint32_t ops = 0;
  double gap = 0;
};

class RandomTrainingGraphOracle : public ::testing::TestWithParam<Instance> {};

TEST_P(RandomTrainingGraphOracle, PlanMatchesExactOracles) {
  const Instance &in = GetParam();
  const OptimizerOptions o = OptionsFor(in);
  const int n = GraphsPerInstance();
  std::vector<Outcome> gaps;
  int no_plan = 0, gave_up = 0, per_op_skipped = 0, unproven = 0;
  uint64_t largest_table = 0;
  uint32_t most_ops = 0;
  for (int i = 0; i < n; ++i) {
    Case c;
    c.instance = &in;
    c.adam = i % 2 == 0;
    c.large = (i / 2) % 2 == 1;
    // Distinct seeds across instances: the instance index in the low bits.
    c.seed = static_cast<uint64_t>(i) * 4 + static_cast<uint64_t>(in.mesh.size() - 1) + (in.alpa ? 2 : 0);
    cfp_test::RandomGraphOptions ro;
    ro.optimizer = c.adam ? "adam" : "sgd";
    ro.large_dims = c.large;
    auto rg = cfp_test::RandomTrainingGraph(c.seed, ro);
    ASSERT_TRUE(rg.ok()) << c.Describe() << ": " << rg.status().message();
    const Graph &g = rg->graph;
    const std::string what = c.Describe() + ": " + rg->description;
    SCOPED_TRACE(what);
    most_ops = std::max(most_ops, g.num_ops());

    const CostModel model(g, o.BuildMesh().value(), o.device, o.cost, o.rules);
    const cfp_test::ExactOptimum block = cfp_test::ExactBlockOptimum(model);
    const cfp_test::ExactOptimum per_op = cfp_test::ExactPerOpOptimum(model, kPerOpLimits);
    largest_table = std::max({largest_table, block.largest_table, per_op.largest_table});
    auto plan = Optimize(g, o);
    if (block.solved && std::isinf(block.objective)) {
      // A contraction with no strategy (replicated ones disallowed, no split divides).
      ++no_plan;
      EXPECT_FALSE(plan.ok()) << "a plan where some op has no strategy";
      if (!plan.ok()) EXPECT_EQ(plan.status().code(), Code::kInfeasible) << plan.status().message();
      continue;
    }
    ASSERT_TRUE(plan.ok()) << plan.status().message();
    // Without a binding budget the search over every block row is exact unless its
    // frontier outgrows its state cap (docs/design.md §8; MoE and attention graphs on 2x2
    // reach it), when it keeps the best states and also searches the least-compute rows
    // exactly: it must still have found the block-space optimum below, and says it is not
    // proven.
    unproven += !plan->is_optimal;

    // (a) The optimizer's promise: the least objective over its own search space.
    if (block.solved) {
      EXPECT_TRUE(Near(plan->objective, block.objective))
          << "optimizer " << plan->objective << ", block-space optimum " << block.objective << " ("
          << (plan->objective - block.objective) / block.objective << " relative)";
      EXPECT_TRUE(Near(model.Evaluate(block.choice).Objective(), block.objective)) << "the block oracle's own choice";
    } else {
      ++gave_up;
      ADD_FAILURE() << "block oracle gave up: " << block.failure;
    }

    // (c) cfp_evaluate of the plan's choices reproduces its objective.
    auto again = EvaluateChoices(g, o, plan->op_strategy);
    ASSERT_TRUE(again.ok()) << again.status().message();
    EXPECT_TRUE(Near(again->objective, plan->objective))
        << "evaluate " << again->objective << ", plan " << plan->objective;

    // (b) No plan beats the per-operator optimum; record how far above it the plan is.
    if (!per_op.solved) {
      ++per_op_skipped;
      continue;
    }
    EXPECT_TRUE(Near(model.Evaluate(per_op.choice).Objective(), per_op.objective)) << "the per-op oracle's own choice";
    EXPECT_LE(per_op.objective, plan->objective * (1 + kRelTol) + 1e-300)
        << "per-op optimum " << per_op.objective << " above the plan's " << plan->objective;
    const double gap = per_op.objective > 0  ? (plan->objective - per_op.objective) / per_op.objective
                       : plan->objective > 0 ? std::numeric_limits<double>::infinity()
                                             : 0.0;
    EXPECT_LE(gap, in.max_gap) << "plan " << plan->objective << ", per-op optimum " << per_op.objective;
    gaps.push_back({c, rg->description, g.num_ops(), std::max(gap, 0.0)});
  }

  // Summary for the log.
  int exact = 0;
  double sum = 0, worst = 0;
  int buckets[5] = {0, 0, 0, 0, 0};  // 0, <0.1%, <1%, <1.5%, >=1.5%
  for (const Outcome &r : gaps) {
    const bool zero = r.gap <= kRelTol;
    exact += zero;
    sum += r.gap;
    worst = std::max(worst, r.gap);
    buckets[zero ? 0 : r.gap < 1e-3 ? 1 : r.gap < 1e-2 ? 2 : r.gap < 1.5e-2 ? 3 : 4]++;
  }
  std::printf(
      "[%s] %d graphs (up to %u ops, largest oracle table %llu entries), %d without a plan, %d block oracle "
      "give-ups, %d per-op optima beyond the table limit, %d plans not proven optimal (state cap; still at the block optimum)\n",
      in.name, n, most_ops, static_cast<unsigned long long>(largest_table), no_plan, gave_up, per_op_skipped, unproven);
  std::printf(
      "[%s] plan vs per-op optimum: %d of %zu at gap 0; max %.4g%%, mean %.4g%%; <0.1%%: %d, <1%%: %d, "
      "<1.5%%: %d, >=1.5%%: %d\n",
      in.name, exact, gaps.size(), 100 * worst, gaps.empty() ? 0.0 : 100 * sum / static_cast<double>(gaps.size()),
      buckets[1], buckets[2], buckets[3], buckets[4]);
  // The mean over a handful of graphs (sanitizer runs) says little; the bound is for the
  // default run.
  if (gaps.size() >= 20) EXPECT_LE(sum / static_cast<double>(gaps.size()), in.max_mean_gap);
  std::sort(gaps.begin(), gaps.end(), [](const Outcome &a, const Outcome &b) { return a.gap > b.gap; });
  for (size_t i = 0; i < gaps.size() && i < 5 && gaps[i].gap > kRelTol; ++i)
    std::printf("[%s]   gap %.4g%%  %s, %u ops: %s\n", in.name, 100 * gaps[i].gap, gaps[i].c.Describe().c_str(),
                gaps[i].ops, gaps[i].graph.c_str());
  std::fflush(stdout);
}

INSTANTIATE_TEST_SUITE_P(Seeded, RandomTrainingGraphOracle,
                         ::testing::Values(Instance{"Mesh4DeviceModel", {4}, false, kMaxPerOpGapDeviceModel, kMaxMeanGapDeviceModel},
                                           Instance{"Mesh2x2DeviceModel", {2, 2}, false, kMaxPerOpGapDeviceModel, kMaxMeanGapDeviceModel},
                                           Instance{"Mesh4AlpaConvention", {4}, true, kMaxPerOpGapAlpaConvention, kMaxMeanGapAlpaConvention},
                                           Instance{"Mesh2x2AlpaConvention", {2, 2}, true, kMaxPerOpGapAlpaConvention, kMaxMeanGapAlpaConvention}),
                         [](const ::testing::TestParamInfo<Instance> &info) { return std::string(info.param.name); });

}  // namespace
}  // namespace cfp
