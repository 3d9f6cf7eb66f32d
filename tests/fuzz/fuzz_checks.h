// What every fuzz target asserts about the C API, whatever the input: a failure leaves the
// out-parameter NULL and a message that starts with the function's name; a success gives
// a graph or plan that answers every query and survives a serialization round trip. A
// broken promise traps, so libFuzzer reports it like a crash.
#pragma once

#include <cfp.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace cfp_fuzz {

[[noreturn]] inline void Fail(const char *what, const char *detail = "") {
  std::fprintf(stderr, "fuzz invariant broken: %s %s\n", what, detail);
  std::fflush(stderr);
  __builtin_trap();
}

inline void Require(bool ok, const char *what) {
  if (!ok) Fail(what, cfp_last_error_message());
}

// For checks on the library's internals, which report through their own messages.
inline void Require(bool ok, const char *what, const std::string &detail) {
  if (!ok) Fail(what, detail.c_str());
}

// A failed call: a status the function may return for bad input (never INTERNAL, which
// means a bug), a message naming the function, and no half-made object.
inline void RequireCleanFailure(cfp_status s, const char *function, const void *out) {
  if (s == CFP_OK) return;
  if (s == CFP_ERR_INTERNAL) Fail("CFP_ERR_INTERNAL from", cfp_last_error_message());
  if (out != nullptr) Fail("failure left an out-parameter set:", function);
  const char *m = cfp_last_error_message();
  if (m == nullptr || std::strncmp(m, function, std::strlen(function)) != 0 || std::strlen(m) <= std::strlen(function) + 2)
    Fail("failure message does not name the function:", m ? m : "(null)");
}

inline std::vector<uint8_t> BytesOf(const cfp_bytes *b) {
  const auto *p = static_cast<const uint8_t *>(cfp_bytes_data(b));
  return {p, p + cfp_bytes_size(b)};
}

// Every accessor of every op and tensor answers, and ids past the end are OUT_OF_RANGE.
inline void QueryGraph(const cfp_graph *g) {
  uint32_t ops = 0, tensors = 0;
  Require(cfp_graph_op_count(g, &ops) == CFP_OK, "op count");
  Require(cfp_graph_tensor_count(g, &tensors) == CFP_OK, "tensor count");
  const char *s = nullptr;
  Require(cfp_graph_name(g, &s) == CFP_OK && s != nullptr, "graph name");
  for (uint32_t op = 0; op <= ops; ++op) {
    const cfp_status want = op < ops ? CFP_OK : CFP_ERR_OUT_OF_RANGE;
    cfp_op_kind kind;
    cfp_phase phase;
    uint32_t n_in = 0, n_out = 0, t = 0;
    Require(cfp_graph_op_name(g, op, &s) == want, "op name");
    Require(cfp_graph_op_scope(g, op, &s) == want, "op scope");
    Require(cfp_graph_op_kind(g, op, &kind) == want, "op kind");
    Require(cfp_graph_op_phase(g, op, &phase) == want, "op phase");
    Require(cfp_graph_op_input_count(g, op, &n_in) == want, "op input count");
    Require(cfp_graph_op_output_count(g, op, &n_out) == want, "op output count");
    for (uint32_t i = 0; i <= n_in && want == CFP_OK; ++i) {
      Require(cfp_graph_op_input(g, op, i, &t) == (i < n_in ? CFP_OK : CFP_ERR_OUT_OF_RANGE), "op input");
      Require(i == n_in || t < tensors, "op input names a tensor past the end");
    }
    for (uint32_t i = 0; i <= n_out && want == CFP_OK; ++i) {
      Require(cfp_graph_op_output(g, op, i, &t) == (i < n_out ? CFP_OK : CFP_ERR_OUT_OF_RANGE), "op output");
      uint32_t producer = 0;
      if (i < n_out) Require(cfp_graph_tensor_producer(g, t, &producer) == CFP_OK && producer == op, "producer of an output");
    }
    uint32_t forward = 0, n_axes = 0;
    Require(cfp_graph_op_grad_of(g, op, &forward) == want && (forward < ops || forward == CFP_NO_OP), "op grad_of");
    Require(cfp_graph_op_axis_count(g, op, &n_axes) == want, "op axis count");
    for (uint32_t a = 0; a <= n_axes && want == CFP_OK; ++a) {
      const cfp_status axis_want = a < n_axes ? CFP_OK : CFP_ERR_OUT_OF_RANGE;
      int64_t size = 0;
      int flag = 0;
      Require(cfp_graph_op_axis_size(g, op, a, &size) == axis_want && (a == n_axes || size >= 1), "op axis size");
      Require(cfp_graph_op_axis_is_reduction(g, op, a, &flag) == axis_want, "op axis role");
      Require(cfp_graph_op_axis_splittable(g, op, a, &flag) == axis_want, "op axis splittable");
    }
    // Operands are the inputs, then the outputs, each of its tensor's rank.
    for (uint32_t o = 0; o <= n_in + n_out && want == CFP_OK; ++o) {
      uint32_t rank = 0, count = 0, axis = 0;
      if (o == n_in + n_out) {
        Require(cfp_graph_op_operand_dim_axis_count(g, op, o, 0, &count) == CFP_ERR_OUT_OF_RANGE, "operand past the end");
        break;
      }
      Require((o < n_in ? cfp_graph_op_input(g, op, o, &t) : cfp_graph_op_output(g, op, o - n_in, &t)) == CFP_OK &&
                  cfp_graph_tensor_rank(g, t, &rank) == CFP_OK,
              "operand tensor");
      for (uint32_t d = 0; d <= rank; ++d) {
        const cfp_status dim_want = d < rank ? CFP_OK : CFP_ERR_OUT_OF_RANGE;
        Require(cfp_graph_op_operand_dim_axis_count(g, op, o, d, &count) == dim_want, "operand dim axis count");
        for (uint32_t i = 0; i <= count && d < rank; ++i) {
          const cfp_status index_want = i < count ? CFP_OK : CFP_ERR_OUT_OF_RANGE;
          Require(cfp_graph_op_operand_dim_axis(g, op, o, d, i, &axis) == index_want && (i == count || axis < n_axes),
                  "operand dim axis");
        }
      }
    }
  }
  for (uint32_t t = 0; t <= tensors; ++t) {
    const cfp_status want = t < tensors ? CFP_OK : CFP_ERR_OUT_OF_RANGE;
    cfp_dtype dtype;
    cfp_tensor_role role;
    uint32_t rank = 0, producer = 0;
    int64_t dim = 0;
    Require(cfp_graph_tensor_name(g, t, &s) == want, "tensor name");
    Require(cfp_graph_tensor_dtype(g, t, &dtype) == want, "tensor dtype");
    Require(cfp_graph_tensor_role(g, t, &role) == want, "tensor role");
    Require(cfp_graph_tensor_producer(g, t, &producer) == want, "tensor producer");
    uint32_t link = 0;
    Require(cfp_graph_tensor_gradient_of(g, t, &link) == want && (link < tensors || link == CFP_NO_TENSOR), "tensor gradient_of");
    Require(cfp_graph_tensor_updates(g, t, &link) == want && (link < tensors || link == CFP_NO_TENSOR), "tensor updates");
    Require(cfp_graph_tensor_rank(g, t, &rank) == want, "tensor rank");
    for (uint32_t d = 0; d <= rank && want == CFP_OK; ++d) {
      Require(cfp_graph_tensor_dim(g, t, d, &dim) == (d < rank ? CFP_OK : CFP_ERR_OUT_OF_RANGE), "tensor dim");
      Require(d == rank || dim >= 1, "a loaded tensor has a dim below 1");
    }
  }
  uint64_t params = 0;
  double flops = 0;
  Require(cfp_graph_parameter_count(g, &params) == CFP_OK, "parameter count");
  Require(cfp_graph_flops(g, &flops) == CFP_OK && flops >= 0, "flops");
}

// A valid graph serializes, reloads, and serializes to the same bytes.
inline void RequireRoundTrip(const cfp_graph *g) {
  cfp_bytes *first = nullptr, *second = nullptr;
  cfp_graph *again = nullptr;
  Require(cfp_graph_to_buffer(g, &first) == CFP_OK, "graph to buffer");
  Require(cfp_graph_from_buffer(cfp_bytes_data(first), cfp_bytes_size(first), &again) == CFP_OK,
          "a serialized graph does not reload");
  Require(cfp_graph_to_buffer(again, &second) == CFP_OK, "reloaded graph to buffer");
  Require(BytesOf(first) == BytesOf(second), "graph round trip changed the bytes");
  cfp_bytes_destroy(first);
  cfp_bytes_destroy(second);
  cfp_graph_destroy(again);
}

// Every accessor of a plan answers; serialization round-trips.
inline void QueryPlan(const cfp_plan *p) {
  double d = 0;
  uint64_t u64 = 0;
  uint32_t n = 0, u = 0;
  int flag = 0;
  Require(cfp_plan_step_time(p, &d) == CFP_OK, "step time");
  Require(cfp_plan_compute_time(p, &d) == CFP_OK, "compute time");
  Require(cfp_plan_comm_time(p, &d) == CFP_OK, "comm time");
  Require(cfp_plan_objective(p, &d) == CFP_OK, "objective");
  Require(cfp_plan_peak_memory(p, &u64) == CFP_OK, "peak memory");
  Require(cfp_plan_is_optimal(p, &flag) == CFP_OK, "is optimal");
  Require(cfp_plan_block_count(p, &u) == CFP_OK, "block count");
  Require(cfp_plan_segment_count(p, &u) == CFP_OK, "segment count");
  Require(cfp_plan_unique_segment_count(p, &u) == CFP_OK, "unique segment count");
  for (int st = 0; st <= CFP_STAT_OPS_OUTSIDE_BLOCKS + 1; ++st)
    Require(cfp_plan_stat(p, static_cast<cfp_stat>(st), &d) ==
                (st <= CFP_STAT_OPS_OUTSIDE_BLOCKS ? CFP_OK : CFP_ERR_INVALID_ARGUMENT),
            "stat");
  Require(cfp_plan_collective_count(p, &n) == CFP_OK, "collective count");
  for (uint32_t i = 0; i <= n; ++i) {
    cfp_collective_kind kind;
    uint32_t tensor = 0, mask = 0;
    uint64_t bytes = 0;
    int64_t before = 0;
    double time = 0;
    cfp_status s = cfp_plan_collective(p, i, &kind, &tensor, &mask, &bytes, &before, &time);
    Require(s == (i < n ? CFP_OK : CFP_ERR_OUT_OF_RANGE), "collective");
    if (i < n) Require(kind >= CFP_ALL_REDUCE && kind <= CFP_ALL_TO_ALL, "collective of an unknown kind");
  }
  // Op and tensor counts are not exposed; walk until OUT_OF_RANGE.
  for (uint32_t op = 0;; ++op) {
    cfp_status s = cfp_plan_op_strategy(p, op, &u);
    if (s == CFP_ERR_OUT_OF_RANGE) break;
    Require(s == CFP_OK, "op strategy");
    Require(cfp_plan_op_block(p, op, &u) == CFP_OK, "op block");
  }
  for (uint32_t t = 0;; ++t) {
    size_t needed = 0;
    cfp_status s = cfp_plan_tensor_sharding(p, t, nullptr, 0, &needed);
    if (s == CFP_ERR_OUT_OF_RANGE) break;
    Require(s == CFP_ERR_BUFFER_TOO_SMALL && needed >= 3, "sharding size query");
    std::string text(needed, '\0');
    Require(cfp_plan_tensor_sharding(p, t, text.data(), needed, nullptr) == CFP_OK, "sharding");
    Require(std::strlen(text.c_str()) + 1 == needed, "sharding length");
  }
  cfp_bytes *json = nullptr, *first = nullptr, *second = nullptr;
  Require(cfp_plan_to_json(p, &json) == CFP_OK && cfp_bytes_size(json) > 2, "plan to json");
  Require(cfp_plan_to_buffer(p, &first) == CFP_OK, "plan to buffer");
  cfp_plan *again = nullptr;
  Require(cfp_plan_from_buffer(cfp_bytes_data(first), cfp_bytes_size(first), &again) == CFP_OK,
          "a serialized plan does not reload");
  Require(cfp_plan_to_buffer(again, &second) == CFP_OK, "reloaded plan to buffer");
  Require(BytesOf(first) == BytesOf(second), "plan round trip changed the bytes");
  cfp_plan_destroy(again);
  cfp_bytes_destroy(json);
  cfp_bytes_destroy(first);
  cfp_bytes_destroy(second);
}

// On graphs small enough to search in microseconds: optimize, evaluate the first strategy
// of every op, and derive a training step. Any outcome but a clean one is a finding.
inline void OptimizeSmallGraph(const cfp_graph *g, uint32_t max_ops) {
  uint32_t ops = 0;
  cfp_graph_op_count(g, &ops);
  if (ops == 0 || ops > max_ops) return;
  cfp_options *o = nullptr;
  Require(cfp_options_create(&o) == CFP_OK, "options");
  const uint32_t mesh[] = {2, 2};
  Require(cfp_options_set_mesh(o, mesh, 2) == CFP_OK, "mesh");
  Require(cfp_options_set_threads(o, 1) == CFP_OK, "threads");
  Require(cfp_options_set_time_limit(o, 1.0) == CFP_OK, "time limit");
  cfp_plan *p = nullptr;
  cfp_status s = cfp_optimize(g, o, &p);
  RequireCleanFailure(s, "cfp_optimize", s == CFP_ERR_TIME_LIMIT || s == CFP_ERR_MEMORY_LIMIT ? nullptr : p);
  if (s == CFP_OK) QueryPlan(p);
  cfp_plan_destroy(p);
  p = nullptr;
  std::vector<uint32_t> first(ops, 0);
  s = cfp_evaluate(g, o, first.data(), first.size(), &p);
  RequireCleanFailure(s, "cfp_evaluate", p);
  if (s == CFP_OK) QueryPlan(p);
  cfp_plan_destroy(p);
  for (uint32_t op = 0; op < ops; ++op) {
    uint32_t n = 0;
    s = cfp_op_strategy_count(g, o, op, &n);
    RequireCleanFailure(s, "cfp_op_strategy_count", nullptr);
    char buf[256];
    if (n > 0) RequireCleanFailure(cfp_op_strategy_describe(g, o, op, n - 1, buf, sizeof buf, nullptr),
                                   "cfp_op_strategy_describe", nullptr);
  }
  cfp_options_destroy(o);
  cfp_graph *training = nullptr;
  s = cfp_graph_make_training(g, "sgd", &training);
  RequireCleanFailure(s, "cfp_graph_make_training", training);
  if (s == CFP_OK) {
    QueryGraph(training);
    RequireRoundTrip(training);
  }
  cfp_graph_destroy(training);
}

}  // namespace cfp_fuzz
