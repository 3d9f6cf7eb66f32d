// A CPU reference evaluator of the IR in double precision, for tests: numeric gradients,
// model semantics, and later the GPU kernels. Slow and simple on purpose.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "graph/graph.h"

namespace cfp_test {

// Evaluates every op of `graph` (every kind but Custom) in topological order and returns
// the values of every tensor, indexed by tensor id, row-major. Graph inputs (tensors no op
// produces) come from `inputs`, except constants without an entry there, which are filled
// with Tensor::value. Values are doubles throughout: float dtypes are not rounded to
// their width; results of integer dtypes are truncated toward zero and bool results are
// 0 or 1. Throws std::runtime_error for a missing input, a value of the wrong size, an
// index out of range or a Custom op.
std::vector<std::vector<double>> EvaluateGraph(const cfp::Graph &graph,
                                               const std::map<uint32_t, std::vector<double>> &inputs);

}  // namespace cfp_test
