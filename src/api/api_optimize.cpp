// Optimizing and evaluating plans.
#include <cmath>
#include <cstring>
#include <string>

#include "api/guard.h"
#include "api/handles.h"

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

}  // namespace

extern "C" {

CFP_API cfp_status cfp_optimize(const cfp_graph *graph, const cfp_options *options, cfp_plan **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckArgs(graph, options));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    Status stopped;  // a search limit that stopped the search, with a plan found before
    CFP_ASSIGN_OR_RETURN(cfp::Plan plan, cfp::Optimize(*graph->graph, cfp::api::Resolve(options), &stopped));
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
    *out = static_cast<uint64_t>(std::ceil(bytes));
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
    if (choice_per_op == nullptr && count != 0) return cfp::InvalidArgument("choice_per_op must not be NULL");
    std::vector<uint32_t> choice(choice_per_op, choice_per_op + count);
    CFP_ASSIGN_OR_RETURN(cfp::Plan plan, cfp::EvaluateChoices(*graph->graph, cfp::api::Resolve(options), choice));
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
