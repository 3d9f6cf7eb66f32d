// Costing a block: for each strategy of its entry, the strategy every member follows with,
// and the block's own share of the plan objective (compute, resharding inside the block,
// memory of the tensors whose layout it decides).
#pragma once

#include <vector>

#include "blocks/block.h"
#include "cost/cost_model.h"
#include "util/run_control.h"

namespace cfp {

// The strategies a block searches: its entry op's, or the layouts of its parameter.
std::vector<Strategy> EntryStrategies(const Block &block, const CostModel &model);

struct BlockTable {
  // Row k: the entry takes strategy entry_of_row[k] (an index into EntryStrategies) and
  // member i takes strategy member_choice[k][i].
  std::vector<uint32_t> entry_of_row;
  // Which rules gave the row (bit 0: least compute, 1: propagation, 2: carried sums), or
  // gave a row it dominates.
  std::vector<uint8_t> rules_of_row;
  std::vector<std::vector<uint32_t>> member_choice;
  std::vector<double> time;    // compute + internal resharding + penalties, per row
  std::vector<double> memory;  // bytes per device, per row
  // Rows followed and priced, before dominated ones were dropped (what the profiler
  // measures and the statistics count).
  uint32_t rows_considered = 0;
  uint32_t size() const { return static_cast<uint32_t>(time.size()); }
};

// Members follow the entry. A gradient contraction of an entry takes the entry's strategy
// mapped onto its own axes (docs/design.md §5.3: dX = dY·Wᵀ and dW = Xᵀ·dY split as Y = X·W is).
// Every other member, in topological order, takes a strategy that receives the layouts
// already decided inside the block without communication (a gradient is expected in its
// forward tensor's layout; a pending sum is all-reduced, or reduce-scattered where that
// pays); if none does, the one with the least resharding plus compute. Members that
// receive nothing from the block serve their consumers in it. Where several strategies
// receive without communication, each entry strategy gets up to three rows, one per rule:
//   - least compute: the most split of them (a broadcast also split along its new dims,
//     a pending sum reduce-scattered), cheapest locally;
//   - propagation: the least split of them (a member splits only what it receives, so a
//     replicated entry keeps its members replicated), cheapest for consumers that need the
//     entry's layout;
//   - carried sums: least compute, where a linear op (add, convert, scaling...) may take
//     a pending sum as it is and pass it on (Strategy::kPending), so that two partial
//     gradients added are reduced once.
// The first two never carry a pending sum through an op. The search picks among the rows;
// a row equal to an earlier one of the same entry strategy is omitted.
// Ties go to the lowest strategy index. Compute here is the analytic estimate even under
// measured costs, so the rows are the configurations the profiler measures.
// With `drop_dominated`, a row is dropped where another row shows every other block the
// same layouts (of the tensors it decides that others read or store back, and of those it
// reads from others) at no more time and memory: no plan can need it, so the search space
// loses nothing.
// Once `control` says stop, the table is left unfinished (the caller checks
// control->stopped()). CostBlock is the three steps below in order.
BlockTable CostBlock(const Block &block, const BlockPartition &blocks, const CostModel &model,
                     bool drop_dominated = true, RunControl *control = nullptr);
// The rows: entry_of_row, rules_of_row, member_choice and rows_considered. They do not
// depend on measured compute, so the profiler measures the rows the search prices.
BlockTable FollowBlock(const Block &block, const BlockPartition &blocks, const CostModel &model,
                       RunControl *control = nullptr);
// Fills time and memory of every row under the model's compute (measured where it has it).
void PriceBlock(const Block &block, const BlockPartition &blocks, const CostModel &model, BlockTable &table,
                RunControl *control = nullptr);
// Drops the rows no plan can need (above).
void DropDominatedRows(const Block &block, const BlockPartition &blocks, const CostModel &model, BlockTable &table,
                       RunControl *control = nullptr);

// Where a tensor's layout is decided: the block of its producer, or for a graph input the
// block of the op it is stored for. kNoId for unused graph inputs.
uint32_t DecidingBlock(uint32_t tensor, const BlockPartition &blocks, const CostModel &model);

// The layout of `tensor` (decided by the block whose table is given) at strategy `k`.
ShardingSpec DecidedSpec(uint32_t tensor, const BlockPartition &blocks, const BlockTable &table, uint32_t k,
                         const CostModel &model);

}  // namespace cfp
