// The element-level work of each kernel step (kernel_plan.h), written once for the CUDA
// kernels and the CPU executor used in tests: a GPU thread and a CPU loop iteration call
// the same function for the same element.
#pragma once

#include "profile/kernel_math.h"
#include "profile/kernel_plan.h"

namespace cfp::kernel {

// Element `i` (row-major over m.shape) of a map step.
template <class C>
CFP_HD void MapElement(const MapStep &m, void *out, const void *const *in, int64_t i) {
  const int64_t o = StridedOffset(i, m.rank, m.shape, m.out.stride, m.out.offset);
  switch (m.op) {
    case MapStep::Op::Fill:
      StoreFrom<C>(out, m.out.dtype, o, static_cast<C>(m.fill_value));
      return;
    case MapStep::Op::Iota:
      StoreFrom<C>(out, m.out.dtype, o, static_cast<C>((i / m.iota_divisor) % m.iota_modulus));
      return;
    case MapStep::Op::Elementwise: break;
  }
  C args[3] = {C(0), C(0), C(0)};
  for (int j = 0; j < m.num_inputs; ++j)
    args[j] = LoadAs<C>(in[j], m.in[j].dtype, StridedOffset(i, m.rank, m.shape, m.in[j].stride, m.in[j].offset));
  C r;
  if (m.kind == OpKind::Compare) r = Compare<C>(m.comparison, args[0], args[1]) ? C(1) : C(0);
  else if (m.kind == OpKind::Select) r = args[0] != C(0) ? args[1] : args[2];
  else if (m.num_inputs == 1) r = ApplyUnary<C>(m.kind, args[0]);
  else r = ApplyBinary<C>(m.kind, args[0], args[1]);
  StoreFrom<C>(out, m.out.dtype, o, r);
}

// Offset in the input of kept-dims position `o` (row major over r.out_shape).
CFP_HD int64_t ReduceBase(const ReduceStep &r, int64_t o) {
  return StridedOffset(o, r.out_rank, r.out_shape, r.in.stride, r.in.offset);
}

// Combines reduced positions begin, begin + step, ... (< end) of output `o` into `acc`.
template <class C>
CFP_HD C ReducePartial(const ReduceStep &r, const void *in, int64_t base, int64_t begin, int64_t end, int64_t step, C acc) {
  for (int64_t j = begin; j < end; j += step)
    acc = ReduceCombine<C>(r.kind, acc, LoadAs<C>(in, r.in.dtype, StridedOffset(j, r.red_rank, r.red_shape, r.red_stride, base)));
  return acc;
}

// Element `i` of a gather's output; out-of-range ids are clamped, as XLA does.
CFP_HD void GatherElement(const GatherStep &g, void *out, const void *table, const void *ids, int64_t i) {
  const int64_t row = i / g.row_len, col = i % g.row_len;
  int64_t id = LoadAs<int64_t>(ids, g.ids_dtype, row);
  id = id < 0 ? 0 : (id >= g.rows ? g.rows - 1 : id);
  CopyElement(out, i, table, id * g.row_len + col, DTypeBytes(g.dtype));
}

// Where update `i` of a scatter-add lands in the output, or -1 when its id is out of
// range (dropped, as XLA does).
CFP_HD int64_t ScatterTarget(const ScatterAddStep &s, const void *ids, int64_t i) {
  const int64_t row = i / s.row_len, col = i % s.row_len;
  const int64_t id = LoadAs<int64_t>(ids, s.ids_dtype, row);
  return id < 0 || id >= s.rows ? -1 : id * s.row_len + col;
}

// Element offsets of a GEMM's operands.
CFP_HD int64_t GemmLhsOffset(const GemmStep &g, int64_t b, int64_t i, int64_t p) {
  return b * g.m * g.k + (g.lhs_km ? p * g.m + i : i * g.k + p);
}
CFP_HD int64_t GemmRhsOffset(const GemmStep &g, int64_t b, int64_t p, int64_t j) {
  return b * g.k * g.n + (g.rhs_nk ? j * g.k + p : p * g.n + j);
}

// out[b, i, j] by the definition, for the dtypes cuBLAS does not take (and the CPU).
template <class C>
CFP_HD void GemmElement(const GemmStep &g, void *out, const void *lhs, const void *rhs, int64_t b, int64_t i, int64_t j) {
  C acc = C(0);
  for (int64_t p = 0; p < g.k; ++p)
    acc += LoadAs<C>(lhs, g.lhs_dtype, GemmLhsOffset(g, b, i, p)) * LoadAs<C>(rhs, g.rhs_dtype, GemmRhsOffset(g, b, p, j));
  StoreFrom<C>(out, g.out_dtype, (b * g.m + i) * g.n + j, acc);
}

}  // namespace cfp::kernel
