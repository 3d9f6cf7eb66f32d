// Exact minima of the plan objective by min-sum variable elimination (bucket elimination),
// for graphs far beyond plain enumeration (per_op_brute_force.h). Uses only CostModel's
// public pricing (ComputeTime, TensorCost, TensorScope, the layouts of ops' operands) and
// the blocks' CostBlock tables, never the optimizer's own decomposition.
//
// The objective decomposes exactly (cost_model.h): the compute of every op under its
// strategy plus, per tensor, TensorCost(t, choice), which reads only the choices of the ops
// in TensorScope(t). One factor per variable (the compute of the ops it sets) and one per
// tensor are eliminated one variable at a time. A tensor's term depends on a scope op only
// through the layouts the op gives the tensor (its output layout, its stored layout, the
// layouts its reads need; MaxDecompositionError checks this), so each factor keeps, per
// variable, a map from the variable's values to classes of equal layouts and a table over
// classes: a rank-0 constant read by every update op costs nothing to carry, and an op's
// strategies that agree on a tensor's layout are one column. Classes whose slices of a
// table are equal are merged as elimination goes.
//
// Two variable spaces:
//   PerOp:  one variable per op, its strategies: the per-operator optimum.
//   Blocks: one variable per block of model.blocks(), its CostBlock table; value k sets
//           every member op i to member_choice[k][i]: the space the optimizer searches.
// Memory is ignored: the oracles are for runs where the budget does not bind.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cost/cost_model.h"

namespace cfp_test {

enum class SearchSpace { PerOp, Blocks };

// Beyond either limit the answer is "not solved" rather than a long run. The elimination
// order is chosen before anything is priced, and its largest table (an upper bound from
// the class counts) is checked against max_table_entries up front.
struct ExactOptions {
  // Entries of any one table: a tensor's factor or one built by elimination.
  uint64_t max_table_entries = uint64_t{1} << 24;
  // TensorCost calls (entries of all tensor factors together), the bulk of the time.
  uint64_t max_priced_entries = uint64_t{1} << 24;
};

struct ExactOptimum {
  bool solved = false;  // false: a table would have exceeded max_table_entries
  // The least objective; +infinity when some op has no strategy (no plan exists).
  double objective = std::numeric_limits<double>::infinity();
  std::vector<uint32_t> choice;  // a per-op choice vector attaining it
  uint64_t largest_table = 0;    // entries of the largest table built
  uint32_t variables = 0;
  std::string failure;  // why not solved
};

ExactOptimum ExactOptimumOf(const cfp::CostModel &model, SearchSpace space, const ExactOptions &options = {});
inline ExactOptimum ExactPerOpOptimum(const cfp::CostModel &model, const ExactOptions &options = {}) {
  return ExactOptimumOf(model, SearchSpace::PerOp, options);
}
inline ExactOptimum ExactBlockOptimum(const cfp::CostModel &model, const ExactOptions &options = {}) {
  return ExactOptimumOf(model, SearchSpace::Blocks, options);
}

// Checks the decomposition itself: the largest relative difference, over `samples` random
// assignments of the space's variables, between the sum of the factors and
// CostModel::Evaluate(choice).Objective() of the choice vector they set. Negative when the
// factors could not be built within `options`.
double MaxDecompositionError(const cfp::CostModel &model, SearchSpace space, uint64_t seed, int samples,
                             const ExactOptions &options = {});

}  // namespace cfp_test
