#include "segments/local_signatures.h"

#include <algorithm>
#include <utility>

#include "util/hash.h"

namespace cfp {

std::vector<uint64_t> LocalSignatures(const std::vector<uint32_t> &order, const std::vector<uint64_t> &own,
                                      const std::vector<SignatureLink> &links) {
  std::vector<uint32_t> pos(own.size(), UINT32_MAX);
  for (uint32_t i = 0; i < order.size(); ++i) pos[order[i]] = i;
  std::vector<std::vector<std::pair<int64_t, uint64_t>>> at(order.size());
  for (const SignatureLink &l : links) {
    if (pos[l.u] == UINT32_MAX || pos[l.v] == UINT32_MAX) continue;
    const int64_t d = static_cast<int64_t>(pos[l.v]) - static_cast<int64_t>(pos[l.u]);
    at[pos[l.u]].emplace_back(d, l.hash);
    at[pos[l.v]].emplace_back(-d, l.hash);
  }
  std::vector<uint64_t> sig(order.size());
  for (uint32_t i = 0; i < order.size(); ++i) {
    Hasher h;
    h.Add(own[order[i]]);
    std::sort(at[i].begin(), at[i].end());
    for (const auto &[d, c] : at[i]) h.Add(static_cast<uint64_t>(d)).Add(c);
    sig[i] = h.value();
  }
  return sig;
}

}  // namespace cfp
