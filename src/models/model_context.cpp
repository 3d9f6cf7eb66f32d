#include "models/model_context.h"

namespace cfp {

void ModelContext::SetScope(std::string scope) {
  if (scope != e_.scope()) constants_.clear();
  e_.set_scope(std::move(scope));
}

uint32_t ModelContext::Weight(const std::string &name, std::vector<int64_t> shape) {
  return Use(e_.Parameter(scope() + "." + name, std::move(shape), DType::F32));
}

uint32_t ModelContext::Use(uint32_t parameter) { return Cast(parameter, compute()); }

uint32_t ModelContext::Const(double value, DType dtype) {
  auto key = std::make_pair(static_cast<int>(dtype), value);
  auto it = constants_.find(key);
  if (it != constants_.end()) return it->second;
  uint32_t t = e_.Constant(value, dtype);
  constants_.emplace(key, t);
  return t;
}

uint32_t ModelContext::Cast(uint32_t x, DType dt) { return e_.dtype(x) == dt ? x : e_.Convert(x, dt); }

uint32_t ModelContext::Linear(uint32_t x, const std::string &name, int64_t out, bool bias) {
  const int64_t in = e_.shape(x).back();
  uint32_t y = e_.MatMul(x, Weight(name, {in, out}));
  if (!bias) return y;
  const std::vector<int64_t> shape = e_.shape(y);
  uint32_t b = Weight("b" + name.substr(1), {out});  // w_in -> b_in, wq -> bq
  return e_.Add(y, BroadcastTo(b, shape, {static_cast<int64_t>(shape.size()) - 1}));
}

uint32_t ModelContext::BroadcastTo(uint32_t v, const std::vector<int64_t> &shape, std::vector<int64_t> dims) {
  return e_.Broadcast(v, shape, std::move(dims));
}

uint32_t ModelContext::SoftmaxF32(uint32_t logits) {
  const uint32_t x = Cast(logits, DType::F32);
  const std::vector<int64_t> shape = e_.shape(x);
  const int64_t last = static_cast<int64_t>(shape.size()) - 1;
  std::vector<int64_t> kept;
  for (int64_t d = 0; d < last; ++d) kept.push_back(d);
  // Subtracting the row maximum keeps exp in range (as every framework's softmax does).
  const uint32_t max = e_.Reduce(OpKind::ReduceMax, x, {last});
  const uint32_t ex = e_.Unary(OpKind::Exp, e_.Sub(x, BroadcastTo(max, shape, kept)));
  const uint32_t sum = e_.Reduce(OpKind::ReduceSum, ex, {last});
  return e_.Div(ex, BroadcastTo(sum, shape, kept));
}

}  // namespace cfp
