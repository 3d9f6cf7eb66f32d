#include "planner/planner.h"

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <string>

#include "planner/analysis.h"
#include "planner/block_search.h"
#include "search/budgeted_search.h"
#include "util/checked_math.h"
#include "util/run_control.h"

namespace cfp {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

template <class F>
auto InArena(const OptimizerOptions &options, F &&f) {
  // No more threads than oneTBB allows in this process: asking for more only makes it
  // print a warning on the host's stderr.
  const auto allowed = static_cast<int>(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
  int threads = options.threads ? static_cast<int>(std::min<uint32_t>(options.threads, INT32_MAX)) : allowed;
  tbb::task_arena arena(std::clamp(threads, 1, std::max(allowed, 1)));
  return arena.execute(std::forward<F>(f));
}

bool IsSearchLimit(Code code) { return code == Code::kTimeLimit || code == Code::kMemoryLimit; }

Result<Plan> OptimizeInArena(const Graph &graph, const OptimizerOptions &options, Status *stopped) {
  RunControl control(options.time_limit, options.progress);
  CFP_ASSIGN_OR_RETURN(Analysis a, Analyze(graph, options, control, AnalysisDepth::kSearch));

  auto t = Clock::now();
  DPLimits limits;
  limits.control = &control;
  limits.max_bytes = options.search_memory_limit;
  const double budget = static_cast<double>(options.Budget()) - a.constant_memory;
  Segmentation segments;
  CFP_RETURN_IF_ERROR(control.Begin("search", 0));
  auto search = [&]() -> Result<DPResult> {
    CFP_ASSIGN_OR_RETURN(DPResult best, SolveBlocks(a, a.problem, limits, &segments));
    if (best.mem <= budget) return best;
    // The fastest plan does not fit. If even the smallest does not, say so at once;
    // otherwise search again with (time, memory) frontiers.
    CFP_ASSIGN_OR_RETURN(double need, MinMemoryOf(a, limits));
    if (need > budget) {
      const std::optional<uint64_t> bytes = CeilToUint64(need + a.constant_memory);
      return Status(Code::kInfeasible, "no plan fits the memory budget of " + std::to_string(options.Budget()) +
                                           " bytes per device; the smallest plan needs " +
                                           (bytes ? std::to_string(*bytes) : ShortNumber(need + a.constant_memory)) +
                                           " bytes");
    }
    auto solve = [&a](const BlockProblem &problem, const DPLimits &l) { return SolveBlocks(a, problem, l); };
    return SolveWithinBudget(a.problem, solve, limits, budget, best);
  };
  Result<DPResult> searched = search();
  // The budgeted search keeps a plan it found when the time limit strikes its last pass:
  // that plan comes with the limit's status too.
  if (searched.ok() && !control.stopped().ok()) {
    if (!stopped || !IsSearchLimit(control.stopped().code())) return control.stopped();
    *stopped = control.stopped();
    searched->exact = false;
  }
  if (!searched.ok() && stopped && IsSearchLimit(searched.status().code())) {
    // The best plan found so far: a narrow search, in milliseconds on any model a search
    // could have finished, bounded by a quarter of the time limit (at least 0.25 s).
    Result<DPResult> narrow = NarrowSearch(a, budget, std::max(0.25, control.time_limit() / 4));
    if (narrow.ok()) {
      *stopped = searched.status();
      searched = std::move(narrow);
    }
  }
  CFP_RETURN_IF_ERROR(searched.status());
  DPResult best = std::move(searched).value();
  SearchStats stats = a.stats;
  stats.segments = static_cast<uint32_t>(segments.segments.size());
  stats.unique_segments = segments.unique_types;
  stats.time_search = Since(t);
  if (!stopped || stopped->ok()) CFP_RETURN_IF_ERROR(control.Finish());

  Plan plan = AssemblePlan(*a.model, ChoicesFromBlocks(a, best.strategy));
  plan.op_block = a.blocks().block_of_op;
  // The search's objective and the plan's must agree: they are one function decomposed.
  const double tol = 1e-6 * std::max(1.0, std::abs(plan.objective));
  if (std::abs(plan.objective - best.time) > tol)
    return Internal("search objective " + std::to_string(best.time) + " differs from the plan's " +
                    std::to_string(plan.objective));
  plan.memory_budget = options.Budget();
  plan.is_optimal = best.exact;
  plan.stats = stats;
  plan.cost_model = options.cost_model;
  plan.cost_notes = a.cost_notes;
  return plan;
}

}  // namespace

Result<Plan> Optimize(const Graph &graph, const OptimizerOptions &options, Status *stopped) {
  return InArena(options, [&] { return OptimizeInArena(graph, options, stopped); });
}

Result<Plan> EvaluateChoices(const Graph &graph, const OptimizerOptions &options, const std::vector<uint32_t> &choice) {
  CFP_ASSIGN_OR_RETURN(Mesh mesh, options.BuildMesh());
  if (choice.size() != graph.num_ops())
    return InvalidArgument("expected one choice per op (" + std::to_string(graph.num_ops()) + "), got " +
                           std::to_string(choice.size()));
  {
    CostModel unpriced(graph, mesh, options.device, options.cost, options.rules);
    for (uint32_t op = 0; op < graph.num_ops(); ++op)
      if (choice[op] >= unpriced.strategies(op).size())
        return OutOfRange("choice " + std::to_string(choice[op]) + " for " + DescribeOp(graph.ops(), op) +
                          " is out of range (it has " + std::to_string(unpriced.strategies(op).size()) + " strategies)");
  }
  // The same measurements the search priced with (found in the profile DB after Optimize).
  RunControl control;
  CFP_ASSIGN_OR_RETURN(Analysis a, InArena(options, [&] { return Analyze(graph, options, control, AnalysisDepth::kCompute); }));
  Plan plan = AssemblePlan(*a.model, choice);
  plan.memory_budget = options.Budget();
  plan.stats.ops = graph.num_ops();
  plan.stats.configurations_profiled = a.report.profiled;
  plan.stats.configurations_reused = a.report.reused;
  plan.cost_model = options.cost_model;
  plan.cost_notes = a.cost_notes;
  return plan;
}

Result<ProfilingReport> ProfileOnly(const Graph &graph, const OptimizerOptions &options) {
  if (options.cost_model != "cuda") return InvalidArgument("profiling needs the \"cuda\" cost model, not '" + options.cost_model + "'");
  RunControl control;
  CFP_ASSIGN_OR_RETURN(Analysis a, InArena(options, [&] { return Analyze(graph, options, control, AnalysisDepth::kCompute); }));
  return a.report;
}

Result<double> MinMemory(const Graph &graph, const OptimizerOptions &options) {
  return InArena(options, [&]() -> Result<double> {
    RunControl control(options.time_limit, nullptr);
    OptimizerOptions analytic = options;
    analytic.cost_model = "analytic";
    analytic.progress = nullptr;
    CFP_ASSIGN_OR_RETURN(Analysis a, Analyze(graph, analytic, control, AnalysisDepth::kSearch));
    DPLimits limits;
    limits.control = &control;
    limits.max_bytes = options.search_memory_limit;
    CFP_ASSIGN_OR_RETURN(double need, MinMemoryOf(a, limits));
    return need + a.constant_memory;
  });
}

}  // namespace cfp
