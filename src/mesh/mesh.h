// The logical device mesh: 1 to 3 axes, each with the link its collectives run over.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mesh/device.h"
#include "util/status.h"

namespace cfp {

inline constexpr int kMaxMeshAxes = 3;
inline constexpr uint64_t kMaxMeshDevices = uint64_t{1} << 31;

struct MeshAxis {
  uint32_t size = 1;
  double bandwidth = 1;  // bytes/s per device for collectives along this axis
  double latency = 0;    // s per collective
};

class Mesh {
 public:
  Mesh() = default;
  // Validates the shape (1..3 axes, each >= 1) and gives each axis the device's default
  // link: NVLink while the devices spanned from the innermost axis outwards fit in one node,
  // the network beyond.
  static Result<Mesh> Create(const std::vector<uint32_t> &shape, const DeviceSpec &device, uint32_t devices_per_node);

  int num_axes() const { return static_cast<int>(axes_.size()); }
  const MeshAxis &axis(int i) const { return axes_[static_cast<size_t>(i)]; }
  MeshAxis &mutable_axis(int i) { return axes_[static_cast<size_t>(i)]; }
  uint32_t size(int i) const { return axes_[static_cast<size_t>(i)].size; }
  uint64_t num_devices() const;
  std::vector<uint32_t> shape() const;
  std::string ToString() const;  // "8x8"

 private:
  std::vector<MeshAxis> axes_;
};

}  // namespace cfp
