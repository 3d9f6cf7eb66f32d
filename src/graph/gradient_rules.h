// Reverse-mode rules, one per operator family: given the gradient of an op's output, the
// contributions to the gradients of its inputs. Rules read shapes through the op's
// iteration space where that is the natural formulation (contractions, reductions,
// broadcasts), so they hold for every arrangement of dims, not just matmul.
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "graph/emitter.h"

namespace cfp {

// Emits backward ops into a builder that starts as a copy of the forward graph, stamping
// each op with the forward op it differentiates (phase, grad_of, scope, name prefix).
class GradientEmitter {
 public:
  explicit GradientEmitter(GraphBuilder &b) : e_(b) { e_.set_phase(Phase::Backward); }

  OpEmitter &e() { return e_; }
  // Context for the ops that differentiate forward op `forward_id`.
  void BeginOp(uint32_t forward_id, const Op &forward_op);
  // A rank-0 constant, shared by the ops of one scope that need the same value and dtype
  // (per scope, so that repeated layers stay self-contained).
  uint32_t Constant(double value, DType dtype);

 private:
  OpEmitter e_;
  std::map<std::tuple<std::string, int, double>, uint32_t> constants_;
};

// Whether input `input` of `op` carries a gradient at all: predicates, comparisons, index
// operands and iotas do not. Custom ops count as differentiable here so that the
// transform can report them when a parameter depends on them.
bool IsDifferentiableInput(const Op &op, size_t input);

// Contributions of op `id`'s inputs to their gradients, given `dy`, the gradient of its
// single output. `wanted[i]` says whether input i needs one; unwanted entries are kNoId.
// A contribution may be `dy` itself (Add, Copy): gradients that pass through unchanged
// share one tensor. Fails for ops that have no rule (Custom).
Result<std::vector<uint32_t>> InputGradients(GradientEmitter &ge, const Graph &forward, uint32_t id, uint32_t dy,
                                             const std::vector<bool> &wanted);

}  // namespace cfp
