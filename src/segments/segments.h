// Repeated sequences of blocks (docs/design.md §6). Blocks in forward order each get a local
// signature (their fingerprint plus their links to other blocks as relative offsets), and
// the sequence is tiled greedily by its longest-covering tandem repeat of any period, the
// rest recursively: prefix (embedding), repeated unit (layer), suffix (head and loss), and
// beyond. A sequence with no repetition is one segment per block.
#pragma once

#include <cstdint>
#include <vector>

#include "util/run_control.h"

namespace cfp {

struct Segment {
  uint32_t begin = 0, end = 0;  // positions [begin, end) in the block order
  uint32_t type = 0;            // equal types have equal signature sequences
};

struct Segmentation {
  std::vector<Segment> segments;  // in order, covering every position
  uint32_t unique_types = 0;
};

// `signature[i]` is the local signature of the block at position i. Once `control` says
// stop, the rest is left one segment per block (the caller checks control->stopped()).
Segmentation FindSegments(const std::vector<uint64_t> &signature, RunControl *control = nullptr);

}  // namespace cfp
