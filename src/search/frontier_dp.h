// Exact dynamic programming over blocks in a linear order (DESIGN §8). The state is the
// strategies of the "frontier": processed blocks that still share a factor with a block
// not yet processed. A chain of transformer layers keeps the frontier to a few blocks.
// Each state holds a Pareto set of (time, memory), so the memory budget is exact. If the
// frontier grows past a limit, only the best states are kept and the result is marked
// not proven optimal.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "search/block_problem.h"
#include "util/status.h"

namespace cfp {

struct DPLimits {
  ParetoMode mode;
  size_t max_states = 1u << 20;  // per step, before falling back to keeping the best
  std::optional<std::chrono::steady_clock::time_point> deadline;
  size_t max_bytes = 0;  // 0: no limit on the DP's own memory
};

struct DPResult {
  double time = 0, mem = 0;
  std::vector<uint32_t> strategy;  // per variable (folded ones included)
  bool exact = true;
  uint64_t states_visited = 0;
};

// Solves `problem` over the unfolded variables in `order`. kInfeasible when no plan fits the
// budget; kTimeLimit / kMemoryLimit when a limit stops it.
Result<DPResult> SolveFrontierDP(const BlockProblem &problem, const std::vector<uint32_t> &order, const DPLimits &limits);

}  // namespace cfp
