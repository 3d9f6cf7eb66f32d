#include "bench_workers.h"

#include <cfp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>

#include "bench_record.h"
#include "configurations.h"
#include "graph/graph_io.h"
#include "ilp/cbc_ilp.h"
#include "ilp/pairwise_problem.h"
#include "manual_plans.h"
#include "planner/planner.h"
#include "subprocess.h"

namespace cfp_bench {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A budget no plan reaches: what "no memory limit" means to cfp_options_set_memory_budget.
constexpr uint64_t kNoBudget = uint64_t{1} << 62;

struct CfpError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void Check(cfp_status s, const char *what) {
  if (s != CFP_OK) throw CfpError(std::string(what) + ": " + cfp_last_error_message());
}

using GraphPtr = std::unique_ptr<cfp_graph, decltype(&cfp_graph_destroy)>;
using OptionsPtr = std::unique_ptr<cfp_options, decltype(&cfp_options_destroy)>;
using PlanPtr = std::unique_ptr<cfp_plan, decltype(&cfp_plan_destroy)>;
using BytesPtr = std::unique_ptr<cfp_bytes, decltype(&cfp_bytes_destroy)>;

// The model as a user would have it: built, serialized, and loaded back (timed), plus the
// same graph in the library's internal form for the baselines.
struct LoadedModel {
  GraphPtr graph{nullptr, cfp_graph_destroy};
  std::unique_ptr<cfp::Graph> internal;
};

LoadedModel LoadModel(const std::string &spec, Record &rec) {
  auto t = Clock::now();
  cfp_graph *built = nullptr;
  Check(cfp_model_build(spec.c_str(), &built), "cfp_model_build");
  GraphPtr built_ptr(built, cfp_graph_destroy);
  rec.Set("build_s", Since(t));
  cfp_bytes *bytes = nullptr;
  Check(cfp_graph_to_buffer(built, &bytes), "cfp_graph_to_buffer");
  BytesPtr bytes_ptr(bytes, cfp_bytes_destroy);
  built_ptr.reset();
  LoadedModel m;
  t = Clock::now();
  cfp_graph *loaded = nullptr;
  Check(cfp_graph_from_buffer(cfp_bytes_data(bytes), cfp_bytes_size(bytes), &loaded), "cfp_graph_from_buffer");
  rec.Set("load_s", Since(t));
  m.graph.reset(loaded);
  auto internal = cfp::GraphFromBuffer(cfp_bytes_data(bytes), cfp_bytes_size(bytes));
  if (!internal.ok()) throw CfpError("internal graph: " + internal.status().message());
  m.internal = std::make_unique<cfp::Graph>(std::move(internal).value());
  uint32_t ops = 0, tensors = 0;
  uint64_t params = 0;
  Check(cfp_graph_op_count(loaded, &ops), "op count");
  Check(cfp_graph_tensor_count(loaded, &tensors), "tensor count");
  Check(cfp_graph_parameter_count(loaded, &params), "parameter count");
  rec.Set("ops", ops);
  rec.Set("tensors", tensors);
  rec.Set("parameters", params);
  rec.Set("graph_bytes", static_cast<uint64_t>(cfp_bytes_size(bytes)));
  return m;
}

OptionsPtr MakeOptions(const WorkerArgs &a, uint64_t budget) {
  cfp_options *o = nullptr;
  Check(cfp_options_create(&o), "cfp_options_create");
  OptionsPtr ptr(o, cfp_options_destroy);
  Check(cfp_options_set_mesh(o, a.mesh.data(), a.mesh.size()), "mesh");
  Check(cfp_options_set_threads(o, a.threads), "threads");
  if (a.cfp_time_limit > 0) Check(cfp_options_set_time_limit(o, a.cfp_time_limit), "time limit");
  Check(cfp_options_set_memory_budget(o, budget), "budget");
  return ptr;
}

// The same settings for the library's internals (the defaults of cfp_options_create).
cfp::OptimizerOptions InternalOptions(const WorkerArgs &a) {
  cfp::OptimizerOptions o;
  o.mesh_shape = a.mesh;
  o.threads = a.threads;
  return o;
}

double PlanNumber(cfp_status (*fn)(const cfp_plan *, double *), const cfp_plan *p) {
  double v = 0;
  Check(fn(p, &v), "plan");
  return v;
}

void RecordPlan(const cfp_plan *p, const std::string &prefix, Record &rec) {
  uint64_t mem = 0;
  Check(cfp_plan_peak_memory(p, &mem), "peak memory");
  rec.Set(prefix + "_step_s", PlanNumber(cfp_plan_step_time, p));
  rec.Set(prefix + "_compute_s", PlanNumber(cfp_plan_compute_time, p));
  rec.Set(prefix + "_comm_s", PlanNumber(cfp_plan_comm_time, p));
  rec.Set(prefix + "_memory_bytes", mem);
}

// Parameters and optimizer states spread over every device: no plan needs less.
double StateLowerBound(const cfp::Graph &g, uint64_t devices) {
  double bytes = 0;
  for (const cfp::Tensor &t : g.tensors())
    if (t.role == cfp::TensorRole::Parameter || t.role == cfp::TensorRole::OptimizerState)
      bytes += static_cast<double>(t.Bytes());
  return bytes / static_cast<double>(devices);
}

PlanPtr Evaluate(const cfp_graph *g, const cfp_options *o, const std::vector<uint32_t> &choice) {
  cfp_plan *p = nullptr;
  Check(cfp_evaluate(g, o, choice.data(), choice.size(), &p), "cfp_evaluate");
  return PlanPtr(p, cfp_plan_destroy);
}

void Optimize(const WorkerArgs &a, const LoadedModel &m, Record &rec) {
  uint64_t devices = 1;
  for (uint32_t s : a.mesh) devices *= s;
  // The device's capacity, as cfp_options_create sets it.
  cfp::OptimizerOptions defaults;
  const uint64_t capacity = defaults.device.memory_capacity;
  uint64_t budget = capacity;
  const double floor = StateLowerBound(*m.internal, devices);
  if (floor > static_cast<double>(capacity)) {
    rec.Set("infeasible", "parameters and optimizer states alone need " + std::to_string(static_cast<uint64_t>(floor)) +
                              " bytes per device");
    budget = kNoBudget;
  }
  cfp_plan *raw = nullptr;
  OptionsPtr o = MakeOptions(a, budget);
  cfp_status s = cfp_optimize(m.graph.get(), o.get(), &raw);
  if (s == CFP_ERR_INFEASIBLE) {
    rec.Set("infeasible", cfp_last_error_message());
    budget = kNoBudget;
    o = MakeOptions(a, budget);
    s = cfp_optimize(m.graph.get(), o.get(), &raw);
  }
  PlanPtr plan(raw, cfp_plan_destroy);
  rec.Set("rss_bytes", PeakRssOfThisProcess());
  rec.Set("budget_bytes", budget == kNoBudget ? uint64_t{0} : budget);
  rec.Set("budget_lifted", budget == kNoBudget ? 1 : 0);
  if (s != CFP_OK) rec.Set("cfp_error", std::string(cfp_status_string(s)) + ": " + cfp_last_error_message());
  rec.Set("cfp_status", s == CFP_OK ? "ok" : s == CFP_ERR_TIME_LIMIT ? "time_limit" : "error");
  if (!plan) return;
  auto stat = [&](cfp_stat st) {
    double v = 0;
    Check(cfp_plan_stat(plan.get(), st, &v), "stat");
    return v;
  };
  const double blocks = stat(CFP_STAT_TIME_BLOCKS), segments = stat(CFP_STAT_TIME_SEGMENTS),
               costs = stat(CFP_STAT_TIME_COSTS), search = stat(CFP_STAT_TIME_SEARCH);
  rec.Set("cfp_blocks_s", blocks);
  rec.Set("cfp_segments_s", segments);
  rec.Set("cfp_costs_s", costs);
  rec.Set("cfp_search_s", search);
  rec.Set("cfp_total_s", blocks + segments + costs + search);
  rec.Set("blocks", static_cast<uint64_t>(stat(CFP_STAT_BLOCKS)));
  rec.Set("segments", static_cast<uint64_t>(stat(CFP_STAT_SEGMENTS)));
  rec.Set("unique_segments", static_cast<uint64_t>(stat(CFP_STAT_UNIQUE_SEGMENTS)));
  rec.Set("configs_costed", static_cast<uint64_t>(stat(CFP_STAT_CONFIGURATIONS_COSTED)));
  rec.Set("ops_outside_blocks", static_cast<uint64_t>(stat(CFP_STAT_OPS_OUTSIDE_BLOCKS)));
  int optimal = 0;
  Check(cfp_plan_is_optimal(plan.get(), &optimal), "optimal");
  rec.Set("cfp_optimal", optimal);
  RecordPlan(plan.get(), "cfp", rec);
}

void ManualPlans(const WorkerArgs &a, const LoadedModel &m, Record &rec) {
  cfp::OptimizerOptions io = InternalOptions(a);
  auto mesh = io.BuildMesh();
  if (!mesh.ok()) throw CfpError(mesh.status().message());
  cfp::CostModel model(*m.internal, *mesh, io.device, io.cost, io.rules);
  OptionsPtr o = MakeOptions(a, 0);
  for (ManualPlan kind : kManualPlans) {
    const std::string name = ManualPlanName(kind);
    auto t = Clock::now();
    ManualPlanChoice plan = BuildManualPlan(model, kind);
    rec.Set(name + "_build_s", Since(t));
    rec.Set(name + "_fallbacks", plan.fallbacks);
    PlanPtr p = Evaluate(m.graph.get(), o.get(), plan.choice);
    RecordPlan(p.get(), name, rec);
    // cfp_evaluate and the internal model must agree, or the two sides priced differently.
    const double internal = model.Evaluate(plan.choice).StepTime();
    const double api = *rec.Number(name + "_step_s");
    if (std::abs(internal - api) > 1e-6 * std::max(1e-12, std::abs(api)))
      throw CfpError("internal and C API costs disagree for the " + name + " plan: " + std::to_string(internal) +
                     " vs " + std::to_string(api));
  }
  auto t = Clock::now();
  ConfigurationCounts c = CountConfigurations(model);
  rec.Set("configs_count_s", Since(t));
  rec.Set("configs_cfp_product", c.cfp_product);
  rec.Set("configs_block_sum", c.per_block_sum);
  rec.Set("bench_segments", c.segments);
  rec.Set("bench_unique_segments", c.unique_segments);
  rec.Set("bench_searched_blocks", c.searched_blocks);
}

int Guarded(const char *what, Record &rec, const std::function<void()> &body) {
  try {
    body();
  } catch (const std::exception &e) {
    rec.Set(std::string(what) + "_error", e.what());
    std::fputs(rec.Serialize().c_str(), stdout);
    return 1;
  }
  std::fputs(rec.Serialize().c_str(), stdout);
  return 0;
}

}  // namespace

int RunCfpWorker(const WorkerArgs &a) {
  Record rec;
  return Guarded("worker", rec, [&] {
    LoadedModel m = LoadModel(a.spec, rec);
    Optimize(a, m, rec);
    ManualPlans(a, m, rec);
  });
}

int RunIlpWorker(const WorkerArgs &a) {
  Record rec;
  return Guarded("ilp", rec, [&] {
    LoadedModel m = LoadModel(a.spec, rec);
    cfp::OptimizerOptions io = InternalOptions(a);
    auto mesh = io.BuildMesh();
    if (!mesh.ok()) throw CfpError(mesh.status().message());
    cfp::CostModel model(*m.internal, *mesh, io.device, io.cost, io.rules);
    auto t = Clock::now();
    PairwiseProblem problem = BuildPairwiseProblem(model, {a.ilp_follow});
    const double build = Since(t);
    uint64_t columns = 0, nonzeros = 0;
    IlpSize(problem, &columns, &nonzeros);
    rec.Set("ilp_build_s", build);
    rec.Set("ilp_vars", problem.num_vars());
    rec.Set("ilp_followers", problem.followers);
    rec.Set("ilp_pairs", static_cast<uint64_t>(problem.pairs.size()));
    rec.Set("ilp_columns", columns);
    rec.Set("ilp_nonzeros", nonzeros);
    if (a.ilp_max_columns > 0 && columns > a.ilp_max_columns) {
      rec.Set("ilp_status", "too large");
      return;
    }
    IlpOptions opt;
    opt.time_limit = a.ilp_time_limit;
    opt.memory_budget = a.budget;
    opt.verbose = a.ilp_verbose;
    IlpResult r = SolveIlp(problem, opt);
    rec.Set("ilp_status", IlpStatusName(r.status));
    rec.Set("ilp_rows", r.rows);
    rec.Set("ilp_solve_s", r.solve_seconds);
    rec.Set("ilp_total_s", build + r.solve_seconds);
    rec.Set("ilp_bound_s", r.best_bound);
    if (r.var_choice.empty()) return;
    rec.Set("ilp_objective_s", r.objective);
    OptionsPtr o = MakeOptions(a, 0);
    PlanPtr p = Evaluate(m.graph.get(), o.get(), problem.ToOpChoice(r.var_choice));
    RecordPlan(p.get(), "ilp", rec);
  });
}

}  // namespace cfp_bench
