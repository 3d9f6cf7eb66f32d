/* Builds a two-layer MLP with the C builder API, serializes it and loads it back.
 * Build: cc main.c $(pkg-config --cflags --libs cfp) */
#include <cfp.h>
#include <stdio.h>

#define CHECK(call)                                                                      \
  do {                                                                                   \
    cfp_status s_ = (call);                                                              \
    if (s_ != CFP_OK) {                                                                  \
      const char *msg_ = cfp_last_error_message(); /* copy before any other cfp call */ \
      fprintf(stderr, "%s failed: %s (%s)\n", #call, msg_, cfp_status_string(s_));       \
      return 1;                                                                          \
    }                                                                                    \
  } while (0)

int main(void) {
  const int64_t batch = 32, hidden = 256;
  cfp_graph_builder *b = NULL;
  CHECK(cfp_graph_builder_create("example-mlp", &b));
  int64_t xs[] = {batch, hidden}, ws[] = {hidden, hidden};
  uint32_t x, w1, w2, h, r, y, zero, op;
  CHECK(cfp_graph_builder_add_tensor(b, "x", CFP_F32, xs, 2, CFP_ROLE_DATA_INPUT, &x));
  CHECK(cfp_graph_builder_add_tensor(b, "w1", CFP_F32, ws, 2, CFP_ROLE_PARAMETER, &w1));
  CHECK(cfp_graph_builder_add_tensor(b, "w2", CFP_F32, ws, 2, CFP_ROLE_PARAMETER, &w2));
  CHECK(cfp_graph_builder_add_tensor(b, "h", CFP_F32, xs, 2, CFP_ROLE_ACTIVATION, &h));
  CHECK(cfp_graph_builder_add_tensor(b, "r", CFP_F32, xs, 2, CFP_ROLE_ACTIVATION, &r));
  CHECK(cfp_graph_builder_add_tensor(b, "y", CFP_F32, xs, 2, CFP_ROLE_ACTIVATION, &y));
  CHECK(cfp_graph_builder_add_tensor(b, "zero", CFP_F32, NULL, 0, CFP_ROLE_CONSTANT, &zero));

  int64_t lhs_contract = 1, rhs_contract = 0;
  uint32_t in1[] = {x, w1}, out1[] = {h};
  CHECK(cfp_graph_builder_add_op(b, "dense1", CFP_OP_DOT, in1, 2, out1, 1, &op));
  CHECK(cfp_graph_builder_set_op_ints(b, op, CFP_ATTR_LHS_CONTRACT, &lhs_contract, 1));
  CHECK(cfp_graph_builder_set_op_ints(b, op, CFP_ATTR_RHS_CONTRACT, &rhs_contract, 1));
  uint32_t in2[] = {h, zero}, out2[] = {r};
  CHECK(cfp_graph_builder_add_op(b, "relu", CFP_OP_MAXIMUM, in2, 2, out2, 1, &op));
  uint32_t in3[] = {r, w2}, out3[] = {y};
  CHECK(cfp_graph_builder_add_op(b, "dense2", CFP_OP_DOT, in3, 2, out3, 1, &op));
  CHECK(cfp_graph_builder_set_op_ints(b, op, CFP_ATTR_LHS_CONTRACT, &lhs_contract, 1));
  CHECK(cfp_graph_builder_set_op_ints(b, op, CFP_ATTR_RHS_CONTRACT, &rhs_contract, 1));

  cfp_graph *g = NULL;
  CHECK(cfp_graph_builder_finish(b, &g));
  cfp_graph_builder_destroy(b);

  cfp_bytes *bytes = NULL;
  CHECK(cfp_graph_to_buffer(g, &bytes));
  cfp_graph *reloaded = NULL;
  CHECK(cfp_graph_from_buffer(cfp_bytes_data(bytes), cfp_bytes_size(bytes), &reloaded));

  uint32_t ops = 0;
  uint64_t params = 0;
  double flops = 0;
  CHECK(cfp_graph_op_count(reloaded, &ops));
  CHECK(cfp_graph_parameter_count(reloaded, &params));
  CHECK(cfp_graph_flops(reloaded, &flops));
  printf("libcfp %s\n", cfp_version_string());
  printf("ops: %u, parameters: %llu, FLOPs: %.0f, buffer: %zu bytes\n", ops, (unsigned long long)params, flops,
         cfp_bytes_size(bytes));

  cfp_graph_destroy(reloaded);
  cfp_bytes_destroy(bytes);
  cfp_graph_destroy(g);
  return 0;
}
