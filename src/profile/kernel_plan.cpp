#include "profile/kernel_plan.h"

#include <algorithm>
#include <numeric>

namespace cfp {
namespace {

std::vector<int64_t> DenseStrides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) s[d - 1] = s[d] * shape[d];
  return s;
}

int64_t Product(const std::vector<int64_t> &v) {
  return std::accumulate(v.begin(), v.end(), int64_t{1}, std::multiplies<>());
}

ComputeType ComputeFor(DType d) { return IsFloat(d) ? ComputeType::Float : ComputeType::Int; }

// A view under construction: strides for an iteration shape of any rank.
struct View {
  int32_t buffer = -1;
  DType dtype = DType::F32;
  int64_t offset = 0;
  std::vector<int64_t> stride;
};

class Lowering {
 public:
  explicit Lowering(const Graph &g) : g_(g) {}

  Result<KernelPlan> Run() {
    for (const Tensor &t : g_.tensors()) plan_.buffers.push_back({t.dtype, t.NumElements(), static_cast<int32_t>(&t - g_.tensors().data())});
    PlanInputs();
    for (uint32_t o : g_.topo_order()) {
      op_ = o;
      CFP_RETURN_IF_ERROR(LowerOp(g_.op(o)));
    }
    return std::move(plan_);
  }

 private:
  std::string Where() const { return DescribeOp(g_.ops(), op_); }

  View Dense(uint32_t tensor) const {
    const Tensor &t = g_.tensor(tensor);
    return {static_cast<int32_t>(tensor), t.dtype, 0, DenseStrides(t.shape)};
  }

  int32_t AddTemp(DType dtype, int64_t elements) {
    plan_.buffers.push_back({dtype, elements, -1});
    return static_cast<int32_t>(plan_.buffers.size() - 1);
  }

  Status Emit(MapStep::Op op, OpKind kind, ComputeType compute, std::vector<int64_t> shape, View out,
              std::vector<View> in, double fill_value = 0) {
    std::vector<int64_t *> strides{out.stride.data()};
    for (View &v : in) strides.push_back(v.stride.data());
    const int rank = CoalesceDims(static_cast<int>(shape.size()), shape.data(), strides);
    if (rank > kMaxKernelRank)
      return Unsupported(Where() + ": needs " + std::to_string(rank) +
                         " dims after merging contiguous ones; the profiler's kernels take at most " +
                         std::to_string(kMaxKernelRank));
    MapStep m;
    m.op = op;
    m.kind = kind;
    m.compute = compute;
    m.rank = rank;
    m.num_inputs = static_cast<int32_t>(in.size());
    m.fill_value = fill_value;
    m.count = 1;
    for (int d = 0; d < rank; ++d) {
      m.shape[d] = shape[d];
      m.count *= shape[d];
    }
    auto copy = [&](const View &v, StridedView &sv) {
      sv.buffer = v.buffer;
      sv.dtype = v.dtype;
      sv.offset = v.offset;
      for (int d = 0; d < rank; ++d) sv.stride[d] = v.stride[d];
    };
    copy(out, m.out);
    for (size_t i = 0; i < in.size(); ++i) copy(in[i], m.in[i]);
    if (op == MapStep::Op::Elementwise && kind == OpKind::Compare) m.comparison = g_.op(op_).attrs.comparison;
    plan_.steps.push_back({op_, m});
    return Status::Ok();
  }

  // The input's strides over the output's dims: equal dims step through it, size-1 dims
  // (and rank-0 operands) broadcast.
  View BroadcastingInput(uint32_t tensor, const std::vector<int64_t> &out_shape) const {
    View v = Dense(tensor);
    const Tensor &t = g_.tensor(tensor);
    std::vector<int64_t> stride(out_shape.size(), 0);
    if (!t.shape.empty())
      for (size_t d = 0; d < out_shape.size(); ++d) stride[d] = t.shape[d] == out_shape[d] ? v.stride[d] : 0;
    v.stride = stride;
    return v;
  }

  Status Elementwise(const Op &op) {
    const Tensor &out = g_.tensor(op.outputs[0]);
    const DType first = g_.tensor(op.inputs[0]).dtype;
    ComputeType compute = ComputeFor(out.dtype);
    if (op.kind == OpKind::Compare) compute = ComputeFor(first);
    if (op.kind == OpKind::Convert && out.dtype == DType::Bool) compute = ComputeFor(first);
    std::vector<View> in;
    for (uint32_t t : op.inputs) in.push_back(BroadcastingInput(t, out.shape));
    return Emit(MapStep::Op::Elementwise, op.kind, compute, out.shape, Dense(op.outputs[0]), std::move(in));
  }

  Status CopyWith(std::vector<int64_t> shape, View out, View in) {
    return Emit(MapStep::Op::Elementwise, OpKind::Copy, ComputeFor(in.dtype), std::move(shape), std::move(out), {std::move(in)});
  }

  Status Fill(uint32_t tensor, double value) {
    const Tensor &t = g_.tensor(tensor);
    return Emit(MapStep::Op::Fill, OpKind::Copy, ComputeFor(t.dtype), t.shape, Dense(tensor), {}, value);
  }

  Status Broadcast(const Op &op) {
    const Tensor &in = g_.tensor(op.inputs[0]), &out = g_.tensor(op.outputs[0]);
    View src = Dense(op.inputs[0]);
    std::vector<int64_t> stride(out.shape.size(), 0);
    for (size_t i = 0; i < op.attrs.dims.size(); ++i) {
      const auto d = static_cast<size_t>(op.attrs.dims[i]);
      stride[d] = in.shape[i] == out.shape[d] ? src.stride[i] : 0;
    }
    src.stride = stride;
    return CopyWith(out.shape, Dense(op.outputs[0]), src);
  }

  Status Reshape(const Op &op) {
    const Tensor &out = g_.tensor(op.outputs[0]);
    View src{static_cast<int32_t>(op.inputs[0]), g_.tensor(op.inputs[0]).dtype, 0, {1}};
    View dst{static_cast<int32_t>(op.outputs[0]), out.dtype, 0, {1}};
    return CopyWith({out.NumElements()}, dst, src);
  }

  Status Transpose(const Op &op) {
    const Tensor &out = g_.tensor(op.outputs[0]);
    View src = Dense(op.inputs[0]);
    std::vector<int64_t> stride;
    for (int64_t p : op.attrs.dims) stride.push_back(src.stride[static_cast<size_t>(p)]);
    src.stride = stride;
    return CopyWith(out.shape, Dense(op.outputs[0]), src);
  }

  Status Slice(const Op &op) {
    const Tensor &out = g_.tensor(op.outputs[0]);
    View src = Dense(op.inputs[0]);
    for (size_t d = 0; d < src.stride.size(); ++d) src.offset += op.attrs.starts[d] * src.stride[d];
    return CopyWith(out.shape, Dense(op.outputs[0]), src);
  }

  // Fill with the padding value, then copy the operand into the interior.
  Status Pad(const Op &op) {
    CFP_RETURN_IF_ERROR(Fill(op.outputs[0], op.attrs.pad_value));
    const Tensor &in = g_.tensor(op.inputs[0]);
    View dst = Dense(op.outputs[0]);
    for (size_t d = 0; d < dst.stride.size(); ++d) dst.offset += op.attrs.pad_low[d] * dst.stride[d];
    return CopyWith(in.shape, dst, Dense(op.inputs[0]));
  }

  Status Concatenate(const Op &op) {
    const auto axis = static_cast<size_t>(op.attrs.axis);
    int64_t at = 0;
    for (uint32_t t : op.inputs) {
      View dst = Dense(op.outputs[0]);
      dst.offset = at * dst.stride[axis];
      at += g_.tensor(t).shape[axis];
      CFP_RETURN_IF_ERROR(CopyWith(g_.tensor(t).shape, dst, Dense(t)));
    }
    return Status::Ok();
  }

  Status Iota(const Op &op) {
    const Tensor &out = g_.tensor(op.outputs[0]);
    const auto axis = static_cast<size_t>(op.attrs.axis);
    CFP_RETURN_IF_ERROR(Emit(MapStep::Op::Iota, OpKind::Iota, ComputeFor(out.dtype), {out.NumElements()},
                             View{static_cast<int32_t>(op.outputs[0]), out.dtype, 0, {1}}, {}));
    auto &m = std::get<MapStep>(plan_.steps.back().step);
    m.iota_modulus = out.shape[axis];
    m.iota_divisor = Product(std::vector<int64_t>(out.shape.begin() + static_cast<std::ptrdiff_t>(axis) + 1, out.shape.end()));
    return Status::Ok();
  }

  Status Reduce(const Op &op) {
    const Tensor &in = g_.tensor(op.inputs[0]);
    View src = Dense(op.inputs[0]);
    std::vector<bool> reduced(in.shape.size(), false);
    for (int64_t d : op.attrs.dims) reduced[static_cast<size_t>(d)] = true;
    std::vector<int64_t> kept_shape, kept_stride, red_shape, red_stride;
    for (size_t d = 0; d < in.shape.size(); ++d) {
      (reduced[d] ? red_shape : kept_shape).push_back(in.shape[d]);
      (reduced[d] ? red_stride : kept_stride).push_back(src.stride[d]);
    }
    std::vector<int64_t> out_stride = DenseStrides(kept_shape);
    const int out_rank = CoalesceDims(static_cast<int>(kept_shape.size()), kept_shape.data(), {kept_stride.data(), out_stride.data()});
    const int red_rank = CoalesceDims(static_cast<int>(red_shape.size()), red_shape.data(), {red_stride.data()});
    if (out_rank > kMaxKernelRank || red_rank > kMaxKernelRank)
      return Unsupported(Where() + ": has more than " + std::to_string(kMaxKernelRank) +
                         " kept or reduced dims after merging contiguous ones");
    ReduceStep r;
    r.kind = op.kind;
    r.compute = ComputeFor(in.dtype);
    r.out_rank = out_rank;
    r.red_rank = red_rank;
    r.in.buffer = static_cast<int32_t>(op.inputs[0]);
    r.in.dtype = in.dtype;
    r.out.buffer = static_cast<int32_t>(op.outputs[0]);
    r.out.dtype = g_.tensor(op.outputs[0]).dtype;
    for (int d = 0; d < out_rank; ++d) {
      r.out_shape[d] = kept_shape[d];
      r.in.stride[d] = kept_stride[d];
      r.out.stride[d] = out_stride[d];
      r.out_count *= kept_shape[d];
    }
    for (int d = 0; d < red_rank; ++d) {
      r.red_shape[d] = red_shape[d];
      r.red_stride[d] = red_stride[d];
      r.red_count *= red_shape[d];
    }
    plan_.steps.push_back({op_, r});
    return Status::Ok();
  }

  // True if the dims of `order` that are larger than 1 appear in increasing order, i.e.
  // the tensor laid out in `order` is the tensor as stored.
  bool IsStoredOrder(uint32_t tensor, const std::vector<int64_t> &order) const {
    const auto &shape = g_.tensor(tensor).shape;
    int64_t last = -1;
    for (int64_t d : order) {
      if (shape[static_cast<size_t>(d)] == 1) continue;
      if (d < last) return false;
      last = d;
    }
    return true;
  }

  // The buffer of `tensor` with its dims in `order`: the tensor itself when already so
  // laid out, else a transposed copy in a temporary.
  Result<int32_t> InOrder(uint32_t tensor, const std::vector<int64_t> &order) {
    if (IsStoredOrder(tensor, order)) return static_cast<int32_t>(tensor);
    const Tensor &t = g_.tensor(tensor);
    View src = Dense(tensor);
    std::vector<int64_t> shape, stride;
    for (int64_t d : order) {
      shape.push_back(t.shape[static_cast<size_t>(d)]);
      stride.push_back(src.stride[static_cast<size_t>(d)]);
    }
    src.stride = stride;
    const int32_t temp = AddTemp(t.dtype, t.NumElements());
    View dst{temp, t.dtype, 0, DenseStrides(shape)};
    CFP_RETURN_IF_ERROR(CopyWith(shape, dst, src));
    return temp;
  }

  // A GEMM operand read in `order` ([batch, rows, cols]): the tensor itself when stored
  // so, or stored in `swapped` order (cols before rows: the GEMM transposes it), else a
  // transposed copy in `order`.
  Status GemmOperand(uint32_t tensor, const std::vector<int64_t> &order, const std::vector<int64_t> &swapped,
                     int32_t &buffer, bool &is_swapped) {
    is_swapped = !IsStoredOrder(tensor, order) && IsStoredOrder(tensor, swapped);
    if (is_swapped) {
      buffer = static_cast<int32_t>(tensor);
      return Status::Ok();
    }
    CFP_ASSIGN_OR_RETURN(buffer, InOrder(tensor, order));
    return Status::Ok();
  }

  // dot_general as one strided-batched GEMM: each operand is used in place when its dims
  // already read as [batch, rows, cols] in either orientation, else transposed first.
  Status Dot(const Op &op) {
    const auto &a = op.attrs;
    const uint32_t lhs = op.inputs[0], rhs = op.inputs[1];
    const Tensor &lt = g_.tensor(lhs), &rt = g_.tensor(rhs);
    auto free_dims = [](const Tensor &t, const std::vector<int64_t> &batch, const std::vector<int64_t> &contract) {
      std::vector<int64_t> f;
      for (int64_t d = 0; d < static_cast<int64_t>(t.shape.size()); ++d)
        if (std::find(batch.begin(), batch.end(), d) == batch.end() &&
            std::find(contract.begin(), contract.end(), d) == contract.end())
          f.push_back(d);
      return f;
    };
    const auto lf = free_dims(lt, a.lhs_batch, a.lhs_contract);
    const auto rf = free_dims(rt, a.rhs_batch, a.rhs_contract);
    auto concat = [](std::vector<int64_t> x, const std::vector<int64_t> &y, const std::vector<int64_t> &z) {
      x.insert(x.end(), y.begin(), y.end());
      x.insert(x.end(), z.begin(), z.end());
      return x;
    };
    GemmStep s;
    auto size_of = [](const Tensor &t, const std::vector<int64_t> &dims) {
      int64_t p = 1;
      for (int64_t d : dims) p *= t.shape[static_cast<size_t>(d)];
      return p;
    };
    s.batch = size_of(lt, a.lhs_batch);
    s.m = size_of(lt, lf);
    s.k = size_of(lt, a.lhs_contract);
    s.n = size_of(rt, rf);
    CFP_RETURN_IF_ERROR(GemmOperand(lhs, concat(a.lhs_batch, lf, a.lhs_contract),
                                    concat(a.lhs_batch, a.lhs_contract, lf), s.lhs, s.lhs_km));
    CFP_RETURN_IF_ERROR(GemmOperand(rhs, concat(a.rhs_batch, a.rhs_contract, rf),
                                    concat(a.rhs_batch, rf, a.rhs_contract), s.rhs, s.rhs_nk));
    s.out = static_cast<int32_t>(op.outputs[0]);
    s.lhs_dtype = lt.dtype;
    s.rhs_dtype = rt.dtype;
    s.out_dtype = g_.tensor(op.outputs[0]).dtype;
    plan_.steps.push_back({op_, s});
    return Status::Ok();
  }

  // The rows of `table` (a gather's table, a scatter-add's output) that `ids` address.
  static IndexedRows RowsOf(const Tensor &table, const Tensor &ids) {
    IndexedRows r;
    r.dtype = table.dtype;
    r.ids_dtype = ids.dtype;
    r.rows = table.shape[0];
    r.row_len = table.NumElements() / table.shape[0];
    r.num_ids = ids.NumElements();
    return r;
  }

  Status Gather(const Op &op) {
    const Tensor &table = g_.tensor(op.inputs[0]), &ids = g_.tensor(op.inputs[1]);
    GatherStep s{RowsOf(table, ids)};
    s.table = static_cast<int32_t>(op.inputs[0]);
    s.ids = static_cast<int32_t>(op.inputs[1]);
    s.out = static_cast<int32_t>(op.outputs[0]);
    plan_.steps.push_back({op_, s});
    return Status::Ok();
  }

  Status ScatterAdd(const Op &op) {
    const Tensor &ids = g_.tensor(op.inputs[0]), &out = g_.tensor(op.outputs[0]);
    if (out.dtype == DType::F8E4M3 || out.dtype == DType::Bool)
      return Unsupported(Where() + ": scatter-add of " + std::string(DTypeName(out.dtype)) +
                         " has no atomic add on the GPU");
    CFP_RETURN_IF_ERROR(Fill(op.outputs[0], 0));
    ScatterAddStep s{RowsOf(out, ids)};
    s.ids = static_cast<int32_t>(op.inputs[0]);
    s.updates = static_cast<int32_t>(op.inputs[1]);
    s.out = static_cast<int32_t>(op.outputs[0]);
    plan_.steps.push_back({op_, s});
    return Status::Ok();
  }

  Status LowerOp(const Op &op) {
    if (IsElementwise(op.kind)) return Elementwise(op);
    switch (op.kind) {
      case OpKind::Broadcast: return Broadcast(op);
      case OpKind::Reshape: return Reshape(op);
      case OpKind::Transpose: return Transpose(op);
      case OpKind::Slice: return Slice(op);
      case OpKind::Pad: return Pad(op);
      case OpKind::Concatenate: return Concatenate(op);
      case OpKind::Iota: return Iota(op);
      case OpKind::ReduceSum:
      case OpKind::ReduceMax:
      case OpKind::ReduceMin: return Reduce(op);
      case OpKind::Dot: return Dot(op);
      case OpKind::Gather: return Gather(op);
      case OpKind::ScatterAdd: return ScatterAdd(op);
      case OpKind::Custom:
        return Unsupported(Where() + ": a custom op has no kernel to profile; its block needs the analytic model");
      default: return Unsupported(Where() + ": no kernel for this kind");
    }
  }

  // Inputs: rank-0 constants keep their value; integer inputs that index a table stay
  // within its rows; everything else is random and non-zero.
  void PlanInputs() {
    for (uint32_t t = 0; t < g_.num_tensors(); ++t) {
      if (g_.producer(t) != kNoId) continue;
      const Tensor &tensor = g_.tensor(t);
      InputFill fill;
      fill.tensor = t;
      if (tensor.role == TensorRole::Constant && tensor.shape.empty()) {
        fill.kind = InputFill::Kind::Value;
        fill.value = tensor.value;
      }
      int64_t rows_limit = -1;  // the fewest rows among the tables it indexes
      for (uint32_t c : g_.consumers(t)) {
        const Op &op = g_.op(c);
        int64_t rows = -1;
        if (op.kind == OpKind::Gather && op.inputs[1] == t) rows = g_.tensor(op.inputs[0]).shape[0];
        if (op.kind == OpKind::ScatterAdd && op.inputs[0] == t) rows = g_.tensor(op.outputs[0]).shape[0];
        if (rows > 0) rows_limit = rows_limit < 0 ? rows : std::min(rows_limit, rows);
      }
      if (rows_limit > 0) {
        fill.index_lo = 0;
        fill.index_hi = rows_limit;
      }
      plan_.inputs.push_back(fill);
    }
  }

  const Graph &g_;
  KernelPlan plan_;
  uint32_t op_ = 0;
};

}  // namespace

int CoalesceDims(int rank, int64_t *shape, std::vector<int64_t *> views) {
  int out = 0;
  for (int d = 0; d < rank; ++d) {
    if (shape[d] == 1) continue;
    bool merge = out > 0;
    for (int64_t *s : views) merge = merge && s[out - 1] == s[d] * shape[d];
    if (merge) {
      shape[out - 1] *= shape[d];
      for (int64_t *s : views) s[out - 1] = s[d];
    } else {
      shape[out] = shape[d];
      for (int64_t *s : views) s[out] = s[d];
      ++out;
    }
  }
  return out;
}

Result<KernelPlan> LowerToKernels(const Graph &program) { return Lowering(program).Run(); }

}  // namespace cfp
