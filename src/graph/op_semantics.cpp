#include "graph/op_semantics.h"

#include <algorithm>
#include <numeric>
#include <set>

namespace cfp {
namespace {

using Dims = std::vector<std::vector<uint32_t>>;

std::string Shape(const Tensor &t) { return ShapeString(t.shape); }

Status Err(const std::string &m) { return InvalidGraph(m); }

Status ExpectArity(const Op &op, size_t n_in, size_t n_out, const std::vector<const Tensor *> &in,
                   const std::vector<const Tensor *> &out) {
  if (in.size() != n_in)
    return Err("takes " + std::to_string(n_in) + " input(s), got " + std::to_string(in.size()));
  if (out.size() != n_out)
    return Err("produces " + std::to_string(n_out) + " output(s), got " + std::to_string(out.size()));
  (void)op;
  return Status::Ok();
}

Status ExpectSameDType(const Tensor &a, const Tensor &b, const char *what) {
  if (a.dtype != b.dtype)
    return Err(std::string(what) + " dtype " + std::string(DTypeName(b.dtype)) + " differs from " +
               std::string(DTypeName(a.dtype)));
  return Status::Ok();
}

// Checks that `v` holds distinct dims in [0, rank).
Status ExpectDimList(const std::vector<int64_t> &v, size_t rank, const char *attr) {
  std::set<int64_t> seen;
  for (int64_t d : v) {
    if (d < 0 || d >= static_cast<int64_t>(rank))
      return Err(std::string(attr) + " names dim " + std::to_string(d) + " of a rank-" + std::to_string(rank) +
                 " operand");
    if (!seen.insert(d).second) return Err(std::string(attr) + " names dim " + std::to_string(d) + " twice");
  }
  return Status::Ok();
}

// One parallel axis per dim of `shape`, in order.
std::vector<uint32_t> AxesForShape(IterationSpace &s, const std::vector<int64_t> &shape) {
  std::vector<uint32_t> axes;
  for (int64_t d : shape) axes.push_back(s.AddAxis(d, AxisKind::Parallel));
  return axes;
}

Dims Identity(const std::vector<uint32_t> &axes) {
  Dims dims;
  for (uint32_t a : axes) dims.push_back({a});
  return dims;
}

// Elementwise ops: operands have the output's rank (dims equal or 1) or rank 0.
Result<IterationSpace> Elementwise(const Op &op, const std::vector<const Tensor *> &in,
                                   const std::vector<const Tensor *> &out) {
  const OpKind k = op.kind;
  size_t arity = IsUnaryElementwise(k) ? 1 : (k == OpKind::Select ? 3 : 2);
  CFP_RETURN_IF_ERROR(ExpectArity(op, arity, 1, in, out));
  const Tensor &o = *out[0];
  const bool math = k == OpKind::Exp || k == OpKind::Log || k == OpKind::Sqrt || k == OpKind::Rsqrt ||
                    k == OpKind::Tanh || k == OpKind::Logistic || k == OpKind::Sin || k == OpKind::Cos ||
                    k == OpKind::Divide || k == OpKind::Power;
  if (k == OpKind::Convert) {
    // any dtype to any dtype
  } else if (k == OpKind::Compare) {
    if (o.dtype != DType::Bool) return Err("result must be bool, is " + std::string(DTypeName(o.dtype)));
    CFP_RETURN_IF_ERROR(ExpectSameDType(*in[0], *in[1], "second operand"));
  } else if (k == OpKind::Select) {
    if (in[0]->dtype != DType::Bool) return Err("predicate must be bool, is " + std::string(DTypeName(in[0]->dtype)));
    CFP_RETURN_IF_ERROR(ExpectSameDType(o, *in[1], "on_true operand"));
    CFP_RETURN_IF_ERROR(ExpectSameDType(o, *in[2], "on_false operand"));
  } else {
    for (size_t i = 0; i < in.size(); ++i) CFP_RETURN_IF_ERROR(ExpectSameDType(o, *in[i], "operand"));
    if (math && !IsFloat(o.dtype)) return Err("needs a floating-point dtype, got " + std::string(DTypeName(o.dtype)));
  }
  const size_t rank = o.shape.size();
  for (size_t i = 0; i < in.size(); ++i) {
    const Tensor &t = *in[i];
    if (t.shape.empty()) continue;
    if (t.shape.size() != rank)
      return Err("operand " + std::to_string(i) + " shape " + Shape(t) + " does not broadcast to result " + Shape(o));
    for (size_t d = 0; d < rank; ++d)
      if (t.shape[d] != o.shape[d] && t.shape[d] != 1)
        return Err("operand " + std::to_string(i) + " shape " + Shape(t) + " does not match result " + Shape(o));
  }
  for (size_t d = 0; d < rank; ++d) {
    bool reached = false;
    for (const Tensor *t : in) reached |= !t->shape.empty() && t->shape[d] == o.shape[d];
    if (!reached && o.shape[d] != 1)
      return Err("result dim " + std::to_string(d) + " of " + Shape(o) + " matches no operand");
  }
  IterationSpace s;
  auto axes = AxesForShape(s, o.shape);
  s.SetInputCount(static_cast<uint32_t>(in.size()));
  for (const Tensor *t : in) {
    Dims dims;
    for (size_t d = 0; d < t->shape.size(); ++d)
      dims.push_back(t->shape[d] == o.shape[d] ? std::vector<uint32_t>{axes[d]} : std::vector<uint32_t>{});
    s.AddOperand(dims);
  }
  s.AddOperand(Identity(axes));
  return s;
}

Result<IterationSpace> Broadcast(const Op &op, const Tensor &in, const Tensor &out) {
  CFP_RETURN_IF_ERROR(ExpectSameDType(out, in, "operand"));
  const auto &dims = op.attrs.dims;
  if (dims.size() != in.shape.size())
    return Err("dims has " + std::to_string(dims.size()) + " entries for a rank-" + std::to_string(in.shape.size()) +
               " operand");
  CFP_RETURN_IF_ERROR(ExpectDimList(dims, out.shape.size(), "dims"));
  for (size_t i = 0; i < dims.size(); ++i)
    if (in.shape[i] != out.shape[dims[i]] && in.shape[i] != 1)
      return Err("operand dim " + std::to_string(i) + " (" + std::to_string(in.shape[i]) + ") does not match result dim " +
                 std::to_string(dims[i]) + " (" + std::to_string(out.shape[dims[i]]) + ")");
  IterationSpace s;
  auto axes = AxesForShape(s, out.shape);
  s.SetInputCount(1);
  Dims in_dims;
  for (size_t i = 0; i < dims.size(); ++i)
    in_dims.push_back(in.shape[i] == out.shape[dims[i]] ? std::vector<uint32_t>{axes[dims[i]]} : std::vector<uint32_t>{});
  s.AddOperand(in_dims);
  s.AddOperand(Identity(axes));
  return s;
}

// Reshape: the common refinement of both shapes. Within a group of dims whose products
// agree, the cumulative products of both sides are the candidate axis boundaries; if each
// divides the next the group refines into shared axes, otherwise its dims get axes of
// their own that are never split.
Result<IterationSpace> Reshape(const Tensor &in, const Tensor &out) {
  if (in.NumElements() != out.NumElements())
    return Err("cannot reshape " + Shape(in) + " (" + std::to_string(in.NumElements()) + " elements) to " + Shape(out) +
               " (" + std::to_string(out.NumElements()) + ")");
  CFP_RETURN_IF_ERROR(ExpectSameDType(out, in, "operand"));
  IterationSpace s;
  s.SetInputCount(1);
  Dims in_dims(in.shape.size()), out_dims(out.shape.size());
  size_t i = 0, j = 0;
  const size_t ni = in.shape.size(), no = out.shape.size();
  while (i < ni || j < no) {
    // Size-1 dims are made of no axes.
    if (i < ni && in.shape[i] == 1) { ++i; continue; }
    if (j < no && out.shape[j] == 1) { ++j; continue; }
    // Grow a group until both sides' products agree.
    size_t i0 = i, j0 = j;
    int64_t pi = in.shape[i++], po = out.shape[j++];
    while (pi != po) {
      if (pi < po) pi *= in.shape[i++];
      else po *= out.shape[j++];
    }
    std::vector<int64_t> bounds;
    int64_t c = 1;
    for (size_t a = i0; a < i; ++a) bounds.push_back(c *= in.shape[a]);
    c = 1;
    for (size_t b = j0; b < j; ++b) bounds.push_back(c *= out.shape[b]);
    std::sort(bounds.begin(), bounds.end());
    bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
    bool refines = true;
    for (size_t k = 0; k + 1 < bounds.size(); ++k) refines &= bounds[k + 1] % bounds[k] == 0;
    if (!refines) {
      for (size_t a = i0; a < i; ++a) in_dims[a] = {s.AddAxis(in.shape[a], AxisKind::Parallel, false)};
      for (size_t b = j0; b < j; ++b) out_dims[b] = {s.AddAxis(out.shape[b], AxisKind::Parallel, false)};
      continue;
    }
    std::vector<uint32_t> atoms;  // axes of the group, outermost first
    int64_t prev = 1;
    for (int64_t b : bounds) {
      atoms.push_back(s.AddAxis(b / prev, AxisKind::Parallel));
      prev = b;
    }
    auto assign = [&](const std::vector<int64_t> &shape, size_t from, size_t to, Dims &dims) {
      int64_t cum = 1;
      size_t k = 0;
      int64_t at = 1;
      for (size_t a = from; a < to; ++a) {
        cum *= shape[a];
        while (at < cum) {
          dims[a].push_back(atoms[k]);
          at *= s.axes()[atoms[k]].size;
          ++k;
        }
      }
    };
    assign(in.shape, i0, i, in_dims);
    assign(out.shape, j0, j, out_dims);
  }
  s.AddOperand(in_dims);
  s.AddOperand(out_dims);
  return s;
}

Result<IterationSpace> Transpose(const Op &op, const Tensor &in, const Tensor &out) {
  CFP_RETURN_IF_ERROR(ExpectSameDType(out, in, "operand"));
  const auto &perm = op.attrs.dims;
  if (perm.size() != in.shape.size() || out.shape.size() != in.shape.size())
    return Err("permutation of " + std::to_string(perm.size()) + " dims for operand " + Shape(in) + " and result " +
               Shape(out));
  CFP_RETURN_IF_ERROR(ExpectDimList(perm, in.shape.size(), "permutation"));
  for (size_t i = 0; i < perm.size(); ++i)
    if (out.shape[i] != in.shape[perm[i]])
      return Err("result " + Shape(out) + " is not operand " + Shape(in) + " permuted");
  IterationSpace s;
  auto axes = AxesForShape(s, in.shape);
  s.SetInputCount(1);
  s.AddOperand(Identity(axes));
  Dims out_dims;
  for (int64_t p : perm) out_dims.push_back({axes[p]});
  s.AddOperand(out_dims);
  return s;
}

// Slice and pad: dims they leave alone share an axis; changed dims get unsplittable axes
// on each side.
Result<IterationSpace> SliceOrPad(const Op &op, const Tensor &in, const Tensor &out) {
  CFP_RETURN_IF_ERROR(ExpectSameDType(out, in, "operand"));
  const size_t rank = in.shape.size();
  const bool slice = op.kind == OpKind::Slice;
  const auto &lo = slice ? op.attrs.starts : op.attrs.pad_low;
  const auto &hi = slice ? op.attrs.limits : op.attrs.pad_high;
  const char *lo_name = slice ? "starts" : "pad_low";
  const char *hi_name = slice ? "limits" : "pad_high";
  if (lo.size() != rank || hi.size() != rank || out.shape.size() != rank)
    return Err(std::string(lo_name) + "/" + hi_name + " must have one entry per dim of " + Shape(in));
  for (size_t d = 0; d < rank; ++d) {
    int64_t expect;
    if (slice) {
      if (lo[d] < 0 || lo[d] > hi[d] || hi[d] > in.shape[d])
        return Err("slice [" + std::to_string(lo[d]) + ", " + std::to_string(hi[d]) + ") is outside dim " +
                   std::to_string(d) + " of " + Shape(in));
      expect = hi[d] - lo[d];
    } else {
      if (lo[d] < 0 || hi[d] < 0) return Err("negative padding on dim " + std::to_string(d));
      if (__builtin_add_overflow(in.shape[d], lo[d], &expect) || __builtin_add_overflow(expect, hi[d], &expect))
        return Err("padding overflows on dim " + std::to_string(d));
    }
    if (out.shape[d] != expect)
      return Err("result dim " + std::to_string(d) + " is " + std::to_string(out.shape[d]) + ", expected " +
                 std::to_string(expect));
  }
  IterationSpace s;
  s.SetInputCount(1);
  Dims in_dims, out_dims;
  for (size_t d = 0; d < rank; ++d) {
    if (in.shape[d] == out.shape[d]) {
      uint32_t a = s.AddAxis(in.shape[d], AxisKind::Parallel);
      in_dims.push_back({a});
      out_dims.push_back({a});
    } else {
      in_dims.push_back({s.AddAxis(in.shape[d], AxisKind::Parallel, false)});
      out_dims.push_back({s.AddAxis(out.shape[d], AxisKind::Parallel, false)});
    }
  }
  s.AddOperand(in_dims);
  s.AddOperand(out_dims);
  return s;
}

Result<IterationSpace> Concatenate(const Op &op, const std::vector<const Tensor *> &in, const Tensor &out) {
  if (in.empty()) return Err("needs at least one input");
  const size_t rank = out.shape.size();
  const int64_t axis = op.attrs.axis;
  if (axis < 0 || axis >= static_cast<int64_t>(rank))
    return Err("axis " + std::to_string(axis) + " is outside result " + Shape(out));
  int64_t total = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    CFP_RETURN_IF_ERROR(ExpectSameDType(out, *in[i], "operand"));
    if (in[i]->shape.size() != rank) return Err("operand " + std::to_string(i) + " has rank " + std::to_string(in[i]->shape.size()));
    for (size_t d = 0; d < rank; ++d)
      if (static_cast<int64_t>(d) != axis && in[i]->shape[d] != out.shape[d])
        return Err("operand " + std::to_string(i) + " shape " + Shape(*in[i]) + " does not match result " + Shape(out));
    if (__builtin_add_overflow(total, in[i]->shape[axis], &total))
      return Err("operands overflow 64-bit sizes along axis " + std::to_string(axis));
  }
  if (total != out.shape[axis])
    return Err("operands sum to " + std::to_string(total) + " along axis " + std::to_string(axis) + ", result has " +
               std::to_string(out.shape[axis]));
  IterationSpace s;
  s.SetInputCount(static_cast<uint32_t>(in.size()));
  std::vector<uint32_t> shared(rank);
  for (size_t d = 0; d < rank; ++d)
    if (static_cast<int64_t>(d) != axis) shared[d] = s.AddAxis(out.shape[d], AxisKind::Parallel);
  for (const Tensor *t : in) {
    Dims dims;
    for (size_t d = 0; d < rank; ++d)
      dims.push_back({static_cast<int64_t>(d) == axis ? s.AddAxis(t->shape[d], AxisKind::Parallel, false) : shared[d]});
    s.AddOperand(dims);
  }
  Dims out_dims;
  for (size_t d = 0; d < rank; ++d)
    out_dims.push_back({static_cast<int64_t>(d) == axis ? s.AddAxis(out.shape[d], AxisKind::Parallel, false) : shared[d]});
  s.AddOperand(out_dims);
  return s;
}

Result<IterationSpace> Iota(const Op &op, const Tensor &out) {
  if (op.attrs.axis < 0 || op.attrs.axis >= static_cast<int64_t>(out.shape.size()))
    return Err("axis " + std::to_string(op.attrs.axis) + " is outside result " + Shape(out));
  if (out.dtype == DType::Bool) return Err("result cannot be bool");
  IterationSpace s;
  auto axes = AxesForShape(s, out.shape);
  s.SetInputCount(0);
  s.AddOperand(Identity(axes));
  return s;
}

Result<IterationSpace> Reduce(const Op &op, const Tensor &in, const Tensor &out) {
  CFP_RETURN_IF_ERROR(ExpectSameDType(out, in, "operand"));
  CFP_RETURN_IF_ERROR(ExpectDimList(op.attrs.dims, in.shape.size(), "dims"));
  std::vector<int64_t> kept;
  std::vector<bool> reduced(in.shape.size(), false);
  for (int64_t d : op.attrs.dims) reduced[d] = true;
  for (size_t d = 0; d < in.shape.size(); ++d)
    if (!reduced[d]) kept.push_back(in.shape[d]);
  if (kept != out.shape) return Err("result " + Shape(out) + " should be " + ShapeString(kept));
  IterationSpace s;
  s.SetInputCount(1);
  Dims in_dims, out_dims;
  for (size_t d = 0; d < in.shape.size(); ++d) {
    uint32_t a = s.AddAxis(in.shape[d], reduced[d] ? AxisKind::Reduction : AxisKind::Parallel);
    in_dims.push_back({a});
    if (!reduced[d]) out_dims.push_back({a});
  }
  s.AddOperand(in_dims);
  s.AddOperand(out_dims);
  return s;
}

Result<IterationSpace> Dot(const Op &op, const Tensor &lhs, const Tensor &rhs, const Tensor &out) {
  const auto &a = op.attrs;
  if (lhs.dtype != rhs.dtype)
    return Err("operand dtypes differ: " + std::string(DTypeName(lhs.dtype)) + " and " + std::string(DTypeName(rhs.dtype)));
  if (IsFloat(lhs.dtype) != IsFloat(out.dtype))
    return Err("result dtype " + std::string(DTypeName(out.dtype)) + " does not suit operands of " +
               std::string(DTypeName(lhs.dtype)));
  if (a.lhs_batch.size() != a.rhs_batch.size()) return Err("lhs_batch and rhs_batch differ in length");
  if (a.lhs_contract.size() != a.rhs_contract.size()) return Err("lhs_contract and rhs_contract differ in length");
  std::vector<int64_t> lhs_dims = a.lhs_batch, rhs_dims = a.rhs_batch;
  lhs_dims.insert(lhs_dims.end(), a.lhs_contract.begin(), a.lhs_contract.end());
  rhs_dims.insert(rhs_dims.end(), a.rhs_contract.begin(), a.rhs_contract.end());
  CFP_RETURN_IF_ERROR(ExpectDimList(lhs_dims, lhs.shape.size(), "lhs batch/contract dims"));
  CFP_RETURN_IF_ERROR(ExpectDimList(rhs_dims, rhs.shape.size(), "rhs batch/contract dims"));
  for (size_t i = 0; i < a.lhs_batch.size(); ++i)
    if (lhs.shape[a.lhs_batch[i]] != rhs.shape[a.rhs_batch[i]])
      return Err("batch dim " + std::to_string(i) + " is " + std::to_string(lhs.shape[a.lhs_batch[i]]) + " on lhs " +
                 Shape(lhs) + " but " + std::to_string(rhs.shape[a.rhs_batch[i]]) + " on rhs " + Shape(rhs));
  for (size_t i = 0; i < a.lhs_contract.size(); ++i)
    if (lhs.shape[a.lhs_contract[i]] != rhs.shape[a.rhs_contract[i]])
      return Err("contracting dim " + std::to_string(i) + " is " + std::to_string(lhs.shape[a.lhs_contract[i]]) +
                 " on lhs " + Shape(lhs) + " but " + std::to_string(rhs.shape[a.rhs_contract[i]]) + " on rhs " + Shape(rhs));
  IterationSpace s;
  s.SetInputCount(2);
  std::vector<std::vector<uint32_t>> ld(lhs.shape.size()), rd(rhs.shape.size());
  Dims od;
  std::vector<int64_t> expect;
  for (size_t i = 0; i < a.lhs_batch.size(); ++i) {
    uint32_t ax = s.AddAxis(lhs.shape[a.lhs_batch[i]], AxisKind::Parallel);
    ld[a.lhs_batch[i]] = {ax};
    rd[a.rhs_batch[i]] = {ax};
    od.push_back({ax});
    expect.push_back(lhs.shape[a.lhs_batch[i]]);
  }
  for (size_t d = 0; d < lhs.shape.size(); ++d)
    if (ld[d].empty() && std::find(a.lhs_contract.begin(), a.lhs_contract.end(), static_cast<int64_t>(d)) == a.lhs_contract.end()) {
      uint32_t ax = s.AddAxis(lhs.shape[d], AxisKind::Parallel);
      ld[d] = {ax};
      od.push_back({ax});
      expect.push_back(lhs.shape[d]);
    }
  for (size_t d = 0; d < rhs.shape.size(); ++d)
    if (rd[d].empty() && std::find(a.rhs_contract.begin(), a.rhs_contract.end(), static_cast<int64_t>(d)) == a.rhs_contract.end()) {
      uint32_t ax = s.AddAxis(rhs.shape[d], AxisKind::Parallel);
      rd[d] = {ax};
      od.push_back({ax});
      expect.push_back(rhs.shape[d]);
    }
  for (size_t i = 0; i < a.lhs_contract.size(); ++i) {
    uint32_t ax = s.AddAxis(lhs.shape[a.lhs_contract[i]], AxisKind::Reduction);
    ld[a.lhs_contract[i]] = {ax};
    rd[a.rhs_contract[i]] = {ax};
  }
  if (expect != out.shape) return Err("result " + Shape(out) + " should be " + ShapeString(expect));
  s.AddOperand(ld);
  s.AddOperand(rd);
  s.AddOperand(od);
  return s;
}

bool IsIndexType(DType d) { return d == DType::I32 || d == DType::I64; }

Result<IterationSpace> Gather(const Op &op, const Tensor &table, const Tensor &ids, const Tensor &out) {
  if (op.attrs.axis != 0) return Err("only gathers along dim 0 of the table are supported (axis " + std::to_string(op.attrs.axis) + ")");
  if (!IsIndexType(ids.dtype)) return Err("indices must be i32 or i64, are " + std::string(DTypeName(ids.dtype)));
  CFP_RETURN_IF_ERROR(ExpectSameDType(out, table, "table"));
  if (table.shape.empty()) return Err("table must have rank >= 1");
  std::vector<int64_t> expect = ids.shape;
  expect.insert(expect.end(), table.shape.begin() + 1, table.shape.end());
  if (expect != out.shape) return Err("result " + Shape(out) + " should be " + ShapeString(expect));
  IterationSpace s;
  s.SetInputCount(2);
  auto id_axes = AxesForShape(s, ids.shape);
  uint32_t vocab = s.AddAxis(table.shape[0], AxisKind::Reduction);
  std::vector<int64_t> rest(table.shape.begin() + 1, table.shape.end());
  auto rest_axes = AxesForShape(s, rest);
  Dims table_dims{{vocab}};
  for (uint32_t a : rest_axes) table_dims.push_back({a});
  s.AddOperand(table_dims);
  s.AddOperand(Identity(id_axes));
  Dims od = Identity(id_axes);
  for (uint32_t a : rest_axes) od.push_back({a});
  s.AddOperand(od);
  return s;
}

Result<IterationSpace> ScatterAdd(const Tensor &ids, const Tensor &updates, const Tensor &out) {
  if (!IsIndexType(ids.dtype)) return Err("indices must be i32 or i64, are " + std::string(DTypeName(ids.dtype)));
  CFP_RETURN_IF_ERROR(ExpectSameDType(out, updates, "updates"));
  if (out.shape.empty()) return Err("result must have rank >= 1");
  std::vector<int64_t> expect = ids.shape;
  expect.insert(expect.end(), out.shape.begin() + 1, out.shape.end());
  if (expect != updates.shape) return Err("updates " + Shape(updates) + " should be " + ShapeString(expect));
  IterationSpace s;
  s.SetInputCount(2);
  std::vector<uint32_t> id_axes;
  for (int64_t d : ids.shape) id_axes.push_back(s.AddAxis(d, AxisKind::Reduction));
  uint32_t rows = s.AddAxis(out.shape[0], AxisKind::Parallel);
  std::vector<int64_t> rest(out.shape.begin() + 1, out.shape.end());
  auto rest_axes = AxesForShape(s, rest);
  s.AddOperand(Identity(id_axes));
  Dims ud = Identity(id_axes);
  for (uint32_t a : rest_axes) ud.push_back({a});
  s.AddOperand(ud);
  Dims od{{rows}};
  for (uint32_t a : rest_axes) od.push_back({a});
  s.AddOperand(od);
  return s;
}

constexpr uint32_t kMaxStatedAxes = 64;

// A stated space must fit the operands: one entry per dim, axis sizes multiplying to the dim.
Status CheckStatedSpace(const IterationSpace &s, const std::vector<const Tensor *> &in,
                        const std::vector<const Tensor *> &out) {
  if (s.num_inputs() != in.size() || s.num_outputs() != out.size())
    return Err("iteration space has " + std::to_string(s.num_inputs()) + " inputs and " +
               std::to_string(s.num_outputs()) + " outputs, the op " + std::to_string(in.size()) + " and " +
               std::to_string(out.size()));
  // Strategies index axes with 16-bit numbers, and einsum text names at most 52.
  if (s.num_axes() > kMaxStatedAxes)
    return Err("iteration space has " + std::to_string(s.num_axes()) + " axes (at most " + std::to_string(kMaxStatedAxes) + ")");
  for (const Axis &a : s.axes())
    if (a.size < 1) return Err("iteration space has an axis of size " + std::to_string(a.size));
  for (uint32_t o = 0; o < s.num_operands(); ++o) {
    const Tensor &t = o < in.size() ? *in[o] : *out[o - in.size()];
    if (s.Rank(o) != t.shape.size())
      return Err("iteration space gives operand " + std::to_string(o) + " rank " + std::to_string(s.Rank(o)) +
                 ", its tensor has shape " + Shape(t));
    for (uint32_t d = 0; d < s.Rank(o); ++d) {
      int64_t p = 1;
      for (uint32_t a : s.DimAxes(o, d)) {
        if (a >= s.num_axes()) return Err("iteration space names axis " + std::to_string(a) + " that does not exist");
        if (__builtin_mul_overflow(p, s.axes()[a].size, &p))
          return Err("iteration space makes dim " + std::to_string(d) + " of operand " + std::to_string(o) +
                     " overflow 64-bit sizes, the tensor has " + Shape(t));
      }
      if (p != t.shape[d])
        return Err("iteration space makes dim " + std::to_string(d) + " of operand " + std::to_string(o) + " " +
                   std::to_string(p) + ", the tensor has " + Shape(t));
    }
  }
  for (uint32_t o = s.num_inputs(); o < s.num_operands(); ++o)
    for (uint32_t d = 0; d < s.Rank(o); ++d)
      for (uint32_t a : s.DimAxes(o, d))
        if (s.axes()[a].kind != AxisKind::Parallel)
          return Err("reduction axis " + std::to_string(a) + " appears in an output");
  return Status::Ok();
}

}  // namespace

Result<IterationSpace> DeriveIterationSpace(const Op &op, const std::vector<const Tensor *> &in,
                                            const std::vector<const Tensor *> &out) {
  if (op.kind == OpKind::Custom) {
    if (!op.stated_space) return Err("custom op needs an explicit iteration space");
    if (out.empty()) return Err("custom op must produce at least one output");
    CFP_RETURN_IF_ERROR(CheckStatedSpace(*op.stated_space, in, out));
    return *op.stated_space;
  }
  Result<IterationSpace> derived = [&]() -> Result<IterationSpace> {
    if (IsElementwise(op.kind)) return Elementwise(op, in, out);
    size_t n_in = 1;
    switch (op.kind) {
      case OpKind::Iota: n_in = 0; break;
      case OpKind::Dot: case OpKind::Gather: case OpKind::ScatterAdd: n_in = 2; break;
      case OpKind::Concatenate: n_in = in.size(); break;
      default: break;
    }
    CFP_RETURN_IF_ERROR(ExpectArity(op, n_in, 1, in, out));
    const Tensor &o = *out[0];
    switch (op.kind) {
      case OpKind::Broadcast: return Broadcast(op, *in[0], o);
      case OpKind::Reshape: return Reshape(*in[0], o);
      case OpKind::Transpose: return Transpose(op, *in[0], o);
      case OpKind::Slice: case OpKind::Pad: return SliceOrPad(op, *in[0], o);
      case OpKind::Concatenate: return Concatenate(op, in, o);
      case OpKind::Iota: return Iota(op, o);
      case OpKind::ReduceSum: case OpKind::ReduceMax: case OpKind::ReduceMin: return Reduce(op, *in[0], o);
      case OpKind::Dot: return Dot(op, *in[0], *in[1], o);
      case OpKind::Gather: return Gather(op, *in[0], *in[1], o);
      case OpKind::ScatterAdd: return ScatterAdd(*in[0], *in[1], o);
      default: return Err("unknown operator kind " + std::to_string(static_cast<int>(op.kind)));
    }
  }();
  if (!derived.ok()) return derived;
  if (op.stated_space && !op.stated_space->EquivalentTo(derived.value()))
    return Err("stated iteration space " + op.stated_space->ToString() + " differs from the derived " +
               derived->ToString());
  return derived;
}

double OpFlops(const Op &op, const IterationSpace &space) {
  if (IsContraction(op.kind)) return 2 * space.Points();
  if (op.kind == OpKind::Custom) return op.attrs.flops_per_point * space.Points();
  if (IsDataMovement(op.kind)) return 0;
  // Scatter-add does one add per update element; its space also spans the rows of the
  // result (output operand dim 0), which no update visits.
  if (op.kind == OpKind::ScatterAdd) {
    double rows = 1;
    for (uint32_t a : space.DimAxes(space.OutputOperand(0), 0)) rows *= static_cast<double>(space.axes()[a].size);
    return space.Points() / rows;
  }
  // Elementwise ops and reductions: one operation per point.
  return space.Points();
}

}  // namespace cfp
