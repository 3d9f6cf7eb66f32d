// Exact dynamic programming over blocks in a linear order (docs/design.md §8). The state is the
// strategies of the "frontier": processed blocks that still share a factor with a block
// not yet processed. A chain of transformer layers keeps the frontier to a few blocks.
// Each state holds a Pareto set of (time, memory), so the memory budget is exact.
//
// Segments make it cheap: the order is cut into segments (docs/design.md §6), and each segment is
// solved once per distinct type into a transfer table — from the strategies of the blocks
// before it that it touches, to the strategies of the blocks leaving it that later blocks
// touch — which every instance of the type then reuses. Blocks the segment does not touch
// (a tied embedding spanning the model) stay out of the table.
//
// If the frontier grows past a limit, only the best states are kept and the result is
// marked not proven optimal.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "search/block_problem.h"
#include "util/run_control.h"
#include "util/status.h"

namespace cfp {

struct DPLimits {
  ParetoMode mode;
  size_t max_states = 1u << 20;  // per step, before falling back to keeping the best
  // Pareto points per state before the set is thinned (evenly over memory). Exact frontiers
  // can grow with every repeated layer; thinning bounds the work and marks the result as
  // not proven optimal.
  size_t max_points = 16;
  // A deadline of this search alone (the budgeted search's allowance for its exact pass);
  // the caller's time limit and cancellation come through `control`.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  RunControl *control = nullptr;
  // Limit on the DP's own data (its layers, the states being formed, segment tables),
  // checked every few hundred states; 0: none.
  size_t max_bytes = 0;
  // Solve repeated segments once into tables. Off, every block is added one by one; that
  // is what keeping only max_states states per step needs, as a table must be complete.
  bool segment_tables = true;
};

// Positions [begin, end) of the order; equal types have equal structure and costs.
struct DPSegment {
  uint32_t begin = 0, end = 0, type = 0;
};

struct DPResult {
  double time = 0, mem = 0;
  std::vector<uint32_t> strategy;  // per variable (folded ones included)
  bool exact = true;
  uint64_t states_visited = 0;
  uint32_t tables_built = 0;   // segment types solved
  uint32_t tables_reused = 0;  // segment instances that reused a table
};

// Solves `problem` over the unfolded variables in `order`, cut into `segments` (which must
// cover the order; empty: one segment per variable). kInfeasible when no plan fits the
// budget; kTimeLimit / kMemoryLimit when a limit stops it; kUnsupported when the frontier
// cannot be represented (its strategy combinations exceed 2^62).
Result<DPResult> SolveFrontierDP(const BlockProblem &problem, const std::vector<uint32_t> &order, const DPLimits &limits,
                                 const std::vector<DPSegment> &segments = {});

}  // namespace cfp
