// The operator-level problem Alpa's auto-sharding ILP solves (Zheng et al. 2022, §4.2),
// built from libcfp's own cost model so that both searches minimize one objective:
// one variable per operator choosing among CostModel::strategies(op), a node cost per
// strategy (compute, penalties, transfers that depend on that operator alone), a memory
// per strategy, and a resharding cost matrix per pair of operators that share a tensor.
//
// libcfp charges one resharding per tensor, needed layout and read group (the readers of
// one block, CostModel::ReadTransfers), so a group whose readers and decider span three or
// more variables is not a sum of pairs. Such a group becomes group terms: 0/1 indicators
// that are on when any of their clauses holds, a clause being a conjunction of "variable v
// takes one of these strategies" (or "that earlier term is on"); cbc_ilp.h linearizes
// them. Groups over at most two variables stay node costs and pair matrices.
//
// The objective decomposes exactly: for every choice vector,
//   ConstantTime + node costs + pair costs + group terms' time == CostModel::Evaluate().Objective()
//   ConstantMemory + node, pair and group terms' memories      == CostModel::Evaluate().memory
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
    uint32_t u = 0, v = 0;       // variables, u < v
    std::vector<double> cost;    // cost[a * K(v) + b], seconds
    std::vector<double> memory;  // bytes, same indexing; empty when zero everywhere
  };

  // A literal of a group term's clause: variable `var` takes one of `strategies`
  // (ascending), or with `term`, the earlier group term `var` is on.
  struct Literal {
    uint32_t var = 0;
    bool term = false;
    std::vector<uint32_t> strategies;
  };
  // An indicator that is on when any clause holds (all of its literals), costing `time`
  // and `memory` when on. Nothing rewards a term for being on, so an ILP column y in [0, 1]
  // bounded below by each clause's indicator is exactly that at its least.
  struct GroupTerm {
    double time = 0, memory = 0;
    std::vector<std::vector<Literal>> clauses;
  };

  // Per variable and strategy: time (s) and resident bytes per device.
  std::vector<std::vector<double>> node_time;
  std::vector<std::vector<double>> node_memory;
  // Only matrices with a non-zero entry or that a two-variable clause reads; both sides K > 1.
  std::vector<Pair> pairs;
  std::vector<GroupTerm> group_terms;  // literals only on variables with K > 1
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
  // Whether each group term is on under a variable choice.
  std::vector<uint8_t> TermsOn(const std::vector<uint32_t> &var_choice) const;
};

PairwiseProblem BuildPairwiseProblem(const cfp::CostModel &model, const PairwiseProblemOptions &options);

}  // namespace cfp_bench
