#include "support/reference_eval.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace cfp_test {
namespace {

using cfp::OpKind;
using cfp::Tensor;
using Shape = std::vector<int64_t>;
using Values = std::vector<double>;

std::vector<int64_t> Strides(const Shape &shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) s[d - 1] = s[d] * shape[d];
  return s;
}

int64_t Count(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// Calls f(index, flat) for every multi-index of `shape` in row-major order.
template <class F>
void ForEachIndex(const Shape &shape, F &&f) {
  const int64_t n = Count(shape);
  std::vector<int64_t> idx(shape.size(), 0);
  for (int64_t flat = 0; flat < n; ++flat) {
    f(idx, flat);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

double CastTo(cfp::DType dt, double v) {
  switch (dt) {
    case cfp::DType::I32: case cfp::DType::I64: return std::trunc(v);
    case cfp::DType::Bool: return v != 0 ? 1.0 : 0.0;
    default: return v;
  }
}

double Unary(OpKind k, double x) {
  switch (k) {
    case OpKind::Abs: return std::fabs(x);
    case OpKind::Neg: return -x;
    case OpKind::Exp: return std::exp(x);
    case OpKind::Log: return std::log(x);
    case OpKind::Sqrt: return std::sqrt(x);
    case OpKind::Rsqrt: return 1 / std::sqrt(x);
    case OpKind::Tanh: return std::tanh(x);
    case OpKind::Logistic: return 1 / (1 + std::exp(-x));
    case OpKind::Sin: return std::sin(x);
    case OpKind::Cos: return std::cos(x);
    case OpKind::Convert: case OpKind::Copy: return x;
    default: throw std::runtime_error("not a unary kind");
  }
}

double Binary(const cfp::Op &op, double a, double b, bool integer) {
  switch (op.kind) {
    case OpKind::Add: return a + b;
    case OpKind::Subtract: return a - b;
    case OpKind::Multiply: return a * b;
    case OpKind::Divide: return integer ? std::trunc(a / b) : a / b;
    case OpKind::Maximum: return std::max(a, b);
    case OpKind::Minimum: return std::min(a, b);
    case OpKind::Power: return std::pow(a, b);
    case OpKind::Compare:
      switch (op.attrs.comparison) {
        case cfp::Comparison::EQ: return a == b;
        case cfp::Comparison::NE: return a != b;
        case cfp::Comparison::LT: return a < b;
        case cfp::Comparison::LE: return a <= b;
        case cfp::Comparison::GT: return a > b;
        case cfp::Comparison::GE: return a >= b;
      }
      break;
    default: break;
  }
  throw std::runtime_error("not a binary kind");
}

// Flat index into an elementwise operand (rank 0, or size-1 dims broadcast).
int64_t BroadcastIndex(const Tensor &t, const std::vector<int64_t> &strides, const std::vector<int64_t> &idx) {
  int64_t flat = 0;
  for (size_t d = 0; d < t.shape.size(); ++d)
    if (t.shape[d] != 1) flat += idx[d] * strides[d];
  return flat;
}

Values Elementwise(const cfp::Graph &g, const cfp::Op &op, const std::vector<const Values *> &in, const Tensor &out) {
  std::vector<std::vector<int64_t>> strides;
  for (uint32_t t : op.inputs) strides.push_back(Strides(g.tensor(t).shape));
  const bool integer = !cfp::IsFloat(g.tensor(op.inputs[0]).dtype);
  Values r(static_cast<size_t>(Count(out.shape)));
  ForEachIndex(out.shape, [&](const std::vector<int64_t> &idx, int64_t flat) {
    double v[3];
    for (size_t i = 0; i < op.inputs.size(); ++i) v[i] = (*in[i])[BroadcastIndex(g.tensor(op.inputs[i]), strides[i], idx)];
    double result;
    if (cfp::IsUnaryElementwise(op.kind)) result = Unary(op.kind, v[0]);
    else if (op.kind == OpKind::Select) result = v[0] != 0 ? v[1] : v[2];
    else result = Binary(op, v[0], v[1], integer);
    r[flat] = result;
  });
  return r;
}

Values Dot(const cfp::Op &op, const Tensor &lhs, const Tensor &rhs, const Values &l, const Values &rv, const Tensor &out) {
  const auto &a = op.attrs;
  auto free_dims = [](const Shape &shape, const std::vector<int64_t> &batch, const std::vector<int64_t> &contract) {
    std::vector<int64_t> f;
    for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
      if (std::find(batch.begin(), batch.end(), d) == batch.end() &&
          std::find(contract.begin(), contract.end(), d) == contract.end())
        f.push_back(d);
    return f;
  };
  const auto lfree = free_dims(lhs.shape, a.lhs_batch, a.lhs_contract);
  const auto rfree = free_dims(rhs.shape, a.rhs_batch, a.rhs_contract);
  const auto ls = Strides(lhs.shape), rs = Strides(rhs.shape);
  Shape contract_shape;
  for (int64_t d : a.lhs_contract) contract_shape.push_back(lhs.shape[d]);
  Values r(static_cast<size_t>(Count(out.shape)), 0.0);
  ForEachIndex(out.shape, [&](const std::vector<int64_t> &idx, int64_t flat) {
    int64_t lbase = 0, rbase = 0;
    size_t k = 0;
    for (size_t i = 0; i < a.lhs_batch.size(); ++i, ++k) {
      lbase += idx[k] * ls[a.lhs_batch[i]];
      rbase += idx[k] * rs[a.rhs_batch[i]];
    }
    for (int64_t d : lfree) lbase += idx[k++] * ls[d];
    for (int64_t d : rfree) rbase += idx[k++] * rs[d];
    double sum = 0;
    ForEachIndex(contract_shape, [&](const std::vector<int64_t> &c, int64_t) {
      int64_t lo = lbase, ro = rbase;
      for (size_t i = 0; i < c.size(); ++i) {
        lo += c[i] * ls[a.lhs_contract[i]];
        ro += c[i] * rs[a.rhs_contract[i]];
      }
      sum += l[lo] * rv[ro];
    });
    r[flat] = sum;
  });
  return r;
}

int64_t Row(double id, int64_t rows, const std::string &what) {
  if (id < 0 || id >= static_cast<double>(rows))
    throw std::runtime_error(what + ": index " + std::to_string(id) + " is outside [0, " + std::to_string(rows) + ")");
  return static_cast<int64_t>(id);
}

Values EvaluateOp(const cfp::Graph &g, uint32_t o, const std::vector<Values> &vals) {
  const cfp::Op &op = g.op(o);
  const std::string where = cfp::DescribeOp(g.ops(), o);
  std::vector<const Values *> in;
  for (uint32_t t : op.inputs) in.push_back(&vals[t]);
  const Tensor &out = g.tensor(op.outputs.at(0));
  const auto osize = static_cast<size_t>(Count(out.shape));
  if (cfp::IsElementwise(op.kind)) return Elementwise(g, op, in, out);
  const Tensor *x = op.inputs.empty() ? nullptr : &g.tensor(op.inputs[0]);
  switch (op.kind) {
    case OpKind::Broadcast: {
      const auto xs = Strides(x->shape);
      Values r(osize);
      ForEachIndex(out.shape, [&](const std::vector<int64_t> &idx, int64_t flat) {
        int64_t src = 0;
        for (size_t i = 0; i < op.attrs.dims.size(); ++i)
          if (x->shape[i] != 1) src += idx[op.attrs.dims[i]] * xs[i];
        r[flat] = (*in[0])[src];
      });
      return r;
    }
    case OpKind::Reshape: return *in[0];
    case OpKind::Transpose: {
      const auto xs = Strides(x->shape);
      Values r(osize);
      ForEachIndex(out.shape, [&](const std::vector<int64_t> &idx, int64_t flat) {
        int64_t src = 0;
        for (size_t i = 0; i < idx.size(); ++i) src += idx[i] * xs[op.attrs.dims[i]];
        r[flat] = (*in[0])[src];
      });
      return r;
    }
    case OpKind::Slice: {
      const auto xs = Strides(x->shape);
      Values r(osize);
      ForEachIndex(out.shape, [&](const std::vector<int64_t> &idx, int64_t flat) {
        int64_t src = 0;
        for (size_t d = 0; d < idx.size(); ++d) src += (idx[d] + op.attrs.starts[d]) * xs[d];
        r[flat] = (*in[0])[src];
      });
      return r;
    }
    case OpKind::Pad: {
      const auto os = Strides(out.shape);
      Values r(osize, op.attrs.pad_value);
      ForEachIndex(x->shape, [&](const std::vector<int64_t> &idx, int64_t flat) {
        int64_t dst = 0;
        for (size_t d = 0; d < idx.size(); ++d) dst += (idx[d] + op.attrs.pad_low[d]) * os[d];
        r[dst] = (*in[0])[flat];
      });
      return r;
    }
    case OpKind::Concatenate: {
      const auto os = Strides(out.shape);
      const auto axis = static_cast<size_t>(op.attrs.axis);
      Values r(osize);
      int64_t offset = 0;
      for (size_t i = 0; i < op.inputs.size(); ++i) {
        const Tensor &t = g.tensor(op.inputs[i]);
        ForEachIndex(t.shape, [&](const std::vector<int64_t> &idx, int64_t flat) {
          int64_t dst = 0;
          for (size_t d = 0; d < idx.size(); ++d) dst += (idx[d] + (d == axis ? offset : 0)) * os[d];
          r[dst] = (*in[i])[flat];
        });
        offset += t.shape[axis];
      }
      return r;
    }
    case OpKind::Iota: {
      Values r(osize);
      ForEachIndex(out.shape, [&](const std::vector<int64_t> &idx, int64_t flat) {
        r[flat] = static_cast<double>(idx[static_cast<size_t>(op.attrs.axis)]);
      });
      return r;
    }
    case OpKind::ReduceSum: case OpKind::ReduceMax: case OpKind::ReduceMin: {
      const double init = op.kind == OpKind::ReduceSum ? 0.0
                          : op.kind == OpKind::ReduceMax ? -std::numeric_limits<double>::infinity()
                                                         : std::numeric_limits<double>::infinity();
      std::vector<bool> reduced(x->shape.size(), false);
      for (int64_t d : op.attrs.dims) reduced[static_cast<size_t>(d)] = true;
      const auto os = Strides(out.shape);
      Values r(osize, init);
      ForEachIndex(x->shape, [&](const std::vector<int64_t> &idx, int64_t flat) {
        int64_t dst = 0;
        size_t k = 0;
        for (size_t d = 0; d < idx.size(); ++d)
          if (!reduced[d]) dst += idx[d] * os[k++];
        double v = (*in[0])[flat];
        if (op.kind == OpKind::ReduceSum) r[dst] += v;
        else if (op.kind == OpKind::ReduceMax) r[dst] = std::max(r[dst], v);
        else r[dst] = std::min(r[dst], v);
      });
      return r;
    }
    case OpKind::Dot: return Dot(op, *x, g.tensor(op.inputs[1]), *in[0], *in[1], out);
    case OpKind::Gather: {
      const Tensor &ids = g.tensor(op.inputs[1]);
      const int64_t row = Count(Shape(x->shape.begin() + 1, x->shape.end()));
      Values r(osize);
      for (int64_t p = 0; p < Count(ids.shape); ++p) {
        int64_t src = Row((*in[1])[p], x->shape[0], where);
        for (int64_t j = 0; j < row; ++j) r[p * row + j] = (*in[0])[src * row + j];
      }
      return r;
    }
    case OpKind::ScatterAdd: {
      const Tensor &ids = *x;
      const int64_t row = Count(Shape(out.shape.begin() + 1, out.shape.end()));
      Values r(osize, 0.0);
      for (int64_t p = 0; p < Count(ids.shape); ++p) {
        int64_t dst = Row((*in[0])[p], out.shape[0], where);
        for (int64_t j = 0; j < row; ++j) r[dst * row + j] += (*in[1])[p * row + j];
      }
      return r;
    }
    default: throw std::runtime_error(where + ": the reference evaluator has no semantics for this kind");
  }
}

}  // namespace

std::vector<std::vector<double>> EvaluateGraph(const cfp::Graph &graph,
                                               const std::map<uint32_t, std::vector<double>> &inputs) {
  std::vector<Values> vals(graph.num_tensors());
  for (uint32_t t = 0; t < graph.num_tensors(); ++t) {
    if (graph.producer(t) != cfp::kNoId) continue;
    const Tensor &tensor = graph.tensor(t);
    const auto n = static_cast<size_t>(Count(tensor.shape));
    auto it = inputs.find(t);
    if (it != inputs.end()) {
      if (it->second.size() != n)
        throw std::runtime_error(cfp::DescribeTensor(graph.tensors(), t) + ": input has " + std::to_string(it->second.size()) +
                                 " values, the tensor " + std::to_string(n));
      vals[t] = it->second;
    } else if (tensor.role == cfp::TensorRole::Constant) {
      vals[t].assign(n, tensor.value);
    } else {
      throw std::runtime_error(cfp::DescribeTensor(graph.tensors(), t) + " is a graph input without a value");
    }
  }
  for (uint32_t o : graph.topo_order()) {
    const cfp::Op &op = graph.op(o);
    if (op.kind == OpKind::Custom)
      throw std::runtime_error(cfp::DescribeOp(graph.ops(), o) + ": custom ops cannot be evaluated");
    Values r = EvaluateOp(graph, o, vals);
    const cfp::DType dt = graph.tensor(op.outputs[0]).dtype;
    if (!cfp::IsFloat(dt))
      for (double &v : r) v = CastTo(dt, v);
    vals[op.outputs[0]] = std::move(r);
  }
  return vals;
}

}  // namespace cfp_test
