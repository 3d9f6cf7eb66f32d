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

#include "plan/plan.h"
#include "planner/planner.h"

struct cfp_options {
  cfp::OptimizerOptions options;
  cfp_progress_fn progress = nullptr;
  void *progress_user = nullptr;
};

struct cfp_plan {
  std::shared_ptr<const cfp::Plan> plan;
};
