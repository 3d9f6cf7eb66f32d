#include "search/optimizer.h"

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <chrono>
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <map>
#include <unordered_map>

#include "blocks/block.h"
#include "blocks/block_costs.h"
#include "blocks/block_edges.h"
#include "profile/fake_device_backend.h"
#include "profile/profile_db.h"
#include "search/block_problem.h"
#include "search/budgeted_search.h"
#include "search/frontier_dp.h"
#include "segments/fingerprint.h"
#include "segments/segments.h"
#include "util/hash.h"

namespace cfp {

Result<Mesh> OptimizerOptions::BuildMesh() const {
  CFP_ASSIGN_OR_RETURN(Mesh mesh, Mesh::Create(mesh_shape, device, devices_per_node));
  for (size_t a = 0; a < axis_links.size(); ++a) {
    if (!axis_links[a]) continue;
    if (static_cast<int>(a) >= mesh.num_axes())
      return InvalidArgument("a link is set for mesh axis " + std::to_string(a) + " but the mesh " + mesh.ToString() +
                             " has " + std::to_string(mesh.num_axes()) + " axes");
    mesh.mutable_axis(static_cast<int>(a)).bandwidth = axis_links[a]->first;
    mesh.mutable_axis(static_cast<int>(a)).latency = axis_links[a]->second;
  }
  return mesh;
}

void UseAlpaTestConvention(OptimizerOptions &o) {
  o.axis_links.assign(o.mesh_shape.size(), std::make_pair(1.0, 1.0));
  o.cost.compute_scale = 0;
  o.rules.allow_replicated_contractions = false;
  // Small enough never to outweigh a collective (alpha = 1 s), large enough to break ties.
  o.cost.replicated_param_penalty = 1e-9;
}

namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Everything the search needs, built once per optimize call.
struct Prepared {
  BlockPartition blocks;
  std::vector<uint64_t> fingerprint;
  std::vector<BlockTable> unique_tables;
  std::vector<uint32_t> table_of_block;
  std::vector<BlockEdge> edges;
  BlockProblem problem;
  double constant_memory = 0;  // graph inputs no op reads
  Segmentation segments;
  // Per block, the rows the least-compute rule gave (BlockTable::rules_of_row bit 0); empty
  // when every row is such a row.
  std::vector<std::vector<uint32_t>> base_rows;
  const BlockTable &table(uint32_t b) const { return unique_tables[table_of_block[b]]; }
};

uint64_t EdgeSignature(const BlockEdge &e, const Prepared &p, const CostModel &model) {
  const Graph &g = model.graph();
  Hasher h;
  h.Add(p.fingerprint[e.u]).Add(p.fingerprint[e.v]).Add(e.terms.size());
  for (const EdgeTerm &t : e.terms) {
    h.Add(t.from_block == e.u);
    uint32_t prod = g.producer(t.tensor);
    uint32_t decider = prod != kNoId ? prod : model.storage_op(t.tensor);
    h.Add(p.blocks.index_in_block[decider]).Add(prod != kNoId);
    if (!t.reads.empty()) {
      h.Add(t.reads.size());
      for (const TensorRead &r : t.reads) h.Add(p.blocks.index_in_block[r.op]).Add(r.slot);
    } else {
      h.Add(UINT64_MAX).Add(p.blocks.index_in_block[model.storage_op(t.loop_target)]);
    }
    if (prod != kNoId) {
      const auto &outs = g.op(prod).outputs;
      h.Add(static_cast<uint64_t>(std::find(outs.begin(), outs.end(), t.tensor) - outs.begin()));
    } else {
      h.Add(model.storage_slot(t.tensor));
    }
  }
  return h.value();
}

// Only a contraction, with replicated contractions disallowed, can have no strategy at
// all: then no plan exists, and the answer names the op rather than the memory budget.
Status CheckEveryOpHasAStrategy(const CostModel &model, const OptimizerOptions &options) {
  if (options.rules.allow_replicated_contractions) return Status::Ok();
  const Graph &g = model.graph();
  for (uint32_t op = 0; op < g.num_ops(); ++op)
    if (IsContraction(g.op(op).kind) && model.strategies(op).empty())
      return Status(Code::kInfeasible, DescribeOp(g.ops(), op) + " has no valid strategy on mesh " + model.mesh().ToString() +
                                           ": replicated contractions are disallowed and no split of its axes divides evenly");
  return Status::Ok();
}

Status Report(const OptimizerOptions &o, const char *phase, uint64_t done, uint64_t total) {
  if (o.progress && !o.progress(phase, done, total)) return Status(Code::kCancelled, "cancelled by the progress callback");
  return Status::Ok();
}

// The cost model's inputs beyond the options: for "analytic" the options' mesh; for "cuda"
// the mesh with measured links where the device can measure them, and measured compute.
struct CostSetup {
  Mesh mesh;
  std::shared_ptr<const ComputeOverride> compute;
  ProfilingReport report;
  std::string notes;
};

std::string ProfilingNotes(const ProfilingReport &r) {
  std::string notes = "compute: profiled on " + r.device + " (" + r.library_version + "): " +
                      std::to_string(r.configurations) + " block configurations, " + std::to_string(r.profiled) +
                      " profiled, " + std::to_string(r.reused) + " reused, " + std::to_string(r.fell_back) +
                      " analytic fallbacks; profile DB " + r.db_path;
  for (const std::string &l : r.links) notes += "\nlinks: " + l;
  for (const std::string &w : r.warnings) notes += "\nwarning: " + w;
  return notes;
}

Result<CostSetup> SetUpCosts(const Graph &graph, const OptimizerOptions &options) {
  CostSetup setup;
  CFP_ASSIGN_OR_RETURN(setup.mesh, options.BuildMesh());
  if (options.cost_model == "analytic") return setup;
  if (options.cost_model != "cuda")
    return Unsupported("cost model '" + options.cost_model + "' is not available (known: analytic, cuda)");
  std::shared_ptr<DeviceBackend> backend = options.profiling_backend;
  if (!backend) {
    auto opened = OpenProfilingBackend();
    if (!opened.ok())
      return Status(opened.status().code(), "the \"cuda\" cost model needs a device: " + opened.status().message());
    backend = std::move(*opened);
  }
  const std::string path = options.profile_db.empty() ? DefaultProfileDbPath() : options.profile_db;
  CFP_ASSIGN_OR_RETURN(ProfileDb db, ProfileDb::Open(path));

  std::vector<bool> fixed(setup.mesh.num_axes(), false);
  for (size_t a = 0; a < options.axis_links.size() && a < fixed.size(); ++a) fixed[a] = options.axis_links[a].has_value();
  std::function<bool(uint64_t, uint64_t)> calibrate_progress;
  if (options.progress)
    calibrate_progress = [&options](uint64_t done, uint64_t total) { return options.progress("calibrate", done, total); };
  auto links = CalibrateMeshLinks(setup.mesh, *backend, db, options.devices_per_node, fixed, calibrate_progress);
  if (!links.ok()) {
    if (db.collective_count() > 0) (void)db.Save();  // keep what was measured for the next run
    return links.status();
  }

  CostModel model(graph, setup.mesh, options.device, options.cost, options.rules);
  CFP_RETURN_IF_ERROR(CheckEveryOpHasAStrategy(model, options));
  const BlockPartition blocks = BuildBlocks(graph);
  const std::vector<uint64_t> fingerprint = FingerprintBlocks(blocks, model);
  ProfilingInputs in{&model, &blocks, &fingerprint, nullptr};
  if (options.progress)
    in.progress = [&options](uint64_t done, uint64_t total) { return options.progress("profile", done, total); };
  auto compute = ProfileBlockTypes(in, *backend, db, setup.report);
  // Measurements taken before a cancellation or an error are kept for the next run.
  Status saved = setup.report.profiled > 0 || db.collective_count() > 0 ? db.Save() : Status::Ok();
  CFP_RETURN_IF_ERROR(compute.status());
  setup.compute = std::move(*compute);
  for (const std::string &w : db.warnings())
    if (std::find(setup.report.warnings.begin(), setup.report.warnings.end(), w) == setup.report.warnings.end())
      setup.report.warnings.push_back(w);
  if (!saved.ok()) setup.report.warnings.push_back("the profile DB was not saved: " + saved.message());
  setup.report.db_path = path;
  setup.report.links = std::move(*links);
  setup.notes = ProfilingNotes(setup.report);
  return setup;
}

Result<Prepared> Prepare(const CostModel &model, const OptimizerOptions &options, SearchStats &stats) {
  Prepared p;
  auto t = Clock::now();
  p.blocks = model.blocks();
  stats.time_blocks = model.blocks_seconds() + Since(t);
  stats.blocks = static_cast<uint32_t>(p.blocks.blocks.size());
  stats.ops_outside_blocks = p.blocks.OpsInKind(BlockKind::Other);
  CFP_RETURN_IF_ERROR(Report(options, "blocks", 1, 1));

  t = Clock::now();
  p.fingerprint = FingerprintBlocks(p.blocks, model);
  stats.time_segments = Since(t);

  // One cost table per distinct fingerprint, costed in parallel.
  t = Clock::now();
  std::unordered_map<uint64_t, uint32_t> unique;
  std::vector<uint32_t> representative;
  p.table_of_block.resize(p.blocks.blocks.size());
  for (uint32_t b = 0; b < p.blocks.blocks.size(); ++b) {
    auto [it, inserted] = unique.try_emplace(p.fingerprint[b], static_cast<uint32_t>(representative.size()));
    if (inserted) representative.push_back(b);
    p.table_of_block[b] = it->second;
  }
  p.unique_tables.resize(representative.size());
  tbb::parallel_for(size_t{0}, representative.size(), [&](size_t i) {
    p.unique_tables[i] = CostBlock(p.blocks.blocks[representative[i]], p.blocks, model);
  });
  for (const BlockTable &bt : p.unique_tables) stats.configurations_costed += bt.rows_considered;
  CFP_RETURN_IF_ERROR(Report(options, "costs", 1, 2));

  // Pairwise factors, one cost matrix per distinct edge signature.
  p.edges = BuildBlockEdges(p.blocks, model);
  std::unordered_map<uint64_t, uint32_t> edge_unique;
  std::vector<uint32_t> edge_rep, edge_matrix(p.edges.size());
  for (uint32_t e = 0; e < p.edges.size(); ++e) {
    auto [it, inserted] = edge_unique.try_emplace(EdgeSignature(p.edges[e], p, model), static_cast<uint32_t>(edge_rep.size()));
    if (inserted) edge_rep.push_back(e);
    edge_matrix[e] = it->second;
  }
  std::vector<EdgeMatrix> matrices(edge_rep.size());
  tbb::parallel_for(size_t{0}, edge_rep.size(), [&](size_t i) {
    const BlockEdge &e = p.edges[edge_rep[i]];
    matrices[i] = EdgeCostMatrix(e, p.blocks, p.table(e.u), p.table(e.v), model);
  });
  stats.time_costs = Since(t);
  CFP_RETURN_IF_ERROR(Report(options, "costs", 2, 2));

  // The problem: block variables with (time, memory) per strategy, factors between them.
  const uint32_t nb = static_cast<uint32_t>(p.blocks.blocks.size());
  p.problem.unary.resize(nb);
  for (uint32_t b = 0; b < nb; ++b) {
    const BlockTable &bt = p.table(b);
    p.problem.unary[b].resize(bt.size());
    for (uint32_t k = 0; k < bt.size(); ++k)
      p.problem.unary[b][k] = {ParetoPoint{bt.time[k], bt.memory[k], UINT32_MAX, 0, 0, 0}};
  }
  for (uint32_t e = 0; e < p.edges.size(); ++e) {
    BlockProblem::Factor f;
    f.u = p.edges[e].u;
    f.v = p.edges[e].v;
    f.kv = p.table(f.v).size();
    f.cost = matrices[edge_matrix[e]].cost;
    f.mem = matrices[edge_matrix[e]].mem;
    p.problem.factors.push_back(std::move(f));
  }
  bool extra = false;
  std::vector<std::vector<uint32_t>> base(nb);
  for (uint32_t b = 0; b < nb; ++b)
    for (uint32_t k = 0; k < p.table(b).size(); ++k) {
      if (p.table(b).rules_of_row[k] & 1u) base[b].push_back(k);
      else extra = true;
    }
  if (extra) p.base_rows = std::move(base);
  const Graph &g = model.graph();
  for (uint32_t tns = 0; tns < g.num_tensors(); ++tns)
    if (g.producer(tns) == kNoId && model.storage_op(tns) == kNoId)
      p.constant_memory += model.ResidentBytes(tns, ShardingSpec::Replicated(g.tensor(tns).shape.size()));
  return p;
}

std::vector<uint32_t> UnfoldedOrder(const Prepared &p, const BlockProblem &problem) {
  std::vector<uint32_t> order;
  for (uint32_t b : p.blocks.order)
    if (!problem.folded[b]) order.push_back(b);
  return order;
}

// Local signatures of the unfolded blocks in order, for segment detection.
std::vector<uint64_t> LocalSignatures(const Prepared &p, const BlockProblem &problem, const std::vector<uint32_t> &order) {
  std::vector<uint32_t> pos(p.blocks.blocks.size(), UINT32_MAX);
  for (uint32_t i = 0; i < order.size(); ++i) pos[order[i]] = i;
  std::vector<std::vector<std::pair<int64_t, uint64_t>>> links(order.size());
  for (const auto &f : problem.factors) {
    if (pos[f.u] == UINT32_MAX || pos[f.v] == UINT32_MAX) continue;
    Hasher fh;
    for (double c : f.cost) fh.AddDouble(c);
    for (double m : f.mem) fh.AddDouble(m);
    int64_t d = static_cast<int64_t>(pos[f.v]) - static_cast<int64_t>(pos[f.u]);
    links[pos[f.u]].emplace_back(d, fh.value());
    links[pos[f.v]].emplace_back(-d, fh.value());
  }
  std::vector<uint64_t> sig(order.size());
  for (uint32_t i = 0; i < order.size(); ++i) {
    Hasher h;
    h.Add(p.fingerprint[order[i]]);
    // Unary costs capture what was folded in.
    for (const auto &pts : problem.unary[order[i]])
      for (const ParetoPoint &pt : pts) h.AddDouble(pt.time).AddDouble(pt.mem);
    auto l = links[i];
    std::sort(l.begin(), l.end());
    for (const auto &[d, c] : l) h.Add(static_cast<uint64_t>(d)).Add(c);
    sig[i] = h.value();
  }
  return sig;
}

std::vector<DPSegment> ToDPSegments(const Segmentation &s) {
  std::vector<DPSegment> out;
  for (const Segment &seg : s.segments) out.push_back({seg.begin, seg.end, seg.type});
  return out;
}

// Folds, orders the rest, finds segments and searches. `block_segments`, if given, gets
// the repeated block sequences once parameter blocks are folded into their users (for the
// statistics: folding chains too can leave little to repeat).
Result<DPResult> SolveSpace(const Prepared &p, BlockProblem problem, const DPLimits &limits,
                             Segmentation *block_segments = nullptr) {
  problem.FoldLeaves(limits.mode);
  if (block_segments) *block_segments = FindSegments(LocalSignatures(p, problem, UnfoldedOrder(p, problem)));
  problem.FoldLeavesAndChains(limits.mode);
  std::vector<uint32_t> order = UnfoldedOrder(p, problem);
  Segmentation seg = FindSegments(LocalSignatures(p, problem, order));
  return SolveFrontierDP(problem, order, limits, ToDPSegments(seg));
}

// The problem over a subset of each variable's strategies (before any folding).
BlockProblem Restrict(const BlockProblem &problem, const std::vector<std::vector<uint32_t>> &rows) {
  BlockProblem out;
  out.unary.resize(problem.num_vars());
  for (uint32_t v = 0; v < problem.num_vars(); ++v)
    for (uint32_t x : rows[v]) out.unary[v].push_back(problem.unary[v][x]);
  for (const BlockProblem::Factor &f : problem.factors) {
    BlockProblem::Factor g;
    g.u = f.u;
    g.v = f.v;
    g.kv = static_cast<uint32_t>(rows[f.v].size());
    g.cost.reserve(rows[f.u].size() * g.kv);
    for (uint32_t a : rows[f.u])
      for (uint32_t b : rows[f.v]) {
        g.cost.push_back(f.cost[static_cast<size_t>(a) * f.kv + b]);
        if (!f.mem.empty()) g.mem.push_back(f.mem[static_cast<size_t>(a) * f.kv + b]);
      }
    out.factors.push_back(std::move(g));
  }
  return out;
}

// States a step of the search over every block row may hold before it gives way.
constexpr size_t kAllRowsStates = size_t{1} << 14;

// Searches every row of every block exactly while its frontier stays under
// kAllRowsStates; past that, also searches the least-compute rows alone exactly (the
// smaller space of one row per entry strategy) and returns the better plan, not proven
// optimal over every row.
Result<DPResult> SolveBlocks(const Prepared &p, const BlockProblem &problem, const DPLimits &limits,
                             Segmentation *block_segments = nullptr) {
  if (p.base_rows.empty()) return SolveSpace(p, problem, limits, block_segments);
  DPLimits capped = limits;
  capped.max_states = std::min(limits.max_states, kAllRowsStates);
  Result<DPResult> all = SolveSpace(p, problem, capped, block_segments);
  if (all.ok() && all->exact) return all;
  if (!all.ok() && all.status().code() != Code::kMemoryLimit) return all;
  Result<DPResult> base = SolveSpace(p, Restrict(problem, p.base_rows), limits);
  if (!base.ok()) return all.ok() ? std::move(all) : std::move(base);
  for (uint32_t v = 0; v < base->strategy.size(); ++v) base->strategy[v] = p.base_rows[v][base->strategy[v]];
  base->exact = false;
  if (all.ok() && all->time <= base->time) return all;
  return base;
}

// The least memory of any plan (graph inputs nobody reads excluded): the same search with
// memory as the objective and transfers free.
Result<double> MinMemoryOf(const Prepared &p, DPLimits limits) {
  BlockProblem problem = p.problem;
  for (auto &per_strategy : problem.unary)
    for (auto &pts : per_strategy)
      for (ParetoPoint &pt : pts) {
        pt.time = pt.mem;
        pt.mem = 0;
      }
  for (auto &f : problem.factors) {
    if (f.mem.empty()) std::fill(f.cost.begin(), f.cost.end(), 0.0);
    else f.cost = std::move(f.mem);
    f.mem.clear();
  }
  limits.mode = ParetoMode{};
  CFP_ASSIGN_OR_RETURN(DPResult r, SolveBlocks(p, std::move(problem), limits));
  return r.time;
}

bool IsSearchLimit(Code code) { return code == Code::kTimeLimit || code == Code::kMemoryLimit; }

// A plan within the budget when a limit stopped the exact search: the same DP keeping only
// a few states per step and a few (time, memory) points per state. Not proven optimal.
Result<DPResult> NarrowSearch(const Prepared &p, double budget) {
  DPLimits narrow;
  narrow.mode.scalar = false;
  narrow.mode.budget = budget;
  narrow.max_states = 64;
  narrow.max_points = 4;
  narrow.segment_tables = false;
  CFP_ASSIGN_OR_RETURN(DPResult r, SolveBlocks(p, p.problem, narrow));
  r.exact = false;
  return r;
}

std::vector<uint32_t> ChoicesFromBlocks(const Prepared &p, const std::vector<uint32_t> &block_strategy, uint32_t num_ops) {
  std::vector<uint32_t> choice(num_ops, 0);
  for (uint32_t b = 0; b < p.blocks.blocks.size(); ++b) {
    const Block &blk = p.blocks.blocks[b];
    const auto &members = p.table(b).member_choice[block_strategy[b]];
    for (uint32_t i = 0; i < blk.members.size(); ++i) choice[blk.members[i]] = members[i];
  }
  return choice;
}

template <class F>
auto InArena(const OptimizerOptions &options, F &&f) {
  int threads = options.threads ? static_cast<int>(options.threads) : tbb::this_task_arena::max_concurrency();
  tbb::task_arena arena(threads);
  return arena.execute(std::forward<F>(f));
}

Result<Plan> OptimizeInArena(const Graph &graph, const OptimizerOptions &options, Status *stopped) {
  SearchStats stats;
  stats.ops = graph.num_ops();
  auto t_setup = Clock::now();
  CFP_ASSIGN_OR_RETURN(CostSetup setup, SetUpCosts(graph, options));
  const double time_profile = Since(t_setup);
  CostModel model(graph, setup.mesh, options.device, options.cost, options.rules);
  model.SetComputeOverride(setup.compute);
  CFP_RETURN_IF_ERROR(CheckEveryOpHasAStrategy(model, options));
  CFP_ASSIGN_OR_RETURN(Prepared p, Prepare(model, options, stats));
  stats.time_costs += time_profile;
  stats.configurations_profiled = setup.report.profiled;
  stats.configurations_reused = setup.report.reused;

  auto t = Clock::now();
  DPLimits limits;
  if (options.time_limit > 0)
    limits.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.time_limit));
  limits.max_bytes = options.search_memory_limit;
  const double budget = static_cast<double>(options.Budget()) - p.constant_memory;
  CFP_RETURN_IF_ERROR(Report(options, "search", 0, 1));
  auto search = [&]() -> Result<DPResult> {
    CFP_ASSIGN_OR_RETURN(DPResult best, SolveBlocks(p, p.problem, limits, &p.segments));
    if (best.mem <= budget) return best;
    // The fastest plan does not fit. If even the smallest does not, say so at once;
    // otherwise search again with (time, memory) frontiers.
    CFP_ASSIGN_OR_RETURN(double need, MinMemoryOf(p, limits));
    if (need > budget)
      return Status(Code::kInfeasible, "no plan fits the memory budget of " + std::to_string(options.Budget()) +
                                           " bytes per device; the smallest plan needs " +
                                           std::to_string(static_cast<uint64_t>(std::ceil(need + p.constant_memory))) +
                                           " bytes");
    auto solve = [&p](const BlockProblem &problem, const DPLimits &l) { return SolveBlocks(p, problem, l); };
    return SolveWithinBudget(p.problem, solve, limits, budget, best);
  };
  Result<DPResult> searched = search();
  if (!searched.ok() && stopped && IsSearchLimit(searched.status().code())) {
    // The best plan found so far: a narrow search without limits, in milliseconds.
    Result<DPResult> narrow = NarrowSearch(p, budget);
    if (narrow.ok()) {
      *stopped = searched.status();
      searched = std::move(narrow);
    }
  }
  CFP_RETURN_IF_ERROR(searched.status());
  DPResult best = std::move(searched).value();
  stats.segments = static_cast<uint32_t>(p.segments.segments.size());
  stats.unique_segments = p.segments.unique_types;
  stats.time_search = Since(t);
  CFP_RETURN_IF_ERROR(Report(options, "search", 1, 1));

  std::vector<uint32_t> choice = ChoicesFromBlocks(p, best.strategy, graph.num_ops());
  Plan plan = AssemblePlan(model, choice);
  for (uint32_t op = 0; op < graph.num_ops(); ++op) plan.op_block[op] = p.blocks.block_of_op[op];
  // The search's objective and the plan's must agree: they are one function decomposed.
  const double tol = 1e-6 * std::max(1.0, std::abs(plan.objective));
  if (std::abs(plan.objective - best.time) > tol)
    return Internal("search objective " + std::to_string(best.time) + " differs from the plan's " +
                    std::to_string(plan.objective));
  plan.memory_budget = options.Budget();
  plan.is_optimal = best.exact;
  plan.stats = stats;
  plan.cost_model = options.cost_model;
  plan.cost_notes = setup.notes;
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
  CFP_ASSIGN_OR_RETURN(CostSetup setup, InArena(options, [&] { return SetUpCosts(graph, options); }));
  CostModel model(graph, setup.mesh, options.device, options.cost, options.rules);
  model.SetComputeOverride(setup.compute);
  Plan plan = AssemblePlan(model, choice);
  plan.memory_budget = options.Budget();
  plan.stats.ops = graph.num_ops();
  plan.stats.configurations_profiled = setup.report.profiled;
  plan.stats.configurations_reused = setup.report.reused;
  plan.cost_model = options.cost_model;
  plan.cost_notes = setup.notes;
  return plan;
}

Result<ProfilingReport> ProfileOnly(const Graph &graph, const OptimizerOptions &options) {
  if (options.cost_model != "cuda") return InvalidArgument("profiling needs the \"cuda\" cost model, not '" + options.cost_model + "'");
  CFP_ASSIGN_OR_RETURN(CostSetup setup, InArena(options, [&] { return SetUpCosts(graph, options); }));
  return setup.report;
}

Result<double> MinMemory(const Graph &graph, const OptimizerOptions &options) {
  return InArena(options, [&]() -> Result<double> {
    CFP_ASSIGN_OR_RETURN(Mesh mesh, options.BuildMesh());
    CostModel model(graph, mesh, options.device, options.cost, options.rules);
    CFP_RETURN_IF_ERROR(CheckEveryOpHasAStrategy(model, options));
    SearchStats stats;
    OptimizerOptions quiet = options;
    quiet.progress = nullptr;
    CFP_ASSIGN_OR_RETURN(Prepared p, Prepare(model, quiet, stats));
    CFP_ASSIGN_OR_RETURN(double need, MinMemoryOf(p, DPLimits{}));
    return need + p.constant_memory;
  });
}

}  // namespace cfp
