#include "graph/gradient_rules.h"

#include <algorithm>

namespace cfp {

void GradientEmitter::BeginOp(uint32_t forward_id, const Op &forward_op) {
  e_.set_scope(forward_op.scope);
  e_.set_grad_of(static_cast<int32_t>(forward_id));
  e_.set_name_prefix((forward_op.name.empty() ? "op" + std::to_string(forward_id) : forward_op.name) + ".grad");
}

uint32_t GradientEmitter::Constant(double value, DType dtype) {
  auto key = std::make_tuple(e_.scope(), static_cast<int>(dtype), value);
  auto it = constants_.find(key);
  if (it != constants_.end()) return it->second;
  uint32_t t = e_.Constant(value, dtype);
  constants_.emplace(key, t);
  return t;
}

bool IsDifferentiableInput(const Op &op, size_t input) {
  switch (op.kind) {
    case OpKind::Compare: case OpKind::Iota: return false;
    case OpKind::Select: return input != 0;        // the predicate
    case OpKind::Gather: return input == 0;        // the table, not the indices
    case OpKind::ScatterAdd: return input == 1;    // the updates, not the indices
    default: return true;
  }
}

namespace {

// One rule application: the forward op, its space and the gradient of its output.
struct Rule {
  GradientEmitter &ge;
  OpEmitter &e;
  const Graph &g;
  const Op &op;
  const IterationSpace &space;
  uint32_t dy;

  uint32_t In(size_t i) const { return op.inputs[i]; }
  uint32_t Out() const { return op.outputs[0]; }
  const Tensor &T(uint32_t t) const { return e.tensor(t); }
  DType OutType() const { return g.tensor(Out()).dtype; }
  uint32_t K(double v, DType d) { return ge.Constant(v, d); }
  uint32_t K(double v) { return ge.Constant(v, OutType()); }
};

Status NoRule(const Rule &r, const std::string &why) {
  return Internal("no gradient rule for " + DescribeOp(r.g.ops(), static_cast<uint32_t>(&r.op - r.g.ops().data())) +
                  ": " + why);
}

// The single axis of every dim of an operand (contractions, elementwise results).
Result<std::vector<uint32_t>> SingleAxes(const Rule &r, uint32_t operand) {
  std::vector<uint32_t> axes;
  for (uint32_t d = 0; d < r.space.Rank(operand); ++d) {
    auto a = r.space.DimAxes(operand, d);
    if (a.size() != 1) return NoRule(r, "operand " + std::to_string(operand) + " dim " + std::to_string(d) + " is not one axis");
    axes.push_back(a[0]);
  }
  return axes;
}

int64_t Find(const std::vector<uint32_t> &v, uint32_t a) {
  auto it = std::find(v.begin(), v.end(), a);
  return it == v.end() ? -1 : static_cast<int64_t>(it - v.begin());
}

// A gradient laid out like the op's output, brought to the shape of input `i`: summed
// over the output axes the input lacks (broadcast dims, size-1 dims, rank 0), permuted
// into the input's axis order, reshaped to restore its size-1 dims.
Result<uint32_t> ReduceToInput(Rule &r, uint32_t grad, size_t i) {
  const uint32_t out = r.space.OutputOperand(0), in = r.space.InputOperand(static_cast<uint32_t>(i));
  CFP_ASSIGN_OR_RETURN(auto out_axes, SingleAxes(r, out));
  std::vector<int64_t> reduce;
  std::vector<uint32_t> kept;
  for (size_t d = 0; d < out_axes.size(); ++d) {
    if (r.space.OperandHasAxis(in, out_axes[d])) kept.push_back(out_axes[d]);
    else reduce.push_back(static_cast<int64_t>(d));
  }
  std::vector<uint32_t> in_order;
  for (uint32_t d = 0; d < r.space.Rank(in); ++d) {
    auto a = r.space.DimAxes(in, d);
    if (a.size() > 1) return NoRule(r, "input " + std::to_string(i) + " has a merged dim");
    if (a.size() == 1) in_order.push_back(a[0]);
  }
  uint32_t result = grad;
  if (!reduce.empty()) result = r.e.Reduce(OpKind::ReduceSum, result, reduce);
  if (in_order != kept) {
    std::vector<int64_t> perm;
    for (uint32_t a : in_order) perm.push_back(Find(kept, a));
    result = r.e.Transpose(result, perm);
  }
  const auto &target = r.g.tensor(r.In(i)).shape;
  if (r.T(result).shape != target) result = r.e.Reshape(result, target);
  return result;
}

// Gradient of contraction input `target` from the output gradient and the other input:
// a dot_general that keeps the axes shared by all three as batch axes and contracts the
// axes the target lacks. Of the two operand orders, the one whose result already has the
// target's dim order is used; otherwise a transpose follows.
Result<uint32_t> ContractionGradient(Rule &r, size_t target, size_t other) {
  const uint32_t out = r.space.OutputOperand(0);
  CFP_ASSIGN_OR_RETURN(auto A, SingleAxes(r, out));
  CFP_ASSIGN_OR_RETURN(auto B, SingleAxes(r, r.space.InputOperand(static_cast<uint32_t>(other))));
  CFP_ASSIGN_OR_RETURN(auto T, SingleAxes(r, r.space.InputOperand(static_cast<uint32_t>(target))));
  auto has = [](const std::vector<uint32_t> &v, uint32_t a) { return Find(v, a) >= 0; };
  uint32_t dy = r.dy;
  // Output axes that neither the other operand nor the target has are summed out first.
  std::vector<int64_t> only_out;
  std::vector<uint32_t> A2;
  for (size_t d = 0; d < A.size(); ++d) {
    if (!has(B, A[d]) && !has(T, A[d])) only_out.push_back(static_cast<int64_t>(d));
    else A2.push_back(A[d]);
  }
  if (!only_out.empty()) dy = r.e.Reduce(OpKind::ReduceSum, dy, only_out);
  for (uint32_t a : B)
    if (!has(A2, a) && !has(T, a)) return NoRule(r, "an axis of the other operand reaches neither output nor target");
  for (uint32_t a : T)
    if (!has(A2, a) && !has(B, a)) return NoRule(r, "an axis of the target reaches neither output nor other operand");

  std::vector<uint32_t> batch, contract;
  for (uint32_t a : T)
    if (has(A2, a) && has(B, a)) batch.push_back(a);
  for (uint32_t a : A2)
    if (has(B, a) && !has(T, a)) contract.push_back(a);
  struct Order {
    bool dy_first;
    std::vector<uint32_t> axes;
  };
  auto result_order = [&](bool dy_first) {
    const auto &L = dy_first ? A2 : B;
    const auto &R = dy_first ? B : A2;
    Order o{dy_first, batch};
    for (uint32_t a : L)
      if (!has(R, a)) o.axes.push_back(a);
    for (uint32_t a : R)
      if (!has(L, a)) o.axes.push_back(a);
    return o;
  };
  Order order = result_order(true);
  if (order.axes != T) {
    Order alt = result_order(false);
    if (alt.axes == T) order = alt;
  }
  const uint32_t other_t = r.In(other);
  const DType operand_type = r.T(other_t).dtype;
  if (r.T(dy).dtype != operand_type) dy = r.e.Convert(dy, operand_type);
  const uint32_t lhs = order.dy_first ? dy : other_t, rhs = order.dy_first ? other_t : dy;
  const auto &L = order.dy_first ? A2 : B;
  const auto &R = order.dy_first ? B : A2;
  std::vector<int64_t> lb, rb, lc, rc;
  for (uint32_t a : batch) {
    lb.push_back(Find(L, a));
    rb.push_back(Find(R, a));
  }
  for (uint32_t a : contract) {
    lc.push_back(Find(L, a));
    rc.push_back(Find(R, a));
  }
  uint32_t result = r.e.Dot(lhs, rhs, lb, rb, lc, rc, r.g.tensor(r.In(target)).dtype);
  if (order.axes != T) {
    std::vector<int64_t> perm;
    for (uint32_t a : T) perm.push_back(Find(order.axes, a));
    result = r.e.Transpose(result, perm);
  }
  return result;
}

// For reductions: broadcast dims mapping each output dim to its dim in the input.
Result<std::vector<int64_t>> OutputDimsInInput(const Rule &r) {
  CFP_ASSIGN_OR_RETURN(auto out_axes, SingleAxes(r, r.space.OutputOperand(0)));
  CFP_ASSIGN_OR_RETURN(auto in_axes, SingleAxes(r, r.space.InputOperand(0)));
  std::vector<int64_t> dims;
  for (uint32_t a : out_axes) dims.push_back(Find(in_axes, a));
  return dims;
}

// d/dx of unary elementwise ops. Every statement emits at most one op or constant, so
// ids do not depend on the compiler's order of evaluating arguments.
Result<uint32_t> UnaryGradient(Rule &r) {
  OpEmitter &e = r.e;
  const uint32_t x = r.In(0), y = r.Out(), dy = r.dy;
  switch (r.op.kind) {
    case OpKind::Abs: {
      const uint32_t zero = r.K(0);
      const uint32_t positive = e.Compare(x, zero, Comparison::GE);
      const uint32_t negated = e.Unary(OpKind::Neg, dy);
      return e.Select(positive, dy, negated);
    }
    case OpKind::Neg: return e.Unary(OpKind::Neg, dy);
    case OpKind::Exp: return e.Mul(dy, y);
    case OpKind::Log: return e.Div(dy, x);
    case OpKind::Sqrt: {  // 1 / (2 sqrt x)
      const uint32_t two = r.K(2);
      return e.Div(dy, e.Mul(y, two));
    }
    case OpKind::Rsqrt: {  // -x^(-3/2) / 2 = -y / (2x)
      const uint32_t half = r.K(-0.5);
      const uint32_t ratio = e.Div(y, x);
      return e.Mul(dy, e.Mul(ratio, half));
    }
    case OpKind::Tanh: {
      const uint32_t one = r.K(1);
      const uint32_t square = e.Mul(y, y);
      return e.Mul(dy, e.Sub(one, square));
    }
    case OpKind::Logistic: {
      const uint32_t one = r.K(1);
      return e.Mul(dy, e.Mul(y, e.Sub(one, y)));
    }
    case OpKind::Sin: return e.Mul(dy, e.Unary(OpKind::Cos, x));
    case OpKind::Cos: return e.Mul(dy, e.Unary(OpKind::Neg, e.Unary(OpKind::Sin, x)));
    case OpKind::Convert: return e.Convert(dy, r.T(x).dtype);
    case OpKind::Copy: return dy;
    default: return NoRule(r, "not a unary elementwise kind");
  }
}

Result<std::vector<uint32_t>> BinaryGradients(Rule &r, const std::vector<bool> &wanted) {
  OpEmitter &e = r.e;
  const uint32_t a = r.In(0), b = r.In(1), y = r.Out(), dy = r.dy;
  std::vector<uint32_t> full(2, kNoId);  // gradients laid out like the output
  switch (r.op.kind) {
    case OpKind::Add: full = {dy, dy}; break;
    case OpKind::Subtract: full = {dy, wanted[1] ? e.Unary(OpKind::Neg, dy) : kNoId}; break;
    case OpKind::Multiply:
      full = {wanted[0] ? e.Mul(dy, b) : kNoId, wanted[1] ? e.Mul(dy, a) : kNoId};
      break;
    case OpKind::Divide:  // d/da = 1/b, d/db = -a/b^2 = -y/b
      full = {wanted[0] ? e.Div(dy, b) : kNoId, wanted[1] ? e.Unary(OpKind::Neg, e.Div(e.Mul(dy, y), b)) : kNoId};
      break;
    case OpKind::Maximum:
    case OpKind::Minimum: {
      // The winner takes the gradient; ties go to the first operand.
      uint32_t mask = e.Compare(a, b, r.op.kind == OpKind::Maximum ? Comparison::GE : Comparison::LE);
      uint32_t zero = r.K(0);
      full = {wanted[0] ? e.Select(mask, dy, zero) : kNoId, wanted[1] ? e.Select(mask, zero, dy) : kNoId};
      break;
    }
    case OpKind::Power:  // d/da = b a^(b-1) = b y / a, d/db = y log a
      full = {wanted[0] ? e.Mul(dy, e.Div(e.Mul(b, y), a)) : kNoId,
              wanted[1] ? e.Mul(dy, e.Mul(y, e.Unary(OpKind::Log, a))) : kNoId};
      break;
    default: return NoRule(r, "not a binary elementwise kind");
  }
  std::vector<uint32_t> grads(2, kNoId);
  for (size_t i = 0; i < 2; ++i)
    if (wanted[i]) {
      CFP_ASSIGN_OR_RETURN(grads[i], ReduceToInput(r, full[i], i));
    }
  return grads;
}

Result<std::vector<uint32_t>> Gradients(Rule &r, const std::vector<bool> &wanted) {
  OpEmitter &e = r.e;
  const Op &op = r.op;
  const uint32_t x = op.inputs.empty() ? kNoId : r.In(0), dy = r.dy;
  const size_t n = op.inputs.size();
  std::vector<uint32_t> grads(n, kNoId);
  if (IsUnaryElementwise(op.kind)) {
    CFP_ASSIGN_OR_RETURN(grads[0], UnaryGradient(r));
    return grads;
  }
  if (IsBinaryElementwise(op.kind)) return BinaryGradients(r, wanted);
  switch (op.kind) {
    case OpKind::Select: {
      uint32_t zero = r.K(0);
      for (size_t i : {1, 2})
        if (wanted[i]) {
          uint32_t full = i == 1 ? e.Select(r.In(0), dy, zero) : e.Select(r.In(0), zero, dy);
          CFP_ASSIGN_OR_RETURN(grads[i], ReduceToInput(r, full, i));
        }
      return grads;
    }
    case OpKind::Broadcast: {
      CFP_ASSIGN_OR_RETURN(grads[0], ReduceToInput(r, dy, 0));
      return grads;
    }
    case OpKind::ReduceSum: {
      CFP_ASSIGN_OR_RETURN(auto dims, OutputDimsInInput(r));
      grads[0] = e.Broadcast(dy, r.T(x).shape, dims);
      return grads;
    }
    case OpKind::ReduceMax:
    case OpKind::ReduceMin: {
      // Every element equal to the extreme receives the gradient.
      CFP_ASSIGN_OR_RETURN(auto dims, OutputDimsInInput(r));
      const uint32_t extreme = e.Broadcast(r.Out(), r.T(x).shape, dims);
      const uint32_t mask = e.Compare(x, extreme, Comparison::EQ);
      const uint32_t spread = e.Broadcast(dy, r.T(x).shape, dims);
      const uint32_t zero = r.K(0);
      grads[0] = e.Select(mask, spread, zero);
      return grads;
    }
    case OpKind::Reshape: grads[0] = e.Reshape(dy, r.T(x).shape); return grads;
    case OpKind::Transpose: {
      std::vector<int64_t> inverse(op.attrs.dims.size());
      for (size_t i = 0; i < op.attrs.dims.size(); ++i) inverse[op.attrs.dims[i]] = static_cast<int64_t>(i);
      grads[0] = e.Transpose(dy, inverse);
      return grads;
    }
    case OpKind::Slice: {
      std::vector<int64_t> high;
      for (size_t d = 0; d < op.attrs.limits.size(); ++d) high.push_back(r.T(x).shape[d] - op.attrs.limits[d]);
      grads[0] = e.Pad(dy, op.attrs.starts, high, 0);
      return grads;
    }
    case OpKind::Pad: {
      std::vector<int64_t> limits;
      for (size_t d = 0; d < op.attrs.pad_low.size(); ++d) limits.push_back(op.attrs.pad_low[d] + r.T(x).shape[d]);
      grads[0] = e.Slice(dy, op.attrs.pad_low, limits);
      return grads;
    }
    case OpKind::Concatenate: {
      const auto axis = static_cast<size_t>(op.attrs.axis);
      int64_t offset = 0;
      for (size_t i = 0; i < n; ++i) {
        const std::vector<int64_t> shape = r.T(r.In(i)).shape;  // a copy: emitting grows the tensor list
        if (wanted[i]) {
          std::vector<int64_t> starts(shape.size(), 0), limits = shape;
          starts[axis] = offset;
          limits[axis] = offset + shape[axis];
          grads[i] = e.Slice(dy, starts, limits);
        }
        offset += shape[axis];
      }
      return grads;
    }
    case OpKind::Dot: {
      for (size_t i = 0; i < 2; ++i)
        if (wanted[i]) {
          CFP_ASSIGN_OR_RETURN(grads[i], ContractionGradient(r, i, 1 - i));
        }
      return grads;
    }
    case OpKind::Gather: grads[0] = e.ScatterAdd(r.In(1), dy, r.T(x).shape[0]); return grads;
    case OpKind::ScatterAdd: grads[1] = e.Gather(dy, r.In(0)); return grads;
    default: return NoRule(r, "the kind is not differentiable");
  }
}

}  // namespace

Result<std::vector<uint32_t>> InputGradients(GradientEmitter &ge, const Graph &forward, uint32_t id, uint32_t dy,
                                             const std::vector<bool> &wanted) {
  const Op &op = forward.op(id);
  if (op.outputs.size() != 1)
    return Internal("no gradient rule for " + DescribeOp(forward.ops(), id) + ": it has " +
                    std::to_string(op.outputs.size()) + " outputs");
  Rule r{ge, ge.e(), forward, op, forward.space(id), dy};
  CFP_ASSIGN_OR_RETURN(auto grads, Gradients(r, wanted));
  for (size_t i = 0; i < grads.size(); ++i)
    if (!wanted[i]) grads[i] = kNoId;
    else if (grads[i] == kNoId) return Internal("rule for " + DescribeOp(forward.ops(), id) + " gave no gradient for input " + std::to_string(i));
  return grads;
}

}  // namespace cfp
