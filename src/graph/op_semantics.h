// The semantics of every operator kind in one place: which operands it takes, which
// shapes and dtypes it accepts, and the iteration space that follows. Everything else in
// the library reasons about the iteration space, not the kind.
#pragma once

#include <vector>

#include "graph/graph.h"

namespace cfp {

// Checks `op` against its operands' shapes and dtypes and derives its iteration space.
// Failures are kInvalidGraph with a message that says what is wrong (the caller adds
// which op it is).
Result<IterationSpace> DeriveIterationSpace(const Op &op, const std::vector<const Tensor *> &inputs,
                                            const std::vector<const Tensor *> &outputs);

// Floating-point operations of one execution (multiply-add = 2).
double OpFlops(const Op &op, const IterationSpace &space);

}  // namespace cfp
