#include "graph/graph.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "graph/op_semantics.h"
#include "util/checked_math.h"
#include "util/quote.h"

namespace cfp {

int64_t Tensor::NumElements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string ShapeString(std::span<const int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string DescribeOp(const std::vector<Op> &ops, uint32_t id) {
  if (id >= ops.size()) return "op " + std::to_string(id);
  return "op " + std::to_string(id) + " " + Quote(ops[id].name) + " (" + std::string(OpKindName(ops[id].kind)) + ")";
}

std::string DescribeTensor(const std::vector<Tensor> &tensors, uint32_t id) {
  if (id >= tensors.size()) return "tensor " + std::to_string(id);
  return "tensor " + std::to_string(id) + " " + Quote(tensors[id].name);
}

namespace {

// Dims must be >= 1 and the element count, in bytes, must fit in int64.
Status ValidateTensor(const std::vector<Tensor> &tensors, uint32_t id) {
  const Tensor &t = tensors[id];
  auto where = [&] { return DescribeTensor(tensors, id) + " "; };
  if (!IsValidDType(static_cast<int>(t.dtype))) return InvalidGraph(where() + "has an unknown dtype " + std::to_string(static_cast<int>(t.dtype)));
  if (!IsValidRole(static_cast<int>(t.role))) return InvalidGraph(where() + "has an unknown role " + std::to_string(static_cast<int>(t.role)));
  if (t.shape.size() > 16) return InvalidGraph(where() + "has rank " + std::to_string(t.shape.size()) + " (at most 16)");
  int64_t bytes = DTypeSize(t.dtype);
  for (size_t d = 0; d < t.shape.size(); ++d) {
    if (t.shape[d] < 1)
      return InvalidGraph(where() + "has dim " + std::to_string(d) + " of size " + std::to_string(t.shape[d]) + " in shape " + ShapeString(t.shape));
    if (bytes > INT64_MAX / t.shape[d])
      return InvalidGraph(where() + "shape " + ShapeString(t.shape) + " overflows 64-bit sizes");
    bytes *= t.shape[d];
  }
  for (int32_t link : {t.gradient_of, t.updates})
    if (link < -1 || link >= static_cast<int64_t>(tensors.size()))
      return InvalidGraph(where() + "links to tensor " + std::to_string(link) + ", which does not exist");
  if (t.updates >= 0) {
    const Tensor &target = tensors[t.updates];
    if (target.shape != t.shape || target.dtype != t.dtype)
      return InvalidGraph(where() + "updates " + DescribeTensor(tensors, t.updates) + " but its shape or dtype differs");
  }
  if (t.role == TensorRole::Constant && t.shape.empty() && !IsFloat(t.dtype)) {
    // Checked without converting: a double outside int64's range (or NaN) has no int64.
    const bool whole = std::isfinite(t.value) && std::trunc(t.value) == t.value && t.value >= -0x1p63 && t.value < 0x1p63;
    if (!whole)
      return InvalidGraph(where() + "is an integer constant whose value " + std::to_string(t.value) +
                          " is not a 64-bit integer");
  }
  return Status::Ok();
}

// `updates` names the tensor a result replaces in the next step; following the links
// from any tensor must end, not come back around (a tensor replacing itself, or two
// replacing each other, has no well-defined next value).
Status ValidateUpdateLinks(const std::vector<Tensor> &tensors) {
  enum : uint8_t { kUnseen, kOnPath, kDone };
  std::vector<uint8_t> state(tensors.size(), kUnseen);
  for (uint32_t start = 0; start < tensors.size(); ++start) {
    uint32_t t = start;
    while (state[t] == kUnseen) {
      state[t] = kOnPath;
      if (tensors[t].updates < 0) break;
      t = static_cast<uint32_t>(tensors[t].updates);
    }
    if (state[t] == kOnPath && tensors[t].updates >= 0 && state[tensors[t].updates] == kOnPath) {
      const uint32_t next = static_cast<uint32_t>(tensors[t].updates);
      if (next == t) return InvalidGraph(DescribeTensor(tensors, t) + " updates itself");
      uint32_t length = 1;
      for (uint32_t u = next; u != t; u = static_cast<uint32_t>(tensors[u].updates)) ++length;
      return InvalidGraph(DescribeTensor(tensors, t) + " updates " + DescribeTensor(tensors, next) + ", which leads back to it: " +
                          std::to_string(length) + " tensors update each other in a cycle");
    }
    for (uint32_t u = start; state[u] == kOnPath; u = static_cast<uint32_t>(tensors[u].updates)) {
      state[u] = kDone;
      if (tensors[u].updates < 0) break;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Graph> Graph::Create(std::string name, std::vector<Tensor> tensors, std::vector<Op> ops) {
  if (tensors.size() >= kNoId || ops.size() >= kNoId) return InvalidGraph("graph has too many tensors or ops");
  Graph g;
  g.name_ = std::move(name);
  for (uint32_t t = 0; t < tensors.size(); ++t) CFP_RETURN_IF_ERROR(ValidateTensor(tensors, t));
  CFP_RETURN_IF_ERROR(ValidateUpdateLinks(tensors));

  const uint32_t nt = static_cast<uint32_t>(tensors.size());
  const uint32_t no = static_cast<uint32_t>(ops.size());
  g.producer_.assign(nt, kNoId);
  std::vector<uint32_t> consumer_count(nt, 0);
  // The last op seen reading each tensor: counts an op once per tensor in linear time,
  // however many inputs it has.
  std::vector<uint32_t> last_reader(nt, kNoId);
  for (uint32_t o = 0; o < no; ++o) {
    const Op &op = ops[o];
    auto where = [&] { return DescribeOp(ops, o) + " "; };
    if (!IsValidOpKind(static_cast<int>(op.kind))) return InvalidGraph(where() + "has an unknown kind " + std::to_string(static_cast<int>(op.kind)));
    if (!IsValidPhase(static_cast<int>(op.phase))) return InvalidGraph(where() + "has an unknown phase");
    if (!IsValidComparison(static_cast<int>(op.attrs.comparison))) return InvalidGraph(where() + "has an unknown comparison");
    if (op.grad_of < -1 || op.grad_of >= static_cast<int64_t>(no))
      return InvalidGraph(where() + "is marked as the gradient of op " + std::to_string(op.grad_of) + ", which does not exist");
    for (uint32_t t : op.inputs) {
      if (t >= nt) return InvalidGraph(where() + "reads tensor " + std::to_string(t) + ", which does not exist (graph has " + std::to_string(nt) + " tensors)");
    }
    // Count each consuming op once per tensor.
    for (uint32_t t : op.inputs)
      if (last_reader[t] != o) {
        last_reader[t] = o;
        ++consumer_count[t];
      }
    for (uint32_t t : op.outputs) {
      if (t >= nt) return InvalidGraph(where() + "writes tensor " + std::to_string(t) + ", which does not exist (graph has " + std::to_string(nt) + " tensors)");
      if (g.producer_[t] != kNoId)
        return InvalidGraph(where() + "writes " + DescribeTensor(tensors, t) + ", which " + DescribeOp(ops, g.producer_[t]) + " already writes");
      // Parameters and data inputs come from outside the step; no op computes them.
      if (tensors[t].role == TensorRole::Parameter || tensors[t].role == TensorRole::DataInput)
        return InvalidGraph(where() + "writes " + DescribeTensor(tensors, t) + ", which is a " +
                            (tensors[t].role == TensorRole::Parameter ? "parameter" : "data input") +
                            "; parameters and data inputs are read, never written (write a new tensor that updates it)");
      g.producer_[t] = o;
    }
  }
  // Consumers as CSR.
  g.consumer_begin_.assign(nt + 1, 0);
  for (uint32_t t = 0; t < nt; ++t) g.consumer_begin_[t + 1] = g.consumer_begin_[t] + consumer_count[t];
  g.consumer_ids_.resize(g.consumer_begin_[nt]);
  std::vector<uint32_t> fill(g.consumer_begin_.begin(), g.consumer_begin_.end() - 1);
  std::fill(last_reader.begin(), last_reader.end(), kNoId);
  // Kahn's algorithm; a min-heap keeps the order deterministic and close to id order.
  // pending[o] counts o's distinct inputs that some op produces: each is released once,
  // through the consumer list, which holds o once per tensor.
  std::vector<uint32_t> pending(no, 0);
  for (uint32_t o = 0; o < no; ++o)
    for (uint32_t t : ops[o].inputs)
      if (last_reader[t] != o) {
        last_reader[t] = o;
        g.consumer_ids_[fill[t]++] = o;
        if (g.producer_[t] != kNoId) ++pending[o];
      }
  std::priority_queue<uint32_t, std::vector<uint32_t>, std::greater<>> ready;
  for (uint32_t o = 0; o < no; ++o)
    if (pending[o] == 0) ready.push(o);
  g.topo_.reserve(no);
  while (!ready.empty()) {
    uint32_t o = ready.top();
    ready.pop();
    g.topo_.push_back(o);
    for (uint32_t t : ops[o].outputs)
      for (uint32_t c = g.consumer_begin_[t]; c < g.consumer_begin_[t + 1]; ++c) {
        uint32_t consumer = g.consumer_ids_[c];
        if (--pending[consumer] == 0) ready.push(consumer);
      }
  }
  if (g.topo_.size() != no) {
    for (uint32_t o = 0; o < no; ++o)
      if (pending[o] != 0)
        return InvalidGraph("graph has a cycle through " + DescribeOp(ops, o));
  }
  // Semantics, in topological order so messages name the first bad op along the data flow.
  g.spaces_.resize(no);
  std::vector<const Tensor *> in, out;
  for (uint32_t o : g.topo_) {
    const Op &op = ops[o];
    in.clear();
    out.clear();
    for (uint32_t t : op.inputs) in.push_back(&tensors[t]);
    for (uint32_t t : op.outputs) out.push_back(&tensors[t]);
    auto space = DeriveIterationSpace(op, in, out);
    if (!space.ok()) return InvalidGraph(DescribeOp(ops, o) + ": " + space.status().message());
    g.spaces_[o] = std::move(space).value();
  }
  g.tensors_ = std::move(tensors);
  g.ops_ = std::move(ops);
  return g;
}

Result<uint64_t> Graph::ParameterCount() const {
  // Each parameter may hold up to 2^63 elements, so the sum is checked.
  uint64_t count = 0;
  for (uint32_t t = 0; t < tensors_.size(); ++t) {
    if (tensors_[t].role != TensorRole::Parameter) continue;
    const std::optional<uint64_t> sum = CheckedAdd(count, static_cast<uint64_t>(tensors_[t].NumElements()));
    if (!sum)
      return OutOfRange("the graph's parameter count does not fit in 64 bits: the parameters up to " +
                        DescribeTensor(tensors_, t) + " hold more than 18446744073709551615 elements");
    count = *sum;
  }
  return count;
}

double Graph::Flops() const {
  double f = 0;
  for (uint32_t o = 0; o < num_ops(); ++o) f += OpFlops(ops_[o], spaces_[o]);
  return f;
}

}  // namespace cfp
