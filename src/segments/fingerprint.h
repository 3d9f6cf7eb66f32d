// Structural fingerprints of blocks (docs/design.md §6): a canonical hash of the members' kinds,
// attributes, shapes, dtypes, iteration spaces and internal wiring, names and ids excluded.
// Blocks with equal fingerprints have equal cost tables.
#pragma once

#include <cstdint>
#include <vector>

#include "blocks/block.h"
#include "cost/cost_model.h"

namespace cfp {

// Fingerprints of all blocks, computed in parallel (oneTBB).
std::vector<uint64_t> FingerprintBlocks(const BlockPartition &blocks, const CostModel &model);

uint64_t HashAttrs(const OpAttrs &attrs);

// Blocks grouped by fingerprint: block types, numbered in the order of their first block
// (deterministic). A type is costed, profiled and searched as one.
struct BlockTypes {
  std::vector<uint64_t> fingerprint;             // per block
  std::vector<uint32_t> type_of_block;           // per block
  std::vector<std::vector<uint32_t>> instances;  // per type, its blocks in order
  uint32_t size() const { return static_cast<uint32_t>(instances.size()); }
  // The block a type is costed on: its first.
  uint32_t representative(uint32_t type) const { return instances[type].front(); }
};

BlockTypes GroupBlockTypes(const BlockPartition &blocks, const CostModel &model);

}  // namespace cfp
