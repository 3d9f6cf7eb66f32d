// The iteration space of an operator: its axes (size, parallel or reduction) and, for
// every dimension of every operand, the axes that dimension is made of, outermost first.
// This one abstraction lets propagation, strategy enumeration, FLOP counts and autodiff
// reason about axes instead of operator names (docs/design.md §3).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace cfp {

enum class AxisKind : uint8_t { Parallel = 0, Reduction = 1 };

struct Axis {
  int64_t size = 1;
  AxisKind kind = AxisKind::Parallel;
  // False for axes that must never be split across devices (the sliced dim of a slice,
  // a reshape group with no common refinement).
  bool splittable = true;

  bool operator==(const Axis &) const = default;
};

// Compact storage: three flat arrays instead of nested vectors, because graphs reach
// millions of operators.
class IterationSpace {
 public:
  uint32_t AddAxis(int64_t size, AxisKind kind, bool splittable = true);
  // Appends an operand (all inputs first, then all outputs) with the axes of each dim.
  void AddOperand(const std::vector<std::vector<uint32_t>> &dims);
  void SetInputCount(uint32_t n) { num_inputs_ = n; }

  const std::vector<Axis> &axes() const { return axes_; }
  std::vector<Axis> &mutable_axes() { return axes_; }
  uint32_t num_axes() const { return static_cast<uint32_t>(axes_.size()); }
  uint32_t num_inputs() const { return num_inputs_; }
  uint32_t num_outputs() const { return num_operands() - num_inputs_; }
  uint32_t num_operands() const { return static_cast<uint32_t>(operand_begin_.size()) - 1; }
  uint32_t Rank(uint32_t operand) const { return operand_begin_[operand + 1] - operand_begin_[operand]; }
  // Axes of dim `dim` of operand `operand` (inputs first, then outputs).
  std::span<const uint32_t> DimAxes(uint32_t operand, uint32_t dim) const {
    uint32_t d = operand_begin_[operand] + dim;
    return {labels_.data() + dim_begin_[d], labels_.data() + dim_begin_[d + 1]};
  }
  uint32_t InputOperand(uint32_t i) const { return i; }
  uint32_t OutputOperand(uint32_t i) const { return num_inputs_ + i; }
  // Whether `axis` appears in any dim of `operand`.
  bool OperandHasAxis(uint32_t operand, uint32_t axis) const;
  // A structural hash, stable across runs.
  uint64_t Hash() const;
  // Product of all axis sizes: the number of points of the loop nest.
  double Points() const;

  // Einsum-like text, e.g. "mk,kn->mn" (labels a, b, c, ... by axis index), for
  // messages and tests.
  std::string ToString() const;

  bool operator==(const IterationSpace &) const = default;
  // Equal up to a renumbering of the axes.
  bool EquivalentTo(const IterationSpace &other) const;

 private:
  std::vector<Axis> axes_;
  uint32_t num_inputs_ = 0;
  std::vector<uint32_t> operand_begin_{0};  // into dims, one past per operand
  std::vector<uint32_t> dim_begin_{0};      // into labels_, one past per dim
  std::vector<uint32_t> labels_;
};

}  // namespace cfp
