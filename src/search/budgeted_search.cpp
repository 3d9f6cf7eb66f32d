#include "search/budgeted_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace cfp {
namespace {

// The problem with memory priced at `lambda` seconds per byte.
BlockProblem Priced(const BlockProblem &base, double lambda) {
  BlockProblem problem = base;
  for (auto &per_strategy : problem.unary)
    for (auto &pts : per_strategy)
      for (ParetoPoint &pt : pts) pt.time += lambda * pt.mem;
  for (auto &f : problem.factors)
    for (size_t i = 0; i < f.mem.size(); ++i) f.cost[i] += lambda * f.mem[i];
  return problem;
}

}  // namespace

Result<DPResult> SolveWithinBudget(const BlockProblem &problem, const BlockSolver &solve, DPLimits limits, double budget,
                                   const DPResult &fastest) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto relaxed = [&](double lambda) -> Result<DPResult> {
    CFP_ASSIGN_OR_RETURN(DPResult r, solve(Priced(problem, lambda), limits));
    r.time -= lambda * r.mem;
    return r;
  };
  // lambda = time / memory of the fastest plan weighs its memory like its time: a natural
  // starting scale. Grow it until a plan fits (lambda = 0 gives the fastest, which does not).
  double lo = 0, hi = fastest.time / std::max(fastest.mem, 1.0);
  std::optional<DPResult> fit;
  double bound = -std::numeric_limits<double>::infinity();
  for (int i = 0; i < 64 && !fit; ++i) {
    CFP_ASSIGN_OR_RETURN(DPResult r, relaxed(hi));
    if (r.mem <= budget) {
      bound = r.time + hi * (r.mem - budget);
      fit = std::move(r);
    } else {
      lo = hi;
      hi *= 8;
    }
  }
  if (!fit) return Status(Code::kInfeasible, "no plan fits the memory budget");
  // Narrow [lo, hi]; a dozen halvings of the log-ratio suffice to land within 1% of the
  // critical lambda, where the bound is tightest.
  for (int i = 0; i < 12 && (lo == 0 || hi > lo * 1.01); ++i) {
    const double mid = lo > 0 ? std::sqrt(lo * hi) : hi / 8;
    CFP_ASSIGN_OR_RETURN(DPResult r, relaxed(mid));
    bound = std::max(bound, r.time + mid * (r.mem - budget));
    if (r.mem <= budget) {
      if (r.time < fit->time) fit = std::move(r);
      hi = mid;
    } else {
      lo = mid;
    }
  }
  const bool proven = fit->exact && fit->time <= bound + 1e-9 * std::max(1.0, std::abs(bound));
  fit->exact = proven;
  if (proven) return std::move(*fit);
  // The exact search, within an allowance of half the time spent so far (0.5 s to 5 s).
  DPLimits exact = limits;
  exact.mode.scalar = false;
  exact.mode.budget = budget;
  const double spent = std::chrono::duration<double>(Clock::now() - start).count();
  const auto allowance = std::chrono::duration<double>(std::clamp(spent / 2, 0.5, 5.0));
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(allowance);
  if (!exact.deadline || deadline < *exact.deadline) exact.deadline = deadline;
  auto r = solve(problem, exact);
  if (r.ok()) return r->time <= fit->time ? std::move(r).value() : std::move(*fit);
  if (r.status().code() != Code::kTimeLimit && r.status().code() != Code::kInfeasible) return r.status();
  return std::move(*fit);
}

}  // namespace cfp
