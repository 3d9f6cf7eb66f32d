// What a plan is searched over, built once per (graph, options) (docs/design.md §2): the mesh, with
// links measured under the "cuda" cost model; the cost model with its blocks and its
// compute (analytic, or measured per block type); the block types; one cost table per
// type; the edges between blocks, one cost matrix per distinct edge signature; and the
// search problem they make. Optimize, MinMemory, EvaluateChoices and ProfileOnly are short
// functions over it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "blocks/block.h"
#include "blocks/block_costs.h"
#include "blocks/block_edges.h"
#include "cost/cost_model.h"
#include "graph/graph.h"
#include "plan/plan.h"
#include "planner/options.h"
#include "profile/profiled_costs.h"
#include "search/block_problem.h"
#include "segments/fingerprint.h"
#include "util/run_control.h"

namespace cfp {

struct Analysis {
  std::unique_ptr<CostModel> model;  // owns the blocks
  BlockTypes types;
  std::vector<BlockTable> tables;    // per block type
  std::vector<BlockEdge> edges;
  BlockProblem problem;              // block variables with (time, memory) rows, edge factors
  // Per block, the rows the least-compute rule gave (BlockTable::rules_of_row bit 0);
  // empty when every row is such a row.
  std::vector<std::vector<uint32_t>> base_rows;
  double constant_memory = 0;        // graph inputs no op reads
  SearchStats stats;                 // the phases' times and counts so far
  ProfilingReport report;            // "cuda": what was measured
  std::string cost_notes;            // "cuda": ProfilingNotes(report)

  const BlockPartition &blocks() const { return model->blocks(); }
  const BlockTable &table(uint32_t block) const { return tables[types.type_of_block[block]]; }
};

enum class AnalysisDepth {
  kCompute,  // the cost model with its compute (what pricing a given plan needs)
  kSearch,   // and the tables, edges and problem (what searching needs)
};

// Builds the analysis to `depth`. Measuring ("cuda") reports through options.progress; the
// planning phases after it ("blocks", "costs", "edges") through `control`, whose time
// limit counts from the end of measuring.
Result<Analysis> Analyze(const Graph &graph, const OptimizerOptions &options, RunControl &control, AnalysisDepth depth);

}  // namespace cfp
