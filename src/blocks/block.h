// ParallelBlocks (docs/design.md §5): groups of operators through which the layout chosen at the
// block's entry propagates, so only the entry's strategies are searched. Every operator
// belongs to exactly one block.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace cfp {

enum class BlockKind : uint8_t {
  Contraction,  // entry: forward contractions; members: their followers, operands, backward partners
  Parameter,    // entry: a parameter's layout; members: its casts and its optimizer update
  Other,        // entry: the largest op of a group no contraction reaches
};

struct Block {
  BlockKind kind = BlockKind::Other;
  // The op whose strategies the block searches; kNoId for parameter blocks.
  uint32_t entry_op = kNoId;
  // Contractions that take the entry's strategy as their own: the entry and its siblings
  // (projections of the same activation with the same iteration space, like Q, K and V).
  std::vector<uint32_t> entries;
  // Parameter blocks: the parameter whose layouts are searched.
  uint32_t entry_tensor = kNoId;
  // Member ops in topological order (the entry op, if any, among them).
  std::vector<uint32_t> members;
};

struct BlockPartition {
  std::vector<Block> blocks;
  std::vector<uint32_t> block_of_op;
  // Position of each op in its block's member list.
  std::vector<uint32_t> index_in_block;
  // Blocks ordered along the forward pass (by their first forward member).
  std::vector<uint32_t> order;

  // Statistics for reports.
  uint32_t OpsInKind(BlockKind k) const;
};

// Builds the blocks of a validated graph. Deterministic; never fails: operators no rule
// reaches form blocks of their own.
BlockPartition BuildBlocks(const Graph &graph);

}  // namespace cfp
