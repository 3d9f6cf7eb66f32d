#include "graph/emitter.h"

#include <algorithm>

namespace cfp {

std::string OpEmitter::NextName(OpKind kind) {
  const std::string &prefix = name_prefix_.empty() ? scope_ : name_prefix_;
  std::string base = prefix.empty() ? std::string() : prefix + ".";
  return base + std::string(OpKindName(kind)) + "." + std::to_string(b_.num_ops());
}

uint32_t OpEmitter::Emit(OpKind kind, std::vector<uint32_t> inputs, std::vector<int64_t> shape, DType dtype,
                         OpAttrs attrs) {
  std::string name = NextName(kind);
  uint32_t out = b_.AddTensor(name, dtype, std::move(shape), result_role_);
  auto op = b_.AddOp(name, kind, std::move(inputs), {out});
  // Inputs were produced by this emitter, so ids are valid by construction.
  last_op_ = op.value();
  Op &o = b_.op(last_op_);
  o.attrs = std::move(attrs);
  o.scope = scope_;
  o.phase = phase_;
  o.grad_of = grad_of_;
  return out;
}

uint32_t OpEmitter::Input(const std::string &name, std::vector<int64_t> shape, DType dtype, TensorRole role) {
  return b_.AddTensor(name, dtype, std::move(shape), role);
}

uint32_t OpEmitter::Constant(double value, DType dtype) {
  uint32_t t = b_.AddTensor("const." + std::to_string(b_.num_tensors()), dtype, {}, TensorRole::Constant);
  b_.tensor(t).value = value;
  return t;
}

uint32_t OpEmitter::Unary(OpKind kind, uint32_t x) { return Emit(kind, {x}, shape(x), dtype(x)); }

uint32_t OpEmitter::Convert(uint32_t x, DType to) { return Emit(OpKind::Convert, {x}, shape(x), to); }

static std::vector<int64_t> BroadcastShapes(const std::vector<std::vector<int64_t>> &shapes) {
  std::vector<int64_t> out;
  for (const auto &s : shapes)
    if (s.size() > out.size()) out.assign(s.size(), 1);
  for (const auto &s : shapes)
    if (s.size() == out.size())
      for (size_t d = 0; d < s.size(); ++d) out[d] = std::max(out[d], s[d]);
  return out;
}

uint32_t OpEmitter::Binary(OpKind kind, uint32_t a, uint32_t b) {
  DType dt = tensor(a).shape.empty() && !tensor(b).shape.empty() ? dtype(b) : dtype(a);
  return Emit(kind, {a, b}, BroadcastShapes({shape(a), shape(b)}), dt);
}

uint32_t OpEmitter::Compare(uint32_t a, uint32_t b, Comparison c) {
  OpAttrs attrs;
  attrs.comparison = c;
  return Emit(OpKind::Compare, {a, b}, BroadcastShapes({shape(a), shape(b)}), DType::Bool, std::move(attrs));
}

uint32_t OpEmitter::Select(uint32_t pred, uint32_t on_true, uint32_t on_false) {
  return Emit(OpKind::Select, {pred, on_true, on_false}, BroadcastShapes({shape(pred), shape(on_true), shape(on_false)}),
              shape(on_true).empty() ? dtype(on_false) : dtype(on_true));
}

uint32_t OpEmitter::Broadcast(uint32_t x, std::vector<int64_t> out_shape, std::vector<int64_t> dims) {
  OpAttrs attrs;
  attrs.dims = std::move(dims);
  return Emit(OpKind::Broadcast, {x}, std::move(out_shape), dtype(x), std::move(attrs));
}

uint32_t OpEmitter::BroadcastScalar(uint32_t x, std::vector<int64_t> out_shape) {
  std::vector<int64_t> dims;
  for (size_t i = 0; i < shape(x).size(); ++i) dims.push_back(static_cast<int64_t>(i));
  return Broadcast(x, std::move(out_shape), std::move(dims));
}

uint32_t OpEmitter::Reshape(uint32_t x, std::vector<int64_t> s) { return Emit(OpKind::Reshape, {x}, std::move(s), dtype(x)); }

uint32_t OpEmitter::Transpose(uint32_t x, std::vector<int64_t> perm) {
  std::vector<int64_t> s;
  for (int64_t p : perm) s.push_back(p >= 0 && p < static_cast<int64_t>(shape(x).size()) ? shape(x)[p] : 1);
  OpAttrs attrs;
  attrs.dims = std::move(perm);
  return Emit(OpKind::Transpose, {x}, std::move(s), dtype(x), std::move(attrs));
}

uint32_t OpEmitter::Slice(uint32_t x, std::vector<int64_t> starts, std::vector<int64_t> limits) {
  std::vector<int64_t> s;
  for (size_t d = 0; d < starts.size() && d < limits.size(); ++d) s.push_back(limits[d] - starts[d]);
  OpAttrs attrs;
  attrs.starts = std::move(starts);
  attrs.limits = std::move(limits);
  return Emit(OpKind::Slice, {x}, std::move(s), dtype(x), std::move(attrs));
}

uint32_t OpEmitter::Pad(uint32_t x, std::vector<int64_t> low, std::vector<int64_t> high, double value) {
  std::vector<int64_t> s = shape(x);
  for (size_t d = 0; d < s.size() && d < low.size() && d < high.size(); ++d) s[d] += low[d] + high[d];
  OpAttrs attrs;
  attrs.pad_low = std::move(low);
  attrs.pad_high = std::move(high);
  attrs.pad_value = value;
  return Emit(OpKind::Pad, {x}, std::move(s), dtype(x), std::move(attrs));
}

uint32_t OpEmitter::Concatenate(const std::vector<uint32_t> &xs, int64_t axis) {
  std::vector<int64_t> s = shape(xs.at(0));
  s.at(axis) = 0;
  for (uint32_t x : xs) s[axis] += shape(x).at(axis);
  OpAttrs attrs;
  attrs.axis = axis;
  return Emit(OpKind::Concatenate, xs, std::move(s), dtype(xs[0]), std::move(attrs));
}

uint32_t OpEmitter::Iota(std::vector<int64_t> s, DType dt, int64_t axis) {
  OpAttrs attrs;
  attrs.axis = axis;
  return Emit(OpKind::Iota, {}, std::move(s), dt, std::move(attrs));
}

uint32_t OpEmitter::Reduce(OpKind kind, uint32_t x, std::vector<int64_t> dims) {
  std::vector<int64_t> s;
  for (size_t d = 0; d < shape(x).size(); ++d)
    if (std::find(dims.begin(), dims.end(), static_cast<int64_t>(d)) == dims.end()) s.push_back(shape(x)[d]);
  OpAttrs attrs;
  attrs.dims = std::move(dims);
  return Emit(kind, {x}, std::move(s), dtype(x), std::move(attrs));
}

uint32_t OpEmitter::Dot(uint32_t lhs, uint32_t rhs, std::vector<int64_t> lb, std::vector<int64_t> rb,
                        std::vector<int64_t> lc, std::vector<int64_t> rc, std::optional<DType> out) {
  const auto &ls = shape(lhs), &rs = shape(rhs);
  std::vector<int64_t> s;
  for (int64_t d : lb) s.push_back(d >= 0 && d < static_cast<int64_t>(ls.size()) ? ls[d] : 1);
  auto free_dims = [&](const std::vector<int64_t> &sh, const std::vector<int64_t> &batch, const std::vector<int64_t> &con) {
    for (size_t d = 0; d < sh.size(); ++d) {
      auto di = static_cast<int64_t>(d);
      if (std::find(batch.begin(), batch.end(), di) == batch.end() && std::find(con.begin(), con.end(), di) == con.end())
        s.push_back(sh[d]);
    }
  };
  free_dims(ls, lb, lc);
  free_dims(rs, rb, rc);
  OpAttrs attrs;
  attrs.lhs_batch = std::move(lb);
  attrs.rhs_batch = std::move(rb);
  attrs.lhs_contract = std::move(lc);
  attrs.rhs_contract = std::move(rc);
  return Emit(OpKind::Dot, {lhs, rhs}, std::move(s), out.value_or(dtype(lhs)), std::move(attrs));
}

uint32_t OpEmitter::MatMul(uint32_t x, uint32_t w) {
  int64_t k = static_cast<int64_t>(shape(x).size()) - 1;
  return Dot(x, w, {}, {}, {k}, {0});
}

uint32_t OpEmitter::Gather(uint32_t table, uint32_t ids) {
  std::vector<int64_t> s = shape(ids);
  s.insert(s.end(), shape(table).begin() + 1, shape(table).end());
  return Emit(OpKind::Gather, {table, ids}, std::move(s), dtype(table));
}

uint32_t OpEmitter::ScatterAdd(uint32_t ids, uint32_t updates, int64_t rows) {
  std::vector<int64_t> s{rows};
  s.insert(s.end(), shape(updates).begin() + static_cast<int64_t>(shape(ids).size()), shape(updates).end());
  return Emit(OpKind::ScatterAdd, {ids, updates}, std::move(s), dtype(updates));
}

std::vector<uint32_t> OpEmitter::Custom(const std::string &name, const std::vector<uint32_t> &inputs,
                                        const std::vector<std::pair<std::vector<int64_t>, DType>> &results,
                                        const std::string &einsum, double flops_per_point) {
  std::vector<uint32_t> outs;
  for (size_t i = 0; i < results.size(); ++i)
    outs.push_back(b_.AddTensor(name + ".out" + std::to_string(i), results[i].second, results[i].first, result_role_));
  last_op_ = b_.AddOp(name, OpKind::Custom, inputs, outs).value();
  Op &o = b_.op(last_op_);
  o.attrs.flops_per_point = flops_per_point;
  o.attrs.custom_name = name;
  o.scope = scope_;
  o.phase = phase_;
  o.grad_of = grad_of_;
  // A malformed spec leaves the op without a space; Finish then names the op.
  (void)b_.SetEinsum(last_op_, einsum);
  return outs;
}

}  // namespace cfp
