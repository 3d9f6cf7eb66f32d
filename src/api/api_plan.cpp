// Plan accessors and serialization.
#include <cmath>
#include <string>

#include "api/guard.h"
#include "api/handles.h"
#include "plan/plan_io.h"

using cfp::Status;
using cfp::api::Guard;
using cfp::api::NotNull;

namespace cfp::api {
Status CopyString(const std::string &s, char *buf, size_t cap, size_t *needed);
}

namespace {

// Runs `get` on a valid plan with a non-NULL out pointer.
template <class T, class F>
cfp_status Get(const char *fn, const cfp_plan *plan, T *out, T zero, F &&get) {
  CFP_API_CLEAR_OUT(out, zero);
  return Guard(fn, [&]() -> Status {
    CFP_RETURN_IF_ERROR(NotNull(plan, "plan"));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    return get(*plan->plan, *out);
  });
}

}  // namespace

extern "C" {

CFP_API cfp_status cfp_plan_step_time(const cfp_plan *plan, double *out) {
  return Get(__func__, plan, out, 0.0, [](const cfp::Plan &p, double &o) { o = p.step_time; return Status::Ok(); });
}
CFP_API cfp_status cfp_plan_compute_time(const cfp_plan *plan, double *out) {
  return Get(__func__, plan, out, 0.0, [](const cfp::Plan &p, double &o) { o = p.compute_time; return Status::Ok(); });
}
CFP_API cfp_status cfp_plan_comm_time(const cfp_plan *plan, double *out) {
  return Get(__func__, plan, out, 0.0, [](const cfp::Plan &p, double &o) { o = p.comm_time; return Status::Ok(); });
}
CFP_API cfp_status cfp_plan_objective(const cfp_plan *plan, double *out) {
  return Get(__func__, plan, out, 0.0, [](const cfp::Plan &p, double &o) { o = p.objective; return Status::Ok(); });
}
CFP_API cfp_status cfp_plan_peak_memory(const cfp_plan *plan, uint64_t *out) {
  return Get(__func__, plan, out, uint64_t{0}, [](const cfp::Plan &p, uint64_t &o) { o = p.peak_memory; return Status::Ok(); });
}
CFP_API cfp_status cfp_plan_is_optimal(const cfp_plan *plan, int *out) {
  return Get(__func__, plan, out, 0, [](const cfp::Plan &p, int &o) { o = p.is_optimal ? 1 : 0; return Status::Ok(); });
}
CFP_API cfp_status cfp_plan_block_count(const cfp_plan *plan, uint32_t *out) {
  return Get(__func__, plan, out, 0u, [](const cfp::Plan &p, uint32_t &o) { o = p.stats.blocks; return Status::Ok(); });
}
CFP_API cfp_status cfp_plan_segment_count(const cfp_plan *plan, uint32_t *out) {
  return Get(__func__, plan, out, 0u, [](const cfp::Plan &p, uint32_t &o) { o = p.stats.segments; return Status::Ok(); });
}
CFP_API cfp_status cfp_plan_unique_segment_count(const cfp_plan *plan, uint32_t *out) {
  return Get(__func__, plan, out, 0u, [](const cfp::Plan &p, uint32_t &o) { o = p.stats.unique_segments; return Status::Ok(); });
}
CFP_API cfp_status cfp_plan_collective_count(const cfp_plan *plan, uint32_t *out) {
  return Get(__func__, plan, out, 0u, [](const cfp::Plan &p, uint32_t &o) {
    o = static_cast<uint32_t>(p.collectives.size());
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_plan_stat(const cfp_plan *plan, cfp_stat stat, double *out) {
  return Get(__func__, plan, out, 0.0, [stat](const cfp::Plan &p, double &o) -> Status {
    const cfp::SearchStats &s = p.stats;
    switch (stat) {
      case CFP_STAT_TIME_LOAD: o = s.time_load; break;
      case CFP_STAT_TIME_BLOCKS: o = s.time_blocks; break;
      case CFP_STAT_TIME_SEGMENTS: o = s.time_segments; break;
      case CFP_STAT_TIME_COSTS: o = s.time_costs; break;
      case CFP_STAT_TIME_SEARCH: o = s.time_search; break;
      case CFP_STAT_OPS: o = s.ops; break;
      case CFP_STAT_BLOCKS: o = s.blocks; break;
      case CFP_STAT_SEGMENTS: o = s.segments; break;
      case CFP_STAT_UNIQUE_SEGMENTS: o = s.unique_segments; break;
      case CFP_STAT_CONFIGURATIONS_COSTED: o = static_cast<double>(s.configurations_costed); break;
      case CFP_STAT_CONFIGURATIONS_PROFILED: o = static_cast<double>(s.configurations_profiled); break;
      case CFP_STAT_CONFIGURATIONS_REUSED: o = static_cast<double>(s.configurations_reused); break;
      case CFP_STAT_OPS_OUTSIDE_BLOCKS: o = s.ops_outside_blocks; break;
      default: return cfp::InvalidArgument("unknown statistic " + std::to_string(static_cast<int>(stat)));
    }
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_plan_op_block(const cfp_plan *plan, uint32_t op, uint32_t *out) {
  return Get(__func__, plan, out, 0u, [op](const cfp::Plan &p, uint32_t &o) -> Status {
    if (op >= p.op_block.size())
      return cfp::OutOfRange("op " + std::to_string(op) + " is out of range (plan has " + std::to_string(p.op_block.size()) + " ops)");
    o = p.op_block[op];
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_plan_op_strategy(const cfp_plan *plan, uint32_t op, uint32_t *out) {
  return Get(__func__, plan, out, 0u, [op](const cfp::Plan &p, uint32_t &o) -> Status {
    if (op >= p.op_strategy.size())
      return cfp::OutOfRange("op " + std::to_string(op) + " is out of range (plan has " + std::to_string(p.op_strategy.size()) + " ops)");
    o = p.op_strategy[op];
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_plan_tensor_sharding(const cfp_plan *plan, uint32_t tensor, char *buf, size_t cap, size_t *needed) {
  CFP_API_CLEAR_OUT(needed, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(NotNull(plan, "plan"));
    const cfp::Plan &p = *plan->plan;
    if (tensor >= p.tensor_spec.size())
      return cfp::OutOfRange("tensor " + std::to_string(tensor) + " is out of range (plan has " +
                             std::to_string(p.tensor_spec.size()) + " tensors)");
    return cfp::api::CopyString(p.tensor_spec[tensor].ToString(), buf, cap, needed);
  });
}

CFP_API cfp_status cfp_plan_cost_notes(const cfp_plan *plan, char *buf, size_t cap, size_t *needed) {
  CFP_API_CLEAR_OUT(needed, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(NotNull(plan, "plan"));
    return cfp::api::CopyString(plan->plan->cost_notes, buf, cap, needed);
  });
}

CFP_API cfp_status cfp_plan_collective(const cfp_plan *plan, uint32_t index, cfp_collective_kind *kind, uint32_t *tensor,
                                       uint32_t *mesh_axes_mask, uint64_t *bytes, int64_t *before_op, double *time) {
  CFP_API_CLEAR_OUT(kind, CFP_ALL_REDUCE);
  CFP_API_CLEAR_OUT(tensor, 0);
  CFP_API_CLEAR_OUT(mesh_axes_mask, 0);
  CFP_API_CLEAR_OUT(bytes, 0);
  CFP_API_CLEAR_OUT(before_op, 0);
  CFP_API_CLEAR_OUT(time, 0.0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(NotNull(plan, "plan"));
    const cfp::Plan &p = *plan->plan;
    if (index >= p.collectives.size())
      return cfp::OutOfRange("collective " + std::to_string(index) + " is out of range (plan has " +
                             std::to_string(p.collectives.size()) + ")");
    const cfp::PlanCollective &c = p.collectives[index];
    if (kind) *kind = static_cast<cfp_collective_kind>(c.kind);
    if (tensor) *tensor = c.tensor;
    if (mesh_axes_mask) *mesh_axes_mask = c.mesh_axes;
    if (bytes) *bytes = c.bytes;
    if (before_op) *before_op = c.before_op;
    if (time) *time = c.time;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_plan_to_buffer(const cfp_plan *plan, cfp_bytes **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(NotNull(plan, "plan"));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = new cfp_bytes{cfp::PlanToBuffer(*plan->plan)};
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_plan_to_json(const cfp_plan *plan, cfp_bytes **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(NotNull(plan, "plan"));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    std::string json = cfp::PlanToJson(*plan->plan);
    *out = new cfp_bytes{std::vector<uint8_t>(json.begin(), json.end())};
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_plan_from_buffer(const void *data, size_t size, cfp_plan **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    if (data == nullptr && size != 0) return cfp::InvalidArgument("data must not be NULL");
    CFP_ASSIGN_OR_RETURN(cfp::Plan plan, cfp::PlanFromBuffer(data, size));
    *out = new cfp_plan{std::make_shared<const cfp::Plan>(std::move(plan))};
    return Status::Ok();
  });
}

CFP_API void cfp_plan_destroy(cfp_plan *plan) { delete plan; }

}  // extern "C"
