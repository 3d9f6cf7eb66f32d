// Writes a builder-stream seed (builder_stream.h) that rebuilds a graph file call by call:
//   cfp_fuzz_seed_writer <graph.cfpg> <seed.bin>
// It reads the graph with the library's own loader, so seeds follow the zoo's graphs.
#include <cstdio>

#include "builder_stream.h"
#include "graph/graph_io.h"
#include "util/file_io.h"

namespace {

using cfp_fuzz::BuilderOp;
using cfp_fuzz::StreamWriter;

void Ints(StreamWriter &w, uint32_t op, int attr, const std::vector<int64_t> &values) {
  if (values.empty()) return;
  w.Op(BuilderOp::kSetOpInts);
  w.Unsigned(op);
  w.Byte(static_cast<uint8_t>(attr));
  w.Unsigned(values.size());
  for (int64_t v : values) w.Signed(v);
}

std::vector<uint8_t> Encode(const cfp::Graph &g) {
  StreamWriter w;
  w.String(g.name());
  for (const cfp::Tensor &t : g.tensors()) {
    w.Op(BuilderOp::kAddTensor);
    w.String(t.name);
    w.Byte(static_cast<uint8_t>(t.dtype));
    w.Byte(static_cast<uint8_t>(t.role));
    w.Byte(static_cast<uint8_t>(t.shape.size()));
    for (int64_t d : t.shape) w.Signed(d);
  }
  for (uint32_t id = 0; id < g.num_tensors(); ++id) {
    const cfp::Tensor &t = g.tensor(id);
    if (t.value != 0) {
      w.Op(BuilderOp::kSetTensorValue);
      w.Unsigned(id);
      w.Double(t.value);
    }
    if (t.gradient_of >= 0) {
      w.Op(BuilderOp::kSetTensorGradientOf);
      w.Unsigned(id);
      w.Unsigned(static_cast<uint32_t>(t.gradient_of));
    }
    if (t.updates >= 0) {
      w.Op(BuilderOp::kSetTensorUpdates);
      w.Unsigned(id);
      w.Unsigned(static_cast<uint32_t>(t.updates));
    }
  }
  for (uint32_t id = 0; id < g.num_ops(); ++id) {
    const cfp::Op &op = g.op(id);
    w.Op(BuilderOp::kAddOp);
    w.String(op.name);
    w.Unsigned(static_cast<uint64_t>(op.kind));
    w.Unsigned(op.inputs.size());
    for (uint32_t t : op.inputs) w.Unsigned(t);
    w.Unsigned(op.outputs.size());
    for (uint32_t t : op.outputs) w.Unsigned(t);
    const cfp::OpAttrs &a = op.attrs;
    Ints(w, id, 0, a.dims);
    Ints(w, id, 1, a.lhs_batch);
    Ints(w, id, 2, a.rhs_batch);
    Ints(w, id, 3, a.lhs_contract);
    Ints(w, id, 4, a.rhs_contract);
    Ints(w, id, 5, a.starts);
    Ints(w, id, 6, a.limits);
    Ints(w, id, 7, a.pad_low);
    Ints(w, id, 8, a.pad_high);
    if (a.axis != 0) Ints(w, id, 9, {a.axis});
    if (a.comparison != cfp::Comparison::EQ) Ints(w, id, 10, {static_cast<int64_t>(a.comparison)});
    for (auto [attr, value] : {std::pair{11, a.pad_value}, std::pair{12, a.flops_per_point}})
      if (value != 0) {
        w.Op(BuilderOp::kSetOpDouble);
        w.Unsigned(id);
        w.Byte(static_cast<uint8_t>(attr));
        w.Double(value);
      }
    if (!op.scope.empty()) {
      w.Op(BuilderOp::kSetOpScope);
      w.Unsigned(id);
      w.String(op.scope);
    }
    if (op.phase != cfp::Phase::Forward) {
      w.Op(BuilderOp::kSetOpPhase);
      w.Unsigned(id);
      w.Byte(static_cast<uint8_t>(op.phase));
    }
    if (op.grad_of >= 0) {
      w.Op(BuilderOp::kSetOpGradOf);
      w.Unsigned(id);
      w.Unsigned(static_cast<uint32_t>(op.grad_of));
    }
    // Custom ops carry their space as einsum text (single letters, so up to 26 axes).
    if (op.kind == cfp::OpKind::Custom && op.stated_space && op.stated_space->num_axes() <= 26) {
      w.Op(BuilderOp::kSetOpEinsum);
      w.Unsigned(id);
      w.String(op.stated_space->ToString());
    }
  }
  return w.bytes();  // the target finishes every program at its end
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <graph.cfpg> <seed.bin>\n", argv[0]);
    return 2;
  }
  auto g = cfp::GraphFromFile(argv[1]);
  if (!g.ok()) {
    std::fprintf(stderr, "%s\n", g.status().message().c_str());
    return 1;
  }
  auto bytes = Encode(*g);
  cfp::Status s = cfp::WriteFileAtomically(argv[2], bytes.data(), bytes.size());
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  return 0;
}
