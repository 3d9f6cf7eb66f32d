#include "graph/einsum.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "util/quote.h"

namespace cfp {
namespace {

using OperandLabels = std::vector<std::vector<char>>;  // per dim, its labels

Result<std::vector<OperandLabels>> ParseSide(std::string_view side, std::string_view spec) {
  std::vector<OperandLabels> operands(1);
  bool in_group = false;
  for (char c : side) {
    if (c == ' ') continue;
    if (c == ',') {
      if (in_group) return InvalidArgument("einsum " + Quote(spec) + ": ',' inside parentheses");
      operands.emplace_back();
    } else if (c == '(') {
      if (in_group) return InvalidArgument("einsum " + Quote(spec) + ": nested parentheses");
      in_group = true;
      operands.back().emplace_back();
    } else if (c == ')') {
      if (!in_group || operands.back().back().empty())
        return InvalidArgument("einsum " + Quote(spec) + ": unbalanced or empty parentheses");
      in_group = false;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      if (in_group) operands.back().back().push_back(c);
      else operands.back().push_back({c});
    } else {
      return InvalidArgument("einsum " + Quote(spec) + ": unexpected character '" + std::string(1, c) + "'");
    }
  }
  if (in_group) return InvalidArgument("einsum " + Quote(spec) + ": unclosed parenthesis");
  if (side.find_first_not_of(' ') == std::string_view::npos) operands.clear();
  return operands;
}

// Labels whose sizes multiply past int64 (each fits; their product does not).
Status Overflow(std::string_view spec, const Tensor &t, size_t d) {
  return InvalidArgument("einsum " + Quote(spec) + ": dim " + std::to_string(d) + " of shape " +
                         ShapeString(t.shape) + " overflows 64-bit sizes");
}

}  // namespace

Result<IterationSpace> ParseEinsum(std::string_view spec, const std::vector<const Tensor *> &inputs,
                                   const std::vector<const Tensor *> &outputs) {
  auto arrow = spec.find("->");
  if (arrow == std::string_view::npos) return InvalidArgument("einsum " + Quote(spec) + " has no '->'");
  CFP_ASSIGN_OR_RETURN(auto lhs, ParseSide(spec.substr(0, arrow), spec));
  CFP_ASSIGN_OR_RETURN(auto rhs, ParseSide(spec.substr(arrow + 2), spec));
  if (lhs.size() != inputs.size() || rhs.size() != outputs.size())
    return InvalidArgument("einsum " + Quote(spec) + " has " + std::to_string(lhs.size()) + " inputs and " +
                           std::to_string(rhs.size()) + " outputs, the op " + std::to_string(inputs.size()) + " and " +
                           std::to_string(outputs.size()));
  std::vector<std::pair<const OperandLabels *, const Tensor *>> all;
  for (size_t i = 0; i < lhs.size(); ++i) all.emplace_back(&lhs[i], inputs[i]);
  for (size_t i = 0; i < rhs.size(); ++i) all.emplace_back(&rhs[i], outputs[i]);
  std::array<int64_t, 128> size{};  // 0 = unknown
  std::array<bool, 128> in_output{};
  for (const auto &[labels, t] : all) {
    std::array<bool, 128> in_operand{};
    for (const auto &dim : *labels)
      for (char c : dim) {
        if (in_operand[static_cast<unsigned char>(c)])
          return InvalidArgument("einsum " + Quote(spec) + ": label '" + std::string(1, c) +
                                 "' appears twice in one operand");
        in_operand[static_cast<unsigned char>(c)] = true;
      }
    if (labels->size() != t->shape.size())
      return InvalidArgument("einsum " + Quote(spec) + " gives " + std::to_string(labels->size()) +
                             " dims to a tensor of shape " + ShapeString(t->shape));
    // Sizes are inferred by division, so a dim below 1 would divide by zero or overflow.
    for (int64_t dim : t->shape)
      if (dim < 1)
        return InvalidArgument("einsum " + Quote(spec) + ": tensor of shape " + ShapeString(t->shape) +
                               " has a dim below 1");
  }
  for (const auto &o : rhs)
    for (const auto &dim : o)
      for (char c : dim) in_output[static_cast<unsigned char>(c)] = true;
  // Infer sizes until nothing changes: a dim with one unknown label fixes it.
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto &[labels, t] : all)
      for (size_t d = 0; d < labels->size(); ++d) {
        int64_t known = 1;
        int unknown = -1, n_unknown = 0;
        bool overflow = false;
        for (char c : (*labels)[d]) {
          if (size[static_cast<unsigned char>(c)] == 0) {
            unknown = static_cast<unsigned char>(c);
            ++n_unknown;
          } else {
            overflow |= __builtin_mul_overflow(known, size[static_cast<unsigned char>(c)], &known);
          }
        }
        if (overflow) return Overflow(spec, *t, d);
        if (n_unknown == 1) {
          if (t->shape[d] % known != 0)
            return InvalidArgument("einsum " + Quote(spec) + ": dim of size " + std::to_string(t->shape[d]) +
                                   " is not divisible by " + std::to_string(known));
          size[unknown] = t->shape[d] / known;
          changed = true;
        }
      }
  }
  IterationSpace s;
  std::array<int32_t, 128> axis_of;
  axis_of.fill(-1);
  // Axes are numbered in order of first appearance.
  std::vector<int> order;
  for (const auto &[labels, t] : all)
    for (const auto &dim : *labels)
      for (char ch : dim)
        if (std::find(order.begin(), order.end(), static_cast<unsigned char>(ch)) == order.end())
          order.push_back(static_cast<unsigned char>(ch));
  for (int c : order) {
    if (size[c] == 0)
      return InvalidArgument("einsum " + Quote(spec) + ": size of '" + std::string(1, static_cast<char>(c)) +
                             "' cannot be inferred");
    axis_of[c] = static_cast<int32_t>(s.AddAxis(size[c], in_output[c] ? AxisKind::Parallel : AxisKind::Reduction));
  }
  s.SetInputCount(static_cast<uint32_t>(inputs.size()));
  for (const auto &[labels, t] : all) {
    std::vector<std::vector<uint32_t>> dims;
    for (size_t d = 0; d < labels->size(); ++d) {
      std::vector<uint32_t> axes;
      int64_t p = 1;
      for (char c : (*labels)[d]) {
        axes.push_back(static_cast<uint32_t>(axis_of[static_cast<unsigned char>(c)]));
        if (__builtin_mul_overflow(p, size[static_cast<unsigned char>(c)], &p)) return Overflow(spec, *t, d);
      }
      if (p != t->shape[d])
        return InvalidArgument("einsum " + Quote(spec) + ": dim " + std::to_string(d) + " of shape " +
                               ShapeString(t->shape) + " is " + std::to_string(t->shape[d]) + ", its labels make " +
                               std::to_string(p));
      dims.push_back(std::move(axes));
    }
    s.AddOperand(dims);
  }
  return s;
}

}  // namespace cfp
