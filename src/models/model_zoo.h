// The model zoo's entry point: a spec string in, a validated graph out.
#pragma once

#include <string_view>

#include "graph/graph.h"

namespace cfp {

// Builds the forward graph of a spec (see ParseModelSpec) and, unless the spec says
// optimizer=none, its training step through MakeTrainingGraph.
Result<Graph> BuildModel(std::string_view spec);

}  // namespace cfp
