// Pareto sets of (time, memory) points, so a per-device memory budget is honoured exactly
// (docs/design.md §8). In scalar mode (no binding budget) a set keeps only its fastest point.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace cfp {

struct ParetoPoint {
  double time = 0;
  double mem = 0;
  // Provenance, meaning set by whoever made the point.
  uint32_t a = 0, b = 0, c = 0, d = 0;
};

struct ParetoMode {
  bool scalar = true;      // keep one point: least time, then least memory
  double budget = 1e300;   // points above it are dropped
};

// Reduces `pts` to its Pareto frontier (time ascending, memory strictly descending), or to
// its single best point in scalar mode; drops points over the budget. Ties keep the first.
inline void ParetoPrune(std::vector<ParetoPoint> &pts, const ParetoMode &mode) {
  std::erase_if(pts, [&](const ParetoPoint &p) { return p.mem > mode.budget; });
  if (pts.size() <= 1) return;
  if (mode.scalar) {
    size_t best = 0;
    for (size_t i = 1; i < pts.size(); ++i)
      if (pts[i].time < pts[best].time || (pts[i].time == pts[best].time && pts[i].mem < pts[best].mem)) best = i;
    ParetoPoint p = pts[best];
    pts.assign(1, p);
    return;
  }
  std::stable_sort(pts.begin(), pts.end(), [](const ParetoPoint &x, const ParetoPoint &y) {
    return x.time < y.time || (x.time == y.time && x.mem < y.mem);
  });
  size_t out = 0;
  double best_mem = 1e308;
  for (size_t i = 0; i < pts.size(); ++i)
    if (pts[i].mem < best_mem) {
      best_mem = pts[i].mem;
      pts[out++] = pts[i];
    }
  pts.resize(out);
}

}  // namespace cfp
