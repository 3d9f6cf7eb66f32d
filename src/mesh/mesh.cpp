#include "mesh/mesh.h"

namespace cfp {

namespace {

std::string ShapeText(const std::vector<uint32_t> &shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

}  // namespace

Result<Mesh> Mesh::Create(const std::vector<uint32_t> &shape, const DeviceSpec &device, uint32_t devices_per_node) {
  if (shape.empty() || shape.size() > kMaxMeshAxes)
    return InvalidArgument("a mesh has 1 to 3 axes, got " + std::to_string(shape.size()));
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == 0) return InvalidArgument("mesh axis " + std::to_string(i) + " has size 0");
  if (devices_per_node == 0) return InvalidArgument("devices per node must be at least 1");
  // Products of axis sizes (shards, splits) must stay far inside 64 bits; 2^31 devices
  // is four orders of magnitude beyond the largest clusters.
  uint64_t devices = 1;
  for (uint32_t s : shape) {
    devices *= s;
    if (devices > kMaxMeshDevices)
      return InvalidArgument("mesh " + ShapeText(shape) + " has more than " + std::to_string(kMaxMeshDevices) + " devices");
  }
  Mesh m;
  m.axes_.resize(shape.size());
  uint64_t spanned = 1;
  for (size_t k = shape.size(); k-- > 0;) {
    spanned *= shape[k];
    bool in_node = spanned <= devices_per_node;
    m.axes_[k].size = shape[k];
    m.axes_[k].bandwidth = in_node ? device.nvlink_bandwidth : device.network_bandwidth;
    m.axes_[k].latency = in_node ? device.nvlink_latency : device.network_latency;
  }
  return m;
}

uint64_t Mesh::num_devices() const {
  uint64_t n = 1;
  for (const MeshAxis &a : axes_) n *= a.size;
  return n;
}

std::vector<uint32_t> Mesh::shape() const {
  std::vector<uint32_t> s;
  for (const MeshAxis &a : axes_) s.push_back(a.size);
  return s;
}

std::string Mesh::ToString() const {
  std::string s;
  for (size_t i = 0; i < axes_.size(); ++i) s += (i ? "x" : "") + std::to_string(axes_[i].size);
  return s;
}

}  // namespace cfp
