#include "segments/segments.h"

#include <tbb/concurrent_hash_map.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <map>

#include "util/hash.h"

namespace cfp {
namespace {

struct Repeat {
  uint32_t start = 0, period = 0, count = 0;
  uint64_t Coverage() const { return static_cast<uint64_t>(period) * count; }
};

class Tiler {
 public:
  Tiler(const std::vector<uint64_t> &sig, RunControl *control) : sig_(sig), control_(control), prefix_(sig.size() + 1, 0), power_(sig.size() + 1, 1) {
    for (size_t i = 0; i < sig.size(); ++i) {
      prefix_[i + 1] = prefix_[i] * kBase + Mix64(sig[i]);
      power_[i + 1] = power_[i] * kBase;
    }
  }

  // Polynomial hash of sig[i, i+len) (wrapping arithmetic).
  uint64_t Window(uint32_t i, uint32_t len) const { return prefix_[i + len] - prefix_[i] * power_[len]; }
  bool Equal(uint32_t i, uint32_t j, uint32_t len) const {
    return Window(i, len) == Window(j, len) && std::equal(sig_.begin() + i, sig_.begin() + i + len, sig_.begin() + j);
  }

  // The tandem repeat covering most of [lo, hi); ties: shorter period, then earlier start.
  Repeat Best(uint32_t lo, uint32_t hi) const {
    const uint32_t n = hi - lo;
    std::vector<Repeat> best_per_period(n / 2 + 1);
    tbb::parallel_for(uint32_t{1}, n / 2 + 1, [&](uint32_t p) {
      Repeat best;
      if (control_ && !control_->Check().ok()) return;
      for (uint32_t i = lo; i + 2 * p <= hi;) {
        uint32_t count = 1;
        while (i + (count + 1) * p <= hi && Equal(i, i + count * p, p)) ++count;
        if (count >= 2 && static_cast<uint64_t>(count) * p > best.Coverage()) best = {i, p, count};
        i += count >= 2 ? count * p : 1;
      }
      best_per_period[p] = best;
    });
    Repeat best;
    for (uint32_t p = 1; p < best_per_period.size(); ++p)
      if (best_per_period[p].Coverage() > best.Coverage()) best = best_per_period[p];
    return best;
  }

  void Tile(uint32_t lo, uint32_t hi, std::vector<Segment> &out) const {
    if (lo >= hi) return;
    Repeat r = hi - lo >= 2 ? Best(lo, hi) : Repeat{};
    if (r.count < 2) {
      for (uint32_t i = lo; i < hi; ++i) out.push_back({i, i + 1, 0});
      return;
    }
    Tile(lo, r.start, out);
    for (uint32_t k = 0; k < r.count; ++k) out.push_back({r.start + k * r.period, r.start + (k + 1) * r.period, 0});
    Tile(r.start + r.count * r.period, hi, out);
  }

  const std::vector<uint64_t> &sig_;

 private:
  RunControl *control_;
  static constexpr uint64_t kBase = 0x100000001b3ull;
  std::vector<uint64_t> prefix_, power_;
};

}  // namespace

Segmentation FindSegments(const std::vector<uint64_t> &signature, RunControl *control) {
  Segmentation result;
  if (signature.empty()) return result;
  Tiler tiler(signature, control);
  tiler.Tile(0, static_cast<uint32_t>(signature.size()), result.segments);
  // Types: equal signature sequences, hashed in parallel into a concurrent map; ids are then
  // given in order of first appearance so they are deterministic.
  using Key = std::vector<uint64_t>;
  struct KeyHash {
    static size_t hash(const Key &k) {
      Hasher h;
      for (uint64_t v : k) h.Add(v);
      return static_cast<size_t>(h.value());
    }
    static bool equal(const Key &a, const Key &b) { return a == b; }
  };
  tbb::concurrent_hash_map<Key, uint32_t, KeyHash> first_seen;
  tbb::parallel_for(size_t{0}, result.segments.size(), [&](size_t s) {
    const Segment &seg = result.segments[s];
    Key key(signature.begin() + seg.begin, signature.begin() + seg.end);
    decltype(first_seen)::accessor acc;
    if (first_seen.insert(acc, key)) acc->second = static_cast<uint32_t>(s);
    else acc->second = std::min(acc->second, static_cast<uint32_t>(s));
  });
  std::map<uint32_t, uint32_t> type_of_first;
  for (const auto &[key, first] : first_seen) type_of_first.emplace(first, 0);
  uint32_t next = 0;
  for (auto &[first, type] : type_of_first) type = next++;
  for (Segment &seg : result.segments) {
    Key key(signature.begin() + seg.begin, signature.begin() + seg.end);
    decltype(first_seen)::const_accessor acc;
    first_seen.find(acc, key);
    seg.type = type_of_first[acc->second];
  }
  result.unique_types = next;
  return result;
}

}  // namespace cfp
