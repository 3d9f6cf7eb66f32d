// Every exported entry point, driven with bad arguments through the C API: NULL for each
// pointer argument in turn, ids past the end, unknown enum values, NaN and negative
// numbers. Each call must return the documented status with a message that starts with
// the function's name and names the problem, clear its out-parameters, and never throw,
// abort or exit. A second test reads libcfp's dynamic symbol table (nm -D) and fails when
// an exported function has no driver here, so the coverage keeps up with the API.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "support/c_graphs.h"

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The entry point whose driver is running; every failure message must start with it.
std::string g_function;

void ExpectStatus(cfp_status got, cfp_status want, const std::string &needle, const char *call) {
  const std::string m = cfp_last_error_message();
  EXPECT_EQ(got, want) << call << " returned " << cfp_status_string(got) << ": " << m;
  if (want == CFP_OK) {
    EXPECT_EQ(m, "") << call;
    return;
  }
  EXPECT_EQ(m.rfind(g_function + ": ", 0), 0u) << call << ": message does not start with the function name: " << m;
  EXPECT_NE(m.find(needle), std::string::npos) << call << ": message lacks '" << needle << "': " << m;
}
#define EXPECT_STATUS(call, want, needle) ExpectStatus((call), (want), (needle), #call)
#define EXPECT_NULL_ARG(call, what) EXPECT_STATUS(call, CFP_ERR_INVALID_ARGUMENT, std::string(what) + " must not be NULL")

// A pointer value no successful call would return, to prove failures reset out-params.
template <class T>
T *Garbage() {
  return reinterpret_cast<T *>(uintptr_t{0x10});
}

// Valid handles for the arguments a driver does not spoil.
struct World {
  cfp_test::Graph graph;  // the tiny MLP: 5 ops, 10 tensors
  cfp_test::Builder builder;  // x[4,8] -exp-> y[4,8]
  cfp_test::Owned<cfp_options, cfp_options_destroy> options;  // mesh [2]
  cfp_test::Owned<cfp_plan, cfp_plan_destroy> plan;
  std::vector<uint8_t> graph_bytes, plan_bytes;

  World() {
    graph_bytes = cfp_test::TinyMlpBuffer(8, 16);
    EXPECT_EQ(cfp_graph_from_buffer(graph_bytes.data(), graph_bytes.size(), graph.out()), CFP_OK);
    EXPECT_EQ(cfp_graph_builder_create("b", builder.out()), CFP_OK);
    uint32_t x = cfp_test::AddTensor(builder.get(), "x", {4, 8}, CFP_ROLE_DATA_INPUT);
    uint32_t y = cfp_test::AddTensor(builder.get(), "y", {4, 8});
    cfp_test::AddOp(builder.get(), "exp", CFP_OP_EXP, {x}, {y});
    EXPECT_EQ(cfp_options_create(options.out()), CFP_OK);
    const uint32_t mesh[] = {2};
    EXPECT_EQ(cfp_options_set_mesh(options.get(), mesh, 1), CFP_OK);
    EXPECT_EQ(cfp_optimize(graph.get(), options.get(), plan.out()), CFP_OK) << cfp_last_error_message();
    cfp_test::Bytes b;
    EXPECT_EQ(cfp_plan_to_buffer(plan.get(), b.out()), CFP_OK);
    const auto *p = static_cast<const uint8_t *>(cfp_bytes_data(b.get()));
    plan_bytes.assign(p, p + cfp_bytes_size(b.get()));
  }
  cfp_graph *g() { return graph.get(); }
  cfp_graph_builder *b() { return builder.get(); }
  cfp_options *o() { return options.get(); }
  cfp_plan *p() { return plan.get(); }
};

using Driver = std::function<void(World &)>;

// Drivers for the queries that take (graph, id, out) with a uint32 out-parameter.
template <class T>
void GraphIdQuery(World &w, cfp_status (*fn)(const cfp_graph *, uint32_t, T *), T cleared, uint32_t count,
                  const char *noun) {
  T out = T{};
  EXPECT_NULL_ARG(fn(nullptr, 0, &out), "graph");
  EXPECT_EQ(out, cleared);
  EXPECT_NULL_ARG(fn(w.g(), 0, nullptr), "out");
  EXPECT_STATUS(fn(w.g(), count, &out), CFP_ERR_OUT_OF_RANGE,
                std::string(noun) + " " + std::to_string(count) + " is out of range");
  EXPECT_STATUS(fn(w.g(), UINT32_MAX, &out), CFP_ERR_OUT_OF_RANGE, "out of range");
  EXPECT_EQ(out, cleared);
}

template <class T>
void PlanQuery(World &w, cfp_status (*fn)(const cfp_plan *, T *)) {
  T out = T{};
  EXPECT_NULL_ARG(fn(nullptr, &out), "plan");
  EXPECT_EQ(out, T{});
  EXPECT_NULL_ARG(fn(w.p(), nullptr), "out");
}

template <class T>
void PlanIdQuery(World &w, cfp_status (*fn)(const cfp_plan *, uint32_t, T *)) {
  T out = T{};
  EXPECT_NULL_ARG(fn(nullptr, 0, &out), "plan");
  EXPECT_NULL_ARG(fn(w.p(), 0, nullptr), "out");
  EXPECT_STATUS(fn(w.p(), 5, &out), CFP_ERR_OUT_OF_RANGE, "op 5 is out of range (plan has 5 ops)");
  EXPECT_EQ(out, T{});
}

void OptionsNumber(World &w, cfp_status (*fn)(cfp_options *, double), const char *what, bool zero_ok) {
  EXPECT_NULL_ARG(fn(nullptr, 1.0), "options");
  const std::string need = std::string(what) + (zero_ok ? " must be a non-negative number" : " must be a positive number");
  for (double bad : {kNaN, -1.0, kInf, -kInf}) EXPECT_STATUS(fn(w.o(), bad), CFP_ERR_INVALID_ARGUMENT, need);
  EXPECT_STATUS(fn(w.o(), 0.0), zero_ok ? CFP_OK : CFP_ERR_INVALID_ARGUMENT, need);
}

#define DRIVER(fn) {#fn, reinterpret_cast<void (*)()>(&fn), [](World & w)

// One driver per exported function. The function pointer proves the name is real.
const std::vector<std::tuple<std::string, void (*)(), Driver>> &Drivers() {
  static const std::vector<std::tuple<std::string, void (*)(), Driver>> drivers = {
      // --- version, status, errors, bytes, names -----------------------------------------
      DRIVER(cfp_version_number) { (void)w; EXPECT_EQ(cfp_version_number(), unsigned{CFP_VERSION_NUMBER}); }},
      DRIVER(cfp_version_string) { (void)w; EXPECT_NE(cfp_version_string(), nullptr); }},
      DRIVER(cfp_status_string) {
        (void)w;
        for (int bad : {-1, 15, 999, INT32_MAX, INT32_MIN})
          EXPECT_STREQ(cfp_status_string(static_cast<cfp_status>(bad)), "CFP_ERR_UNKNOWN");
      }},
      DRIVER(cfp_last_error_message) {
        uint32_t n = 0;
        EXPECT_EQ(cfp_graph_op_count(w.g(), &n), CFP_OK);
        EXPECT_STREQ(cfp_last_error_message(), "");
      }},
      DRIVER(cfp_bytes_data) { (void)w; EXPECT_EQ(cfp_bytes_data(nullptr), nullptr); }},
      DRIVER(cfp_bytes_size) { (void)w; EXPECT_EQ(cfp_bytes_size(nullptr), 0u); }},
      DRIVER(cfp_bytes_destroy) { (void)w; cfp_bytes_destroy(nullptr); }},
      DRIVER(cfp_op_kind_name) {
        (void)w;
        for (int bad : {-1, 12, 19, 199, 201, 65536}) EXPECT_STREQ(cfp_op_kind_name(static_cast<cfp_op_kind>(bad)), "unknown");
      }},
      DRIVER(cfp_dtype_name) {
        (void)w;
        for (int bad : {-1, 7, 255}) EXPECT_STREQ(cfp_dtype_name(static_cast<cfp_dtype>(bad)), "unknown");
      }},
      DRIVER(cfp_tensor_role_name) {
        (void)w;
        for (int bad : {-1, 6, 255}) EXPECT_STREQ(cfp_tensor_role_name(static_cast<cfp_tensor_role>(bad)), "unknown");
      }},

      // --- graphs ------------------------------------------------------------------------
      DRIVER(cfp_graph_from_buffer) {
        cfp_graph *g = Garbage<cfp_graph>();
        EXPECT_STATUS(cfp_graph_from_buffer(nullptr, 10, &g), CFP_ERR_INVALID_ARGUMENT, "data must not be NULL");
        EXPECT_EQ(g, nullptr);
        EXPECT_NULL_ARG(cfp_graph_from_buffer(w.graph_bytes.data(), w.graph_bytes.size(), nullptr), "out");
        EXPECT_STATUS(cfp_graph_from_buffer(nullptr, 0, &g), CFP_ERR_INVALID_GRAPH, "graph buffer is empty");
        EXPECT_STATUS(cfp_graph_from_buffer(w.plan_bytes.data(), w.plan_bytes.size(), &g), CFP_ERR_INVALID_GRAPH,
                      "file identifier is 'CFPP', expected 'CFPG'");
        EXPECT_EQ(g, nullptr);
      }},
      DRIVER(cfp_graph_from_file) {
        cfp_graph *g = Garbage<cfp_graph>();
        EXPECT_NULL_ARG(cfp_graph_from_file(nullptr, &g), "path");
        EXPECT_EQ(g, nullptr);
        EXPECT_NULL_ARG(cfp_graph_from_file("/nonexistent", nullptr), "out");
        EXPECT_STATUS(cfp_graph_from_file("", &g), CFP_ERR_IO, "cannot open ''");
        EXPECT_STATUS(cfp_graph_from_file("/nonexistent/g.cfpg", &g), CFP_ERR_IO, "/nonexistent/g.cfpg");
        EXPECT_STATUS(cfp_graph_from_file("/", &g), CFP_ERR_IO, "not a regular file");
        EXPECT_EQ(g, nullptr);
      }},
      DRIVER(cfp_graph_to_buffer) {
        cfp_bytes *b = Garbage<cfp_bytes>();
        EXPECT_NULL_ARG(cfp_graph_to_buffer(nullptr, &b), "graph");
        EXPECT_EQ(b, nullptr);
        EXPECT_NULL_ARG(cfp_graph_to_buffer(w.g(), nullptr), "out");
      }},
      DRIVER(cfp_graph_to_file) {
        EXPECT_NULL_ARG(cfp_graph_to_file(nullptr, "/tmp/x.cfpg"), "graph");
        EXPECT_NULL_ARG(cfp_graph_to_file(w.g(), nullptr), "path");
        EXPECT_STATUS(cfp_graph_to_file(w.g(), "/nonexistent/dir/g.cfpg"), CFP_ERR_IO, "/nonexistent/dir/g.cfpg");
        EXPECT_STATUS(cfp_graph_to_file(w.g(), ""), CFP_ERR_IO, "cannot");
      }},
      DRIVER(cfp_graph_destroy) { (void)w; cfp_graph_destroy(nullptr); }},
      DRIVER(cfp_graph_name) {
        const char *s = "x";
        EXPECT_NULL_ARG(cfp_graph_name(nullptr, &s), "graph");
        EXPECT_EQ(s, nullptr);
        EXPECT_NULL_ARG(cfp_graph_name(w.g(), nullptr), "out");
      }},
      DRIVER(cfp_graph_op_count) {
        uint32_t n = 9;
        EXPECT_NULL_ARG(cfp_graph_op_count(nullptr, &n), "graph");
        EXPECT_EQ(n, 0u);
        EXPECT_NULL_ARG(cfp_graph_op_count(w.g(), nullptr), "out");
      }},
      DRIVER(cfp_graph_tensor_count) {
        uint32_t n = 9;
        EXPECT_NULL_ARG(cfp_graph_tensor_count(nullptr, &n), "graph");
        EXPECT_EQ(n, 0u);
        EXPECT_NULL_ARG(cfp_graph_tensor_count(w.g(), nullptr), "out");
      }},
      DRIVER(cfp_graph_op_name) { GraphIdQuery<const char *>(w, cfp_graph_op_name, nullptr, 5, "op"); }},
      DRIVER(cfp_graph_op_kind) { GraphIdQuery<cfp_op_kind>(w, cfp_graph_op_kind, CFP_OP_ABS, 5, "op"); }},
      DRIVER(cfp_graph_op_scope) { GraphIdQuery<const char *>(w, cfp_graph_op_scope, nullptr, 5, "op"); }},
      DRIVER(cfp_graph_op_phase) { GraphIdQuery<cfp_phase>(w, cfp_graph_op_phase, CFP_PHASE_FORWARD, 5, "op"); }},
      DRIVER(cfp_graph_op_input_count) { GraphIdQuery<uint32_t>(w, cfp_graph_op_input_count, 0, 5, "op"); }},
      DRIVER(cfp_graph_op_output_count) { GraphIdQuery<uint32_t>(w, cfp_graph_op_output_count, 0, 5, "op"); }},
      DRIVER(cfp_graph_op_input) {
        uint32_t t = 9;
        EXPECT_NULL_ARG(cfp_graph_op_input(nullptr, 0, 0, &t), "graph");
        EXPECT_NULL_ARG(cfp_graph_op_input(w.g(), 0, 0, nullptr), "out");
        EXPECT_STATUS(cfp_graph_op_input(w.g(), 5, 0, &t), CFP_ERR_OUT_OF_RANGE, "op 5 is out of range");
        EXPECT_STATUS(cfp_graph_op_input(w.g(), 0, 2, &t), CFP_ERR_OUT_OF_RANGE, "input 2 of op 0 is out of range (it has 2)");
        EXPECT_EQ(t, 0u);
      }},
      DRIVER(cfp_graph_op_output) {
        uint32_t t = 9;
        EXPECT_NULL_ARG(cfp_graph_op_output(nullptr, 0, 0, &t), "graph");
        EXPECT_NULL_ARG(cfp_graph_op_output(w.g(), 0, 0, nullptr), "out");
        EXPECT_STATUS(cfp_graph_op_output(w.g(), 5, 0, &t), CFP_ERR_OUT_OF_RANGE, "op 5 is out of range");
        EXPECT_STATUS(cfp_graph_op_output(w.g(), 0, 1, &t), CFP_ERR_OUT_OF_RANGE, "output 1 of op 0 is out of range (it has 1)");
        EXPECT_EQ(t, 0u);
      }},
      DRIVER(cfp_graph_op_grad_of) { GraphIdQuery<uint32_t>(w, cfp_graph_op_grad_of, CFP_NO_OP, 5, "op"); }},
      DRIVER(cfp_graph_op_axis_count) { GraphIdQuery<uint32_t>(w, cfp_graph_op_axis_count, 0, 5, "op"); }},
      DRIVER(cfp_graph_op_axis_size) {
        int64_t n = 9;
        EXPECT_NULL_ARG(cfp_graph_op_axis_size(nullptr, 0, 0, &n), "graph");
        EXPECT_EQ(n, 0);
        EXPECT_NULL_ARG(cfp_graph_op_axis_size(w.g(), 0, 0, nullptr), "out");
        EXPECT_STATUS(cfp_graph_op_axis_size(w.g(), 5, 0, &n), CFP_ERR_OUT_OF_RANGE, "op 5 is out of range");
        EXPECT_STATUS(cfp_graph_op_axis_size(w.g(), 0, 3, &n), CFP_ERR_OUT_OF_RANGE,
                      "axis 3 of op 0 is out of range (it has 3 axes)");
        EXPECT_STATUS(cfp_graph_op_axis_size(w.g(), 0, UINT32_MAX, &n), CFP_ERR_OUT_OF_RANGE, "axis 4294967295 of op 0");
        EXPECT_EQ(n, 0);
      }},
      DRIVER(cfp_graph_op_axis_is_reduction) {
        int flag = 9;
        EXPECT_NULL_ARG(cfp_graph_op_axis_is_reduction(nullptr, 0, 0, &flag), "graph");
        EXPECT_EQ(flag, 0);
        EXPECT_NULL_ARG(cfp_graph_op_axis_is_reduction(w.g(), 0, 0, nullptr), "out");
        EXPECT_STATUS(cfp_graph_op_axis_is_reduction(w.g(), 5, 0, &flag), CFP_ERR_OUT_OF_RANGE, "op 5 is out of range");
        flag = 9;
        EXPECT_STATUS(cfp_graph_op_axis_is_reduction(w.g(), 1, 2, &flag), CFP_ERR_OUT_OF_RANGE,
                      "axis 2 of op 1 is out of range (it has 2 axes)");
        EXPECT_EQ(flag, 0);
      }},
      DRIVER(cfp_graph_op_axis_splittable) {
        int flag = 9;
        EXPECT_NULL_ARG(cfp_graph_op_axis_splittable(nullptr, 0, 0, &flag), "graph");
        EXPECT_EQ(flag, 0);
        EXPECT_NULL_ARG(cfp_graph_op_axis_splittable(w.g(), 0, 0, nullptr), "out");
        EXPECT_STATUS(cfp_graph_op_axis_splittable(w.g(), 5, 0, &flag), CFP_ERR_OUT_OF_RANGE, "op 5 is out of range");
        flag = 9;
        EXPECT_STATUS(cfp_graph_op_axis_splittable(w.g(), 0, 3, &flag), CFP_ERR_OUT_OF_RANGE,
                      "axis 3 of op 0 is out of range (it has 3 axes)");
        EXPECT_EQ(flag, 0);
      }},
      DRIVER(cfp_graph_op_operand_dim_axis_count) {
        uint32_t n = 9;
        EXPECT_NULL_ARG(cfp_graph_op_operand_dim_axis_count(nullptr, 0, 0, 0, &n), "graph");
        EXPECT_EQ(n, 0u);
        EXPECT_NULL_ARG(cfp_graph_op_operand_dim_axis_count(w.g(), 0, 0, 0, nullptr), "out");
        EXPECT_STATUS(cfp_graph_op_operand_dim_axis_count(w.g(), 5, 0, 0, &n), CFP_ERR_OUT_OF_RANGE, "op 5 is out of range");
        EXPECT_STATUS(cfp_graph_op_operand_dim_axis_count(w.g(), 0, 3, 0, &n), CFP_ERR_OUT_OF_RANGE,
                      "operand 3 of op 0 is out of range (it has 3: 2 inputs, then 1 outputs)");
        EXPECT_STATUS(cfp_graph_op_operand_dim_axis_count(w.g(), 0, 2, 2, &n), CFP_ERR_OUT_OF_RANGE,
                      "dim 2 of operand 2 of op 0 is out of range (the operand has rank 2)");
        // relu = maximum(h.bias, zero): its operand 1 is a scalar.
        EXPECT_STATUS(cfp_graph_op_operand_dim_axis_count(w.g(), 3, 1, 0, &n), CFP_ERR_OUT_OF_RANGE,
                      "dim 0 of operand 1 of op 3 is out of range (the operand has rank 0)");
        EXPECT_EQ(n, 0u);
      }},
      DRIVER(cfp_graph_op_operand_dim_axis) {
        uint32_t a = 9;
        EXPECT_NULL_ARG(cfp_graph_op_operand_dim_axis(nullptr, 0, 0, 0, 0, &a), "graph");
        EXPECT_EQ(a, 0u);
        EXPECT_NULL_ARG(cfp_graph_op_operand_dim_axis(w.g(), 0, 0, 0, 0, nullptr), "out");
        EXPECT_STATUS(cfp_graph_op_operand_dim_axis(w.g(), 5, 0, 0, 0, &a), CFP_ERR_OUT_OF_RANGE, "op 5 is out of range");
        EXPECT_STATUS(cfp_graph_op_operand_dim_axis(w.g(), 0, UINT32_MAX, 0, 0, &a), CFP_ERR_OUT_OF_RANGE,
                      "operand 4294967295 of op 0 is out of range");
        EXPECT_STATUS(cfp_graph_op_operand_dim_axis(w.g(), 0, 0, 2, 0, &a), CFP_ERR_OUT_OF_RANGE,
                      "dim 2 of operand 0 of op 0 is out of range");
        EXPECT_STATUS(cfp_graph_op_operand_dim_axis(w.g(), 0, 0, 0, 1, &a), CFP_ERR_OUT_OF_RANGE,
                      "axis index 1 of dim 0 of operand 0 of op 0 is out of range (the dim has 1 axes)");
        EXPECT_EQ(a, 0u);
      }},
      DRIVER(cfp_graph_tensor_gradient_of) {
        GraphIdQuery<uint32_t>(w, cfp_graph_tensor_gradient_of, CFP_NO_TENSOR, 10, "tensor");
      }},
      DRIVER(cfp_graph_tensor_updates) {
        GraphIdQuery<uint32_t>(w, cfp_graph_tensor_updates, CFP_NO_TENSOR, 10, "tensor");
      }},
      DRIVER(cfp_graph_tensor_producer) {
        GraphIdQuery<uint32_t>(w, cfp_graph_tensor_producer, CFP_NO_OP, 10, "tensor");
      }},
      DRIVER(cfp_graph_tensor_name) { GraphIdQuery<const char *>(w, cfp_graph_tensor_name, nullptr, 10, "tensor"); }},
      DRIVER(cfp_graph_tensor_dtype) { GraphIdQuery<cfp_dtype>(w, cfp_graph_tensor_dtype, CFP_F32, 10, "tensor"); }},
      DRIVER(cfp_graph_tensor_role) {
        GraphIdQuery<cfp_tensor_role>(w, cfp_graph_tensor_role, CFP_ROLE_DATA_INPUT, 10, "tensor");
      }},
      DRIVER(cfp_graph_tensor_rank) { GraphIdQuery<uint32_t>(w, cfp_graph_tensor_rank, 0, 10, "tensor"); }},
      DRIVER(cfp_graph_tensor_dim) {
        int64_t d = 9;
        EXPECT_NULL_ARG(cfp_graph_tensor_dim(nullptr, 0, 0, &d), "graph");
        EXPECT_NULL_ARG(cfp_graph_tensor_dim(w.g(), 0, 0, nullptr), "out");
        EXPECT_STATUS(cfp_graph_tensor_dim(w.g(), 10, 0, &d), CFP_ERR_OUT_OF_RANGE, "tensor 10 is out of range");
        EXPECT_STATUS(cfp_graph_tensor_dim(w.g(), 0, 2, &d), CFP_ERR_OUT_OF_RANGE, "dim 2 is out of range for a rank-2 tensor");
        EXPECT_EQ(d, 0);
      }},
      DRIVER(cfp_graph_parameter_count) {
        uint64_t n = 9;
        EXPECT_NULL_ARG(cfp_graph_parameter_count(nullptr, &n), "graph");
        EXPECT_EQ(n, 0u);
        EXPECT_NULL_ARG(cfp_graph_parameter_count(w.g(), nullptr), "out");
      }},
      DRIVER(cfp_graph_flops) {
        double f = 9;
        EXPECT_NULL_ARG(cfp_graph_flops(nullptr, &f), "graph");
        EXPECT_EQ(f, 0);
        EXPECT_NULL_ARG(cfp_graph_flops(w.g(), nullptr), "out");
      }},

      // --- builder -----------------------------------------------------------------------
      DRIVER(cfp_graph_builder_create) {
        (void)w;
        EXPECT_NULL_ARG(cfp_graph_builder_create("b", nullptr), "out");
        cfp_graph_builder *b = nullptr;
        EXPECT_STATUS(cfp_graph_builder_create(nullptr, &b), CFP_OK, "");  // a NULL name is allowed
        cfp_graph_builder_destroy(b);
      }},
      DRIVER(cfp_graph_builder_destroy) { (void)w; cfp_graph_builder_destroy(nullptr); }},
      DRIVER(cfp_graph_builder_add_tensor) {
        uint32_t id = 9;
        const int64_t shape[] = {4};
        EXPECT_NULL_ARG(cfp_graph_builder_add_tensor(nullptr, "t", CFP_F32, shape, 1, CFP_ROLE_ACTIVATION, &id), "builder");
        EXPECT_EQ(id, 0u);
        EXPECT_STATUS(cfp_graph_builder_add_tensor(w.b(), "t", CFP_F32, nullptr, 1, CFP_ROLE_ACTIVATION, &id),
                      CFP_ERR_INVALID_ARGUMENT, "shape must not be NULL when its count is non-zero");
        EXPECT_NULL_ARG(cfp_graph_builder_add_tensor(w.b(), "t", CFP_F32, shape, 1, CFP_ROLE_ACTIVATION, nullptr), "out_id");
        for (int bad : {-1, 7, 1000})
          EXPECT_STATUS(cfp_graph_builder_add_tensor(w.b(), "t", static_cast<cfp_dtype>(bad), shape, 1, CFP_ROLE_ACTIVATION, &id),
                        CFP_ERR_INVALID_ARGUMENT, "unknown dtype " + std::to_string(bad));
        for (int bad : {-1, 6})
          EXPECT_STATUS(cfp_graph_builder_add_tensor(w.b(), "t", CFP_F32, shape, 1, static_cast<cfp_tensor_role>(bad), &id),
                        CFP_ERR_INVALID_ARGUMENT, "unknown tensor role " + std::to_string(bad));
        const std::vector<int64_t> deep(17, 1);
        EXPECT_STATUS(cfp_graph_builder_add_tensor(w.b(), "t", CFP_F32, deep.data(), deep.size(), CFP_ROLE_ACTIVATION, &id),
                      CFP_ERR_INVALID_ARGUMENT, "rank 17 exceeds 16");
        EXPECT_EQ(id, 0u);
      }},
      DRIVER(cfp_graph_builder_set_tensor_gradient_of) {
        EXPECT_NULL_ARG(cfp_graph_builder_set_tensor_gradient_of(nullptr, 0, 1), "builder");
        EXPECT_STATUS(cfp_graph_builder_set_tensor_gradient_of(w.b(), 2, 0), CFP_ERR_INVALID_ARGUMENT,
                      "tensor 2 does not exist (builder has 2 tensors)");
        EXPECT_STATUS(cfp_graph_builder_set_tensor_gradient_of(w.b(), 0, UINT32_MAX), CFP_ERR_INVALID_ARGUMENT,
                      "tensor 4294967295 does not exist");
      }},
      DRIVER(cfp_graph_builder_set_tensor_updates) {
        EXPECT_NULL_ARG(cfp_graph_builder_set_tensor_updates(nullptr, 0, 1), "builder");
        EXPECT_STATUS(cfp_graph_builder_set_tensor_updates(w.b(), 2, 0), CFP_ERR_INVALID_ARGUMENT, "tensor 2 does not exist");
        EXPECT_STATUS(cfp_graph_builder_set_tensor_updates(w.b(), 0, 2), CFP_ERR_INVALID_ARGUMENT, "tensor 2 does not exist");
      }},
      DRIVER(cfp_graph_builder_set_tensor_value) {
        EXPECT_NULL_ARG(cfp_graph_builder_set_tensor_value(nullptr, 0, 1.0), "builder");
        EXPECT_STATUS(cfp_graph_builder_set_tensor_value(w.b(), 2, 1.0), CFP_ERR_INVALID_ARGUMENT, "tensor 2 does not exist");
      }},
      DRIVER(cfp_graph_builder_add_op) {
        uint32_t id = 9;
        const uint32_t in[] = {0}, out[] = {1}, dangling[] = {7};
        EXPECT_NULL_ARG(cfp_graph_builder_add_op(nullptr, "op", CFP_OP_EXP, in, 1, out, 1, &id), "builder");
        EXPECT_STATUS(cfp_graph_builder_add_op(w.b(), "op", CFP_OP_EXP, nullptr, 1, out, 1, &id), CFP_ERR_INVALID_ARGUMENT,
                      "inputs must not be NULL when its count is non-zero");
        EXPECT_STATUS(cfp_graph_builder_add_op(w.b(), "op", CFP_OP_EXP, in, 1, nullptr, 1, &id), CFP_ERR_INVALID_ARGUMENT,
                      "outputs must not be NULL when its count is non-zero");
        EXPECT_NULL_ARG(cfp_graph_builder_add_op(w.b(), "op", CFP_OP_EXP, in, 1, out, 1, nullptr), "out_id");
        for (int bad : {-1, 12, 201})
          EXPECT_STATUS(cfp_graph_builder_add_op(w.b(), "op", static_cast<cfp_op_kind>(bad), in, 1, out, 1, &id),
                        CFP_ERR_INVALID_ARGUMENT, "unknown op kind " + std::to_string(bad));
        EXPECT_STATUS(cfp_graph_builder_add_op(w.b(), "op", CFP_OP_EXP, dangling, 1, out, 1, &id), CFP_ERR_INVALID_ARGUMENT,
                      "op 'op' reads tensor 7 does not exist");
        EXPECT_STATUS(cfp_graph_builder_add_op(w.b(), "op", CFP_OP_EXP, in, 1, dangling, 1, &id), CFP_ERR_INVALID_ARGUMENT,
                      "op 'op' writes tensor 7 does not exist");
        EXPECT_EQ(id, 0u);
      }},
      DRIVER(cfp_graph_builder_set_op_ints) {
        const int64_t v[] = {0, 1};
        EXPECT_NULL_ARG(cfp_graph_builder_set_op_ints(nullptr, 0, CFP_ATTR_DIMS, v, 1), "builder");
        EXPECT_STATUS(cfp_graph_builder_set_op_ints(w.b(), 1, CFP_ATTR_DIMS, v, 1), CFP_ERR_INVALID_ARGUMENT,
                      "op 1 does not exist (builder has 1 ops)");
        EXPECT_STATUS(cfp_graph_builder_set_op_ints(w.b(), 0, CFP_ATTR_DIMS, nullptr, 2), CFP_ERR_INVALID_ARGUMENT,
                      "values must not be NULL when its count is non-zero");
        for (int bad : {-1, 11, 12, 13, 99})
          EXPECT_STATUS(cfp_graph_builder_set_op_ints(w.b(), 0, static_cast<cfp_attr>(bad), v, 1), CFP_ERR_INVALID_ARGUMENT,
                        "attribute " + std::to_string(bad) + " is not an integer attribute");
        EXPECT_STATUS(cfp_graph_builder_set_op_ints(w.b(), 0, CFP_ATTR_AXIS, v, 2), CFP_ERR_INVALID_ARGUMENT,
                      "CFP_ATTR_AXIS takes exactly one value, got 2");
        EXPECT_STATUS(cfp_graph_builder_set_op_ints(w.b(), 0, CFP_ATTR_COMPARISON, nullptr, 0), CFP_ERR_INVALID_ARGUMENT,
                      "CFP_ATTR_COMPARISON takes exactly one value, got 0");
        for (int64_t bad : {int64_t{-1}, int64_t{6}, int64_t{256}, INT64_MIN})
          EXPECT_STATUS(cfp_graph_builder_set_op_ints(w.b(), 0, CFP_ATTR_COMPARISON, &bad, 1), CFP_ERR_INVALID_ARGUMENT,
                        "unknown comparison " + std::to_string(bad));
      }},
      DRIVER(cfp_graph_builder_set_op_double) {
        EXPECT_NULL_ARG(cfp_graph_builder_set_op_double(nullptr, 0, CFP_ATTR_PAD_VALUE, 0), "builder");
        EXPECT_STATUS(cfp_graph_builder_set_op_double(w.b(), 1, CFP_ATTR_PAD_VALUE, 0), CFP_ERR_INVALID_ARGUMENT,
                      "op 1 does not exist");
        for (int bad : {-1, 0, 9, 13})
          EXPECT_STATUS(cfp_graph_builder_set_op_double(w.b(), 0, static_cast<cfp_attr>(bad), 0), CFP_ERR_INVALID_ARGUMENT,
                        "attribute " + std::to_string(bad) + " is not a double attribute");
        for (double bad : {kNaN, -1.0})
          EXPECT_STATUS(cfp_graph_builder_set_op_double(w.b(), 0, CFP_ATTR_FLOPS_PER_POINT, bad), CFP_ERR_INVALID_ARGUMENT,
                        "flops per point must be a non-negative number");
      }},
      DRIVER(cfp_graph_builder_set_op_scope) {
        EXPECT_NULL_ARG(cfp_graph_builder_set_op_scope(nullptr, 0, "s"), "builder");
        EXPECT_STATUS(cfp_graph_builder_set_op_scope(w.b(), 1, "s"), CFP_ERR_INVALID_ARGUMENT, "op 1 does not exist");
        EXPECT_NULL_ARG(cfp_graph_builder_set_op_scope(w.b(), 0, nullptr), "scope");
      }},
      DRIVER(cfp_graph_builder_set_op_phase) {
        EXPECT_NULL_ARG(cfp_graph_builder_set_op_phase(nullptr, 0, CFP_PHASE_FORWARD), "builder");
        EXPECT_STATUS(cfp_graph_builder_set_op_phase(w.b(), 1, CFP_PHASE_FORWARD), CFP_ERR_INVALID_ARGUMENT, "op 1 does not exist");
        for (int bad : {-1, 3})
          EXPECT_STATUS(cfp_graph_builder_set_op_phase(w.b(), 0, static_cast<cfp_phase>(bad)), CFP_ERR_INVALID_ARGUMENT,
                        "unknown phase " + std::to_string(bad));
      }},
      DRIVER(cfp_graph_builder_set_op_grad_of) {
        EXPECT_NULL_ARG(cfp_graph_builder_set_op_grad_of(nullptr, 0, 0), "builder");
        EXPECT_STATUS(cfp_graph_builder_set_op_grad_of(w.b(), 1, 0), CFP_ERR_INVALID_ARGUMENT, "op 1 does not exist");
        EXPECT_STATUS(cfp_graph_builder_set_op_grad_of(w.b(), 0, 3), CFP_ERR_INVALID_ARGUMENT, "op 3 does not exist");
      }},
      DRIVER(cfp_graph_builder_set_op_einsum) {
        EXPECT_NULL_ARG(cfp_graph_builder_set_op_einsum(nullptr, 0, "ab->ab"), "builder");
        EXPECT_STATUS(cfp_graph_builder_set_op_einsum(w.b(), 1, "ab->ab"), CFP_ERR_INVALID_ARGUMENT, "op 1 does not exist");
        EXPECT_NULL_ARG(cfp_graph_builder_set_op_einsum(w.b(), 0, nullptr), "spec");
        EXPECT_STATUS(cfp_graph_builder_set_op_einsum(w.b(), 0, ""), CFP_ERR_INVALID_ARGUMENT, "einsum '' has no '->'");
        EXPECT_STATUS(cfp_graph_builder_set_op_einsum(w.b(), 0, "a((b)->ab"), CFP_ERR_INVALID_ARGUMENT, "nested parentheses");
        EXPECT_STATUS(cfp_graph_builder_set_op_einsum(w.b(), 0, "a1->a"), CFP_ERR_INVALID_ARGUMENT, "unexpected character '1'");
        EXPECT_STATUS(cfp_graph_builder_set_op_einsum(w.b(), 0, "abc->abc"), CFP_ERR_INVALID_ARGUMENT,
                      "gives 3 dims to a tensor of shape [4,8]");
      }},
      DRIVER(cfp_graph_builder_finish) {
        cfp_graph *g = Garbage<cfp_graph>();
        EXPECT_NULL_ARG(cfp_graph_builder_finish(nullptr, &g), "builder");
        EXPECT_EQ(g, nullptr);
        EXPECT_NULL_ARG(cfp_graph_builder_finish(w.b(), nullptr), "out");
        uint32_t t = cfp_test::AddTensor(w.b(), "bad", {4, 0});
        (void)t;
        g = Garbage<cfp_graph>();
        EXPECT_STATUS(cfp_graph_builder_finish(w.b(), &g), CFP_ERR_INVALID_GRAPH, "tensor 2 'bad' has dim 1 of size 0");
        EXPECT_EQ(g, nullptr);
      }},

      // --- model zoo and training --------------------------------------------------------
      DRIVER(cfp_model_build) {
        (void)w;
        cfp_graph *g = Garbage<cfp_graph>();
        EXPECT_NULL_ARG(cfp_model_build(nullptr, &g), "spec");
        EXPECT_EQ(g, nullptr);
        EXPECT_NULL_ARG(cfp_model_build("mlp", nullptr), "out");
        EXPECT_STATUS(cfp_model_build("", &g), CFP_ERR_INVALID_ARGUMENT, "model spec is empty");
        EXPECT_STATUS(cfp_model_build("gpt:layers=0", &g), CFP_ERR_INVALID_ARGUMENT, "layers must be an integer from 1 to 4096");
        EXPECT_STATUS(cfp_model_build("gpt:layers=-1", &g), CFP_ERR_INVALID_ARGUMENT, "got '-1'");
        EXPECT_STATUS(cfp_model_build("rnn", &g), CFP_ERR_INVALID_ARGUMENT, "unknown model 'rnn'");
        EXPECT_EQ(g, nullptr);
      }},
      DRIVER(cfp_model_preset_count) {
        (void)w;
        EXPECT_NULL_ARG(cfp_model_preset_count(nullptr), "out");
      }},
      DRIVER(cfp_model_preset_name) {
        (void)w;
        uint32_t n = 0;
        ASSERT_EQ(cfp_model_preset_count(&n), CFP_OK);
        const char *s = "x";
        EXPECT_NULL_ARG(cfp_model_preset_name(0, nullptr), "out");
        EXPECT_STATUS(cfp_model_preset_name(n, &s), CFP_ERR_OUT_OF_RANGE, "preset " + std::to_string(n) + " is out of range");
        EXPECT_STATUS(cfp_model_preset_name(UINT32_MAX, &s), CFP_ERR_OUT_OF_RANGE, "out of range");
        EXPECT_EQ(s, nullptr);
      }},
      DRIVER(cfp_graph_make_training) {
        cfp_graph *g = Garbage<cfp_graph>();
        EXPECT_NULL_ARG(cfp_graph_make_training(nullptr, "adam", &g), "forward");
        EXPECT_EQ(g, nullptr);
        EXPECT_NULL_ARG(cfp_graph_make_training(w.g(), nullptr, &g), "optimizer");
        EXPECT_NULL_ARG(cfp_graph_make_training(w.g(), "adam", nullptr), "out");
        EXPECT_STATUS(cfp_graph_make_training(w.g(), "adamw", &g), CFP_ERR_INVALID_ARGUMENT, "unknown optimizer 'adamw'");
        EXPECT_STATUS(cfp_graph_make_training(w.g(), "adam", &g), CFP_ERR_INVALID_ARGUMENT,
                      "the loss must be the single rank-0 float output");
        EXPECT_EQ(g, nullptr);
      }},

      // --- options -----------------------------------------------------------------------
      DRIVER(cfp_options_create) { (void)w; EXPECT_NULL_ARG(cfp_options_create(nullptr), "out"); }},
      DRIVER(cfp_options_destroy) { (void)w; cfp_options_destroy(nullptr); }},
      DRIVER(cfp_options_set_mesh) {
        const uint32_t ok[] = {2, 2}, zero[] = {4, 0}, four[] = {2, 2, 2, 2};
        EXPECT_NULL_ARG(cfp_options_set_mesh(nullptr, ok, 2), "options");
        EXPECT_NULL_ARG(cfp_options_set_mesh(w.o(), nullptr, 2), "shape");
        EXPECT_STATUS(cfp_options_set_mesh(w.o(), ok, 0), CFP_ERR_INVALID_ARGUMENT, "a mesh has 1 to 3 axes, got 0");
        EXPECT_STATUS(cfp_options_set_mesh(w.o(), four, 4), CFP_ERR_INVALID_ARGUMENT, "a mesh has 1 to 3 axes, got 4");
        EXPECT_STATUS(cfp_options_set_mesh(w.o(), zero, 2), CFP_ERR_INVALID_ARGUMENT, "mesh axis 1 has size 0");
      }},
      DRIVER(cfp_options_set_axis_link) {
        EXPECT_NULL_ARG(cfp_options_set_axis_link(nullptr, 0, 1e9, 1e-6), "options");
        EXPECT_STATUS(cfp_options_set_axis_link(w.o(), 1, 1e9, 1e-6), CFP_ERR_OUT_OF_RANGE,
                      "mesh axis 1 does not exist (the mesh has 1 axes)");
        for (double bad : {kNaN, 0.0, -1.0, kInf})
          EXPECT_STATUS(cfp_options_set_axis_link(w.o(), 0, bad, 1e-6), CFP_ERR_INVALID_ARGUMENT,
                        "bandwidth must be a positive number");
        for (double bad : {kNaN, -1.0, kInf})
          EXPECT_STATUS(cfp_options_set_axis_link(w.o(), 0, 1e9, bad), CFP_ERR_INVALID_ARGUMENT,
                        "latency must be a non-negative number");
      }},
      DRIVER(cfp_options_set_devices_per_node) {
        EXPECT_NULL_ARG(cfp_options_set_devices_per_node(nullptr, 8), "options");
        EXPECT_STATUS(cfp_options_set_devices_per_node(w.o(), 0), CFP_ERR_INVALID_ARGUMENT, "devices per node must be at least 1");
      }},
      DRIVER(cfp_options_set_device) {
        EXPECT_NULL_ARG(cfp_options_set_device(nullptr, "h100-sxm"), "options");
        EXPECT_NULL_ARG(cfp_options_set_device(w.o(), nullptr), "preset");
        EXPECT_STATUS(cfp_options_set_device(w.o(), "tpu-v4"), CFP_ERR_INVALID_ARGUMENT, "unknown device 'tpu-v4' (known: ");
        EXPECT_STATUS(cfp_options_set_device(w.o(), ""), CFP_ERR_INVALID_ARGUMENT, "unknown device ''");
      }},
      DRIVER(cfp_options_set_device_peak_flops) {
        EXPECT_NULL_ARG(cfp_options_set_device_peak_flops(nullptr, CFP_BF16, 1e15), "options");
        for (int bad : {-1, 7})
          EXPECT_STATUS(cfp_options_set_device_peak_flops(w.o(), static_cast<cfp_dtype>(bad), 1e15), CFP_ERR_INVALID_ARGUMENT,
                        "unknown dtype " + std::to_string(bad));
        for (double bad : {kNaN, 0.0, -1.0, kInf})
          EXPECT_STATUS(cfp_options_set_device_peak_flops(w.o(), CFP_BF16, bad), CFP_ERR_INVALID_ARGUMENT,
                        "peak FLOP/s must be a positive number");
      }},
      DRIVER(cfp_options_set_device_memory_bandwidth) {
        OptionsNumber(w, cfp_options_set_device_memory_bandwidth, "memory bandwidth", false);
      }},
      DRIVER(cfp_options_set_device_memory_capacity) {
        EXPECT_NULL_ARG(cfp_options_set_device_memory_capacity(nullptr, 1), "options");
        EXPECT_STATUS(cfp_options_set_device_memory_capacity(w.o(), 0), CFP_ERR_INVALID_ARGUMENT,
                      "memory capacity must be at least 1 byte");
      }},
      DRIVER(cfp_options_set_kernel_overhead) { OptionsNumber(w, cfp_options_set_kernel_overhead, "kernel overhead", true); }},
      DRIVER(cfp_options_set_memory_budget) { (void)w; EXPECT_NULL_ARG(cfp_options_set_memory_budget(nullptr, 1), "options"); }},
      DRIVER(cfp_options_set_microbatches) {
        EXPECT_NULL_ARG(cfp_options_set_microbatches(nullptr, 4), "options");
        EXPECT_STATUS(cfp_options_set_microbatches(w.o(), 0), CFP_ERR_INVALID_ARGUMENT, "at least 1 micro-batch");
      }},
      DRIVER(cfp_options_set_compute_scale) { OptionsNumber(w, cfp_options_set_compute_scale, "compute scale", true); }},
      DRIVER(cfp_options_set_allow_replicated_contractions) {
        (void)w;
        EXPECT_NULL_ARG(cfp_options_set_allow_replicated_contractions(nullptr, 1), "options");
      }},
      DRIVER(cfp_options_set_replicated_parameter_penalty) {
        OptionsNumber(w, cfp_options_set_replicated_parameter_penalty, "replicated parameter penalty", true);
      }},
      DRIVER(cfp_options_use_alpa_test_convention) {
        (void)w;
        EXPECT_NULL_ARG(cfp_options_use_alpa_test_convention(nullptr), "options");
      }},
      DRIVER(cfp_options_set_cost_model) {
        EXPECT_NULL_ARG(cfp_options_set_cost_model(nullptr, "analytic"), "options");
        EXPECT_NULL_ARG(cfp_options_set_cost_model(w.o(), nullptr), "name");
        EXPECT_STATUS(cfp_options_set_cost_model(w.o(), "roofline"), CFP_ERR_INVALID_ARGUMENT,
                      "unknown cost model 'roofline' (known: analytic, cuda)");
      }},
      DRIVER(cfp_options_set_profile_db) {
        EXPECT_NULL_ARG(cfp_options_set_profile_db(nullptr, "/tmp/db"), "options");
        EXPECT_NULL_ARG(cfp_options_set_profile_db(w.o(), nullptr), "path");
      }},
      DRIVER(cfp_options_set_threads) {
        EXPECT_NULL_ARG(cfp_options_set_threads(nullptr, 1), "options");
        EXPECT_STATUS(cfp_options_set_threads(w.o(), 4097), CFP_ERR_INVALID_ARGUMENT, "at most 4096 threads");
        EXPECT_STATUS(cfp_options_set_threads(w.o(), UINT32_MAX), CFP_ERR_INVALID_ARGUMENT, "at most 4096 threads");
      }},
      DRIVER(cfp_options_set_time_limit) { OptionsNumber(w, cfp_options_set_time_limit, "time limit", true); }},
      DRIVER(cfp_options_set_search_memory_limit) {
        (void)w;
        EXPECT_NULL_ARG(cfp_options_set_search_memory_limit(nullptr, 1), "options");
      }},
      DRIVER(cfp_options_set_progress_callback) {
        (void)w;
        EXPECT_NULL_ARG(cfp_options_set_progress_callback(nullptr, nullptr, nullptr), "options");
      }},

      // --- optimize and evaluate ---------------------------------------------------------
      DRIVER(cfp_optimize) {
        cfp_plan *p = Garbage<cfp_plan>();
        EXPECT_NULL_ARG(cfp_optimize(nullptr, w.o(), &p), "graph");
        EXPECT_EQ(p, nullptr);
        EXPECT_NULL_ARG(cfp_optimize(w.g(), nullptr, &p), "options");
        EXPECT_NULL_ARG(cfp_optimize(w.g(), w.o(), nullptr), "out");
        // Without a GPU (or a build without the CUDA module) the cuda cost model is refused.
        ASSERT_EQ(cfp_options_set_cost_model(w.o(), "cuda"), CFP_OK);
        p = Garbage<cfp_plan>();
        cfp_status s = cfp_optimize(w.g(), w.o(), &p);
        if (s != CFP_OK) {
          EXPECT_TRUE(s == CFP_ERR_UNSUPPORTED || s == CFP_ERR_DEVICE) << cfp_status_string(s);
          EXPECT_NE(std::string(cfp_last_error_message()).find("cuda"), std::string::npos) << cfp_last_error_message();
          EXPECT_EQ(p, nullptr);
        } else {
          cfp_plan_destroy(p);
        }
      }},
      DRIVER(cfp_profile) {
        cfp_bytes *b = Garbage<cfp_bytes>();
        EXPECT_NULL_ARG(cfp_profile(nullptr, w.o(), &b), "graph");
        EXPECT_EQ(b, nullptr);
        EXPECT_NULL_ARG(cfp_profile(w.g(), nullptr, &b), "options");
        EXPECT_NULL_ARG(cfp_profile(w.g(), w.o(), nullptr), "out");
        b = Garbage<cfp_bytes>();
        EXPECT_STATUS(cfp_profile(w.g(), w.o(), &b), CFP_ERR_INVALID_ARGUMENT, "profiling needs the \"cuda\" cost model");
        EXPECT_EQ(b, nullptr);
      }},
      DRIVER(cfp_min_memory) {
        uint64_t m = 9;
        EXPECT_NULL_ARG(cfp_min_memory(nullptr, w.o(), &m), "graph");
        EXPECT_EQ(m, 0u);
        EXPECT_NULL_ARG(cfp_min_memory(w.g(), nullptr, &m), "options");
        EXPECT_NULL_ARG(cfp_min_memory(w.g(), w.o(), nullptr), "out");
      }},
      DRIVER(cfp_op_strategy_count) {
        uint32_t n = 9;
        EXPECT_NULL_ARG(cfp_op_strategy_count(nullptr, w.o(), 0, &n), "graph");
        EXPECT_NULL_ARG(cfp_op_strategy_count(w.g(), nullptr, 0, &n), "options");
        EXPECT_NULL_ARG(cfp_op_strategy_count(w.g(), w.o(), 0, nullptr), "out");
        EXPECT_STATUS(cfp_op_strategy_count(w.g(), w.o(), 5, &n), CFP_ERR_OUT_OF_RANGE, "op 5 is out of range (graph has 5 ops)");
        EXPECT_EQ(n, 0u);
      }},
      DRIVER(cfp_op_strategy_describe) {
        char buf[64] = "x";
        size_t needed = 9;
        EXPECT_NULL_ARG(cfp_op_strategy_describe(nullptr, w.o(), 0, 0, buf, sizeof buf, &needed), "graph");
        EXPECT_EQ(needed, 0u);
        EXPECT_NULL_ARG(cfp_op_strategy_describe(w.g(), nullptr, 0, 0, buf, sizeof buf, &needed), "options");
        EXPECT_STATUS(cfp_op_strategy_describe(w.g(), w.o(), 5, 0, buf, sizeof buf, &needed), CFP_ERR_OUT_OF_RANGE,
                      "op 5 is out of range");
        EXPECT_STATUS(cfp_op_strategy_describe(w.g(), w.o(), 0, 1000, buf, sizeof buf, &needed), CFP_ERR_OUT_OF_RANGE,
                      "strategy 1000 of op 0 'dot1' (dot) is out of range");
        EXPECT_STATUS(cfp_op_strategy_describe(w.g(), w.o(), 0, 0, nullptr, 0, &needed), CFP_ERR_BUFFER_TOO_SMALL,
                      "the buffer holds 0 bytes");
        EXPECT_GT(needed, 1u);  // the size query still answers
        EXPECT_STATUS(cfp_op_strategy_describe(w.g(), w.o(), 0, 0, buf, 2, nullptr), CFP_ERR_BUFFER_TOO_SMALL,
                      "the buffer holds 2 bytes");
        EXPECT_EQ(buf[0], '\0');
      }},
      DRIVER(cfp_evaluate) {
        const uint32_t zeros[5] = {0, 0, 0, 0, 0}, bad[5] = {0, 0, 0, 0, 999};
        cfp_plan *p = Garbage<cfp_plan>();
        EXPECT_NULL_ARG(cfp_evaluate(nullptr, w.o(), zeros, 5, &p), "graph");
        EXPECT_EQ(p, nullptr);
        EXPECT_NULL_ARG(cfp_evaluate(w.g(), nullptr, zeros, 5, &p), "options");
        EXPECT_STATUS(cfp_evaluate(w.g(), w.o(), nullptr, 5, &p), CFP_ERR_INVALID_ARGUMENT, "choice_per_op must not be NULL");
        EXPECT_NULL_ARG(cfp_evaluate(w.g(), w.o(), zeros, 5, nullptr), "out");
        EXPECT_STATUS(cfp_evaluate(w.g(), w.o(), zeros, 4, &p), CFP_ERR_INVALID_ARGUMENT, "expected one choice per op (5), got 4");
        EXPECT_STATUS(cfp_evaluate(w.g(), w.o(), bad, 5, &p), CFP_ERR_OUT_OF_RANGE, "choice 999 for op 4 'dot2' (dot)");
        EXPECT_EQ(p, nullptr);
      }},

      // --- plans -------------------------------------------------------------------------
      DRIVER(cfp_plan_step_time) { PlanQuery<double>(w, cfp_plan_step_time); }},
      DRIVER(cfp_plan_compute_time) { PlanQuery<double>(w, cfp_plan_compute_time); }},
      DRIVER(cfp_plan_comm_time) { PlanQuery<double>(w, cfp_plan_comm_time); }},
      DRIVER(cfp_plan_objective) { PlanQuery<double>(w, cfp_plan_objective); }},
      DRIVER(cfp_plan_peak_memory) { PlanQuery<uint64_t>(w, cfp_plan_peak_memory); }},
      DRIVER(cfp_plan_is_optimal) { PlanQuery<int>(w, cfp_plan_is_optimal); }},
      DRIVER(cfp_plan_block_count) { PlanQuery<uint32_t>(w, cfp_plan_block_count); }},
      DRIVER(cfp_plan_segment_count) { PlanQuery<uint32_t>(w, cfp_plan_segment_count); }},
      DRIVER(cfp_plan_unique_segment_count) { PlanQuery<uint32_t>(w, cfp_plan_unique_segment_count); }},
      DRIVER(cfp_plan_collective_count) { PlanQuery<uint32_t>(w, cfp_plan_collective_count); }},
      DRIVER(cfp_plan_stat) {
        double d = 9;
        EXPECT_NULL_ARG(cfp_plan_stat(nullptr, CFP_STAT_OPS, &d), "plan");
        EXPECT_EQ(d, 0);
        EXPECT_NULL_ARG(cfp_plan_stat(w.p(), CFP_STAT_OPS, nullptr), "out");
        for (int bad : {-1, 13, 1000})
          EXPECT_STATUS(cfp_plan_stat(w.p(), static_cast<cfp_stat>(bad), &d), CFP_ERR_INVALID_ARGUMENT,
                        "unknown statistic " + std::to_string(bad));
      }},
      DRIVER(cfp_plan_op_block) { PlanIdQuery<uint32_t>(w, cfp_plan_op_block); }},
      DRIVER(cfp_plan_op_strategy) { PlanIdQuery<uint32_t>(w, cfp_plan_op_strategy); }},
      DRIVER(cfp_plan_tensor_sharding) {
        char buf[64] = "x";
        size_t needed = 9;
        EXPECT_NULL_ARG(cfp_plan_tensor_sharding(nullptr, 0, buf, sizeof buf, &needed), "plan");
        EXPECT_EQ(needed, 0u);
        EXPECT_STATUS(cfp_plan_tensor_sharding(w.p(), 10, buf, sizeof buf, &needed), CFP_ERR_OUT_OF_RANGE,
                      "tensor 10 is out of range (plan has 10 tensors)");
        EXPECT_STATUS(cfp_plan_tensor_sharding(w.p(), 0, nullptr, 0, &needed), CFP_ERR_BUFFER_TOO_SMALL,
                      "the buffer holds 0 bytes");
        EXPECT_GE(needed, 6u);  // "[-,-]" and its NUL at least
        EXPECT_STATUS(cfp_plan_tensor_sharding(w.p(), 0, buf, 1, nullptr), CFP_ERR_BUFFER_TOO_SMALL, "the buffer holds 1 bytes");
        EXPECT_EQ(buf[0], '\0');
      }},
      DRIVER(cfp_plan_cost_notes) {
        char buf[8] = "x";
        size_t needed = 9;
        EXPECT_NULL_ARG(cfp_plan_cost_notes(nullptr, buf, sizeof buf, &needed), "plan");
        EXPECT_EQ(needed, 0u);
        // An analytic plan has no notes: the empty string fits any buffer of one byte.
        EXPECT_STATUS(cfp_plan_cost_notes(w.p(), nullptr, 0, &needed), CFP_ERR_BUFFER_TOO_SMALL, "the buffer holds 0 bytes");
        EXPECT_EQ(needed, 1u);
        EXPECT_STATUS(cfp_plan_cost_notes(w.p(), buf, 1, nullptr), CFP_OK, "");
        EXPECT_EQ(buf[0], '\0');
      }},
      DRIVER(cfp_plan_collective) {
        uint32_t n = 0;
        ASSERT_EQ(cfp_plan_collective_count(w.p(), &n), CFP_OK);
        EXPECT_NULL_ARG(cfp_plan_collective(nullptr, 0, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr), "plan");
        cfp_collective_kind kind;
        EXPECT_STATUS(cfp_plan_collective(w.p(), n, &kind, nullptr, nullptr, nullptr, nullptr, nullptr), CFP_ERR_OUT_OF_RANGE,
                      "collective " + std::to_string(n) + " is out of range");
        if (n > 0)  // every out-pointer is optional
          EXPECT_STATUS(cfp_plan_collective(w.p(), 0, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr), CFP_OK, "");
      }},
      DRIVER(cfp_plan_to_buffer) {
        cfp_bytes *b = Garbage<cfp_bytes>();
        EXPECT_NULL_ARG(cfp_plan_to_buffer(nullptr, &b), "plan");
        EXPECT_EQ(b, nullptr);
        EXPECT_NULL_ARG(cfp_plan_to_buffer(w.p(), nullptr), "out");
      }},
      DRIVER(cfp_plan_to_json) {
        cfp_bytes *b = Garbage<cfp_bytes>();
        EXPECT_NULL_ARG(cfp_plan_to_json(nullptr, &b), "plan");
        EXPECT_EQ(b, nullptr);
        EXPECT_NULL_ARG(cfp_plan_to_json(w.p(), nullptr), "out");
      }},
      DRIVER(cfp_plan_from_buffer) {
        cfp_plan *p = Garbage<cfp_plan>();
        EXPECT_STATUS(cfp_plan_from_buffer(nullptr, 4, &p), CFP_ERR_INVALID_ARGUMENT, "data must not be NULL");
        EXPECT_EQ(p, nullptr);
        EXPECT_NULL_ARG(cfp_plan_from_buffer(w.plan_bytes.data(), w.plan_bytes.size(), nullptr), "out");
        EXPECT_STATUS(cfp_plan_from_buffer(nullptr, 0, &p), CFP_ERR_INVALID_DATA, "plan buffer is empty");
        EXPECT_STATUS(cfp_plan_from_buffer(w.graph_bytes.data(), w.graph_bytes.size(), &p), CFP_ERR_INVALID_DATA,
                      "not a libcfp plan");
        EXPECT_EQ(p, nullptr);
      }},
      DRIVER(cfp_plan_destroy) { (void)w; cfp_plan_destroy(nullptr); }},
  };
  return drivers;
}

std::vector<std::string> DriverNames() {
  std::vector<std::string> names;
  for (const auto &d : Drivers()) names.push_back(std::get<0>(d));
  return names;
}

class BadArguments : public ::testing::TestWithParam<std::string> {};

TEST_P(BadArguments, FailCleanly) {
  for (const auto &[name, fn, driver] : Drivers())
    if (name == GetParam()) {
      g_function = name;
      World w;
      driver(w);
      return;
    }
  FAIL() << "no driver for " << GetParam();
}

INSTANTIATE_TEST_SUITE_P(EntryPoints, BadArguments, ::testing::ValuesIn(DriverNames()),
                         [](const auto &info) { return info.param; });

// The functions libcfp exports, read from its dynamic symbol table.
std::set<std::string> ExportedFunctions() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void *>(&cfp_version_string), &info) == 0 || info.dli_fname == nullptr) return {};
  const std::string cmd = std::string("nm -D --defined-only '") + info.dli_fname + "'";
  std::set<std::string> names;
  FILE *pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return {};
  char line[512];
  while (std::fgets(line, sizeof line, pipe)) {
    char addr[64], type[8], name[400];
    if (std::sscanf(line, "%63s %7s %399s", addr, type, name) == 3 && std::string(type) == "T" &&
        std::string(name).rfind("cfp_", 0) == 0)
      names.insert(name);
  }
  pclose(pipe);
  return names;
}

TEST(EntryPoints, EveryExportedFunctionHasABadArgumentDriver) {
  const std::set<std::string> exported = ExportedFunctions();
  ASSERT_GT(exported.size(), 50u) << "could not read libcfp's exports with nm -D";
  std::set<std::string> driven;
  for (const auto &d : Drivers()) {
    EXPECT_TRUE(driven.insert(std::get<0>(d)).second) << "two drivers for " << std::get<0>(d);
    EXPECT_NE(std::get<1>(d), nullptr);
  }
  for (const std::string &name : exported)
    EXPECT_TRUE(driven.count(name)) << name << " is exported but has no bad-argument driver in " << __FILE__;
  for (const std::string &name : driven) EXPECT_TRUE(exported.count(name)) << name << " has a driver but is not exported";
}

}  // namespace
