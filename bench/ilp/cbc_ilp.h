// Alpa's auto-sharding ILP (Zheng et al. 2022, §4.2; alpa/shard_parallel/auto_sharding.py,
// _call_solver_serialized_args) over a PairwiseProblem, solved with COIN-OR CBC:
//
//   minimize   sum_v s_v . c_v  +  sum_(u,v) e_uv . R_uv  +  sum_j y_j t_j
//   subject to s_v in {0,1}^K_v,  sum_k s_v[k] = 1                       (one strategy per node)
//              e_uv in {0,1}^(K_u K_v),  sum e_uv = 1,
//              sum_b e_uv[a,b] <= s_u[a],  sum_a e_uv[a,b] <= s_v[b]      (e is s_u x s_v)
//              y_j in [0,1],  for each clause C of group term j:
//                y_j >= sum_(a in S_u, b in S_v) e_uv[a,b]   when C is "u in S_u and v in S_v",
//                y_j >= sum(literals of C) - (|C| - 1)       otherwise
//              sum_v s_v . m_v + sum e_uv . M_uv + sum_j y_j m_j <= budget  (memory)
//
// A literal "v takes one of S" is sum_(k in S) s_v[k]; "term i is on" is y_i. Reading a
// two-variable clause off the pair's e keeps the LP relaxation as tight as Alpa's pairs (the
// product form alone left y at 0 for most fractional s: GPT-3 350M on 1x8 did not solve in
// 400 s). The y need not be integer: at integer s the least y meeting its rows is the term's
// 0/1 value, and raising y only costs. Terms that neither cost nor feed one that does are
// left out.
//
// Nodes with one strategy are constants and edges touching them fold into node costs, as in
// Alpa. Times are scaled to microseconds and bytes to GiB for the solver's numerics.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ilp/pairwise_problem.h"

namespace cfp_bench {

struct IlpOptions {
  double time_limit = 600;  // s, Alpa's default
  int threads = 0;          // 0: all hardware threads (Alpa uses every CPU)
  double memory_budget = 0; // bytes per device; 0: no memory constraint
  bool verbose = false;     // CBC's own log on stdout
};

struct IlpResult {
  enum class Status { Optimal, TimeLimitWithSolution, TimeLimitNoSolution, Infeasible, Failed };
  Status status = Status::Failed;
  std::vector<uint32_t> var_choice;  // when a solution exists
  double objective = 0;              // seconds, including the problem's constant
  double best_bound = 0;             // seconds: CBC's lower bound on the optimum
  double solve_seconds = 0;
  uint64_t columns = 0, integer_columns = 0, rows = 0, nonzeros = 0;
};

const char *IlpStatusName(IlpResult::Status s);

// Columns and nonzeros the ILP of `problem` will have (to decide whether to build it).
void IlpSize(const PairwiseProblem &problem, uint64_t *columns, uint64_t *nonzeros);

IlpResult SolveIlp(const PairwiseProblem &problem, const IlpOptions &options);

}  // namespace cfp_bench
