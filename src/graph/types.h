// The vocabulary of the IR: dtypes, tensor roles, phases, operator kinds. Values equal the
// C API's and the FlatBuffers schema's, so conversions are casts checked by IsValid*.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cfp {

enum class DType : uint8_t { F32 = 0, BF16 = 1, F16 = 2, F8E4M3 = 3, I32 = 4, I64 = 5, Bool = 6 };

enum class TensorRole : uint8_t {
  DataInput = 0,
  Parameter = 1,
  OptimizerState = 2,
  Activation = 3,
  Gradient = 4,
  Constant = 5,
};

enum class Phase : uint8_t { Forward = 0, Backward = 1, Update = 2 };

enum class OpKind : uint16_t {
  Abs = 0, Neg = 1, Exp = 2, Log = 3, Sqrt = 4, Rsqrt = 5, Tanh = 6, Logistic = 7,
  Sin = 8, Cos = 9, Convert = 10, Copy = 11,
  Add = 20, Subtract = 21, Multiply = 22, Divide = 23, Maximum = 24, Minimum = 25,
  Power = 26, Compare = 27, Select = 28,
  Broadcast = 40, Reshape = 41, Transpose = 42, Slice = 43, Pad = 44, Concatenate = 45,
  Iota = 46,
  ReduceSum = 60, ReduceMax = 61, ReduceMin = 62,
  Dot = 80,
  Gather = 100, ScatterAdd = 101,
  Custom = 200,
};

enum class Comparison : uint8_t { EQ = 0, NE = 1, LT = 2, LE = 3, GT = 4, GE = 5 };

bool IsValidDType(int v);
bool IsValidRole(int v);
bool IsValidPhase(int v);
bool IsValidOpKind(int v);
bool IsValidComparison(int v);

std::string_view DTypeName(DType d);
std::string_view RoleName(TensorRole r);
std::string_view PhaseName(Phase p);
std::string_view OpKindName(OpKind k);
std::optional<DType> ParseDType(std::string_view name);
std::optional<OpKind> ParseOpKind(std::string_view name);

// Bytes per element (f8 = 1, bool = 1).
int DTypeSize(DType d);
bool IsFloat(DType d);

// Families of kinds, the only place the core groups kinds by name.
bool IsUnaryElementwise(OpKind k);
bool IsBinaryElementwise(OpKind k);
bool IsElementwise(OpKind k);  // unary, binary, Compare, Select
// Runs on matrix units and carries most of a model's FLOPs.
bool IsContraction(OpKind k);
bool IsReduction(OpKind k);
// Moves or rearranges data without arithmetic.
bool IsDataMovement(OpKind k);

}  // namespace cfp
