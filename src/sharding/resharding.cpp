#include "sharding/resharding.h"

#include <algorithm>

namespace cfp {

std::string_view CollectiveKindName(CollectiveKind kind) {
  switch (kind) {
    case CollectiveKind::AllReduce: return "all-reduce";
    case CollectiveKind::AllGather: return "all-gather";
    case CollectiveKind::ReduceScatter: return "reduce-scatter";
    case CollectiveKind::AllToAll: return "all-to-all";
  }
  return "unknown";
}

namespace {

// Whether appending mesh axis m to `cur` keeps it a prefix of `target`.
bool AppendKeepsPrefix(const DimSharding &cur, const DimSharding &target, uint8_t m) {
  if (cur.count >= target.count) return false;
  for (uint8_t i = 0; i < cur.count; ++i)
    if (cur.axes[i] != target.axes[i]) return false;
  return target.axes[cur.count] == m;
}

size_t MatchingPrefix(const DimSharding &a, const DimSharding &b) {
  size_t k = 0;
  while (k < a.count && k < b.count && a.axes[k] == b.axes[k]) ++k;
  return k;
}

void RemoveLast(DimSharding &d) { --d.count; }

}  // namespace

std::vector<Collective> PlanResharding(const ShardingSpec &from, const ShardingSpec &to,
                                       std::span<const int64_t> shape, DType dtype, const Mesh &mesh) {
  std::vector<Collective> out;
  if (from == to) return out;
  ShardingSpec cur = from;
  const int nm = mesh.num_axes();
  auto local = [&] { return LocalBytes(shape, dtype, cur, mesh); };

  // 1. Pending sums the target does not keep: reduce-scatter straight into the target's
  //    split where it extends the current layout, else all-reduce.
  for (int mi = 0; mi < nm; ++mi) {
    auto m = static_cast<uint8_t>(mi);
    if (!cur.IsPartial(m) || to.IsPartial(m)) continue;
    int j = to.DimOf(m);
    cur.partial &= static_cast<uint8_t>(~(1u << m));
    if (j >= 0 && cur.DimOf(m) < 0 && AppendKeepsPrefix(cur.dims[j], to.dims[j], m)) {
      double b = local();
      cur.dims[j].Push(m);
      out.push_back({CollectiveKind::ReduceScatter, m, b});
    } else {
      out.push_back({CollectiveKind::AllReduce, m, local()});
    }
  }
  // 2. Free slices that extend a dim towards the target (replicated -> sharded).
  auto slice_free = [&] {
    for (bool progress = true; progress;) {
      progress = false;
      for (size_t j = 0; j < cur.dims.size(); ++j) {
        if (MatchingPrefix(cur.dims[j], to.dims[j]) != cur.dims[j].count) continue;
        if (cur.dims[j].count >= to.dims[j].count) continue;
        uint8_t m = to.dims[j].axes[cur.dims[j].count];
        if (cur.DimOf(m) >= 0 || cur.IsPartial(m)) continue;
        cur.dims[j].Push(m);
        progress = true;
      }
    }
  };
  slice_free();
  // 3. Mesh axes splitting a dim beyond its matching prefix: move them (all-to-all) where
  //    the target wants them and they can go, else gather them. Innermost first.
  for (size_t i = 0; i < cur.dims.size(); ++i) {
    size_t keep = MatchingPrefix(cur.dims[i], to.dims[i]);
    while (cur.dims[i].count > keep) {
      uint8_t m = cur.dims[i].axes[cur.dims[i].count - 1];
      int j = to.DimOf(m);
      double full = local() * mesh.size(m);
      RemoveLast(cur.dims[i]);
      if (j >= 0 && static_cast<size_t>(j) != i && AppendKeepsPrefix(cur.dims[j], to.dims[j], m)) {
        cur.dims[j].Push(m);
        out.push_back({CollectiveKind::AllToAll, m, full});
      } else {
        out.push_back({CollectiveKind::AllGather, m, full});
      }
    }
  }
  // 4. Whatever the target splits and is now free to slice.
  slice_free();
  // 5. Anything still different (a target split that needed an axis freed only later):
  //    gather it away and slice again. Terminates: each pass only removes splits.
  for (int guard = 0; guard < 4 && !(cur.dims == to.dims); ++guard) {
    for (size_t i = 0; i < cur.dims.size(); ++i) {
      size_t keep = MatchingPrefix(cur.dims[i], to.dims[i]);
      while (cur.dims[i].count > keep) {
        uint8_t m = cur.dims[i].axes[cur.dims[i].count - 1];
        double full = local() * mesh.size(m);
        RemoveLast(cur.dims[i]);
        out.push_back({CollectiveKind::AllGather, m, full});
      }
    }
    slice_free();
  }
  // Target partial axes cost no communication: a value replicated along the axis becomes a
  // pending sum by a local step (one device of each group keeps it, the others zero it).
  return out;
}

}  // namespace cfp
