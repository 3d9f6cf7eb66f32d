// How many configurations a cost model must price (or a profiler run) for one model
// (issue 7, item 4): CFP's method profiles, per unique segment, every combination of the
// strategies of its blocks (the Cartesian product, as the paper's code does); libcfp costs
// each unique block's strategies once and lets the search compose them (the sum).
#pragma once

#include <cstdint>

#include "cost/cost_model.h"

namespace cfp_bench {

struct ConfigurationCounts {
  // Sum over unique segments of the product of their blocks' strategy counts. A double:
  // it overflows 64 bits for a transformer layer on a 2-D mesh.
  double cfp_product = 0;
  // Sum over unique blocks (by fingerprint) of their strategy counts.
  uint64_t per_block_sum = 0;
  uint32_t blocks = 0, searched_blocks = 0, segments = 0, unique_segments = 0;
};

// Blocks and fingerprints come from the library's own stages (blocks/, segments/). The
// segments are found over the blocks that carry computation, in forward order, by their
// fingerprints; parameter blocks are left out of the product because CFP's blocks include
// the weights they read, so counting them would inflate CFP's number.
ConfigurationCounts CountConfigurations(const cfp::CostModel &model);

}  // namespace cfp_bench
