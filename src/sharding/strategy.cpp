#include "sharding/strategy.h"

namespace cfp {

bool Strategy::HasPending() const {
  for (int16_t a : axis_of)
    if (a == kPending) return true;
  return false;
}

std::string Strategy::ToString(int mesh_axes) const {
  std::string s;
  std::string pending;
  for (int m = 0; m < mesh_axes; ++m) {
    if (axis_of[m] == kPending) pending += std::to_string(m);
    if (axis_of[m] < 0) continue;
    bool first_for_axis = true;
    for (int k = 0; k < m; ++k) first_for_axis &= axis_of[k] != axis_of[m];
    if (!first_for_axis) continue;
    if (!s.empty()) s += " ";
    s += "a" + std::to_string(axis_of[m]) + "<-[";
    for (int k = m; k < mesh_axes; ++k)
      if (axis_of[k] == axis_of[m]) s += std::to_string(k);
    s += "]";
  }
  if (!pending.empty()) s += (s.empty() ? "sum[" : " sum[") + pending + "]";
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
                                          const StrategyRules &rules, uint32_t pending_inputs) {
  const int nm = mesh.num_axes();
  const std::vector<bool> splittable = SplittableAxes(space);
  std::vector<int16_t> choices{Strategy::kNone};
  for (uint32_t a = 0; a < space.num_axes(); ++a)
    if (splittable[a]) choices.push_back(static_cast<int16_t>(a));
  // Pending choices come last in the radix, and strategies using them after all others,
  // so the indices of strategies without pending sums do not depend on `pending_inputs`.
  if (pending_inputs != 0) choices.push_back(Strategy::kPending);
  std::vector<Strategy> out, with_pending;
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
      if (s.axis_of[m] == Strategy::kPending) continue;
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
    if (!valid) continue;
    (s.HasPending() ? with_pending : out).push_back(s);
  }
  out.insert(out.end(), with_pending.begin(), with_pending.end());
  return out;
}

uint32_t PendingSumInputs(const Graph &graph, uint32_t op) {
  const Op &o = graph.op(op);
  auto rank = [&](uint32_t slot) { return graph.tensor(o.inputs[slot]).shape.size(); };
  uint32_t mask = 0;
  switch (o.kind) {
    case OpKind::Add:
    case OpKind::Subtract:
      mask = o.inputs.size() == 2 ? 0b11u : 0u;
      break;
    case OpKind::Neg:
    case OpKind::Convert:
    case OpKind::Copy:
    case OpKind::Broadcast:
    case OpKind::Reshape:
    case OpKind::Transpose:
    case OpKind::ReduceSum:
      mask = o.inputs.size() == 1 ? 0b1u : 0u;
      break;
    case OpKind::Multiply:  // scaling by a scalar
      if (o.inputs.size() == 2) mask = rank(1) == 0 && rank(0) > 0 ? 0b1u : rank(0) == 0 && rank(1) > 0 ? 0b10u : 0u;
      break;
    case OpKind::Divide:
      if (o.inputs.size() == 2 && rank(1) == 0 && rank(0) > 0) mask = 0b1u;
      break;
    default:
      break;
  }
  // A graph input is stored summed: reading it as a pending sum is never worth a strategy.
  for (uint32_t slot = 0; slot < o.inputs.size(); ++slot)
    if ((mask >> slot & 1u) && graph.producer(o.inputs[slot]) == kNoId) return 0;
  return mask;
}

std::vector<Strategy> OpStrategies(const Graph &graph, uint32_t op, const Mesh &mesh, const StrategyRules &rules) {
  return EnumerateStrategies(graph.space(op), IsContraction(graph.op(op).kind), mesh, rules, PendingSumInputs(graph, op));
}

ShardingSpec OperandSpec(const IterationSpace &space, uint32_t operand, const Strategy &s, int mesh_axes,
                         uint32_t pending_inputs) {
  ShardingSpec spec;
  spec.dims.resize(space.Rank(operand));
  for (uint32_t d = 0; d < space.Rank(operand); ++d)
    for (uint32_t a : space.DimAxes(operand, d))
      for (int m = 0; m < mesh_axes; ++m)
        if (s.axis_of[m] == static_cast<int16_t>(a)) spec.dims[d].Push(static_cast<uint8_t>(m));
  const bool output = operand >= space.num_inputs();
  for (int m = 0; m < mesh_axes; ++m) {
    const bool pending = s.axis_of[m] == Strategy::kPending &&
                         (output || (operand < 32 && (pending_inputs >> operand & 1u)));
    const bool reduced = output && s.Splits(m) && space.axes()[s.axis_of[m]].kind == AxisKind::Reduction;
    if (pending || reduced) spec.partial |= static_cast<uint8_t>(1u << m);
  }
  return spec;
}

uint64_t WorkShards(const Strategy &s, const Mesh &mesh) {
  uint64_t n = 1;
  for (int m = 0; m < mesh.num_axes(); ++m)
    if (s.Splits(m)) n *= mesh.size(m);
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
