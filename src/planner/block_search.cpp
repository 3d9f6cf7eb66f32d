#include "planner/block_search.h"

#include <algorithm>

#include "segments/local_signatures.h"
#include "util/hash.h"

namespace cfp {
namespace {

std::vector<uint32_t> UnfoldedOrder(const Analysis &a, const BlockProblem &problem) {
  std::vector<uint32_t> order;
  for (uint32_t b : a.blocks().order)
    if (!problem.folded[b]) order.push_back(b);
  return order;
}

// Local signatures of the unfolded blocks in order: a block is its fingerprint and the
// costs folded into it; a link is its factor's costs.
std::vector<uint64_t> Signatures(const Analysis &a, const BlockProblem &problem, const std::vector<uint32_t> &order) {
  std::vector<uint64_t> own(problem.num_vars());
  for (uint32_t v : order) {
    Hasher h;
    h.Add(a.types.fingerprint[v]);
    for (const auto &pts : problem.unary[v])
      for (const ParetoPoint &pt : pts) h.AddDouble(pt.time).AddDouble(pt.mem);
    own[v] = h.value();
  }
  std::vector<SignatureLink> links;
  links.reserve(problem.factors.size());
  for (const auto &f : problem.factors) {
    Hasher fh;
    for (double c : f.cost) fh.AddDouble(c);
    for (double m : f.mem) fh.AddDouble(m);
    links.push_back({f.u, f.v, fh.value()});
  }
  return LocalSignatures(order, own, links);
}

std::vector<DPSegment> ToDPSegments(const Segmentation &s) {
  std::vector<DPSegment> out;
  for (const Segment &seg : s.segments) out.push_back({seg.begin, seg.end, seg.type});
  return out;
}

// Folds, orders the rest, finds segments and searches.
Result<DPResult> SolveSpace(const Analysis &a, BlockProblem problem, const DPLimits &limits,
                            Segmentation *block_segments = nullptr) {
  problem.FoldLeaves(limits.mode);
  if (block_segments) *block_segments = FindSegments(Signatures(a, problem, UnfoldedOrder(a, problem)), limits.control);
  problem.FoldLeavesAndChains(limits.mode);
  std::vector<uint32_t> order = UnfoldedOrder(a, problem);
  Segmentation seg = FindSegments(Signatures(a, problem, order), limits.control);
  if (limits.control) CFP_RETURN_IF_ERROR(limits.control->Check());
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
    for (uint32_t x : rows[f.u])
      for (uint32_t y : rows[f.v]) {
        g.cost.push_back(f.cost[static_cast<size_t>(x) * f.kv + y]);
        if (!f.mem.empty()) g.mem.push_back(f.mem[static_cast<size_t>(x) * f.kv + y]);
      }
    out.factors.push_back(std::move(g));
  }
  return out;
}

// States a step of the search over every block row may hold before it gives way.
constexpr size_t kAllRowsStates = size_t{1} << 14;

}  // namespace

Result<DPResult> SolveBlocks(const Analysis &a, const BlockProblem &problem, const DPLimits &limits,
                             Segmentation *block_segments) {
  if (a.base_rows.empty()) return SolveSpace(a, problem, limits, block_segments);
  DPLimits capped = limits;
  capped.max_states = std::min(limits.max_states, kAllRowsStates);
  Result<DPResult> all = SolveSpace(a, problem, capped, block_segments);
  if (all.ok() && all->exact) return all;
  if (!all.ok() && all.status().code() != Code::kMemoryLimit) return all;
  Result<DPResult> base = SolveSpace(a, Restrict(problem, a.base_rows), limits);
  if (!base.ok()) return all.ok() ? std::move(all) : std::move(base);
  for (uint32_t v = 0; v < base->strategy.size(); ++v) base->strategy[v] = a.base_rows[v][base->strategy[v]];
  base->exact = false;
  if (all.ok() && all->time <= base->time) return all;
  return base;
}

Result<double> MinMemoryOf(const Analysis &a, DPLimits limits) {
  BlockProblem problem = a.problem;
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
  CFP_ASSIGN_OR_RETURN(DPResult r, SolveBlocks(a, std::move(problem), limits));
  return r.time;
}

Result<DPResult> NarrowSearch(const Analysis &a, double budget, double seconds) {
  DPLimits narrow;
  narrow.deadline = RunControl::DeadlineAfter(seconds);
  narrow.mode.scalar = false;
  narrow.mode.budget = budget;
  narrow.max_states = 64;
  narrow.max_points = 4;
  narrow.segment_tables = false;
  CFP_ASSIGN_OR_RETURN(DPResult r, SolveBlocks(a, a.problem, narrow));
  r.exact = false;
  return r;
}

std::vector<uint32_t> ChoicesFromBlocks(const Analysis &a, const std::vector<uint32_t> &block_row) {
  const BlockPartition &blocks = a.blocks();
  std::vector<uint32_t> choice(a.model->graph().num_ops(), 0);
  for (uint32_t b = 0; b < blocks.blocks.size(); ++b) {
    const Block &blk = blocks.blocks[b];
    const auto &members = a.table(b).member_choice[block_row[b]];
    for (uint32_t i = 0; i < blk.members.size(); ++i) choice[blk.members[i]] = members[i];
  }
  return choice;
}

}  // namespace cfp
