// A program (a Graph at one device's local shapes) lowered to a list of kernel launches
// over flat buffers: strided elementwise maps, reductions, gathers, scatter-adds and
// GEMMs. The CUDA module executes a plan with its kernels and cuBLAS; tests execute it on
// the CPU with the same element code (kernel_math.h), so the lowering — every index,
// stride and layout decision — is checked without a GPU.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "graph/graph.h"
#include "util/status.h"

namespace cfp {

// Ranks above this (after merging contiguous dims) are not lowered.
inline constexpr int kMaxKernelRank = 8;

// Arithmetic of a step: float for floating-point data, int64 for integers and bools.
enum class ComputeType : uint8_t { Float = 0, Int = 1 };

// A view of a buffer: element offset and, per iteration dim, the element stride
// (0 broadcasts).
struct StridedView {
  int32_t buffer = -1;
  DType dtype = DType::F32;
  int64_t offset = 0;
  int64_t stride[kMaxKernelRank] = {};
};

// out[i] = f(in[0][i], ...) for every i of a row-major iteration shape.
struct MapStep {
  enum class Op : uint8_t {
    Elementwise = 0,  // `kind`: a unary, binary, Compare, Select, Convert or Copy op
    Fill = 1,         // out = fill_value
    Iota = 2,         // out = (i / iota_divisor) % iota_modulus, i = linear output index
  };
  Op op = Op::Elementwise;
  OpKind kind = OpKind::Copy;
  Comparison comparison = Comparison::EQ;
  ComputeType compute = ComputeType::Float;
  int32_t rank = 0;
  int32_t num_inputs = 0;
  int64_t shape[kMaxKernelRank] = {};
  int64_t count = 1;
  StridedView out;
  StridedView in[3];
  double fill_value = 0;
  int64_t iota_divisor = 1;
  int64_t iota_modulus = 1;
};

// out[o] = reduce over r of in[o, r]; `out` is dense over the kept dims.
struct ReduceStep {
  OpKind kind = OpKind::ReduceSum;
  ComputeType compute = ComputeType::Float;
  int32_t out_rank = 0;
  int32_t red_rank = 0;
  int64_t out_shape[kMaxKernelRank] = {};
  int64_t red_shape[kMaxKernelRank] = {};
  int64_t out_count = 1;
  int64_t red_count = 1;
  StridedView in;  // in.stride: over the kept dims
  int64_t red_stride[kMaxKernelRank] = {};
  StridedView out;
};

// Rows of row_len elements of a [rows, row_len] table, addressed by num_ids ids.
struct IndexedRows {
  DType dtype = DType::F32, ids_dtype = DType::I32;
  int64_t rows = 0, row_len = 0, num_ids = 0;
};

// out[i, :] = table[clamp(ids[i]), :].
struct GatherStep : IndexedRows {
  int32_t table = -1, ids = -1, out = -1;
};

// out[ids[i], :] += updates[i, :] for ids within [0, rows) (others are dropped). `out`
// is zero-filled by a MapStep before.
struct ScatterAddStep : IndexedRows {
  int32_t ids = -1, updates = -1, out = -1;
};

// out[b] = lhs[b] x rhs[b], all row major: lhs [batch, m, k] (or [batch, k, m] when
// lhs_km), rhs [batch, k, n] (or [batch, n, k] when rhs_nk), out [batch, m, n].
struct GemmStep {
  int32_t lhs = -1, rhs = -1, out = -1;
  DType lhs_dtype = DType::F32, rhs_dtype = DType::F32, out_dtype = DType::F32;
  int64_t batch = 1, m = 1, n = 1, k = 1;
  bool lhs_km = false;
  bool rhs_nk = false;
};

struct KernelStep {
  uint32_t op = 0;  // the graph op it implements
  std::variant<MapStep, ReduceStep, GatherStep, ScatterAddStep, GemmStep> step;
};

struct KernelBuffer {
  DType dtype = DType::F32;
  int64_t elements = 0;
  int32_t tensor = -1;  // the tensor it holds, -1 for a temporary
};

// How a graph input is filled before the program runs.
struct InputFill {
  enum class Kind : uint8_t {
    Random = 0,  // floats in +-[0.25, 1), bools 0/1, integers in [index_lo, index_hi)
    Value = 1,   // a rank-0 constant's value
  };
  uint32_t tensor = 0;
  Kind kind = Kind::Random;
  double value = 0;
  int64_t index_lo = 1;   // integer inputs: [1, 64) unless they index a table,
  int64_t index_hi = 64;  // then [0, rows)
};

struct KernelPlan {
  // Buffer t holds tensor t; temporaries follow.
  std::vector<KernelBuffer> buffers;
  std::vector<KernelStep> steps;
  std::vector<InputFill> inputs;
};

// Lowers `program`. kUnsupported (naming the op) for what the profiler cannot run:
// custom ops, ranks above kMaxKernelRank after merging dims, f8/bool scatter-adds.
Result<KernelPlan> LowerToKernels(const Graph &program);

// Merges adjacent dims that are contiguous in every view and drops size-1 dims, in place.
// `views` point at stride arrays of `rank` entries. Returns the new rank.
int CoalesceDims(int rank, int64_t *shape, std::vector<int64_t *> views);

}  // namespace cfp
