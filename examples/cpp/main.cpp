// Uses libcfp from C++ through find_package(cfp): RAII wrappers over the C handles,
// exceptions carrying the library's status and message.
#include <cfp.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct CfpError : std::runtime_error {
  cfp_status status;
  CfpError(cfp_status s, const std::string &what) : std::runtime_error(what), status(s) {}
};

void Check(cfp_status s) {
  if (s != CFP_OK) throw CfpError(s, std::string(cfp_status_string(s)) + ": " + cfp_last_error_message());
}

using Graph = std::unique_ptr<cfp_graph, decltype(&cfp_graph_destroy)>;
using Builder = std::unique_ptr<cfp_graph_builder, decltype(&cfp_graph_builder_destroy)>;

uint32_t Tensor(cfp_graph_builder *b, const char *name, std::vector<int64_t> shape, cfp_tensor_role role) {
  uint32_t id = 0;
  Check(cfp_graph_builder_add_tensor(b, name, CFP_BF16, shape.data(), shape.size(), role, &id));
  return id;
}

}  // namespace

int main() {
  try {
    cfp_graph_builder *raw = nullptr;
    Check(cfp_graph_builder_create("attention-scores", &raw));
    Builder b(raw, cfp_graph_builder_destroy);
    uint32_t q = Tensor(b.get(), "q", {8, 16, 128, 64}, CFP_ROLE_ACTIVATION);
    uint32_t k = Tensor(b.get(), "k", {8, 16, 128, 64}, CFP_ROLE_ACTIVATION);
    uint32_t s = Tensor(b.get(), "scores", {8, 16, 128, 128}, CFP_ROLE_ACTIVATION);
    uint32_t in[] = {q, k}, out[] = {s}, op = 0;
    Check(cfp_graph_builder_add_op(b.get(), "qk", CFP_OP_DOT, in, 2, out, 1, &op));
    Check(cfp_graph_builder_set_op_einsum(b.get(), op, "bhsd,bhtd->bhst"));
    // A stated iteration space is checked against the dot's attributes when finishing.
    int64_t batch[] = {0, 1}, contract[] = {3};
    Check(cfp_graph_builder_set_op_ints(b.get(), op, CFP_ATTR_LHS_BATCH, batch, 2));
    Check(cfp_graph_builder_set_op_ints(b.get(), op, CFP_ATTR_RHS_BATCH, batch, 2));
    Check(cfp_graph_builder_set_op_ints(b.get(), op, CFP_ATTR_LHS_CONTRACT, contract, 1));
    Check(cfp_graph_builder_set_op_ints(b.get(), op, CFP_ATTR_RHS_CONTRACT, contract, 1));
    cfp_graph *g_raw = nullptr;
    Check(cfp_graph_builder_finish(b.get(), &g_raw));
    Graph g(g_raw, cfp_graph_destroy);
    uint32_t ops = 0;
    double flops = 0;
    Check(cfp_graph_op_count(g.get(), &ops));
    Check(cfp_graph_flops(g.get(), &flops));
    std::printf("libcfp %s\nops: %u, FLOPs: %.3g\n", cfp_version_string(), ops, flops);
    // Errors come back as a status and a message.
    uint8_t junk[16] = {};
    cfp_graph *bad = nullptr;
    try {
      Check(cfp_graph_from_buffer(junk, sizeof junk, &bad));
    } catch (const CfpError &e) {
      std::printf("rejected junk: %s\n", e.what());
    }
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
