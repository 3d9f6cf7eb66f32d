// The training transform (docs/design.md §3): reverse-mode differentiation of a forward graph and
// the optimizer update, derived generically from the operators' iteration spaces.
#pragma once

#include <string_view>

#include "graph/graph.h"

namespace cfp {

// Returns the training step of `forward`: its ops unchanged (Phase::Forward), then the
// gradient of every parameter the loss depends on (Phase::Backward, each op's grad_of
// naming the forward op it differentiates, names "<forward op name>.grad.*", the forward
// op's scope), then the update of `optimizer` ("adam" | "sgd") in Phase::Update.
//
// The loss is the single rank-0 float output of the last op in topological order. Only
// what leads from parameters to the loss is differentiated: data inputs, constants,
// integer and bool tensors, and paths through comparisons, predicates and indices are
// pruned. Gradient tensors have role Gradient; the final gradient of a forward tensor
// carries `gradient_of` (a gradient that passes through an op unchanged, as through Add,
// is one tensor linked to the most downstream of the tensors it belongs to). A parameter
// the loss does not depend on gets no gradient and no update.
//
// Errors (kInvalidArgument): unknown optimizer, no scalar loss, ops already outside the
// forward phase, no parameter reaching the loss; kUnsupported: a custom op on the path
// from a parameter to the loss.
Result<Graph> MakeTrainingGraph(const Graph &forward, std::string_view optimizer);

}  // namespace cfp
