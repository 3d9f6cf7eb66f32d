// The fastest plan within a per-device memory budget, when the fastest plan overall does not
// fit (docs/design.md §8).
//
// Lagrangian relaxation first: minimize time + lambda * memory with the scalar DP (cheap: one
// value per state) and bisect for the smallest lambda whose plan fits. Every lambda gives the
// lower bound time + lambda * (memory - budget) on every fitting plan, so the best fitting plan
// is proven optimal when it meets the best bound. Otherwise the exact search over (time,
// memory) frontiers gets a short allowance (half the time spent so far, 0.5 s to 5 s) and the
// better plan is kept. A result that is not proven optimal says so through `exact`.
#pragma once

#include <functional>

#include "search/block_problem.h"
#include "search/frontier_dp.h"
#include "util/status.h"

namespace cfp {

// Solves a block problem under `limits` (the optimizer's DP over its block order).
using BlockSolver = std::function<Result<DPResult>(const BlockProblem &, const DPLimits &)>;

// `fastest` is the solution with no budget; its memory exceeds `budget`. The caller has
// checked that some plan fits; kInfeasible otherwise.
Result<DPResult> SolveWithinBudget(const BlockProblem &problem, const BlockSolver &solve, DPLimits limits, double budget,
                                   const DPResult &fastest);

}  // namespace cfp
