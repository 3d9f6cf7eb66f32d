#include "sharding/sharding_spec.h"

namespace cfp {

int ShardingSpec::DimOf(uint8_t m) const {
  for (size_t d = 0; d < dims.size(); ++d)
    if (dims[d].Has(m)) return static_cast<int>(d);
  return -1;
}

uint64_t ShardingSpec::ShardCount(const Mesh &mesh) const {
  uint64_t n = 1;
  for (const DimSharding &d : dims)
    for (uint8_t i = 0; i < d.count; ++i) n *= mesh.size(d.axes[i]);
  return n;
}

bool ShardingSpec::IsFullyReplicated() const {
  if (partial) return false;
  for (const DimSharding &d : dims)
    if (d.count) return false;
  return true;
}

uint64_t ShardingSpec::Hash() const {
  uint64_t h = 1469598103934665603ull ^ partial;
  for (const DimSharding &d : dims) {
    uint64_t v = d.count;
    for (uint8_t i = 0; i < d.count; ++i) v = v * 4 + d.axes[i] + 1;
    h = (h ^ v) * 1099511628211ull;
  }
  return h;
}

std::string ShardingSpec::ToString() const {
  std::string s = "[";
  for (size_t d = 0; d < dims.size(); ++d) {
    if (d) s += ",";
    if (dims[d].count == 0) s += "-";
    for (uint8_t i = 0; i < dims[d].count; ++i) s += std::to_string(dims[d].axes[i]);
  }
  s += "]";
  if (partial) {
    s += " partial{";
    bool first = true;
    for (int m = 0; m < 8; ++m)
      if (IsPartial(static_cast<uint8_t>(m))) {
        s += (first ? "" : ",") + std::to_string(m);
        first = false;
      }
    s += "}";
  }
  return s;
}

ShardingSpec Summed(ShardingSpec spec) {
  spec.partial = 0;
  return spec;
}

double LocalBytes(std::span<const int64_t> shape, DType dtype, const ShardingSpec &spec, const Mesh &mesh) {
  double bytes = DTypeSize(dtype);
  for (int64_t d : shape) bytes *= static_cast<double>(d);
  return bytes / static_cast<double>(spec.ShardCount(mesh));
}

}  // namespace cfp
