// The least objective over every per-operator choice vector, by enumeration through
// CostModel::Evaluate: the oracle that block search and the ILP baseline are checked
// against (docs/design.md §11). Only for graphs whose choice product is small.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "cost/cost_model.h"

namespace cfp_test {

// `plans`, if given, gets the number of choice vectors enumerated.
inline double PerOpBruteForce(const cfp::CostModel &model, uint64_t *plans = nullptr) {
  const cfp::Graph &g = model.graph();
  std::vector<uint32_t> choice(g.num_ops(), 0);
  double best = std::numeric_limits<double>::infinity();
  uint64_t count = 0;
  std::function<void(uint32_t)> rec = [&](uint32_t op) {
    if (op == g.num_ops()) {
      ++count;
      best = std::min(best, model.Evaluate(choice).Objective());
      return;
    }
    for (choice[op] = 0; choice[op] < model.strategies(op).size(); ++choice[op]) rec(op + 1);
  };
  rec(0);
  if (plans) *plans = count;
  return best;
}

}  // namespace cfp_test
