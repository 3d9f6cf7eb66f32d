// A finished plan (docs/design.md §9): every operator's strategy, every tensor's layout, the
// collectives to insert, the predicted step time and memory, and search statistics.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cost/cost_model.h"
#include "sharding/resharding.h"

namespace cfp {

struct PlanCollective {
  CollectiveKind kind = CollectiveKind::AllReduce;
  uint32_t tensor = 0;
  uint8_t mesh_axes = 0;  // bit mask
  uint64_t bytes = 0;     // per device (the B of the alpha-beta model); exact as stored
  int64_t before_op = -1; // the op it must precede; -1: end of the step
  double time = 0;         // per step: once per micro-batch where it repeats
};

struct SearchStats {
  double time_load = 0, time_blocks = 0, time_segments = 0, time_costs = 0, time_search = 0;
  uint32_t ops = 0, blocks = 0, segments = 0, unique_segments = 0, ops_outside_blocks = 0;
  uint64_t configurations_costed = 0, configurations_profiled = 0, configurations_reused = 0;
};

struct Plan {
  std::string graph_name;
  std::string device;
  std::string cost_model = "analytic";
  // How the costs were obtained, one line each: for "cuda", the device and profiled /
  // reused / fallback counts, each mesh axis's links (measured or preset), DB warnings.
  std::string cost_notes;
  std::vector<uint32_t> mesh_shape;
  std::vector<uint32_t> op_strategy;     // index into the op's strategies
  std::vector<Strategy> op_assignment;   // the strategy itself
  std::vector<uint32_t> op_block;        // kNoId when the plan was not searched by blocks
  std::vector<ShardingSpec> tensor_spec;
  std::vector<PlanCollective> collectives;
  double step_time = 0, compute_time = 0, comm_time = 0;
  double objective = 0;  // step time plus tie-breaking penalties; what the search minimizes
  uint64_t peak_memory = 0, memory_budget = 0;
  bool is_optimal = false;
  SearchStats stats;
};

// Prices a choice vector and lists its collectives. A peak memory of 2^64 bytes or more,
// which no uint64_t holds, is given as UINT64_MAX (no double below 2^64 rounds to it),
// which the C API reports as an error rather than a plan.
Plan AssemblePlan(const CostModel &model, const std::vector<uint32_t> &choice);

}  // namespace cfp
