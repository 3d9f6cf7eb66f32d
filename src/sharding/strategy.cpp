#include "sharding/strategy.h"

namespace cfp {

std::string Strategy::ToString(int mesh_axes) const {
  std::string s;
  for (int m = 0; m < mesh_axes; ++m) {
    if (axis_of[m] == kNone) continue;
    bool first_for_axis = true;
    for (int k = 0; k < m; ++k) first_for_axis &= axis_of[k] != axis_of[m];
    if (!first_for_axis) continue;
    if (!s.empty()) s += " ";
    s += "a" + std::to_string(axis_of[m]) + "<-[";
    for (int k = m; k < mesh_axes; ++k)
      if (axis_of[k] == axis_of[m]) s += std::to_string(k);
    s += "]";
  }
  return s.empty() ? "replicated" : s;
}

namespace {

// Per axis: may it be split at all? (splittable, and outermost non-unit in every
// multi-axis dim it appears in).
std::vector<bool> SplittableAxes(const IterationSpace &space) {
  std::vector<bool> ok(space.num_axes());
  for (uint32_t a = 0; a < space.num_axes(); ++a) ok[a] = space.axes()[a].splittable && space.axes()[a].size > 1;
  for (uint32_t o = 0; o < space.num_operands(); ++o)
    for (uint32_t d = 0; d < space.Rank(o); ++d) {
      auto axes = space.DimAxes(o, d);
      bool outer_seen = false;
      for (uint32_t a : axes) {
        if (outer_seen) ok[a] = false;
        if (space.axes()[a].size > 1) outer_seen = true;
      }
    }
  return ok;
}

}  // namespace

std::vector<Strategy> EnumerateStrategies(const IterationSpace &space, bool is_contraction, const Mesh &mesh,
                                          const StrategyRules &rules) {
  const int nm = mesh.num_axes();
  const std::vector<bool> splittable = SplittableAxes(space);
  std::vector<int16_t> choices{Strategy::kNone};
  for (uint32_t a = 0; a < space.num_axes(); ++a)
    if (splittable[a]) choices.push_back(static_cast<int16_t>(a));
  std::vector<Strategy> out;
  std::array<size_t, kMaxMeshAxes> pick{};
  const size_t n = choices.size();
  size_t total = 1;
  for (int m = 0; m < nm; ++m) total *= mesh.size(m) > 1 ? n : 1;
  out.reserve(total);
  for (size_t i = 0; i < total; ++i) {
    size_t rest = i;
    Strategy s;
    for (int m = nm - 1; m >= 0; --m) {
      if (mesh.size(m) == 1) {
        pick[m] = 0;
        continue;
      }
      pick[m] = rest % n;
      rest /= n;
      s.axis_of[m] = choices[pick[m]];
    }
    bool valid = true;
    for (int m = 0; m < nm && valid; ++m) {
      if (s.axis_of[m] == Strategy::kNone) {
        if (is_contraction && !rules.allow_replicated_contractions && mesh.size(m) > 1) valid = false;
        continue;
      }
      // Divisibility of the axis by all mesh axes that split it (checked once, at the first).
      bool first = true;
      for (int k = 0; k < m; ++k) first &= s.axis_of[k] != s.axis_of[m];
      if (!first) continue;
      int64_t split = 1;
      for (int k = m; k < nm; ++k)
        if (s.axis_of[k] == s.axis_of[m]) split *= mesh.size(k);
      if (space.axes()[s.axis_of[m]].size % split != 0) valid = false;
    }
    if (valid) out.push_back(s);
  }
  return out;
}

ShardingSpec OperandSpec(const IterationSpace &space, uint32_t operand, const Strategy &s, int mesh_axes) {
  ShardingSpec spec;
  spec.dims.resize(space.Rank(operand));
  for (uint32_t d = 0; d < space.Rank(operand); ++d)
    for (uint32_t a : space.DimAxes(operand, d))
      for (int m = 0; m < mesh_axes; ++m)
        if (s.axis_of[m] == static_cast<int16_t>(a)) spec.dims[d].Push(static_cast<uint8_t>(m));
  if (operand >= space.num_inputs())
    for (int m = 0; m < mesh_axes; ++m)
      if (s.axis_of[m] != Strategy::kNone && space.axes()[s.axis_of[m]].kind == AxisKind::Reduction)
        spec.partial |= static_cast<uint8_t>(1u << m);
  return spec;
}

uint64_t WorkShards(const Strategy &s, const Mesh &mesh) {
  uint64_t n = 1;
  for (int m = 0; m < mesh.num_axes(); ++m)
    if (s.axis_of[m] != Strategy::kNone) n *= mesh.size(m);
  return n;
}

IterationSpace IdentitySpace(std::span<const int64_t> shape) {
  IterationSpace s;
  s.SetInputCount(1);
  std::vector<std::vector<uint32_t>> dims;
  for (int64_t d : shape) dims.push_back({s.AddAxis(d, AxisKind::Parallel)});
  s.AddOperand(dims);
  s.AddOperand(dims);
  return s;
}

}  // namespace cfp
