// The C API converts between its enums and the library's with plain casts, so each internal
// enum must keep cfp.h's values; a mismatch here fails the build instead of a caller.
#include "cfp.h"
#include "graph/types.h"
#include "sharding/resharding.h"
#include "util/status.h"

namespace {

template <class Internal, class C>
constexpr bool Same(Internal internal, C c) {
  return static_cast<long long>(internal) == static_cast<long long>(c);
}

using cfp::Code;
static_assert(Same(Code::kOk, CFP_OK));
static_assert(Same(Code::kInvalidArgument, CFP_ERR_INVALID_ARGUMENT));
static_assert(Same(Code::kInvalidGraph, CFP_ERR_INVALID_GRAPH));
static_assert(Same(Code::kInvalidData, CFP_ERR_INVALID_DATA));
static_assert(Same(Code::kIo, CFP_ERR_IO));
static_assert(Same(Code::kOutOfMemory, CFP_ERR_OUT_OF_MEMORY));
static_assert(Same(Code::kOutOfRange, CFP_ERR_OUT_OF_RANGE));
static_assert(Same(Code::kBufferTooSmall, CFP_ERR_BUFFER_TOO_SMALL));
static_assert(Same(Code::kInfeasible, CFP_ERR_INFEASIBLE));
static_assert(Same(Code::kUnsupported, CFP_ERR_UNSUPPORTED));
static_assert(Same(Code::kDevice, CFP_ERR_DEVICE));
static_assert(Same(Code::kTimeLimit, CFP_ERR_TIME_LIMIT));
static_assert(Same(Code::kMemoryLimit, CFP_ERR_MEMORY_LIMIT));
static_assert(Same(Code::kCancelled, CFP_ERR_CANCELLED));
static_assert(Same(Code::kInternal, CFP_ERR_INTERNAL));

using cfp::DType;
static_assert(Same(DType::F32, CFP_F32));
static_assert(Same(DType::BF16, CFP_BF16));
static_assert(Same(DType::F16, CFP_F16));
static_assert(Same(DType::F8E4M3, CFP_F8E4M3));
static_assert(Same(DType::I32, CFP_I32));
static_assert(Same(DType::I64, CFP_I64));
static_assert(Same(DType::Bool, CFP_BOOL));

using cfp::TensorRole;
static_assert(Same(TensorRole::DataInput, CFP_ROLE_DATA_INPUT));
static_assert(Same(TensorRole::Parameter, CFP_ROLE_PARAMETER));
static_assert(Same(TensorRole::OptimizerState, CFP_ROLE_OPTIMIZER_STATE));
static_assert(Same(TensorRole::Activation, CFP_ROLE_ACTIVATION));
static_assert(Same(TensorRole::Gradient, CFP_ROLE_GRADIENT));
static_assert(Same(TensorRole::Constant, CFP_ROLE_CONSTANT));

using cfp::Phase;
static_assert(Same(Phase::Forward, CFP_PHASE_FORWARD));
static_assert(Same(Phase::Backward, CFP_PHASE_BACKWARD));
static_assert(Same(Phase::Update, CFP_PHASE_UPDATE));

using cfp::OpKind;
static_assert(Same(OpKind::Abs, CFP_OP_ABS));
static_assert(Same(OpKind::Neg, CFP_OP_NEG));
static_assert(Same(OpKind::Exp, CFP_OP_EXP));
static_assert(Same(OpKind::Log, CFP_OP_LOG));
static_assert(Same(OpKind::Sqrt, CFP_OP_SQRT));
static_assert(Same(OpKind::Rsqrt, CFP_OP_RSQRT));
static_assert(Same(OpKind::Tanh, CFP_OP_TANH));
static_assert(Same(OpKind::Logistic, CFP_OP_LOGISTIC));
static_assert(Same(OpKind::Sin, CFP_OP_SIN));
static_assert(Same(OpKind::Cos, CFP_OP_COS));
static_assert(Same(OpKind::Convert, CFP_OP_CONVERT));
static_assert(Same(OpKind::Copy, CFP_OP_COPY));
static_assert(Same(OpKind::Add, CFP_OP_ADD));
static_assert(Same(OpKind::Subtract, CFP_OP_SUBTRACT));
static_assert(Same(OpKind::Multiply, CFP_OP_MULTIPLY));
static_assert(Same(OpKind::Divide, CFP_OP_DIVIDE));
static_assert(Same(OpKind::Maximum, CFP_OP_MAXIMUM));
static_assert(Same(OpKind::Minimum, CFP_OP_MINIMUM));
static_assert(Same(OpKind::Power, CFP_OP_POWER));
static_assert(Same(OpKind::Compare, CFP_OP_COMPARE));
static_assert(Same(OpKind::Select, CFP_OP_SELECT));
static_assert(Same(OpKind::Broadcast, CFP_OP_BROADCAST));
static_assert(Same(OpKind::Reshape, CFP_OP_RESHAPE));
static_assert(Same(OpKind::Transpose, CFP_OP_TRANSPOSE));
static_assert(Same(OpKind::Slice, CFP_OP_SLICE));
static_assert(Same(OpKind::Pad, CFP_OP_PAD));
static_assert(Same(OpKind::Concatenate, CFP_OP_CONCATENATE));
static_assert(Same(OpKind::Iota, CFP_OP_IOTA));
static_assert(Same(OpKind::ReduceSum, CFP_OP_REDUCE_SUM));
static_assert(Same(OpKind::ReduceMax, CFP_OP_REDUCE_MAX));
static_assert(Same(OpKind::ReduceMin, CFP_OP_REDUCE_MIN));
static_assert(Same(OpKind::Dot, CFP_OP_DOT));
static_assert(Same(OpKind::Gather, CFP_OP_GATHER));
static_assert(Same(OpKind::ScatterAdd, CFP_OP_SCATTER_ADD));
static_assert(Same(OpKind::Custom, CFP_OP_CUSTOM));

using cfp::Comparison;
static_assert(Same(Comparison::EQ, CFP_CMP_EQ));
static_assert(Same(Comparison::NE, CFP_CMP_NE));
static_assert(Same(Comparison::LT, CFP_CMP_LT));
static_assert(Same(Comparison::LE, CFP_CMP_LE));
static_assert(Same(Comparison::GT, CFP_CMP_GT));
static_assert(Same(Comparison::GE, CFP_CMP_GE));

using cfp::CollectiveKind;
static_assert(Same(CollectiveKind::AllReduce, CFP_ALL_REDUCE));
static_assert(Same(CollectiveKind::AllGather, CFP_ALL_GATHER));
static_assert(Same(CollectiveKind::ReduceScatter, CFP_REDUCE_SCATTER));
static_assert(Same(CollectiveKind::AllToAll, CFP_ALL_TO_ALL));

}  // namespace
