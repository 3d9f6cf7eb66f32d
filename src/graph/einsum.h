// Iteration spaces written in einsum notation, e.g. "bsh,hf->bsf" or "b(hd)->bhd".
#pragma once

#include <string_view>
#include <vector>

#include "graph/graph.h"

namespace cfp {

// Labels are letters; a dim made of several axes is written in parentheses, outermost
// first. Labels in an output are parallel axes, the rest reduction axes. Sizes come from
// the shapes (a grouped label's size may be implied by the others in its group).
Result<IterationSpace> ParseEinsum(std::string_view spec, const std::vector<const Tensor *> &inputs,
                                   const std::vector<const Tensor *> &outputs);

}  // namespace cfp
