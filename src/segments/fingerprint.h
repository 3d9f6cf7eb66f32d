// Structural fingerprints of blocks (DESIGN §6): a canonical hash of the members' kinds,
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

}  // namespace cfp
