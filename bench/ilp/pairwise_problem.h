// The operator-level problem Alpa's auto-sharding ILP solves (Zheng et al. 2022, §4.2),
// built from libcfp's own cost model so that both searches minimize one objective:
// one variable per operator choosing among CostModel::strategies(op), a node cost per
// strategy (compute, penalties, transfers that depend on that operator alone), a memory
// per strategy, and a resharding cost matrix per pair of operators that share a tensor.
//
// The objective decomposes exactly: for every choice vector,
//   ConstantTime + sum of node costs + sum of pair costs == CostModel::Evaluate().Objective()
//   ConstantMemory + sum of node memories            == CostModel::Evaluate().memory
// which the tests check on random choices.
//
// Alpa's "following": an operator whose inputs all come from one other operator, with as
// many strategies as that producer and a one-to-one correspondence in which every pair
// reshards nothing (an elementwise op after an elementwise op, a cast), is forced to take
// the corresponding strategy and shares the producer's variable. This is Alpa's s_follow;
// it shrinks the ILP and, like Alpa's, may exclude the optimum.
#pragma once

#include <cstdint>
#include <vector>

#include "cost/cost_model.h"

namespace cfp_bench {

struct PairwiseProblemOptions {
  bool follow = true;  // Alpa's following merges
};

struct PairwiseProblem {
  struct Pair {
    uint32_t u = 0, v = 0;      // variables, u < v
    std::vector<double> cost;  // cost[a * K(v) + b], seconds
  };

  // Per variable and strategy: time (s) and resident bytes per device.
  std::vector<std::vector<double>> node_time;
  std::vector<std::vector<double>> node_memory;
  std::vector<Pair> pairs;  // only matrices with a non-zero entry, both sides with K > 1
  double constant_time = 0, constant_memory = 0;

  // Operator -> variable, and the operator's strategy index for each of the variable's.
  std::vector<uint32_t> var_of_op;
  std::vector<std::vector<uint32_t>> op_strategy;  // [op][k of var_of_op[op]]
  uint32_t followers = 0;                          // operators merged into another's variable

  uint32_t num_vars() const { return static_cast<uint32_t>(node_time.size()); }
  uint32_t K(uint32_t var) const { return static_cast<uint32_t>(node_time[var].size()); }

  // The per-operator choice vector (indices into CostModel::strategies) of a variable choice.
  std::vector<uint32_t> ToOpChoice(const std::vector<uint32_t> &var_choice) const;
  double Objective(const std::vector<uint32_t> &var_choice) const;
  double Memory(const std::vector<uint32_t> &var_choice) const;
};

PairwiseProblem BuildPairwiseProblem(const cfp::CostModel &model, const PairwiseProblemOptions &options);

}  // namespace cfp_bench
