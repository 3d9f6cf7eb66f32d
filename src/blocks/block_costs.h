// Costing a block: for each strategy of its entry, the strategy every member follows with,
// and the block's own share of the plan objective (compute, resharding inside the block,
// memory of the tensors whose layout it decides).
#pragma once

#include <vector>

#include "blocks/block.h"
#include "cost/cost_model.h"

namespace cfp {

// The strategies a block searches: its entry op's, or the layouts of its parameter.
std::vector<Strategy> EntryStrategies(const Block &block, const CostModel &model);

struct BlockTable {
  // member_choice[k][i]: strategy index of block.members[i] when the entry takes strategy k.
  std::vector<std::vector<uint32_t>> member_choice;
  std::vector<double> time;    // compute + internal resharding + penalties, per k
  std::vector<double> memory;  // bytes per device, per k
  uint32_t size() const { return static_cast<uint32_t>(time.size()); }
};

// Members follow the entry. A gradient contraction of an entry takes the entry's strategy
// mapped onto its own axes (DESIGN §5.3: dX = dY·Wᵀ and dW = Xᵀ·dY split as Y = X·W is).
// Every other member, in topological order, takes the strategy that receives the layouts
// already decided inside the block without communication (a gradient is expected in its
// forward tensor's layout; a pending sum is all-reduced, or reduce-scattered where that
// pays), with the least compute; if none does, the one with the least resharding plus
// compute. Members that receive nothing from the block serve their consumers in it. Ties go
// to the lowest strategy index.
BlockTable CostBlock(const Block &block, const BlockPartition &blocks, const CostModel &model);

// Where a tensor's layout is decided: the block of its producer, or for a graph input the
// block of the op it is stored for. kNoId for unused graph inputs.
uint32_t DecidingBlock(uint32_t tensor, const BlockPartition &blocks, const CostModel &model);

// The layout of `tensor` (decided by the block whose table is given) at strategy `k`.
ShardingSpec DecidedSpec(uint32_t tensor, const BlockPartition &blocks, const BlockTable &table, uint32_t k,
                         const CostModel &model);

}  // namespace cfp
