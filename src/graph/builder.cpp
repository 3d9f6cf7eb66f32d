#include "graph/builder.h"

#include "graph/einsum.h"
#include "util/quote.h"

namespace cfp {

GraphBuilder::GraphBuilder(const Graph &g) : name_(g.name()), tensors_(g.tensors()), ops_(g.ops()) {}

uint32_t GraphBuilder::AddTensor(std::string name, DType dtype, std::vector<int64_t> shape, TensorRole role) {
  Tensor t;
  t.name = std::move(name);
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.role = role;
  tensors_.push_back(std::move(t));
  return static_cast<uint32_t>(tensors_.size() - 1);
}

Status GraphBuilder::CheckTensor(uint32_t id) const {
  if (id >= tensors_.size())
    return InvalidArgument("tensor " + std::to_string(id) + " does not exist (builder has " +
                           std::to_string(tensors_.size()) + " tensors)");
  return Status::Ok();
}

Status GraphBuilder::CheckOp(uint32_t id) const {
  if (id >= ops_.size())
    return InvalidArgument("op " + std::to_string(id) + " does not exist (builder has " + std::to_string(ops_.size()) +
                           " ops)");
  return Status::Ok();
}

Result<uint32_t> GraphBuilder::AddOp(std::string name, OpKind kind, std::vector<uint32_t> inputs,
                                     std::vector<uint32_t> outputs) {
  for (uint32_t t : inputs) {
    Status s = CheckTensor(t);
    if (!s.ok()) return InvalidArgument("op " + Quote(name) + " reads " + s.message());
  }
  for (uint32_t t : outputs) {
    Status s = CheckTensor(t);
    if (!s.ok()) return InvalidArgument("op " + Quote(name) + " writes " + s.message());
  }
  Op op;
  op.name = std::move(name);
  op.kind = kind;
  op.inputs = std::move(inputs);
  op.outputs = std::move(outputs);
  ops_.push_back(std::move(op));
  return static_cast<uint32_t>(ops_.size() - 1);
}

Status GraphBuilder::SetEinsum(uint32_t id, std::string_view spec) {
  CFP_RETURN_IF_ERROR(CheckOp(id));
  Op &o = ops_[id];
  std::vector<const Tensor *> in, out;
  for (uint32_t t : o.inputs) in.push_back(&tensors_[t]);
  for (uint32_t t : o.outputs) out.push_back(&tensors_[t]);
  auto space = ParseEinsum(spec, in, out);
  if (!space.ok()) return InvalidArgument(DescribeOp(ops_, id) + ": " + space.status().message());
  o.stated_space = std::move(space).value();
  return Status::Ok();
}

Result<Graph> GraphBuilder::FinishAndReset() {
  auto g = Graph::Create(std::move(name_), std::move(tensors_), std::move(ops_));
  name_.clear();
  tensors_.clear();
  ops_.clear();
  return g;
}

}  // namespace cfp
