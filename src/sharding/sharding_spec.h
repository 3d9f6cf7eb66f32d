// How one tensor is laid out over the mesh: for each dim, the mesh axes it is split over
// (outermost first), and the mesh axes over which its values are pending sums.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "graph/types.h"
#include "mesh/mesh.h"

namespace cfp {

struct DimSharding {
  uint8_t count = 0;
  std::array<uint8_t, kMaxMeshAxes> axes{};

  void Push(uint8_t mesh_axis) { axes[count++] = mesh_axis; }
  bool Has(uint8_t mesh_axis) const {
    for (uint8_t i = 0; i < count; ++i)
      if (axes[i] == mesh_axis) return true;
    return false;
  }
  bool operator==(const DimSharding &o) const {
    if (count != o.count) return false;
    for (uint8_t i = 0; i < count; ++i)
      if (axes[i] != o.axes[i]) return false;
    return true;
  }
};

struct ShardingSpec {
  std::vector<DimSharding> dims;
  uint8_t partial = 0;  // bit m: pending sum over mesh axis m

  static ShardingSpec Replicated(size_t rank) {
    ShardingSpec s;
    s.dims.resize(rank);
    return s;
  }
  bool operator==(const ShardingSpec &o) const = default;
  // The dim mesh axis `m` splits, or -1.
  int DimOf(uint8_t m) const;
  bool IsPartial(uint8_t m) const { return (partial >> m) & 1; }
  // Devices one element is split over (product of the sizes of all splitting axes).
  uint64_t ShardCount(const Mesh &mesh) const;
  bool IsFullyReplicated() const;
  uint64_t Hash() const;
  // "[0,-] partial{1}" — per dim the splitting mesh axes ("-": none), e.g. "[01,-]".
  std::string ToString() const;
};

// The same layout with its pending sums carried out.
ShardingSpec Summed(ShardingSpec spec);

// Bytes one device holds of a tensor of `shape` and `dtype` laid out as `spec`.
double LocalBytes(std::span<const int64_t> shape, DType dtype, const ShardingSpec &spec, const Mesh &mesh);

}  // namespace cfp
