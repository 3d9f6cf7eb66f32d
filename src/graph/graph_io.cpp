#include "graph/graph_io.h"

#include <cstring>

#include "graph_generated.h"
#include "util/aligned_bytes.h"
#include "util/decode_budget.h"
#include "util/file_io.h"
#include "util/flatbuffers_verify.h"

namespace cfp {
namespace {

// The verifier checks only the 4-byte length prefix of a vector for alignment, so a
// forged buffer can put 8-byte elements off their boundary: copy bytes, not longs.
std::vector<int64_t> Longs(const flatbuffers::Vector<int64_t> *v) {
  if (!v || v->size() == 0) return {};
  std::vector<int64_t> out(v->size());
  std::memcpy(out.data(), v->Data(), out.size() * sizeof(int64_t));
  for (int64_t &x : out) x = flatbuffers::EndianScalar(x);
  return out;
}
std::vector<uint32_t> Uints(const flatbuffers::Vector<uint32_t> *v) {
  return v ? std::vector<uint32_t>(v->begin(), v->end()) : std::vector<uint32_t>{};
}
std::string Str(const flatbuffers::String *s) { return s ? s->str() : std::string(); }

// What copying a field costs the decode budget: its elements' bytes.
template <class T>
uint64_t Bytes(const flatbuffers::Vector<T> *v) {
  return v ? uint64_t{v->size()} * sizeof(T) : 0;
}
uint64_t Bytes(const flatbuffers::String *s) { return s ? s->size() : 0; }
uint64_t Bytes(const fb::OpAttrs *a) {
  if (!a) return 0;
  return Bytes(a->dims()) + Bytes(a->lhs_batch()) + Bytes(a->rhs_batch()) + Bytes(a->lhs_contract()) +
         Bytes(a->rhs_contract()) + Bytes(a->starts()) + Bytes(a->limits()) + Bytes(a->pad_low()) +
         Bytes(a->pad_high()) + Bytes(a->custom_name());
}

Result<IterationSpace> SpaceFromFb(const fb::IterationSpace &fs, DecodeBudget &budget) {
  IterationSpace s;
  if (fs.axes()) {
    if (!budget.Take(uint64_t{fs.axes()->size()} * sizeof(Axis))) return InvalidGraph(budget.Explain("graph buffer"));
    for (const fb::Axis *a : *fs.axes()) {
      if (a->kind() != fb::AxisKind::Parallel && a->kind() != fb::AxisKind::Reduction)
        return InvalidGraph("iteration space has an axis of unknown kind");
      s.AddAxis(a->size(), static_cast<AxisKind>(a->kind()), a->splittable());
    }
  }
  auto add = [&](const flatbuffers::Vector<flatbuffers::Offset<fb::OperandAxes>> *ops) -> Status {
    if (!ops) return Status::Ok();
    for (const fb::OperandAxes *o : *ops) {
      std::vector<std::vector<uint32_t>> dims;
      if (o->dims()) {
        uint64_t bytes = uint64_t{o->dims()->size()} * sizeof(std::vector<uint32_t>);
        for (const fb::DimAxes *d : *o->dims()) bytes += Bytes(d->axes());
        if (!budget.Take(bytes)) return InvalidGraph(budget.Explain("graph buffer"));
        for (const fb::DimAxes *d : *o->dims()) dims.push_back(Uints(d->axes()));
      }
      for (const auto &d : dims)
        for (uint32_t a : d)
          if (a >= s.num_axes()) return InvalidGraph("iteration space names axis " + std::to_string(a) + ", which does not exist");
      s.AddOperand(dims);
    }
    return Status::Ok();
  };
  CFP_RETURN_IF_ERROR(add(fs.inputs()));
  s.SetInputCount(fs.inputs() ? fs.inputs()->size() : 0);
  CFP_RETURN_IF_ERROR(add(fs.outputs()));
  return s;
}

flatbuffers::Offset<fb::IterationSpace> SpaceToFb(flatbuffers::FlatBufferBuilder &b, const IterationSpace &s) {
  std::vector<flatbuffers::Offset<fb::Axis>> axes;
  for (const Axis &a : s.axes()) axes.push_back(fb::CreateAxis(b, a.size, static_cast<fb::AxisKind>(a.kind), a.splittable));
  auto operands = [&](uint32_t from, uint32_t to) {
    std::vector<flatbuffers::Offset<fb::OperandAxes>> v;
    for (uint32_t o = from; o < to; ++o) {
      std::vector<flatbuffers::Offset<fb::DimAxes>> dims;
      for (uint32_t d = 0; d < s.Rank(o); ++d) {
        auto span = s.DimAxes(o, d);
        dims.push_back(fb::CreateDimAxes(b, b.CreateVector(span.data(), span.size())));
      }
      v.push_back(fb::CreateOperandAxes(b, b.CreateVector(dims)));
    }
    return b.CreateVector(v);
  };
  auto in = operands(0, s.num_inputs());
  auto out = operands(s.num_inputs(), s.num_operands());
  return fb::CreateIterationSpace(b, b.CreateVector(axes), in, out);
}

}  // namespace

Result<Graph> GraphFromBuffer(const void *data, size_t size) {
  if (data == nullptr || size == 0) return InvalidGraph("graph buffer is empty");
  const auto *raw = static_cast<const uint8_t *>(data);
  if (size < 8) return InvalidGraph("graph buffer is truncated: " + std::to_string(size) + " bytes");
  if (!flatbuffers::BufferHasIdentifier(raw, fb::GraphIdentifier())) {
    std::string id(reinterpret_cast<const char *>(raw) + 4, 4);
    for (char &c : id)
      if (c < 32 || c > 126) c = '?';
    return InvalidGraph("not a libcfp graph: file identifier is '" + id + "', expected 'CFPG'");
  }
  // Every table takes at least 4 bytes, so the table limit follows from the size; depth
  // 64 is far beyond the schema's nesting of 6.
  if (size >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return InvalidGraph("graph buffer of " + std::to_string(size) + " bytes exceeds the FlatBuffers limit of 2 GiB");
  const AlignedBytes aligned(data, size);
  const uint8_t *bytes = aligned.data();
  flatbuffers::Verifier verifier(bytes, size, VerifierOptions(size));
  if (!fb::VerifyGraphBuffer(verifier))
    return InvalidGraph("graph buffer failed verification (truncated or corrupted, " + std::to_string(size) + " bytes)");
  const fb::Graph *fg = fb::GetGraph(bytes);
  if (fg->schema_version() == 0) return InvalidGraph("graph buffer has no schema_version");
  if (fg->schema_version() > kGraphSchemaVersion)
    return InvalidGraph("graph uses schema version " + std::to_string(fg->schema_version()) +
                        ", newer than this library reads (" + std::to_string(kGraphSchemaVersion) + ")");
  // Everything copied out of the buffer is charged before it is copied, so a buffer that
  // shares its tables, strings or vectors is refused before it costs much memory or time.
  DecodeBudget budget(size);
  auto over_budget = [&] { return InvalidGraph(budget.Explain("graph buffer")); };
  const uint64_t tensor_count = fg->tensors() ? fg->tensors()->size() : 0;
  const uint64_t op_count = fg->ops() ? fg->ops()->size() : 0;
  if (!budget.Take(Bytes(fg->name()) + tensor_count * sizeof(Tensor) + op_count * sizeof(Op))) return over_budget();
  std::vector<Tensor> tensors;
  if (fg->tensors()) {
    tensors.reserve(tensor_count);
    for (const fb::Tensor *ft : *fg->tensors()) {
      if (!budget.Take(Bytes(ft->name()) + Bytes(ft->shape()))) return over_budget();
      Tensor t;
      t.name = Str(ft->name());
      t.dtype = static_cast<DType>(ft->dtype());
      t.shape = Longs(ft->shape());
      t.role = static_cast<TensorRole>(ft->role());
      t.gradient_of = ft->gradient_of();
      t.updates = ft->updates();
      t.value = ft->value();
      tensors.push_back(std::move(t));
    }
  }
  std::vector<Op> ops;
  if (fg->ops()) {
    ops.reserve(op_count);
    for (const fb::Op *fo : *fg->ops()) {
      if (!budget.Take(Bytes(fo->name()) + Bytes(fo->scope()) + Bytes(fo->inputs()) + Bytes(fo->outputs()) +
                       Bytes(fo->attrs())))
        return over_budget();
      Op op;
      op.name = Str(fo->name());
      op.kind = static_cast<OpKind>(fo->kind());
      op.inputs = Uints(fo->inputs());
      op.outputs = Uints(fo->outputs());
      op.scope = Str(fo->scope());
      op.phase = static_cast<Phase>(fo->phase());
      op.grad_of = fo->grad_of();
      if (const fb::OpAttrs *a = fo->attrs()) {
        op.attrs.dims = Longs(a->dims());
        op.attrs.lhs_batch = Longs(a->lhs_batch());
        op.attrs.rhs_batch = Longs(a->rhs_batch());
        op.attrs.lhs_contract = Longs(a->lhs_contract());
        op.attrs.rhs_contract = Longs(a->rhs_contract());
        op.attrs.starts = Longs(a->starts());
        op.attrs.limits = Longs(a->limits());
        op.attrs.pad_low = Longs(a->pad_low());
        op.attrs.pad_high = Longs(a->pad_high());
        op.attrs.axis = a->axis();
        op.attrs.comparison = static_cast<Comparison>(a->comparison());
        op.attrs.pad_value = a->pad_value();
        op.attrs.flops_per_point = a->flops_per_point();
        op.attrs.custom_name = Str(a->custom_name());
      }
      if (const fb::IterationSpace *fs = fo->iteration_space()) {
        auto s = SpaceFromFb(*fs, budget);
        if (!s.ok()) {
          if (budget.exceeded()) return s.status();
          return InvalidGraph(DescribeOp(ops, static_cast<uint32_t>(ops.size())) + ": " + s.status().message());
        }
        op.stated_space = std::move(s).value();
      }
      ops.push_back(std::move(op));
    }
  }
  return Graph::Create(Str(fg->name()), std::move(tensors), std::move(ops));
}

std::vector<uint8_t> GraphToBuffer(const Graph &g) {
  flatbuffers::FlatBufferBuilder b(1024 + g.num_ops() * 160 + g.num_tensors() * 64);
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
  tensors.reserve(g.num_tensors());
  for (const Tensor &t : g.tensors()) {
    auto name = b.CreateString(t.name);
    auto shape = b.CreateVector(t.shape);
    tensors.push_back(fb::CreateTensor(b, name, static_cast<fb::DType>(t.dtype), shape, static_cast<fb::TensorRole>(t.role),
                                       t.gradient_of, t.updates, t.value));
  }
  auto vec = [&](const std::vector<int64_t> &v) { return v.empty() ? 0 : b.CreateVector(v); };
  std::vector<flatbuffers::Offset<fb::Op>> ops;
  ops.reserve(g.num_ops());
  for (const Op &op : g.ops()) {
    const OpAttrs &a = op.attrs;
    auto name = b.CreateString(op.name);
    auto inputs = b.CreateVector(op.inputs);
    auto outputs = b.CreateVector(op.outputs);
    flatbuffers::Offset<fb::OpAttrs> attrs = 0;
    if (!(a == OpAttrs{})) {
      auto dims = vec(a.dims), lb = vec(a.lhs_batch), rb = vec(a.rhs_batch), lc = vec(a.lhs_contract),
           rc = vec(a.rhs_contract), st = vec(a.starts), li = vec(a.limits), pl = vec(a.pad_low), ph = vec(a.pad_high);
      auto custom = a.custom_name.empty() ? 0 : b.CreateString(a.custom_name);
      attrs = fb::CreateOpAttrs(b, dims, lb, rb, lc, rc, st, li, pl, ph, a.axis, static_cast<fb::Comparison>(a.comparison),
                                a.pad_value, a.flops_per_point, custom);
    }
    auto scope = op.scope.empty() ? 0 : b.CreateString(op.scope);
    auto space = op.stated_space ? SpaceToFb(b, *op.stated_space) : 0;
    ops.push_back(fb::CreateOp(b, name, static_cast<fb::OpKind>(op.kind), inputs, outputs, attrs, scope,
                               static_cast<fb::Phase>(op.phase), op.grad_of, space));
  }
  auto tv = b.CreateVector(tensors);
  auto ov = b.CreateVector(ops);
  auto gname = b.CreateString(g.name());
  b.Finish(fb::CreateGraph(b, kGraphSchemaVersion, gname, tv, ov), fb::GraphIdentifier());
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

Result<Graph> GraphFromFile(const std::string &path) {
  CFP_ASSIGN_OR_RETURN(auto data, ReadFile(path));
  auto g = GraphFromBuffer(data.data(), data.size());
  if (!g.ok()) return Status(g.status().code(), path + ": " + g.status().message());
  return g;
}

}  // namespace cfp
