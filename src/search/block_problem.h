// The search problem over blocks: one variable per block with its strategies' (time,
// memory) costs, and pairwise resharding costs between blocks that share tensors.
// Blocks that talk to a single other block (a parameter and its update, typically) are
// folded into that block first: its costs become, per strategy, the Pareto set over the
// folded block's strategies. Without a memory budget, blocks that talk to exactly two
// others (the middle of an MLP, a score block between its Q/K and V sides) are folded too,
// into one factor between the two: the best (time, then memory) over the middle block's
// strategies per pair. Both folds are exact.
#pragma once

#include <cstdint>
#include <vector>

#include "search/pareto.h"

namespace cfp {

struct BlockProblem {
  struct Factor {
    uint32_t u, v;              // variables, u != v
    std::vector<double> cost;   // [a * K_v + b]
    std::vector<double> mem;    // [a * K_v + b], or empty: no memory
    double at(uint32_t var, uint32_t x, uint32_t other_x) const { return cost[index(var, x, other_x)]; }
    double mem_at(uint32_t var, uint32_t x, uint32_t other_x) const {
      return mem.empty() ? 0 : mem[index(var, x, other_x)];
    }
    size_t index(uint32_t var, uint32_t x, uint32_t other_x) const {
      return var == u ? static_cast<size_t>(x) * kv + other_x : static_cast<size_t>(other_x) * kv + x;
    }
    uint32_t kv = 0;
  };
  // Provenance of folded choices: a point of a variable's cost set is a tree of these.
  struct Fold {
    uint32_t var = UINT32_MAX;     // the folded variable (UINT32_MAX for a pair node)
    uint32_t strategy = 0;
    uint32_t point = UINT32_MAX;   // its own cost point's provenance (UINT32_MAX: none)
    uint32_t left = UINT32_MAX, right = UINT32_MAX;  // pair node children
  };

  // unary[v][x]: Pareto set of variable v at strategy x; point.a = provenance (Fold index or
  // UINT32_MAX).
  std::vector<std::vector<std::vector<ParetoPoint>>> unary;
  std::vector<Factor> factors;
  std::vector<Fold> folds;
  // A variable folded between two others: its strategy for each of their pairs.
  struct Chain {
    uint32_t var, u, w;
    std::vector<uint32_t> pick;  // [strategy of u * K(w) + strategy of w]
  };
  std::vector<Chain> chains;  // in folding order
  std::vector<uint8_t> folded;  // variable eliminated into a neighbour

  uint32_t num_vars() const { return static_cast<uint32_t>(unary.size()); }
  uint32_t K(uint32_t v) const { return static_cast<uint32_t>(unary[v].size()); }

  // Eliminates degree-1 variables into their neighbours, repeatedly, in a fixed order.
  void FoldLeaves(const ParetoMode &mode) { FoldUpToDegree(mode, 1); }
  // The same, and in scalar mode degree-2 variables into a factor between their neighbours.
  void FoldLeavesAndChains(const ParetoMode &mode) { FoldUpToDegree(mode, mode.scalar ? 2 : 1); }
  // Records into `choice` the strategies of the variables folded into a point with
  // provenance `prov`.
  void ExpandFolds(uint32_t prov, std::vector<uint32_t> &choice) const;
  // Given the strategies of every variable left after folding (and of those their points
  // expand to), records those of the chain-folded ones, last folded first.
  void ExpandChains(std::vector<uint32_t> &choice) const;

 private:
  void FoldUpToDegree(const ParetoMode &mode, uint32_t max_degree);
};

}  // namespace cfp
