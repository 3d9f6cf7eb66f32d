#include "graph/iteration_space.h"

#include "util/hash.h"

namespace cfp {

uint32_t IterationSpace::AddAxis(int64_t size, AxisKind kind, bool splittable) {
  axes_.push_back(Axis{size, kind, splittable});
  return static_cast<uint32_t>(axes_.size() - 1);
}

void IterationSpace::AddOperand(const std::vector<std::vector<uint32_t>> &dims) {
  for (const auto &axes : dims) {
    labels_.insert(labels_.end(), axes.begin(), axes.end());
    dim_begin_.push_back(static_cast<uint32_t>(labels_.size()));
  }
  operand_begin_.push_back(operand_begin_.back() + static_cast<uint32_t>(dims.size()));
}

bool IterationSpace::OperandHasAxis(uint32_t operand, uint32_t axis) const {
  for (uint32_t d = 0; d < Rank(operand); ++d)
    for (uint32_t a : DimAxes(operand, d))
      if (a == axis) return true;
  return false;
}

uint64_t IterationSpace::Hash() const {
  Hasher h;
  h.Add(num_axes()).Add(num_inputs()).Add(num_operands());
  for (const Axis &a : axes_) h.Add(static_cast<uint64_t>(a.size)).Add(static_cast<uint64_t>(a.kind)).Add(a.splittable);
  for (uint32_t o = 0; o < num_operands(); ++o) {
    h.Add(Rank(o));
    for (uint32_t d = 0; d < Rank(o); ++d) {
      auto axes = DimAxes(o, d);
      h.Add(axes.size());
      for (uint32_t a : axes) h.Add(a);
    }
  }
  return h.value();
}

double IterationSpace::Points() const {
  double p = 1;
  for (const Axis &a : axes_) p *= static_cast<double>(a.size);
  return p;
}

bool IterationSpace::EquivalentTo(const IterationSpace &o) const {
  if (num_axes() != o.num_axes() || num_inputs_ != o.num_inputs_ || num_operands() != o.num_operands()) return false;
  std::vector<int64_t> map(num_axes(), -1), back(num_axes(), -1);
  for (uint32_t op = 0; op < num_operands(); ++op) {
    if (Rank(op) != o.Rank(op)) return false;
    for (uint32_t d = 0; d < Rank(op); ++d) {
      auto a = DimAxes(op, d), b = o.DimAxes(op, d);
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (map[a[i]] == -1 && back[b[i]] == -1) {
          map[a[i]] = b[i];
          back[b[i]] = a[i];
        }
        if (map[a[i]] != b[i] || !(axes_[a[i]] == o.axes_[b[i]])) return false;
      }
    }
  }
  for (uint32_t a = 0; a < num_axes(); ++a)
    if (map[a] == -1) return false;  // an axis no operand uses cannot be matched
  return true;
}

static std::string Label(uint32_t axis) {
  if (axis < 26) return std::string(1, static_cast<char>('a' + axis));
  return "a" + std::to_string(axis);
}

std::string IterationSpace::ToString() const {
  std::string s;
  for (uint32_t o = 0; o < num_operands(); ++o) {
    if (o == num_inputs_) s += "->";
    else if (o > 0) s += ",";
    for (uint32_t d = 0; d < Rank(o); ++d) {
      auto axes = DimAxes(o, d);
      if (axes.size() == 1) {
        s += Label(axes[0]);
      } else {
        s += "(";
        for (uint32_t a : axes) s += Label(a);
        s += ")";
      }
    }
  }
  if (num_inputs_ == num_operands()) s += "->";
  return s;
}

}  // namespace cfp
