// Small graphs built through the public C builder API, shared by API-level tests.
#pragma once

#include <cfp.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace cfp_test {

// Owns a handle and destroys it at scope exit.
template <class T, void (*Destroy)(T *)>
struct Owned {
  T *p = nullptr;
  Owned() = default;
  explicit Owned(T *q) : p(q) {}
  Owned(const Owned &) = delete;
  Owned &operator=(const Owned &) = delete;
  Owned(Owned &&other) noexcept : p(std::exchange(other.p, nullptr)) {}
  ~Owned() { Destroy(p); }
  T **out() {
    Destroy(p);
    p = nullptr;
    return &p;
  }
  T *get() const { return p; }
};
using Graph = Owned<cfp_graph, cfp_graph_destroy>;
using Builder = Owned<cfp_graph_builder, cfp_graph_builder_destroy>;
using Bytes = Owned<cfp_bytes, cfp_bytes_destroy>;
using Options = Owned<cfp_options, cfp_options_destroy>;
using Plan = Owned<cfp_plan, cfp_plan_destroy>;

// Worker threads for an optimization in a concurrency test: `threads`, unless
// $CFP_TEST_THREADS says otherwise. tests/sanitizers/tsan.sh sets it to 1: oneTBB from
// Debian is not built with ThreadSanitizer, so the hand-off of work to its own workers is
// invisible to TSan; with one thread per optimization, each runs on its caller's thread
// and TSan checks what the tests are about, several callers on separate or shared handles.
inline uint32_t TestThreads(uint32_t threads) {
  const char *forced = std::getenv("CFP_TEST_THREADS");
  return forced ? static_cast<uint32_t>(std::strtoul(forced, nullptr, 10)) : threads;
}

// The calling thread's last error message, copied.
inline std::string LastError() { return cfp_last_error_message(); }

inline uint32_t AddTensor(cfp_graph_builder *b, const char *name, std::vector<int64_t> shape,
                          cfp_tensor_role role = CFP_ROLE_ACTIVATION, cfp_dtype dtype = CFP_F32) {
  uint32_t id = 0;
  cfp_graph_builder_add_tensor(b, name, dtype, shape.data(), shape.size(), role, &id);
  return id;
}

inline uint32_t AddOp(cfp_graph_builder *b, const char *name, cfp_op_kind kind, std::vector<uint32_t> in,
                      std::vector<uint32_t> out) {
  uint32_t id = 0;
  cfp_graph_builder_add_op(b, name, kind, in.data(), in.size(), out.data(), out.size(), &id);
  return id;
}

// x[batch, hidden] -> relu(x @ w1 + b1) @ w2, forward only.
inline void BuildTinyMlp(cfp_graph_builder *b, int64_t batch, int64_t hidden) {
  uint32_t x = AddTensor(b, "x", {batch, hidden}, CFP_ROLE_DATA_INPUT);
  uint32_t w1 = AddTensor(b, "w1", {hidden, hidden}, CFP_ROLE_PARAMETER);
  uint32_t b1 = AddTensor(b, "b1", {hidden}, CFP_ROLE_PARAMETER);
  uint32_t w2 = AddTensor(b, "w2", {hidden, hidden}, CFP_ROLE_PARAMETER);
  uint32_t h = AddTensor(b, "h", {batch, hidden});
  uint32_t bb = AddTensor(b, "b1.bcast", {batch, hidden});
  uint32_t hb = AddTensor(b, "h.bias", {batch, hidden});
  uint32_t zero = AddTensor(b, "zero", {}, CFP_ROLE_CONSTANT);
  uint32_t r = AddTensor(b, "relu", {batch, hidden});
  uint32_t y = AddTensor(b, "y", {batch, hidden});
  uint32_t dot1 = AddOp(b, "dot1", CFP_OP_DOT, {x, w1}, {h});
  int64_t lc = 1, rc = 0;
  cfp_graph_builder_set_op_ints(b, dot1, CFP_ATTR_LHS_CONTRACT, &lc, 1);
  cfp_graph_builder_set_op_ints(b, dot1, CFP_ATTR_RHS_CONTRACT, &rc, 1);
  uint32_t bc = AddOp(b, "bias.broadcast", CFP_OP_BROADCAST, {b1}, {bb});
  int64_t dim = 1;
  cfp_graph_builder_set_op_ints(b, bc, CFP_ATTR_DIMS, &dim, 1);
  AddOp(b, "bias.add", CFP_OP_ADD, {h, bb}, {hb});
  AddOp(b, "relu", CFP_OP_MAXIMUM, {hb, zero}, {r});
  uint32_t dot2 = AddOp(b, "dot2", CFP_OP_DOT, {r, w2}, {y});
  cfp_graph_builder_set_op_ints(b, dot2, CFP_ATTR_LHS_CONTRACT, &lc, 1);
  cfp_graph_builder_set_op_ints(b, dot2, CFP_ATTR_RHS_CONTRACT, &rc, 1);
  cfp_graph_builder_set_op_scope(b, dot1, "mlp.0");
  cfp_graph_builder_set_op_scope(b, dot2, "mlp.1");
}

inline std::vector<uint8_t> TinyMlpBuffer(int64_t batch = 8, int64_t hidden = 16) {
  Builder b;
  cfp_graph_builder_create("tiny-mlp", b.out());
  BuildTinyMlp(b.get(), batch, hidden);
  Graph g;
  cfp_graph_builder_finish(b.get(), g.out());
  Bytes bytes;
  cfp_graph_to_buffer(g.get(), bytes.out());
  const auto *p = static_cast<const uint8_t *>(cfp_bytes_data(bytes.get()));
  return {p, p + cfp_bytes_size(bytes.get())};
}

// Every layer's input is the sum of all earlier layers' outputs (and the graph input), so
// each layer's block talks to every earlier one and the search's frontier grows with the
// layers: on a 2x2 mesh the exact search over 10 layers runs for minutes while blocks and
// costs take milliseconds. Null when the builder refuses it.
inline Graph DenselyConnected(int layers) {
  Builder b;
  if (cfp_graph_builder_create("densely-connected", b.out()) != CFP_OK) return Graph{};
  const int64_t rows = 256, width = 256, lhs_contract = 1, rhs_contract = 0;
  std::vector<uint32_t> outs{AddTensor(b.get(), "x", {rows, width}, CFP_ROLE_DATA_INPUT)};
  for (int l = 0; l < layers; ++l) {
    const std::string layer = "layer" + std::to_string(l);
    // Latest first, so every add follows the previous layer's block and reads the others.
    uint32_t sum = outs.back();
    for (size_t j = outs.size() - 1; j-- > 0;) {
      const uint32_t next = AddTensor(b.get(), (layer + ".sum" + std::to_string(j)).c_str(), {rows, width});
      AddOp(b.get(), (layer + ".add" + std::to_string(j)).c_str(), CFP_OP_ADD, {sum, outs[j]}, {next});
      sum = next;
    }
    const uint32_t w = AddTensor(b.get(), (layer + ".w").c_str(), {width, width}, CFP_ROLE_PARAMETER);
    const uint32_t h = AddTensor(b.get(), (layer + ".h").c_str(), {rows, width});
    const uint32_t dot = AddOp(b.get(), (layer + ".dot").c_str(), CFP_OP_DOT, {sum, w}, {h});
    cfp_graph_builder_set_op_ints(b.get(), dot, CFP_ATTR_LHS_CONTRACT, &lhs_contract, 1);
    cfp_graph_builder_set_op_ints(b.get(), dot, CFP_ATTR_RHS_CONTRACT, &rhs_contract, 1);
    outs.push_back(h);
  }
  Graph g;
  if (cfp_graph_builder_finish(b.get(), g.out()) != CFP_OK) return Graph{};
  return g;
}

}  // namespace cfp_test
