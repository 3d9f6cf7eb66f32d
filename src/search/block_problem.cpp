#include "search/block_problem.h"

#include <algorithm>
#include <deque>
#include <limits>

namespace cfp {
namespace {

// The live factors of a problem being folded, and each variable's incidences.
class LiveFactors {
 public:
  explicit LiveFactors(BlockProblem &p) : p_(p), incident_(p.num_vars()) {
    for (uint32_t f = 0; f < p.factors.size(); ++f) Track(f);
  }
  // Distinct live neighbours of v, in order of first incidence.
  std::vector<uint32_t> Neighbours(uint32_t v) const {
    std::vector<uint32_t> nb;
    for (uint32_t f : incident_[v]) {
      if (!alive_[f]) continue;
      const uint32_t w = Other(f, v);
      if (std::find(nb.begin(), nb.end(), w) == nb.end()) nb.push_back(w);
    }
    return nb;
  }
  const std::vector<uint32_t> &Incident(uint32_t v) const { return incident_[v]; }
  bool Alive(uint32_t f) const { return alive_[f]; }
  uint32_t Other(uint32_t f, uint32_t v) const { return p_.factors[f].u == v ? p_.factors[f].v : p_.factors[f].u; }
  void Remove(uint32_t v) {
    for (uint32_t f : incident_[v]) alive_[f] = 0;
  }
  void Add(BlockProblem::Factor f) {
    p_.factors.push_back(std::move(f));
    Track(static_cast<uint32_t>(p_.factors.size() - 1));
  }
  // Drops the dead factors from the problem.
  void Compact() {
    std::vector<BlockProblem::Factor> alive;
    for (uint32_t f = 0; f < p_.factors.size(); ++f)
      if (alive_[f]) alive.push_back(std::move(p_.factors[f]));
    p_.factors = std::move(alive);
  }

 private:
  void Track(uint32_t f) {
    alive_.push_back(1);
    incident_[p_.factors[f].u].push_back(f);
    incident_[p_.factors[f].v].push_back(f);
  }
  BlockProblem &p_;
  std::vector<std::vector<uint32_t>> incident_;
  std::vector<uint8_t> alive_;
};

}  // namespace

void BlockProblem::FoldUpToDegree(const ParetoMode &mode, uint32_t max_degree) {
  const uint32_t n = num_vars();
  if (folded.size() != n) folded.assign(n, 0);  // else: fold further what is left
  LiveFactors live(*this);

  // For each host strategy: the leaf's points shifted by the factors' costs, pruned, then
  // summed with the host's own set.
  auto fold_leaf = [&](uint32_t leaf, uint32_t host) {
    for (uint32_t x = 0; x < K(host); ++x) {
      std::vector<ParetoPoint> leaf_pts;
      for (uint32_t l = 0; l < K(leaf); ++l) {
        double pair = 0, pair_mem = 0;
        for (uint32_t f : live.Incident(leaf))
          if (live.Alive(f)) {
            pair += factors[f].at(leaf, l, x);
            pair_mem += factors[f].mem_at(leaf, l, x);
          }
        for (uint32_t i = 0; i < unary[leaf][l].size(); ++i) {
          const ParetoPoint &p = unary[leaf][l][i];
          leaf_pts.push_back(ParetoPoint{p.time + pair, p.mem + pair_mem, 0, l, i, 0});
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
  };

  // The factor between u and w through `mid`: per pair, the best (time, then memory) over
  // mid's strategies. Lexicographic order is preserved by sums, so this is exact in scalar
  // mode, memory ties included.
  auto fold_chain = [&](uint32_t mid, uint32_t u, uint32_t w) {
    const uint32_t km = K(mid), ku = K(u), kw = K(w);
    std::vector<double> tu(size_t{km} * ku, 0), mu(size_t{km} * ku, 0), tw(size_t{km} * kw, 0), mw(size_t{km} * kw, 0);
    for (uint32_t f : live.Incident(mid)) {
      if (!live.Alive(f)) continue;
      const bool to_u = live.Other(f, mid) == u;
      const uint32_t k = to_u ? ku : kw;
      double *t = to_u ? tu.data() : tw.data(), *m = to_u ? mu.data() : mw.data();
      for (uint32_t b = 0; b < km; ++b)
        for (uint32_t a = 0; a < k; ++a) {
          t[size_t{b} * k + a] += factors[f].at(mid, b, a);
          m[size_t{b} * k + a] += factors[f].mem_at(mid, b, a);
        }
    }
    for (auto &pts : unary[mid]) ParetoPrune(pts, mode);
    Factor through;
    through.u = u;
    through.v = w;
    through.kv = kw;
    through.cost.assign(size_t{ku} * kw, std::numeric_limits<double>::infinity());
    through.mem.assign(size_t{ku} * kw, std::numeric_limits<double>::infinity());
    Chain chain{mid, u, w, std::vector<uint32_t>(size_t{ku} * kw, 0)};
    for (uint32_t b = 0; b < km; ++b) {
      if (unary[mid][b].empty()) continue;  // over the budget
      const ParetoPoint &own = unary[mid][b][0];
      for (uint32_t a = 0; a < ku; ++a) {
        const double ta = own.time + tu[size_t{b} * ku + a], ma = own.mem + mu[size_t{b} * ku + a];
        for (uint32_t c = 0; c < kw; ++c) {
          const double t = ta + tw[size_t{b} * kw + c], m = ma + mw[size_t{b} * kw + c];
          const size_t i = size_t{a} * kw + c;
          if (t < through.cost[i] || (t == through.cost[i] && m < through.mem[i])) {
            through.cost[i] = t;
            through.mem[i] = m;
            chain.pick[i] = b;
          }
        }
      }
    }
    live.Remove(mid);
    live.Add(std::move(through));
    chains.push_back(std::move(chain));
  };

  std::deque<uint32_t> queue;
  for (uint32_t v = 0; v < n; ++v) queue.push_back(v);
  while (!queue.empty()) {
    const uint32_t v = queue.front();
    queue.pop_front();
    if (folded[v]) continue;
    std::vector<uint32_t> nb = live.Neighbours(v);
    if (nb.size() == 1) {
      fold_leaf(v, nb[0]);
      live.Remove(v);
    } else if (nb.size() == 2 && max_degree >= 2) {
      fold_chain(v, nb[0], nb[1]);
    } else {
      continue;
    }
    folded[v] = 1;
    for (uint32_t w : nb) queue.push_back(w);
  }
  live.Compact();
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

void BlockProblem::ExpandChains(std::vector<uint32_t> &choice) const {
  for (size_t i = chains.size(); i-- > 0;) {
    const Chain &c = chains[i];
    const uint32_t b = c.pick[size_t{choice[c.u]} * K(c.w) + choice[c.w]];
    choice[c.var] = b;
    ExpandFolds(unary[c.var][b][0].a, choice);
  }
}

}  // namespace cfp
