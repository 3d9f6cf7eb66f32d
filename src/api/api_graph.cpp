// Graph loading, serialization and queries.
#include <string>

#include "api/guard.h"
#include "api/handles.h"
#include "graph/graph_io.h"
#include "util/checked_math.h"
#include "util/file_io.h"

using cfp::Status;
using cfp::api::Guard;
using cfp::api::NotNull;

namespace {

Status NewGraph(cfp::Graph g, cfp_graph **out) {
  *out = new cfp_graph{std::make_shared<const cfp::Graph>(std::move(g))};
  return Status::Ok();
}

Status CheckGraph(const cfp_graph *g) { return NotNull(g, "graph"); }

Status CheckOpId(const cfp_graph *g, uint32_t op) {
  CFP_RETURN_IF_ERROR(CheckGraph(g));
  if (op >= g->graph->num_ops())
    return cfp::OutOfRange("op " + std::to_string(op) + " is out of range (graph has " +
                           std::to_string(g->graph->num_ops()) + " ops)");
  return Status::Ok();
}

Status CheckTensorId(const cfp_graph *g, uint32_t t) {
  CFP_RETURN_IF_ERROR(CheckGraph(g));
  if (t >= g->graph->num_tensors())
    return cfp::OutOfRange("tensor " + std::to_string(t) + " is out of range (graph has " +
                           std::to_string(g->graph->num_tensors()) + " tensors)");
  return Status::Ok();
}

// An axis of op's iteration space; the op is checked first.
Status CheckAxisId(const cfp_graph *g, uint32_t op, uint32_t axis) {
  const uint32_t n = g->graph->space(op).num_axes();
  if (axis >= n)
    return cfp::OutOfRange("axis " + std::to_string(axis) + " of op " + std::to_string(op) + " is out of range (it has " +
                           std::to_string(n) + " axes)");
  return Status::Ok();
}

// One property of an axis of op's iteration space, after the checks every such query makes.
template <class T, class Read>
cfp_status AxisProperty(const char *fn, const cfp_graph *graph, uint32_t op, uint32_t axis, T *out, Read read) {
  CFP_API_CLEAR_OUT(out, T{});
  return Guard(fn, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOpId(graph, op));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    CFP_RETURN_IF_ERROR(CheckAxisId(graph, op, axis));
    *out = read(graph->graph->space(op).axes()[axis]);
    return Status::Ok();
  });
}

// A dim of an operand (inputs first, then outputs) of op's iteration space.
Status CheckOperandDim(const cfp_graph *g, uint32_t op, uint32_t operand, uint32_t dim) {
  const cfp::IterationSpace &s = g->graph->space(op);
  if (operand >= s.num_operands())
    return cfp::OutOfRange("operand " + std::to_string(operand) + " of op " + std::to_string(op) +
                           " is out of range (it has " + std::to_string(s.num_operands()) + ": " +
                           std::to_string(s.num_inputs()) + " inputs, then " + std::to_string(s.num_outputs()) +
                           " outputs)");
  if (dim >= s.Rank(operand))
    return cfp::OutOfRange("dim " + std::to_string(dim) + " of operand " + std::to_string(operand) + " of op " +
                           std::to_string(op) + " is out of range (the operand has rank " +
                           std::to_string(s.Rank(operand)) + ")");
  return Status::Ok();
}

// A link stored as -1 when absent, as the C API's "none" id.
uint32_t LinkId(int32_t link, uint32_t none) { return link < 0 ? none : static_cast<uint32_t>(link); }

}  // namespace

namespace {

cfp_status OperandCount(const char *fn, const cfp_graph *graph, uint32_t op, bool inputs, uint32_t *out) {
  CFP_API_CLEAR_OUT(out, 0);
  return Guard(fn, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOpId(graph, op));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    const cfp::Op &o = graph->graph->op(op);
    *out = static_cast<uint32_t>(inputs ? o.inputs.size() : o.outputs.size());
    return Status::Ok();
  });
}

cfp_status Operand(const char *fn, const cfp_graph *graph, uint32_t op, uint32_t index, bool inputs, uint32_t *out) {
  CFP_API_CLEAR_OUT(out, 0);
  return Guard(fn, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOpId(graph, op));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    const auto &v = inputs ? graph->graph->op(op).inputs : graph->graph->op(op).outputs;
    if (index >= v.size())
      return cfp::OutOfRange(std::string(inputs ? "input " : "output ") + std::to_string(index) + " of op " +
                             std::to_string(op) + " is out of range (it has " + std::to_string(v.size()) + ")");
    *out = v[index];
    return Status::Ok();
  });
}

}  // namespace

namespace cfp::api {
// Shared with other API files that return graphs.
Status ReturnGraph(cfp::Graph g, cfp_graph **out) { return NewGraph(std::move(g), out); }
}  // namespace cfp::api

extern "C" {

CFP_API cfp_status cfp_graph_from_buffer(const void *data, size_t size, cfp_graph **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    if (data == nullptr && size != 0) return cfp::InvalidArgument("data must not be NULL");
    CFP_ASSIGN_OR_RETURN(auto g, cfp::GraphFromBuffer(data, size));
    return NewGraph(std::move(g), out);
  });
}

CFP_API cfp_status cfp_graph_from_file(const char *path, cfp_graph **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(NotNull(path, "path"));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    CFP_ASSIGN_OR_RETURN(auto g, cfp::GraphFromFile(path));
    return NewGraph(std::move(g), out);
  });
}

CFP_API cfp_status cfp_graph_to_buffer(const cfp_graph *graph, cfp_bytes **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckGraph(graph));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = new cfp_bytes{cfp::GraphToBuffer(*graph->graph)};
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_to_file(const cfp_graph *graph, const char *path) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckGraph(graph));
    CFP_RETURN_IF_ERROR(NotNull(path, "path"));
    auto buf = cfp::GraphToBuffer(*graph->graph);
    return cfp::WriteFileAtomically(path, buf.data(), buf.size());
  });
}

CFP_API void cfp_graph_destroy(cfp_graph *graph) { delete graph; }

CFP_API cfp_status cfp_graph_name(const cfp_graph *graph, const char **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckGraph(graph));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = graph->graph->name().c_str();
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_op_count(const cfp_graph *graph, uint32_t *out) {
  CFP_API_CLEAR_OUT(out, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckGraph(graph));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = graph->graph->num_ops();
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_tensor_count(const cfp_graph *graph, uint32_t *out) {
  CFP_API_CLEAR_OUT(out, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckGraph(graph));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = graph->graph->num_tensors();
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_op_name(const cfp_graph *graph, uint32_t op, const char **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOpId(graph, op));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = graph->graph->op(op).name.c_str();
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_op_kind(const cfp_graph *graph, uint32_t op, cfp_op_kind *out) {
  CFP_API_CLEAR_OUT(out, CFP_OP_ABS);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOpId(graph, op));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = static_cast<cfp_op_kind>(graph->graph->op(op).kind);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_op_scope(const cfp_graph *graph, uint32_t op, const char **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOpId(graph, op));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = graph->graph->op(op).scope.c_str();
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_op_phase(const cfp_graph *graph, uint32_t op, cfp_phase *out) {
  CFP_API_CLEAR_OUT(out, CFP_PHASE_FORWARD);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOpId(graph, op));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = static_cast<cfp_phase>(graph->graph->op(op).phase);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_op_input_count(const cfp_graph *graph, uint32_t op, uint32_t *out) {
  return OperandCount(__func__, graph, op, true, out);
}
CFP_API cfp_status cfp_graph_op_input(const cfp_graph *graph, uint32_t op, uint32_t index, uint32_t *out) {
  return Operand(__func__, graph, op, index, true, out);
}
CFP_API cfp_status cfp_graph_op_output_count(const cfp_graph *graph, uint32_t op, uint32_t *out) {
  return OperandCount(__func__, graph, op, false, out);
}
CFP_API cfp_status cfp_graph_op_output(const cfp_graph *graph, uint32_t op, uint32_t index, uint32_t *out) {
  return Operand(__func__, graph, op, index, false, out);
}

CFP_API cfp_status cfp_graph_op_grad_of(const cfp_graph *graph, uint32_t op, uint32_t *out) {
  CFP_API_CLEAR_OUT(out, CFP_NO_OP);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOpId(graph, op));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = LinkId(graph->graph->op(op).grad_of, CFP_NO_OP);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_op_axis_count(const cfp_graph *graph, uint32_t op, uint32_t *out) {
  CFP_API_CLEAR_OUT(out, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOpId(graph, op));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = graph->graph->space(op).num_axes();
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_op_axis_size(const cfp_graph *graph, uint32_t op, uint32_t axis, int64_t *out) {
  return AxisProperty(__func__, graph, op, axis, out, [](const auto &a) -> int64_t { return a.size; });
}

CFP_API cfp_status cfp_graph_op_axis_is_reduction(const cfp_graph *graph, uint32_t op, uint32_t axis, int *out) {
  return AxisProperty(__func__, graph, op, axis, out,
                      [](const auto &a) { return a.kind == cfp::AxisKind::Reduction ? 1 : 0; });
}

CFP_API cfp_status cfp_graph_op_axis_splittable(const cfp_graph *graph, uint32_t op, uint32_t axis, int *out) {
  return AxisProperty(__func__, graph, op, axis, out, [](const auto &a) { return a.splittable ? 1 : 0; });
}

CFP_API cfp_status cfp_graph_op_operand_dim_axis_count(const cfp_graph *graph, uint32_t op, uint32_t operand,
                                                       uint32_t dim, uint32_t *out) {
  CFP_API_CLEAR_OUT(out, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOpId(graph, op));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    CFP_RETURN_IF_ERROR(CheckOperandDim(graph, op, operand, dim));
    *out = static_cast<uint32_t>(graph->graph->space(op).DimAxes(operand, dim).size());
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_op_operand_dim_axis(const cfp_graph *graph, uint32_t op, uint32_t operand, uint32_t dim,
                                                 uint32_t index, uint32_t *out) {
  CFP_API_CLEAR_OUT(out, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOpId(graph, op));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    CFP_RETURN_IF_ERROR(CheckOperandDim(graph, op, operand, dim));
    const auto axes = graph->graph->space(op).DimAxes(operand, dim);
    if (index >= axes.size())
      return cfp::OutOfRange("axis index " + std::to_string(index) + " of dim " + std::to_string(dim) + " of operand " +
                             std::to_string(operand) + " of op " + std::to_string(op) + " is out of range (the dim has " +
                             std::to_string(axes.size()) + " axes)");
    *out = axes[index];
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_tensor_producer(const cfp_graph *graph, uint32_t tensor, uint32_t *out) {
  CFP_API_CLEAR_OUT(out, CFP_NO_OP);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckTensorId(graph, tensor));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = graph->graph->producer(tensor);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_tensor_gradient_of(const cfp_graph *graph, uint32_t tensor, uint32_t *out) {
  CFP_API_CLEAR_OUT(out, CFP_NO_TENSOR);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckTensorId(graph, tensor));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = LinkId(graph->graph->tensor(tensor).gradient_of, CFP_NO_TENSOR);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_tensor_updates(const cfp_graph *graph, uint32_t tensor, uint32_t *out) {
  CFP_API_CLEAR_OUT(out, CFP_NO_TENSOR);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckTensorId(graph, tensor));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = LinkId(graph->graph->tensor(tensor).updates, CFP_NO_TENSOR);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_tensor_name(const cfp_graph *graph, uint32_t tensor, const char **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckTensorId(graph, tensor));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = graph->graph->tensor(tensor).name.c_str();
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_tensor_dtype(const cfp_graph *graph, uint32_t tensor, cfp_dtype *out) {
  CFP_API_CLEAR_OUT(out, CFP_F32);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckTensorId(graph, tensor));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = static_cast<cfp_dtype>(graph->graph->tensor(tensor).dtype);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_tensor_role(const cfp_graph *graph, uint32_t tensor, cfp_tensor_role *out) {
  CFP_API_CLEAR_OUT(out, CFP_ROLE_DATA_INPUT);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckTensorId(graph, tensor));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = static_cast<cfp_tensor_role>(graph->graph->tensor(tensor).role);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_tensor_rank(const cfp_graph *graph, uint32_t tensor, uint32_t *out) {
  CFP_API_CLEAR_OUT(out, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckTensorId(graph, tensor));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = static_cast<uint32_t>(graph->graph->tensor(tensor).shape.size());
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_tensor_dim(const cfp_graph *graph, uint32_t tensor, uint32_t dim, int64_t *out) {
  CFP_API_CLEAR_OUT(out, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckTensorId(graph, tensor));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    const auto &shape = graph->graph->tensor(tensor).shape;
    if (dim >= shape.size())
      return cfp::OutOfRange("dim " + std::to_string(dim) + " is out of range for a rank-" + std::to_string(shape.size()) +
                             " tensor");
    *out = shape[dim];
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_parameter_count(const cfp_graph *graph, uint64_t *out) {
  CFP_API_CLEAR_OUT(out, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckGraph(graph));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    CFP_ASSIGN_OR_RETURN(const uint64_t count, graph->graph->ParameterCount());
    *out = count;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_flops(const cfp_graph *graph, double *out) {
  CFP_API_CLEAR_OUT(out, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckGraph(graph));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = graph->graph->Flops();
    return Status::Ok();
  });
}

}  // extern "C"
