// The DP over blocks equals brute force on random block problems, with and without a
// memory budget, on chains and on graphs that are not chains.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "search/block_problem.h"
#include "search/budgeted_search.h"
#include "search/frontier_dp.h"

namespace cfp {
namespace {

BlockProblem RandomProblem(std::mt19937 &rng, uint32_t n, uint32_t max_k, const std::vector<std::pair<uint32_t, uint32_t>> &edges) {
  BlockProblem p;
  std::uniform_int_distribution<uint32_t> kd(1, max_k);
  std::uniform_real_distribution<double> cost(0, 10);
  p.unary.resize(n);
  for (uint32_t v = 0; v < n; ++v) {
    uint32_t k = kd(rng);
    p.unary[v].resize(k);
    for (uint32_t x = 0; x < k; ++x) p.unary[v][x] = {ParetoPoint{cost(rng), std::floor(cost(rng)), UINT32_MAX}};
  }
  for (auto [u, v] : edges) {
    BlockProblem::Factor f;
    f.u = u;
    f.v = v;
    f.kv = p.K(v);
    f.cost.resize(static_cast<size_t>(p.K(u)) * p.K(v));
    for (double &c : f.cost) c = cost(rng);
    p.factors.push_back(std::move(f));
  }
  return p;
}

// Best time with memory <= budget over all assignments; infinity if none.
std::pair<double, double> BruteForce(const BlockProblem &p, double budget) {
  const uint32_t n = p.num_vars();
  std::vector<uint32_t> x(n, 0);
  double best = std::numeric_limits<double>::infinity(), best_mem = 0;
  std::function<void(uint32_t)> rec = [&](uint32_t v) {
    if (v == n) {
      double t = 0, m = 0;
      for (uint32_t i = 0; i < n; ++i) {
        t += p.unary[i][x[i]][0].time;
        m += p.unary[i][x[i]][0].mem;
      }
      for (const auto &f : p.factors) t += f.cost[static_cast<size_t>(x[f.u]) * f.kv + x[f.v]];
      if (m <= budget && t < best) {
        best = t;
        best_mem = m;
      }
      return;
    }
    for (x[v] = 0; x[v] < p.K(v); ++x[v]) rec(v + 1);
  };
  rec(0);
  return {best, best_mem};
}

double Recost(const BlockProblem &p, const std::vector<uint32_t> &x) {
  double t = 0;
  for (uint32_t i = 0; i < p.num_vars(); ++i) t += p.unary[i][x[i]][0].time;
  for (const auto &f : p.factors) t += f.cost[static_cast<size_t>(x[f.u]) * f.kv + x[f.v]];
  return t;
}

void CheckAgainstBruteForce(const BlockProblem &base, double budget, bool pareto) {
  auto [expect, expect_mem] = BruteForce(base, budget);
  BlockProblem p = base;
  DPLimits limits;
  limits.mode.scalar = !pareto;
  limits.mode.budget = pareto ? budget : 1e300;
  p.FoldLeavesAndChains(limits.mode);
  std::vector<uint32_t> order;
  for (uint32_t v = 0; v < p.num_vars(); ++v)
    if (!p.folded[v]) order.push_back(v);
  auto r = SolveFrontierDP(p, order, limits);
  if (std::isinf(expect)) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInfeasible);
    return;
  }
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_NEAR(r->time, expect, 1e-9);
  EXPECT_TRUE(r->exact);
  // The returned assignment really costs what the DP says.
  EXPECT_NEAR(Recost(base, r->strategy), r->time, 1e-9);
  double mem = 0;
  for (uint32_t i = 0; i < base.num_vars(); ++i) mem += base.unary[i][r->strategy[i]][0].mem;
  EXPECT_NEAR(mem, r->mem, 1e-9);
  EXPECT_LE(mem, budget);
}

TEST(FrontierDP, EqualsBruteForceOnChains) {
  std::mt19937 rng(1);
  for (int trial = 0; trial < 40; ++trial) {
    uint32_t n = 2 + trial % 6;
    std::vector<std::pair<uint32_t, uint32_t>> edges;
    for (uint32_t v = 0; v + 1 < n; ++v) edges.emplace_back(v, v + 1);
    CheckAgainstBruteForce(RandomProblem(rng, n, 4, edges), 1e300, false);
  }
}

TEST(FrontierDP, EqualsBruteForceWithSkipEdgesAndLeaves) {
  std::mt19937 rng(2);
  for (int trial = 0; trial < 40; ++trial) {
    uint32_t n = 4 + trial % 4;
    std::vector<std::pair<uint32_t, uint32_t>> edges;
    for (uint32_t v = 0; v + 1 < n; ++v) edges.emplace_back(v, v + 1);
    edges.emplace_back(0, n - 1);        // a long skip: not a chain
    edges.emplace_back(1, n - 2 > 1 ? n - 2 : 2);
    CheckAgainstBruteForce(RandomProblem(rng, n, 3, edges), 1e300, false);
  }
}

// Without a budget, variables between exactly two others are folded into a factor
// between them. On rings, ladders and triangles with small integer costs (many ties), the
// DP still returns the least time and, among those, the least memory, and the assignment
// it returns costs exactly that.
TEST(FrontierDP, ChainFoldsKeepTheLeastTimeThenMemory) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> small(0, 3);
  for (int trial = 0; trial < 60; ++trial) {
    const uint32_t n = 3 + trial % 5;
    std::vector<std::pair<uint32_t, uint32_t>> edges;
    for (uint32_t v = 0; v + 1 < n; ++v) edges.emplace_back(v, v + 1);
    edges.emplace_back(0, n - 1);                        // a ring
    if (trial % 3 == 1 && n >= 4) edges.emplace_back(1, n - 2);  // a rung
    if (trial % 3 == 2) edges.emplace_back(0, 2);        // a triangle
    BlockProblem base = RandomProblem(rng, n, 3, edges);
    for (auto &per : base.unary)
      for (auto &pts : per) pts[0] = ParetoPoint{static_cast<double>(small(rng)), static_cast<double>(small(rng)), UINT32_MAX};
    for (auto &f : base.factors)
      for (double &c : f.cost) c = small(rng);
    // Brute force, lexicographic (time, memory).
    double best_t = std::numeric_limits<double>::infinity(), best_m = 0;
    std::vector<uint32_t> x(n, 0);
    std::function<void(uint32_t)> rec = [&](uint32_t v) {
      if (v == n) {
        double t = Recost(base, x), m = 0;
        for (uint32_t i = 0; i < n; ++i) m += base.unary[i][x[i]][0].mem;
        if (t < best_t || (t == best_t && m < best_m)) best_t = t, best_m = m;
        return;
      }
      for (x[v] = 0; x[v] < base.K(v); ++x[v]) rec(v + 1);
    };
    rec(0);
    BlockProblem p = base;
    DPLimits limits;
    p.FoldLeavesAndChains(limits.mode);
    EXPECT_FALSE(p.chains.empty()) << "trial " << trial;
    std::vector<uint32_t> order;
    for (uint32_t v = 0; v < p.num_vars(); ++v)
      if (!p.folded[v]) order.push_back(v);
    auto r = SolveFrontierDP(p, order, limits);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->time, best_t) << "trial " << trial;
    EXPECT_EQ(r->mem, best_m) << "trial " << trial;
    double mem = 0;
    for (uint32_t i = 0; i < n; ++i) mem += base.unary[i][r->strategy[i]][0].mem;
    EXPECT_EQ(Recost(base, r->strategy), r->time) << "trial " << trial;
    EXPECT_EQ(mem, r->mem) << "trial " << trial;
  }
}

TEST(FrontierDP, HonoursMemoryBudgetsExactly) {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 60; ++trial) {
    uint32_t n = 3 + trial % 5;
    std::vector<std::pair<uint32_t, uint32_t>> edges;
    for (uint32_t v = 0; v + 1 < n; ++v) edges.emplace_back(v, v + 1);
    if (trial % 2) edges.emplace_back(0, n - 1);
    // A leaf hanging off the middle.
    BlockProblem p = RandomProblem(rng, n, 4, edges);
    double budget = 2.0 * n + trial % 7;  // memories are integers in [0, 10)
    CheckAgainstBruteForce(p, budget, true);
  }
}

// The budgeted search (Lagrangian bisection, then the exact frontiers) finds the fastest
// fitting assignment for every budget between the smallest and the fastest plan's memory.
TEST(BudgetedSearch, EqualsBruteForceForEveryBudget) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 30; ++trial) {
    const uint32_t n = 3 + trial % 4;
    std::vector<std::pair<uint32_t, uint32_t>> edges;
    for (uint32_t v = 0; v + 1 < n; ++v) edges.emplace_back(v, v + 1);
    if (trial % 3 == 0) edges.emplace_back(0, n - 1);
    const BlockProblem base = RandomProblem(rng, n, 4, edges);
    BlockSolver solve = [](const BlockProblem &problem, const DPLimits &limits) {
      BlockProblem p = problem;
      p.FoldLeavesAndChains(limits.mode);
      std::vector<uint32_t> order;
      for (uint32_t v = 0; v < p.num_vars(); ++v)
        if (!p.folded[v]) order.push_back(v);
      return SolveFrontierDP(p, order, limits);
    };
    DPLimits scalar;
    auto fastest = solve(base, scalar);
    ASSERT_TRUE(fastest.ok());
    for (double budget = 0; budget < fastest->mem; budget += 1) {
      auto [expect, expect_mem] = BruteForce(base, budget);
      if (std::isinf(expect)) continue;  // the optimizer reports these before searching
      auto r = SolveWithinBudget(base, solve, scalar, budget, *fastest);
      ASSERT_TRUE(r.ok()) << r.status().message();
      EXPECT_NEAR(r->time, expect, 1e-9) << "trial " << trial << " budget " << budget;
      EXPECT_LE(r->mem, budget);
      EXPECT_NEAR(Recost(base, r->strategy), r->time, 1e-9);
    }
  }
}

TEST(FrontierDP, ReportsInfeasibleBudgets) {
  std::mt19937 rng(4);
  BlockProblem p = RandomProblem(rng, 3, 3, {{0, 1}, {1, 2}});
  for (auto &per : p.unary)
    for (auto &pts : per) pts[0].mem += 5;
  CheckAgainstBruteForce(p, 4, true);
}

TEST(ParetoPrune, KeepsTheFrontierSortedByTime) {
  std::vector<ParetoPoint> pts{{3, 1}, {1, 5}, {2, 5}, {2, 3}, {4, 1}, {5, 0}};
  ParetoMode m;
  m.scalar = false;
  ParetoPrune(pts, m);
  ASSERT_EQ(pts.size(), 4u);
  EXPECT_EQ(pts[0].time, 1);
  EXPECT_EQ(pts[1].time, 2);
  EXPECT_EQ(pts[1].mem, 3);
  EXPECT_EQ(pts[2].time, 3);
  EXPECT_EQ(pts[3].time, 5);
  m.budget = 2;
  ParetoPrune(pts, m);
  EXPECT_EQ(pts.size(), 2u);
}

}  // namespace
}  // namespace cfp

namespace cfp {
namespace {

// A prefix variable, `reps` copies of a unit of `period` variables with identical costs
// (each unit linked to the previous one, plus a skip link inside the unit), a suffix, and a
// variable tied to both ends (like a tied embedding).
BlockProblem RepeatedProblem(std::mt19937 &rng, uint32_t period, uint32_t reps, std::vector<DPSegment> &segments) {
  const uint32_t n = 2 + period * reps + 1;  // tied, prefix, units, suffix
  std::uniform_real_distribution<double> cost(0, 10);
  BlockProblem p;
  p.unary.resize(n);
  auto random_unary = [&](uint32_t k) {
    std::vector<std::vector<ParetoPoint>> u(k);
    for (auto &pts : u) pts = {ParetoPoint{cost(rng), std::floor(cost(rng)), UINT32_MAX}};
    return u;
  };
  auto random_matrix = [&](uint32_t ku, uint32_t kv) {
    std::vector<double> m(static_cast<size_t>(ku) * kv);
    for (double &c : m) c = cost(rng);
    return m;
  };
  const uint32_t k = 3;
  p.unary[0] = random_unary(2);  // tied
  p.unary[1] = random_unary(k);  // prefix
  std::vector<std::vector<std::vector<ParetoPoint>>> unit(period);
  for (auto &u : unit) u = random_unary(k);
  for (uint32_t r = 0; r < reps; ++r)
    for (uint32_t i = 0; i < period; ++i) p.unary[2 + r * period + i] = unit[i];
  p.unary[n - 1] = random_unary(k);  // suffix
  auto link = [&](uint32_t u, uint32_t v, std::vector<double> m) {
    BlockProblem::Factor f;
    f.u = u;
    f.v = v;
    f.kv = p.K(v);
    f.cost = std::move(m);
    p.factors.push_back(std::move(f));
  };
  std::vector<std::vector<double>> inside(period), across = {random_matrix(k, k)};
  for (auto &m : inside) m = random_matrix(k, k);
  auto skip = random_matrix(k, k);
  link(0, 1, random_matrix(2, k));
  link(0, n - 1, random_matrix(2, k));
  segments.push_back({0, 1, 100});
  segments.push_back({1, 2, 101});
  for (uint32_t r = 0; r < reps; ++r) {
    uint32_t b = 2 + r * period;
    link(b - 1, b, across[0]);  // from the previous unit's last (or the prefix)
    for (uint32_t i = 0; i + 1 < period; ++i) link(b + i, b + i + 1, inside[i]);
    if (period >= 3) link(b, b + 2, skip);
    segments.push_back({b, b + period, 7});
  }
  link(n - 2, n - 1, random_matrix(k, k));
  segments.push_back({n - 1, n, 102});
  return p;
}

TEST(FrontierDP, SegmentTablesAreSolvedOnceAndStayExact) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 10; ++trial) {
    std::vector<DPSegment> segments;
    BlockProblem base = RepeatedProblem(rng, 2 + trial % 2, 3, segments);
    auto [expect, expect_mem] = BruteForce(base, 1e300);
    std::vector<uint32_t> order(base.num_vars());
    for (uint32_t v = 0; v < order.size(); ++v) order[v] = v;
    // Unfolded, so the segments keep their variables (folding would leave only the tie).
    const BlockProblem &p = base;
    DPLimits limits;
    auto r = SolveFrontierDP(p, order, limits, segments);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_NEAR(r->time, expect, 1e-9);
    EXPECT_NEAR(Recost(base, r->strategy), r->time, 1e-9);
    EXPECT_GE(r->tables_reused, 1u) << "the repeated unit should reuse its table";
    // With a budget, through Pareto sets.
    double budget = std::floor(expect_mem) + trial % 3;
    auto [bexpect, bmem] = BruteForce(base, budget);
    limits.mode.scalar = false;
    limits.mode.budget = budget;
    auto rb = SolveFrontierDP(p, order, limits, segments);
    if (std::isinf(bexpect)) {
      EXPECT_FALSE(rb.ok());
    } else {
      ASSERT_TRUE(rb.ok()) << rb.status().message();
      EXPECT_NEAR(rb->time, bexpect, 1e-9);
      EXPECT_LE(rb->mem, budget);
    }
  }
}

}  // namespace
}  // namespace cfp
