#include "search/block_problem.h"

#include <algorithm>
#include <deque>

namespace cfp {

void BlockProblem::FoldLeaves(const ParetoMode &mode) {
  const uint32_t n = num_vars();
  folded.assign(n, 0);
  std::vector<std::vector<uint32_t>> incident(n);
  std::vector<uint8_t> factor_alive(factors.size(), 1);
  for (uint32_t f = 0; f < factors.size(); ++f) {
    incident[factors[f].u].push_back(f);
    incident[factors[f].v].push_back(f);
  }
  auto degree = [&](uint32_t v) {
    // Distinct live neighbours.
    std::vector<uint32_t> nb;
    for (uint32_t f : incident[v]) {
      if (!factor_alive[f]) continue;
      uint32_t w = factors[f].u == v ? factors[f].v : factors[f].u;
      if (std::find(nb.begin(), nb.end(), w) == nb.end()) nb.push_back(w);
    }
    return nb;
  };
  std::deque<uint32_t> queue;
  for (uint32_t v = 0; v < n; ++v) queue.push_back(v);
  while (!queue.empty()) {
    uint32_t leaf = queue.front();
    queue.pop_front();
    if (folded[leaf]) continue;
    auto nb = degree(leaf);
    if (nb.size() != 1) continue;
    const uint32_t host = nb[0];
    // For each host strategy: the leaf's points shifted by the factors' costs, pruned,
    // then summed with the host's own set.
    for (uint32_t x = 0; x < K(host); ++x) {
      std::vector<ParetoPoint> leaf_pts;
      for (uint32_t l = 0; l < K(leaf); ++l) {
        double pair = 0;
        for (uint32_t f : incident[leaf])
          if (factor_alive[f]) pair += factors[f].at(leaf, l, x);
        for (uint32_t i = 0; i < unary[leaf][l].size(); ++i) {
          const ParetoPoint &p = unary[leaf][l][i];
          ParetoPoint q{p.time + pair, p.mem, 0, l, i, 0};
          leaf_pts.push_back(q);
        }
      }
      ParetoPrune(leaf_pts, mode);
      std::vector<ParetoPoint> sum;
      for (const ParetoPoint &h : unary[host][x])
        for (const ParetoPoint &q : leaf_pts) sum.push_back({h.time + q.time, h.mem + q.mem, h.a, q.b, q.c, 0});
      ParetoPrune(sum, mode);
      for (ParetoPoint &s : sum) {
        // s.a: the host point's provenance; (s.b, s.c): the leaf strategy and its point.
        Fold leaf_node{leaf, s.b, unary[leaf][s.b][s.c].a, UINT32_MAX, UINT32_MAX};
        folds.push_back(leaf_node);
        uint32_t leaf_idx = static_cast<uint32_t>(folds.size() - 1);
        if (s.a != UINT32_MAX) {
          folds.push_back(Fold{UINT32_MAX, 0, UINT32_MAX, s.a, leaf_idx});
          s.a = static_cast<uint32_t>(folds.size() - 1);
        } else {
          s.a = leaf_idx;
        }
        s.b = s.c = 0;
      }
      unary[host][x] = std::move(sum);
    }
    folded[leaf] = 1;
    for (uint32_t f : incident[leaf]) factor_alive[f] = 0;
    queue.push_back(host);
  }
  std::vector<Factor> alive;
  for (uint32_t f = 0; f < factors.size(); ++f)
    if (factor_alive[f]) alive.push_back(std::move(factors[f]));
  factors = std::move(alive);
}

void BlockProblem::ExpandFolds(uint32_t prov, std::vector<uint32_t> &choice) const {
  std::vector<uint32_t> stack;
  if (prov != UINT32_MAX) stack.push_back(prov);
  while (!stack.empty()) {
    const Fold &f = folds[stack.back()];
    stack.pop_back();
    if (f.var == UINT32_MAX) {
      stack.push_back(f.left);
      stack.push_back(f.right);
    } else {
      choice[f.var] = f.strategy;
      if (f.point != UINT32_MAX) stack.push_back(f.point);
    }
  }
}

}  // namespace cfp
