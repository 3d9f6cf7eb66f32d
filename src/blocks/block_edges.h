// The pairwise costs between blocks: every tensor whose layout one block decides and
// another block reads (or, for a parameter or optimizer state's next value, stores back).
#pragma once

#include <vector>

#include "blocks/block_costs.h"

namespace cfp {

struct EdgeTerm {
  uint32_t tensor = kNoId;
  uint32_t from_block = kNoId;  // decides the tensor's layout
  uint32_t to_block = kNoId;    // needs it
  // Read by the ops of to_block (its read group, resharded once per distinct layout as the
  // objective says); or, when `reads` is empty, stored back as the next value of graph
  // input `loop_target` (decided in to_block).
  std::vector<TensorRead> reads;
  uint32_t loop_target = kNoId;
};

// One undirected factor between blocks u < v, all terms in either direction.
struct BlockEdge {
  uint32_t u = kNoId, v = kNoId;
  std::vector<EdgeTerm> terms;
};

std::vector<BlockEdge> BuildBlockEdges(const BlockPartition &blocks, const CostModel &model);

// Time and memory of an edge: [a * K_v + b] with u at strategy a and v at strategy b;
// `mem` is empty when no term holds memory (no saved resharded copy).
struct EdgeMatrix {
  std::vector<double> cost, mem;
};
EdgeMatrix EdgeCostMatrix(const BlockEdge &edge, const BlockPartition &blocks, const BlockTable &table_u,
                          const BlockTable &table_v, const CostModel &model);


}  // namespace cfp
