// Local signatures of the blocks left to search, for segment detection (docs/design.md §6): a
// block's own hash (its fingerprint and what was folded into it) plus its links to other
// blocks in the order, as (relative offset, link hash) pairs. Equal signature sequences
// are equal subproblems.
#pragma once

#include <cstdint>
#include <vector>

namespace cfp {

struct SignatureLink {
  uint32_t u = 0, v = 0;  // block ids
  uint64_t hash = 0;      // of what the link costs
};

// The signature of each block of `order`, in order. `own` is indexed by block id; links
// with an end outside `order` are ignored.
std::vector<uint64_t> LocalSignatures(const std::vector<uint32_t> &order, const std::vector<uint64_t> &own,
                                      const std::vector<SignatureLink> &links);

}  // namespace cfp
