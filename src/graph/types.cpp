#include "graph/types.h"

#include <array>
#include <utility>

namespace cfp {
namespace {

constexpr std::pair<OpKind, std::string_view> kOpNames[] = {
    {OpKind::Abs, "abs"},
    {OpKind::Neg, "neg"},
    {OpKind::Exp, "exp"},
    {OpKind::Log, "log"},
    {OpKind::Sqrt, "sqrt"},
    {OpKind::Rsqrt, "rsqrt"},
    {OpKind::Tanh, "tanh"},
    {OpKind::Logistic, "logistic"},
    {OpKind::Sin, "sin"},
    {OpKind::Cos, "cos"},
    {OpKind::Convert, "convert"},
    {OpKind::Copy, "copy"},
    {OpKind::Add, "add"},
    {OpKind::Subtract, "subtract"},
    {OpKind::Multiply, "multiply"},
    {OpKind::Divide, "divide"},
    {OpKind::Maximum, "maximum"},
    {OpKind::Minimum, "minimum"},
    {OpKind::Power, "power"},
    {OpKind::Compare, "compare"},
    {OpKind::Select, "select"},
    {OpKind::Broadcast, "broadcast"},
    {OpKind::Reshape, "reshape"},
    {OpKind::Transpose, "transpose"},
    {OpKind::Slice, "slice"},
    {OpKind::Pad, "pad"},
    {OpKind::Concatenate, "concatenate"},
    {OpKind::Iota, "iota"},
    {OpKind::ReduceSum, "reduce_sum"},
    {OpKind::ReduceMax, "reduce_max"},
    {OpKind::ReduceMin, "reduce_min"},
    {OpKind::Dot, "dot"},
    {OpKind::Gather, "gather"},
    {OpKind::ScatterAdd, "scatter_add"},
    {OpKind::Custom, "custom"},
};

constexpr std::array<std::string_view, 7> kDTypeNames = {"f32", "bf16", "f16", "f8e4m3", "i32", "i64", "bool"};
constexpr std::array<std::string_view, 6> kRoleNames = {"data_input", "parameter", "optimizer_state",
                                                        "activation", "gradient",  "constant"};
constexpr std::array<std::string_view, 3> kPhaseNames = {"forward", "backward", "update"};

}  // namespace

bool IsValidDType(int v) { return v >= 0 && v < static_cast<int>(kDTypeNames.size()); }
bool IsValidRole(int v) { return v >= 0 && v < static_cast<int>(kRoleNames.size()); }
bool IsValidPhase(int v) { return v >= 0 && v < static_cast<int>(kPhaseNames.size()); }
bool IsValidComparison(int v) { return v >= 0 && v <= static_cast<int>(Comparison::GE); }
bool IsValidOpKind(int v) {
  for (const auto &[kind, name] : kOpNames)
    if (static_cast<int>(kind) == v) return true;
  return false;
}

std::string_view DTypeName(DType d) {
  auto i = static_cast<size_t>(d);
  return i < kDTypeNames.size() ? kDTypeNames[i] : "unknown";
}
std::string_view RoleName(TensorRole r) {
  auto i = static_cast<size_t>(r);
  return i < kRoleNames.size() ? kRoleNames[i] : "unknown";
}
std::string_view PhaseName(Phase p) {
  auto i = static_cast<size_t>(p);
  return i < kPhaseNames.size() ? kPhaseNames[i] : "unknown";
}
std::string_view OpKindName(OpKind k) {
  for (const auto &[kind, name] : kOpNames)
    if (kind == k) return name;
  return "unknown";
}
std::optional<DType> ParseDType(std::string_view name) {
  for (size_t i = 0; i < kDTypeNames.size(); ++i)
    if (kDTypeNames[i] == name) return static_cast<DType>(i);
  return std::nullopt;
}
std::optional<OpKind> ParseOpKind(std::string_view name) {
  for (const auto &[kind, n] : kOpNames)
    if (n == name) return kind;
  return std::nullopt;
}

int DTypeSize(DType d) {
  switch (d) {
    case DType::F32: return 4;
    case DType::BF16: return 2;
    case DType::F16: return 2;
    case DType::F8E4M3: return 1;
    case DType::I32: return 4;
    case DType::I64: return 8;
    case DType::Bool: return 1;
  }
  return 4;
}

bool IsFloat(DType d) {
  return d == DType::F32 || d == DType::BF16 || d == DType::F16 || d == DType::F8E4M3;
}

bool IsUnaryElementwise(OpKind k) {
  auto v = static_cast<int>(k);
  return v >= static_cast<int>(OpKind::Abs) && v <= static_cast<int>(OpKind::Copy);
}
bool IsBinaryElementwise(OpKind k) {
  auto v = static_cast<int>(k);
  return v >= static_cast<int>(OpKind::Add) && v <= static_cast<int>(OpKind::Power);
}
bool IsElementwise(OpKind k) {
  return IsUnaryElementwise(k) || IsBinaryElementwise(k) || k == OpKind::Compare || k == OpKind::Select;
}
bool IsContraction(OpKind k) { return k == OpKind::Dot; }
bool IsReduction(OpKind k) {
  return k == OpKind::ReduceSum || k == OpKind::ReduceMax || k == OpKind::ReduceMin;
}
bool IsDataMovement(OpKind k) {
  switch (k) {
    case OpKind::Convert:
    case OpKind::Copy:
    case OpKind::Broadcast:
    case OpKind::Reshape:
    case OpKind::Transpose:
    case OpKind::Slice:
    case OpKind::Pad:
    case OpKind::Concatenate:
    case OpKind::Iota:
    case OpKind::Gather:
      return true;
    default:
      return false;
  }
}
}  // namespace cfp
