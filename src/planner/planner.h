// The planner (docs/design.md §2): from a graph and options to a plan, through one Analysis.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/graph.h"
#include "plan/plan.h"
#include "planner/options.h"
#include "profile/profiled_costs.h"
#include "util/status.h"

namespace cfp {

// Finds the plan of least step time within the memory budget. When the time or memory
// limit stops the search, returns that status, or, if `stopped` is given and a narrow
// search still finds a plan within the budget, that plan (not proven optimal) with
// *stopped set to the limit's status.
Result<Plan> Optimize(const Graph &graph, const OptimizerOptions &options, Status *stopped = nullptr);
// Prices a per-op choice vector under the same model (no budget).
Result<Plan> EvaluateChoices(const Graph &graph, const OptimizerOptions &options, const std::vector<uint32_t> &choice);
// Profiles every strategy of every unique block type (the "cuda" cost model's measurements)
// and saves them in the profile DB, without searching. The plan-less counterpart of
// Optimize for `cfp profile`: returns a report, one line per block type.
Result<ProfilingReport> ProfileOnly(const Graph &graph, const OptimizerOptions &options);
// The smallest per-device memory of any plan (memory does not depend on measured compute:
// the analytic model answers for every cost model). Holds the options' time and search
// memory limits; the progress callback is cfp_optimize's only.
Result<double> MinMemory(const Graph &graph, const OptimizerOptions &options);

}  // namespace cfp
