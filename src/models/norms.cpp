#include "models/norms.h"

namespace cfp {
namespace {

constexpr double kLayerNormEpsilon = 1e-5;  // GPT-2's
constexpr double kRmsNormEpsilon = 1e-5;    // Llama 2's

// The dims other than the last, for broadcasting per-row statistics back.
std::vector<int64_t> RowDims(size_t rank) {
  std::vector<int64_t> d;
  for (size_t i = 0; i + 1 < rank; ++i) d.push_back(static_cast<int64_t>(i));
  return d;
}

// f32 parameter of the last dim, broadcast to `shape`, kept in f32.
uint32_t Affine(ModelContext &m, const std::string &name, const std::vector<int64_t> &shape) {
  uint32_t p = m.e().Parameter(m.scope() + "." + name, {shape.back()}, DType::F32);
  return m.BroadcastTo(p, shape, {static_cast<int64_t>(shape.size()) - 1});
}

}  // namespace

// Each statement emits at most one op or tensor (argument evaluation order is unspecified
// in C++, and ids must not depend on the compiler).
uint32_t LayerNorm(ModelContext &m, uint32_t x) {
  OpEmitter &e = m.e();
  const uint32_t x32 = m.Cast(x, DType::F32);
  const std::vector<int64_t> shape = e.shape(x32);
  const int64_t last = static_cast<int64_t>(shape.size()) - 1;
  const uint32_t inv_n = m.Const(1.0 / static_cast<double>(shape.back()), DType::F32);
  const uint32_t mean = e.Mul(e.Reduce(OpKind::ReduceSum, x32, {last}), inv_n);
  const uint32_t centered = e.Sub(x32, m.BroadcastTo(mean, shape, RowDims(shape.size())));
  const uint32_t squares = e.Mul(centered, centered);
  const uint32_t var = e.Mul(e.Reduce(OpKind::ReduceSum, squares, {last}), inv_n);
  const uint32_t eps = m.Const(kLayerNormEpsilon, DType::F32);
  const uint32_t rstd = e.Unary(OpKind::Rsqrt, e.Add(var, eps));
  const uint32_t normed = e.Mul(centered, m.BroadcastTo(rstd, shape, RowDims(shape.size())));
  const uint32_t scaled = e.Mul(normed, Affine(m, "gain", shape));
  const uint32_t y = e.Add(scaled, Affine(m, "bias", shape));
  return m.Cast(y, m.compute());
}

uint32_t RmsNorm(ModelContext &m, uint32_t x) {
  OpEmitter &e = m.e();
  const uint32_t x32 = m.Cast(x, DType::F32);
  const std::vector<int64_t> shape = e.shape(x32);
  const int64_t last = static_cast<int64_t>(shape.size()) - 1;
  const uint32_t inv_n = m.Const(1.0 / static_cast<double>(shape.back()), DType::F32);
  const uint32_t squares = e.Mul(x32, x32);
  const uint32_t mean_sq = e.Mul(e.Reduce(OpKind::ReduceSum, squares, {last}), inv_n);
  const uint32_t eps = m.Const(kRmsNormEpsilon, DType::F32);
  const uint32_t rstd = e.Unary(OpKind::Rsqrt, e.Add(mean_sq, eps));
  const uint32_t normed = e.Mul(x32, m.BroadcastTo(rstd, shape, RowDims(shape.size())));
  const uint32_t scaled = e.Mul(normed, Affine(m, "gain", shape));
  return m.Cast(scaled, m.compute());
}

}  // namespace cfp
