// What the opaque C handles hold. Only src/api/ sees these definitions.
#pragma once

#include <memory>
#include <vector>

#include "cfp.h"
#include "graph/builder.h"
#include "graph/graph.h"

struct cfp_graph {
  std::shared_ptr<const cfp::Graph> graph;
};

struct cfp_graph_builder {
  cfp::GraphBuilder builder;
};

struct cfp_bytes {
  std::vector<uint8_t> data;
};
