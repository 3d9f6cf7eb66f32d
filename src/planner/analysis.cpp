#include "planner/analysis.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "profile/fake_device_backend.h"
#include "profile/profile_db.h"
#include "util/hash.h"

namespace cfp {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

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

std::string ProfilingNotes(const ProfilingReport &r) {
  std::string notes = "compute: profiled on " + r.device + " (" + r.library_version + "): " +
                      std::to_string(r.configurations) + " block configurations, " + std::to_string(r.profiled) +
                      " profiled, " + std::to_string(r.reused) + " reused, " + std::to_string(r.fell_back) +
                      " analytic fallbacks; profile DB " + r.db_path;
  for (const std::string &l : r.links) notes += "\nlinks: " + l;
  for (const std::string &w : r.warnings) notes += "\nwarning: " + w;
  return notes;
}

// Where the "cuda" cost model measures, and what it has measured before.
struct Measuring {
  std::shared_ptr<DeviceBackend> backend;
  ProfileDb db;
  std::string db_path;
  std::vector<std::string> links;  // per mesh axis: measured or preset
};

// Opens the device and the profile DB and measures the mesh's links into `mesh`.
Result<Measuring> StartMeasuring(const OptimizerOptions &options, Mesh &mesh) {
  std::shared_ptr<DeviceBackend> backend = options.profiling_backend;
  if (!backend) {
    auto opened = OpenProfilingBackend();
    if (!opened.ok())
      return Status(opened.status().code(), "the \"cuda\" cost model needs a device: " + opened.status().message());
    backend = std::move(*opened);
  }
  const std::string path = options.profile_db.empty() ? DefaultProfileDbPath() : options.profile_db;
  CFP_ASSIGN_OR_RETURN(ProfileDb db, ProfileDb::Open(path));
  std::vector<bool> fixed(mesh.num_axes(), false);
  for (size_t a = 0; a < options.axis_links.size() && a < fixed.size(); ++a) fixed[a] = options.axis_links[a].has_value();
  std::function<bool(uint64_t, uint64_t)> calibrate_progress;
  if (options.progress)
    calibrate_progress = [&options](uint64_t done, uint64_t total) { return options.progress("calibrate", done, total); };
  auto links = CalibrateMeshLinks(mesh, *backend, db, options.devices_per_node, fixed, calibrate_progress);
  if (!links.ok()) {
    if (db.collective_count() > 0) (void)db.Save();  // keep what was measured for the next run
    return links.status();
  }
  return Measuring{std::move(backend), std::move(db), path, std::move(*links)};
}

// Times every row of every block type (or finds it in the DB) and installs the measured
// compute in the analysis's model; the DB keeps what was measured, even on failure.
Status MeasureBlockTypes(Analysis &a, const std::vector<BlockTable> &rows, Measuring &m, const OptimizerOptions &options) {
  ProfilingInputs in{a.model.get(), &a.types, &rows, nullptr};
  if (options.progress)
    in.progress = [&options](uint64_t done, uint64_t total) { return options.progress("profile", done, total); };
  auto compute = ProfileBlockTypes(in, *m.backend, m.db, a.report);
  // Measurements taken before a cancellation or an error are kept for the next run.
  Status saved = a.report.profiled > 0 || m.db.collective_count() > 0 ? m.db.Save() : Status::Ok();
  CFP_RETURN_IF_ERROR(compute.status());
  a.model->SetComputeOverride(std::move(*compute));
  for (const std::string &w : m.db.warnings())
    if (std::find(a.report.warnings.begin(), a.report.warnings.end(), w) == a.report.warnings.end())
      a.report.warnings.push_back(w);
  if (!saved.ok()) a.report.warnings.push_back("the profile DB was not saved: " + saved.message());
  a.report.db_path = m.db_path;
  a.report.links = m.links;
  a.cost_notes = ProfilingNotes(a.report);
  return Status::Ok();
}

uint64_t EdgeSignature(const BlockEdge &e, const Analysis &a) {
  const CostModel &model = *a.model;
  const Graph &g = model.graph();
  const BlockPartition &blocks = a.blocks();
  Hasher h;
  h.Add(a.types.fingerprint[e.u]).Add(a.types.fingerprint[e.v]).Add(e.terms.size());
  for (const EdgeTerm &t : e.terms) {
    h.Add(t.from_block == e.u);
    uint32_t prod = g.producer(t.tensor);
    uint32_t decider = prod != kNoId ? prod : model.storage_op(t.tensor);
    h.Add(blocks.index_in_block[decider]).Add(prod != kNoId);
    if (!t.reads.empty()) {
      h.Add(t.reads.size());
      for (const TensorRead &r : t.reads) h.Add(blocks.index_in_block[r.op]).Add(r.slot);
    } else {
      h.Add(UINT64_MAX).Add(blocks.index_in_block[model.storage_op(t.loop_target)]);
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

// Runs `work(i)` for i in [0, n) on the arena's threads, each checking `control` (and
// counting one unit of progress when `counted`).
template <class F>
Status ForEachChecked(size_t n, RunControl &control, bool counted, F &&work) {
  tbb::parallel_for(size_t{0}, n, [&](size_t i) {
    if (!control.Check().ok()) return;
    work(i);
    (void)control.Check(counted ? 1 : 0);
  });
  return control.stopped();
}

// Pairwise factors, one cost matrix per distinct edge signature, and the problem.
Status BuildProblem(Analysis &a, RunControl &control) {
  const BlockPartition &blocks = a.blocks();
  a.edges = BuildBlockEdges(blocks, *a.model);
  CFP_RETURN_IF_ERROR(control.Check());
  std::unordered_map<uint64_t, uint32_t> edge_unique;
  std::vector<uint32_t> edge_rep, edge_matrix(a.edges.size());
  for (uint32_t e = 0; e < a.edges.size(); ++e) {
    auto [it, inserted] = edge_unique.try_emplace(EdgeSignature(a.edges[e], a), static_cast<uint32_t>(edge_rep.size()));
    if (inserted) edge_rep.push_back(e);
    edge_matrix[e] = it->second;
  }
  std::vector<EdgeMatrix> matrices(edge_rep.size());
  CFP_RETURN_IF_ERROR(control.Begin("edges", edge_rep.size()));
  CFP_RETURN_IF_ERROR(ForEachChecked(edge_rep.size(), control, true, [&](size_t i) {
    const BlockEdge &e = a.edges[edge_rep[i]];
    matrices[i] = EdgeCostMatrix(e, blocks, a.table(e.u), a.table(e.v), *a.model);
  }));
  CFP_RETURN_IF_ERROR(control.Finish());

  // The problem: block variables with (time, memory) per row, factors between them.
  const auto nb = static_cast<uint32_t>(blocks.blocks.size());
  a.problem.unary.resize(nb);
  for (uint32_t b = 0; b < nb; ++b) {
    const BlockTable &bt = a.table(b);
    a.problem.unary[b].resize(bt.size());
    for (uint32_t k = 0; k < bt.size(); ++k)
      a.problem.unary[b][k] = {ParetoPoint{bt.time[k], bt.memory[k], UINT32_MAX, 0, 0, 0}};
  }
  for (uint32_t e = 0; e < a.edges.size(); ++e) {
    BlockProblem::Factor f;
    f.u = a.edges[e].u;
    f.v = a.edges[e].v;
    f.kv = a.table(f.v).size();
    f.cost = matrices[edge_matrix[e]].cost;
    f.mem = matrices[edge_matrix[e]].mem;
    a.problem.factors.push_back(std::move(f));
  }
  bool extra = false;
  std::vector<std::vector<uint32_t>> base(nb);
  for (uint32_t b = 0; b < nb; ++b)
    for (uint32_t k = 0; k < a.table(b).size(); ++k) {
      if (a.table(b).rules_of_row[k] & 1u) base[b].push_back(k);
      else extra = true;
    }
  if (extra) a.base_rows = std::move(base);
  const Graph &g = a.model->graph();
  for (uint32_t t = 0; t < g.num_tensors(); ++t)
    if (g.producer(t) == kNoId && a.model->storage_op(t) == kNoId)
      a.constant_memory += a.model->ResidentBytes(t, ShardingSpec::Replicated(g.tensor(t).shape.size()));
  return Status::Ok();
}

}  // namespace

Result<Analysis> Analyze(const Graph &graph, const OptimizerOptions &options, RunControl &control, AnalysisDepth depth) {
  Analysis a;
  a.stats.ops = graph.num_ops();
  const bool measured = options.cost_model == "cuda";
  if (!measured && options.cost_model != "analytic")
    return Unsupported("cost model '" + options.cost_model + "' is not available (known: analytic, cuda)");
  const auto t_measure = Clock::now();
  CFP_ASSIGN_OR_RETURN(Mesh mesh, options.BuildMesh());
  std::optional<Measuring> measuring;
  if (measured) {
    CFP_ASSIGN_OR_RETURN(Measuring m, StartMeasuring(options, mesh));
    measuring = std::move(m);
  }
  const double calibrating = Since(t_measure);
  if (measuring) control.RestartClock();  // the limit bounds planning, not measuring

  auto t = Clock::now();
  CFP_RETURN_IF_ERROR(control.Begin("blocks", 1));
  a.model = std::make_unique<CostModel>(graph, std::move(mesh), options.device, options.cost, options.rules);
  CFP_RETURN_IF_ERROR(control.Check());
  CFP_RETURN_IF_ERROR(CheckEveryOpHasAStrategy(*a.model, options));
  const BlockPartition &blocks = a.blocks();
  a.stats.time_blocks = a.model->blocks_seconds() + Since(t);
  a.stats.blocks = static_cast<uint32_t>(blocks.blocks.size());
  a.stats.ops_outside_blocks = blocks.OpsInKind(BlockKind::Other);
  CFP_RETURN_IF_ERROR(control.Check(1));
  CFP_RETURN_IF_ERROR(control.Finish());
  if (depth == AnalysisDepth::kCompute && !measuring) return a;  // analytic compute needs no tables

  t = Clock::now();
  a.types = GroupBlockTypes(blocks, *a.model);
  a.stats.time_segments = Since(t);
  CFP_RETURN_IF_ERROR(control.Check());

  // One table per block type, costed in parallel: first the rows, which do not depend on
  // measured compute (so they are what the profiler measures), then their prices.
  // Costs (measuring included): following the rows, then pricing them.
  t = Clock::now();
  CFP_RETURN_IF_ERROR(control.Begin("costs", a.types.size()));
  a.tables.resize(a.types.size());
  auto block_of_type = [&](size_t type) -> const Block & { return blocks.blocks[a.types.representative(type)]; };
  CFP_RETURN_IF_ERROR(ForEachChecked(a.types.size(), control, false, [&](size_t i) {
    a.tables[i] = FollowBlock(block_of_type(i), blocks, *a.model, &control);
  }));
  for (const BlockTable &bt : a.tables) a.stats.configurations_costed += bt.rows_considered;
  if (measuring) {
    CFP_RETURN_IF_ERROR(MeasureBlockTypes(a, a.tables, *measuring, options));
    a.stats.configurations_profiled = a.report.profiled;
    a.stats.configurations_reused = a.report.reused;
    control.RestartClock();
  }
  a.stats.time_costs = calibrating + Since(t);
  if (depth == AnalysisDepth::kCompute) return a;
  CFP_RETURN_IF_ERROR(ForEachChecked(a.types.size(), control, true, [&](size_t i) {
    PriceBlock(block_of_type(i), blocks, *a.model, a.tables[i], &control);
    DropDominatedRows(block_of_type(i), blocks, *a.model, a.tables[i], &control);
  }));
  CFP_RETURN_IF_ERROR(control.Finish());
  CFP_RETURN_IF_ERROR(BuildProblem(a, control));
  a.stats.time_costs = calibrating + Since(t);
  return a;
}

}  // namespace cfp
