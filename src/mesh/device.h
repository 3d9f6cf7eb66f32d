// A GPU's performance constants, and presets for common data-centre GPUs.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/types.h"

namespace cfp {

struct DeviceSpec {
  std::string name;
  // Peak dense FLOP/s of matrix units (tensor cores) per operand dtype; used for contractions.
  std::array<double, 7> matrix_flops{};
  // Peak FLOP/s of the vector units (CUDA cores, f32); used for elementwise and reductions.
  double vector_flops = 0;
  double memory_bandwidth = 0;   // HBM, bytes/s
  uint64_t memory_capacity = 0;  // bytes
  // Collective links, per GPU: NVLink inside a node, the network across nodes.
  double nvlink_bandwidth = 0;  // bytes/s, one direction
  double nvlink_latency = 0;    // s
  double network_bandwidth = 0; // bytes/s
  double network_latency = 0;   // s
  double kernel_overhead = 0;   // s per kernel launch

  double MatrixFlops(DType d) const { return matrix_flops[static_cast<size_t>(d)]; }
};

// "a100-40gb", "a100-80gb", "h100-sxm", "h200"
std::optional<DeviceSpec> DevicePreset(std::string_view name);
std::vector<std::string> DevicePresetNames();

}  // namespace cfp
