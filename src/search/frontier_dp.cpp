#include "search/frontier_dp.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace cfp {
namespace {

struct State {
  std::vector<uint32_t> assignment;  // strategy of each frontier variable
  std::vector<ParetoPoint> points;   // a: previous state, b: previous point, c: strategy, d: unary point
};

struct KeyHash {
  size_t operator()(const std::vector<uint32_t> &v) const {
    uint64_t h = 1469598103934665603ull;
    for (uint32_t k : v) h = (h ^ (k + 1)) * 1099511628211ull;
    return static_cast<size_t>(h);
  }
};

struct Layer {
  std::vector<uint32_t> frontier;  // variables after this step
  std::vector<State> states;
};

}  // namespace

Result<DPResult> SolveFrontierDP(const BlockProblem &problem, const std::vector<uint32_t> &order, const DPLimits &limits) {
  const uint32_t n = problem.num_vars();
  std::vector<uint32_t> pos(n, UINT32_MAX);
  for (uint32_t i = 0; i < order.size(); ++i) pos[order[i]] = i;
  // Factors by variable, and the last step at which each variable is still needed.
  std::vector<std::vector<uint32_t>> incident(n);
  std::vector<uint32_t> last_use(n, 0);
  for (uint32_t v : order) last_use[v] = pos[v];
  for (uint32_t f = 0; f < problem.factors.size(); ++f) {
    const auto &fac = problem.factors[f];
    incident[fac.u].push_back(f);
    incident[fac.v].push_back(f);
    uint32_t later = std::max(pos[fac.u], pos[fac.v]);
    last_use[fac.u] = std::max(last_use[fac.u], later);
    last_use[fac.v] = std::max(last_use[fac.v], later);
  }

  DPResult result;
  std::vector<Layer> layers(order.size() + 1);
  layers[0].states.push_back(State{{}, {ParetoPoint{0, 0, 0, 0, 0, 0}}});
  size_t bytes = 0;

  for (uint32_t step = 0; step < order.size(); ++step) {
    const uint32_t x_var = order[step];
    const Layer &prev = layers[step];
    Layer &next = layers[step + 1];
    // The new frontier: previous frontier plus x, minus variables no longer needed.
    std::vector<uint32_t> keep_idx;  // indices into prev.frontier that stay
    for (uint32_t i = 0; i < prev.frontier.size(); ++i)
      if (last_use[prev.frontier[i]] > step) keep_idx.push_back(i);
    const bool keep_x = last_use[x_var] > step;
    for (uint32_t i : keep_idx) next.frontier.push_back(prev.frontier[i]);
    if (keep_x) next.frontier.push_back(x_var);
    // Factors between x and frontier variables.
    std::vector<std::pair<uint32_t, uint32_t>> links;  // (factor, index in prev.frontier)
    for (uint32_t f : incident[x_var]) {
      const auto &fac = problem.factors[f];
      uint32_t other = fac.u == x_var ? fac.v : fac.u;
      auto it = std::find(prev.frontier.begin(), prev.frontier.end(), other);
      if (it != prev.frontier.end()) links.emplace_back(f, static_cast<uint32_t>(it - prev.frontier.begin()));
    }
    const uint32_t kx = problem.K(x_var);
    std::unordered_map<std::vector<uint32_t>, uint32_t, KeyHash> index;
    std::vector<uint32_t> key;
    for (uint32_t s = 0; s < prev.states.size(); ++s) {
      const State &st = prev.states[s];
      for (uint32_t x = 0; x < kx; ++x) {
        double pair = 0;
        for (const auto &[f, i] : links) pair += problem.factors[f].at(x_var, x, st.assignment[i]);
        key.clear();
        for (uint32_t i : keep_idx) key.push_back(st.assignment[i]);
        if (keep_x) key.push_back(x);
        auto [it, inserted] = index.try_emplace(key, static_cast<uint32_t>(next.states.size()));
        if (inserted) next.states.push_back(State{key, {}});
        std::vector<ParetoPoint> &dst = next.states[it->second].points;
        for (uint32_t p = 0; p < st.points.size(); ++p)
          for (uint32_t u = 0; u < problem.unary[x_var][x].size(); ++u) {
            const ParetoPoint &up = problem.unary[x_var][x][u];
            dst.push_back({st.points[p].time + pair + up.time, st.points[p].mem + up.mem, s, p, x, u});
          }
        if (dst.size() > 64) ParetoPrune(dst, limits.mode);
      }
      if (limits.deadline && (s & 1023) == 0 && std::chrono::steady_clock::now() > *limits.deadline)
        return Status(Code::kTimeLimit, "the search exceeded its time limit at block " + std::to_string(step) + " of " +
                                            std::to_string(order.size()));
    }
    for (State &st : next.states) ParetoPrune(st.points, limits.mode);
    std::erase_if(next.states, [](const State &st) { return st.points.empty(); });
    if (next.states.empty()) return Status(Code::kInfeasible, "no plan fits the memory budget");
    // Beyond the state limit keep the states whose best point is fastest.
    if (next.states.size() > limits.max_states) {
      std::nth_element(next.states.begin(), next.states.begin() + static_cast<long>(limits.max_states), next.states.end(),
                       [](const State &a, const State &b) { return a.points.front().time < b.points.front().time; });
      next.states.resize(limits.max_states);
      result.exact = false;
    }
    result.states_visited += next.states.size();
    for (const State &st : next.states) bytes += sizeof(State) + st.points.size() * sizeof(ParetoPoint) + st.assignment.size() * 4;
    if (limits.max_bytes && bytes > limits.max_bytes)
      return Status(Code::kMemoryLimit, "the search exceeded its memory limit (" + std::to_string(limits.max_bytes) + " bytes)");
  }

  // All variables retired: one state, whose best point within the budget wins.
  const Layer &last = layers.back();
  if (last.states.empty() || last.states[0].points.empty()) return Status(Code::kInfeasible, "no plan fits the memory budget");
  const std::vector<ParetoPoint> &final_pts = last.states[0].points;
  uint32_t best = 0;
  for (uint32_t i = 1; i < final_pts.size(); ++i)
    if (final_pts[i].time < final_pts[best].time) best = i;
  result.time = final_pts[best].time;
  result.mem = final_pts[best].mem;
  result.strategy.assign(n, 0);
  // Walk back through the layers.
  uint32_t s = 0, p = best;
  for (uint32_t step = static_cast<uint32_t>(order.size()); step-- > 0;) {
    const ParetoPoint &pt = layers[step + 1].states[s].points[p];
    const uint32_t var = order[step];
    result.strategy[var] = pt.c;
    problem.ExpandFolds(problem.unary[var][pt.c][pt.d].a, result.strategy);
    s = pt.a;
    p = pt.b;
  }
  return result;
}

}  // namespace cfp
