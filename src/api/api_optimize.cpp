// Optimizing and evaluating plans.
#include <cmath>
#include <cstring>
#include <string>

#include "api/guard.h"
#include "api/handles.h"
#include "graph/op_semantics.h"
#include "util/checked_math.h"

using cfp::Status;
using cfp::api::Guard;
using cfp::api::NotNull;

namespace cfp::api {

// The options with the C progress callback bound to the C++ one.
cfp::OptimizerOptions Resolve(const cfp_options *o) {
  cfp::OptimizerOptions r = o->options;
  if (o->progress) {
    cfp_progress_fn fn = o->progress;
    void *user = o->progress_user;
    r.progress = [fn, user](const char *phase, uint64_t done, uint64_t total) { return fn(user, phase, done, total) == 0; };
  }
  return r;
}

Status CopyString(const std::string &s, char *buf, size_t cap, size_t *needed) {
  if (needed) *needed = s.size() + 1;
  if (buf == nullptr || cap < s.size() + 1) {
    if (buf && cap > 0) buf[0] = '\0';
    return Status(Code::kBufferTooSmall, "the buffer holds " + std::to_string(cap) + " bytes, " +
                                             std::to_string(s.size() + 1) + " are needed");
  }
  std::memcpy(buf, s.c_str(), s.size() + 1);
  return Status::Ok();
}

}  // namespace cfp::api

namespace {

Status CheckArgs(const cfp_graph *g, const cfp_options *o) {
  CFP_RETURN_IF_ERROR(NotNull(g, "graph"));
  return NotNull(o, "options");
}

Status CheckOp(const cfp_graph *g, uint32_t op) {
  if (op >= g->graph->num_ops())
    return cfp::OutOfRange("op " + std::to_string(op) + " is out of range (graph has " + std::to_string(g->graph->num_ops()) +
                           " ops)");
  return Status::Ok();
}

// Why the compute time is not finite: an op with infinite FLOPs, else the device and scale.
Status ComputeTimeNotFinite(const cfp::Graph &g, const cfp::OptimizerOptions &o, double compute_time) {
  for (uint32_t op = 0; op < g.num_ops(); ++op) {
    const double flops = cfp::OpFlops(g.op(op), g.space(op));
    if (std::isfinite(flops)) continue;
    std::string why = cfp::DescribeOp(g.ops(), op) + " does " + cfp::ShortNumber(flops) + " FLOPs";
    if (g.op(op).kind == cfp::OpKind::Custom)
      why += " (" + cfp::ShortNumber(g.op(op).attrs.flops_per_point) + " FLOPs per point)";
    return cfp::InvalidArgument("the step time is not finite: " + why);
  }
  double slowest = o.device.vector_flops;
  for (double f : o.device.matrix_flops)
    if (f > 0 && (slowest <= 0 || f < slowest)) slowest = f;
  return cfp::InvalidArgument("the step time is not finite: the compute time is " + cfp::ShortNumber(compute_time) +
                              " s (compute scale " + cfp::ShortNumber(o.cost.compute_scale) + ", kernel overhead " +
                              cfp::ShortNumber(o.device.kernel_overhead) + " s, the device's least peak FLOP/s " +
                              cfp::ShortNumber(slowest) + ", memory bandwidth " +
                              cfp::ShortNumber(o.device.memory_bandwidth) + " bytes/s)");
}

// Why the communication time is not finite: the first collective that takes forever, with
// the link of its mesh axis.
Status CommTimeNotFinite(const cfp::Graph &g, const cfp::OptimizerOptions &o, const cfp::Plan &p) {
  const cfp::Result<cfp::Mesh> mesh = o.BuildMesh();
  for (const cfp::PlanCollective &c : p.collectives) {
    if (std::isfinite(c.time)) continue;
    std::string why = "the " + std::string(cfp::CollectiveKindName(c.kind)) + " of " + cfp::DescribeTensor(g.tensors(), c.tensor) +
                      " (" + std::to_string(c.bytes) + " bytes per device)";
    for (int m = 0; m < 8; ++m) {
      if (!((c.mesh_axes >> m) & 1)) continue;
      why += " over mesh axis " + std::to_string(m);
      if (mesh.ok() && m < mesh->num_axes())
        why += " (a link of bandwidth " + cfp::ShortNumber(mesh->axis(m).bandwidth) + " bytes/s, latency " +
               cfp::ShortNumber(mesh->axis(m).latency) + " s)";
      break;
    }
    return cfp::InvalidArgument("the step time is not finite: " + why + " takes " + cfp::ShortNumber(c.time) + " s");
  }
  return cfp::InvalidArgument("the step time is not finite: the communication time is " + cfp::ShortNumber(p.comm_time) +
                              " s, more than a double holds");
}

// A plan whose step time, objective or memory is no number is not handed out: the error
// names the graph's op or the option behind it.
Status CheckPlanNumbers(const cfp::Graph &g, const cfp::OptimizerOptions &o, const cfp::Plan &p) {
  if (!std::isfinite(p.compute_time)) return ComputeTimeNotFinite(g, o, p.compute_time);
  if (!std::isfinite(p.comm_time)) return CommTimeNotFinite(g, o, p);
  if (!std::isfinite(p.step_time))
    return cfp::InvalidArgument("the step time is not finite: compute " + cfp::ShortNumber(p.compute_time) +
                                " s plus communication " + cfp::ShortNumber(p.comm_time) + " s is more than a double holds");
  if (!std::isfinite(p.objective))
    return cfp::InvalidArgument("the objective is not finite: the replicated parameter penalty of " +
                                cfp::ShortNumber(o.cost.replicated_param_penalty) +
                                " s per byte makes the plan's penalty " + cfp::ShortNumber(p.objective - p.step_time) + " s");
  // AssemblePlan gives a memory of 2^64 bytes or more as UINT64_MAX.
  if (p.peak_memory == UINT64_MAX)
    return cfp::OutOfRange("the peak memory per device does not fit in 64 bits (2^64 bytes or more)");
  return Status::Ok();
}

}  // namespace

extern "C" {

CFP_API cfp_status cfp_optimize(const cfp_graph *graph, const cfp_options *options, cfp_plan **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckArgs(graph, options));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    Status stopped;  // a search limit that stopped the search, with a plan found before
    CFP_ASSIGN_OR_RETURN(cfp::Plan plan, cfp::Optimize(*graph->graph, cfp::api::Resolve(options), &stopped));
    CFP_RETURN_IF_ERROR(CheckPlanNumbers(*graph->graph, options->options, plan));
    *out = new cfp_plan{std::make_shared<const cfp::Plan>(std::move(plan))};
    return stopped;
  });
}

CFP_API cfp_status cfp_min_memory(const cfp_graph *graph, const cfp_options *options, uint64_t *out) {
  CFP_API_CLEAR_OUT(out, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckArgs(graph, options));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    CFP_ASSIGN_OR_RETURN(double bytes, cfp::MinMemory(*graph->graph, cfp::api::Resolve(options)));
    CFP_ASSIGN_OR_RETURN(*out, cfp::ToUint64(bytes, "the smallest plan's memory per device", "bytes", /*round_up=*/true));
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_op_strategy_count(const cfp_graph *graph, const cfp_options *options, uint32_t op, uint32_t *out) {
  CFP_API_CLEAR_OUT(out, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckArgs(graph, options));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    CFP_RETURN_IF_ERROR(CheckOp(graph, op));
    CFP_ASSIGN_OR_RETURN(cfp::Mesh mesh, options->options.BuildMesh());
    const cfp::Graph &g = *graph->graph;
    *out = static_cast<uint32_t>(
        cfp::OpStrategies(g, op, mesh, options->options.rules).size());
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_op_strategy_describe(const cfp_graph *graph, const cfp_options *options, uint32_t op, uint32_t index,
                                            char *buf, size_t cap, size_t *needed) {
  CFP_API_CLEAR_OUT(needed, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckArgs(graph, options));
    CFP_RETURN_IF_ERROR(CheckOp(graph, op));
    CFP_ASSIGN_OR_RETURN(cfp::Mesh mesh, options->options.BuildMesh());
    const cfp::Graph &g = *graph->graph;
    auto strategies = cfp::OpStrategies(g, op, mesh, options->options.rules);
    if (index >= strategies.size())
      return cfp::OutOfRange("strategy " + std::to_string(index) + " of " + cfp::DescribeOp(g.ops(), op) +
                             " is out of range (it has " + std::to_string(strategies.size()) + ")");
    std::string text = strategies[index].ToString(mesh.num_axes()) + " : " + g.space(op).ToString();
    return cfp::api::CopyString(text, buf, cap, needed);
  });
}

CFP_API cfp_status cfp_evaluate(const cfp_graph *graph, const cfp_options *options, const uint32_t *choice_per_op,
                                size_t count, cfp_plan **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckArgs(graph, options));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    // The count is checked before any element is read: the array may hold fewer.
    const uint32_t ops = graph->graph->num_ops();
    if (count != ops)
      return cfp::InvalidArgument("expected one choice per op (" + std::to_string(ops) + "), got " + std::to_string(count));
    if (choice_per_op == nullptr && count != 0) return cfp::InvalidArgument("choice_per_op must not be NULL");
    std::vector<uint32_t> choice(choice_per_op, choice_per_op + count);
    CFP_ASSIGN_OR_RETURN(cfp::Plan plan, cfp::EvaluateChoices(*graph->graph, cfp::api::Resolve(options), choice));
    CFP_RETURN_IF_ERROR(CheckPlanNumbers(*graph->graph, options->options, plan));
    *out = new cfp_plan{std::make_shared<const cfp::Plan>(std::move(plan))};
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_profile(const cfp_graph *graph, const cfp_options *options, cfp_bytes **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckArgs(graph, options));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    CFP_ASSIGN_OR_RETURN(cfp::ProfilingReport report, cfp::ProfileOnly(*graph->graph, cfp::api::Resolve(options)));
    std::string text = cfp::FormatProfilingReport(report);
    *out = new cfp_bytes{std::vector<uint8_t>(text.begin(), text.end())};
    return Status::Ok();
  });
}

}  // extern "C"
