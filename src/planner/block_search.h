// Searching an Analysis's problem (docs/design.md §8): folding, segments of the blocks left, the
// frontier DP, over every row of every block or, where that space is too wide, over the
// least-compute rows too; the least memory of any plan; a narrow search for when a limit
// stopped the exact one.
#pragma once

#include <cstdint>
#include <vector>

#include "planner/analysis.h"
#include "search/frontier_dp.h"
#include "segments/segments.h"

namespace cfp {

// The fastest plan of `problem` (the analysis's, possibly priced or restricted to the same
// rows). Searches every row of every block exactly while its frontier stays under 16,384
// states; past that, also searches the least-compute rows alone exactly (one row per entry
// strategy) and returns the better plan, not proven optimal over every row.
// `block_segments`, if given, gets the repeated block sequences once parameter blocks are
// folded into their users (for the statistics: folding chains too can leave little to repeat).
Result<DPResult> SolveBlocks(const Analysis &a, const BlockProblem &problem, const DPLimits &limits,
                             Segmentation *block_segments = nullptr);

// The least memory of any plan (graph inputs nobody reads excluded): the same search with
// memory as the objective and transfers free.
Result<double> MinMemoryOf(const Analysis &a, DPLimits limits);

// A plan within `budget` when a limit stopped the exact search: the same DP keeping only a
// few states per step and a few (time, memory) points per state, within `seconds`. Not
// proven optimal.
Result<DPResult> NarrowSearch(const Analysis &a, double budget, double seconds);

// Each op's strategy when each block takes the row `block_row` gives it.
std::vector<uint32_t> ChoicesFromBlocks(const Analysis &a, const std::vector<uint32_t> &block_row);

}  // namespace cfp
