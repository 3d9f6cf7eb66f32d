// What a caller asks of the planner: the mesh, the device and its links, the memory
// budget, the cost model and its parameters, threads and limits.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cost/cost_params.h"
#include "mesh/device.h"
#include "mesh/mesh.h"
#include "profile/device_backend.h"
#include "sharding/strategy.h"
#include "util/status.h"

namespace cfp {

struct OptimizerOptions {
  std::vector<uint32_t> mesh_shape{8};
  // Per-axis link overrides (bandwidth bytes/s, latency s), applied after the defaults.
  std::vector<std::optional<std::pair<double, double>>> axis_links;
  DeviceSpec device = *DevicePreset("h100-sxm");
  uint32_t devices_per_node = 8;
  uint64_t memory_budget = 0;  // 0: the device's capacity
  CostParams cost;
  StrategyRules rules;
  std::string cost_model = "analytic";  // or "cuda": block compute and links measured
  std::string profile_db;               // "" : DefaultProfileDbPath()
  // The device the "cuda" model measures on; null: OpenProfilingBackend() (the CUDA module,
  // or a fake one when $CFP_FAKE_DEVICE is set). Tests put a FakeDeviceBackend here.
  std::shared_ptr<DeviceBackend> profiling_backend;
  uint32_t threads = 0;            // 0: all hardware threads
  double time_limit = 0;           // s, 0: none
  uint64_t search_memory_limit = 0;
  // Progress: phase, done, total; returning false cancels.
  std::function<bool(const char *, uint64_t, uint64_t)> progress;

  Result<Mesh> BuildMesh() const;
  uint64_t Budget() const { return memory_budget ? memory_budget : device.memory_capacity; }
};

// Alpa's auto-sharding test convention: every axis link alpha = beta = 1 (latency 1 s,
// bandwidth 1 byte/s), compute free, no replicated contractions (with compute free they
// would cost nothing), and a tiny penalty on replicated parameters to break ties.
void UseAlpaTestConvention(OptimizerOptions &options);

}  // namespace cfp
