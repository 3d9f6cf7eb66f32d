// The graph builder: graphs from any language without a FlatBuffers runtime.
#include <string>

#include "api/guard.h"
#include "api/handles.h"

using cfp::Status;
using cfp::api::Guard;
using cfp::api::NotNull;

namespace cfp::api {
Status ReturnGraph(cfp::Graph g, cfp_graph **out);
}

namespace {

Status CheckBuilder(const cfp_graph_builder *b) { return NotNull(b, "builder"); }

template <class T>
Status CheckArray(const T *p, size_t n, const char *what) {
  if (p == nullptr && n != 0) return cfp::InvalidArgument(std::string(what) + " must not be NULL when its count is non-zero");
  return Status::Ok();
}

Status CheckOp(const cfp_graph_builder *b, uint32_t op) {
  CFP_RETURN_IF_ERROR(CheckBuilder(b));
  return b->builder.CheckOp(op);
}

Status CheckTensor(const cfp_graph_builder *b, uint32_t t) {
  CFP_RETURN_IF_ERROR(CheckBuilder(b));
  return b->builder.CheckTensor(t);
}

}  // namespace

extern "C" {

CFP_API cfp_status cfp_graph_builder_create(const char *name, cfp_graph_builder **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = new cfp_graph_builder{cfp::GraphBuilder(name ? name : "")};
    return Status::Ok();
  });
}

CFP_API void cfp_graph_builder_destroy(cfp_graph_builder *builder) { delete builder; }

CFP_API cfp_status cfp_graph_builder_add_tensor(cfp_graph_builder *builder, const char *name, cfp_dtype dtype,
                                                const int64_t *shape, size_t rank, cfp_tensor_role role,
                                                uint32_t *out_id) {
  CFP_API_CLEAR_OUT(out_id, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckBuilder(builder));
    CFP_RETURN_IF_ERROR(CheckArray(shape, rank, "shape"));
    CFP_RETURN_IF_ERROR(NotNull(out_id, "out_id"));
    if (!cfp::IsValidDType(dtype)) return cfp::InvalidArgument("unknown dtype " + std::to_string(dtype));
    if (!cfp::IsValidRole(role)) return cfp::InvalidArgument("unknown tensor role " + std::to_string(role));
    if (rank > 16) return cfp::InvalidArgument("rank " + std::to_string(rank) + " exceeds 16");
    if (builder->builder.num_tensors() >= cfp::kNoId - 1) return cfp::InvalidArgument("too many tensors");
    std::vector<int64_t> dims(shape, shape + rank);
    *out_id = builder->builder.AddTensor(name ? name : "", static_cast<cfp::DType>(dtype), std::move(dims),
                                         static_cast<cfp::TensorRole>(role));
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_builder_set_tensor_gradient_of(cfp_graph_builder *builder, uint32_t tensor, uint32_t of) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckTensor(builder, tensor));
    CFP_RETURN_IF_ERROR(CheckTensor(builder, of));
    builder->builder.tensor(tensor).gradient_of = static_cast<int32_t>(of);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_builder_set_tensor_updates(cfp_graph_builder *builder, uint32_t tensor, uint32_t replaces) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckTensor(builder, tensor));
    CFP_RETURN_IF_ERROR(CheckTensor(builder, replaces));
    builder->builder.tensor(tensor).updates = static_cast<int32_t>(replaces);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_builder_set_tensor_value(cfp_graph_builder *builder, uint32_t tensor, double value) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckTensor(builder, tensor));
    builder->builder.tensor(tensor).value = value;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_builder_add_op(cfp_graph_builder *builder, const char *name, cfp_op_kind kind,
                                            const uint32_t *inputs, size_t input_count, const uint32_t *outputs,
                                            size_t output_count, uint32_t *out_id) {
  CFP_API_CLEAR_OUT(out_id, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckBuilder(builder));
    CFP_RETURN_IF_ERROR(CheckArray(inputs, input_count, "inputs"));
    CFP_RETURN_IF_ERROR(CheckArray(outputs, output_count, "outputs"));
    CFP_RETURN_IF_ERROR(NotNull(out_id, "out_id"));
    if (!cfp::IsValidOpKind(kind)) return cfp::InvalidArgument("unknown op kind " + std::to_string(kind));
    if (builder->builder.num_ops() >= cfp::kNoId - 1) return cfp::InvalidArgument("too many ops");
    CFP_ASSIGN_OR_RETURN(*out_id, builder->builder.AddOp(name ? name : "", static_cast<cfp::OpKind>(kind),
                                                         std::vector<uint32_t>(inputs, inputs + input_count),
                                                         std::vector<uint32_t>(outputs, outputs + output_count)));
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_builder_set_op_ints(cfp_graph_builder *builder, uint32_t op, cfp_attr attr,
                                                 const int64_t *values, size_t count) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOp(builder, op));
    CFP_RETURN_IF_ERROR(CheckArray(values, count, "values"));
    cfp::OpAttrs &a = builder->builder.op(op).attrs;
    std::vector<int64_t> v(values, values + count);
    auto scalar = [&](const char *what) -> cfp::Result<int64_t> {
      if (count != 1) return cfp::InvalidArgument(std::string(what) + " takes exactly one value, got " + std::to_string(count));
      return v[0];
    };
    switch (attr) {
      case CFP_ATTR_DIMS: a.dims = std::move(v); break;
      case CFP_ATTR_LHS_BATCH: a.lhs_batch = std::move(v); break;
      case CFP_ATTR_RHS_BATCH: a.rhs_batch = std::move(v); break;
      case CFP_ATTR_LHS_CONTRACT: a.lhs_contract = std::move(v); break;
      case CFP_ATTR_RHS_CONTRACT: a.rhs_contract = std::move(v); break;
      case CFP_ATTR_STARTS: a.starts = std::move(v); break;
      case CFP_ATTR_LIMITS: a.limits = std::move(v); break;
      case CFP_ATTR_PAD_LOW: a.pad_low = std::move(v); break;
      case CFP_ATTR_PAD_HIGH: a.pad_high = std::move(v); break;
      case CFP_ATTR_AXIS: {
        CFP_ASSIGN_OR_RETURN(a.axis, scalar("CFP_ATTR_AXIS"));
        break;
      }
      case CFP_ATTR_COMPARISON: {
        CFP_ASSIGN_OR_RETURN(int64_t c, scalar("CFP_ATTR_COMPARISON"));
        if (c < 0 || c > 255 || !cfp::IsValidComparison(static_cast<int>(c)))
          return cfp::InvalidArgument("unknown comparison " + std::to_string(c));
        a.comparison = static_cast<cfp::Comparison>(c);
        break;
      }
      default:
        return cfp::InvalidArgument("attribute " + std::to_string(attr) + " is not an integer attribute");
    }
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_builder_set_op_double(cfp_graph_builder *builder, uint32_t op, cfp_attr attr,
                                                   double value) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOp(builder, op));
    cfp::OpAttrs &a = builder->builder.op(op).attrs;
    switch (attr) {
      case CFP_ATTR_PAD_VALUE: a.pad_value = value; break;
      case CFP_ATTR_FLOPS_PER_POINT:
        if (!(value >= 0)) return cfp::InvalidArgument("flops per point must be a non-negative number");
        a.flops_per_point = value;
        break;
      default:
        return cfp::InvalidArgument("attribute " + std::to_string(attr) + " is not a double attribute");
    }
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_builder_set_op_scope(cfp_graph_builder *builder, uint32_t op, const char *scope) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOp(builder, op));
    CFP_RETURN_IF_ERROR(NotNull(scope, "scope"));
    builder->builder.op(op).scope = scope;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_builder_set_op_phase(cfp_graph_builder *builder, uint32_t op, cfp_phase phase) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOp(builder, op));
    if (!cfp::IsValidPhase(phase)) return cfp::InvalidArgument("unknown phase " + std::to_string(phase));
    builder->builder.op(op).phase = static_cast<cfp::Phase>(phase);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_builder_set_op_grad_of(cfp_graph_builder *builder, uint32_t op, uint32_t forward_op) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOp(builder, op));
    CFP_RETURN_IF_ERROR(builder->builder.CheckOp(forward_op));
    builder->builder.op(op).grad_of = static_cast<int32_t>(forward_op);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_builder_set_op_einsum(cfp_graph_builder *builder, uint32_t op, const char *spec) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOp(builder, op));
    CFP_RETURN_IF_ERROR(NotNull(spec, "spec"));
    return builder->builder.SetEinsum(op, spec);
  });
}

CFP_API cfp_status cfp_graph_builder_finish(const cfp_graph_builder *builder, cfp_graph **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckBuilder(builder));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    CFP_ASSIGN_OR_RETURN(auto g, builder->builder.Finish());
    return cfp::api::ReturnGraph(std::move(g), out);
  });
}

}  // extern "C"
