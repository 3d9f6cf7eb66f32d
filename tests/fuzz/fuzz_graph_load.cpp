// Fuzz target: cfp_graph_from_buffer on arbitrary bytes. A buffer that loads must answer
// every query, round-trip, and (when small) optimize, evaluate and train without a crash.
#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cfp_graph *g = nullptr;
  cfp_status s = cfp_graph_from_buffer(data, size, &g);
  cfp_fuzz::RequireCleanFailure(s, "cfp_graph_from_buffer", g);
  if (s != CFP_OK) {
    cfp_fuzz::Require(s == CFP_ERR_INVALID_GRAPH || s == CFP_ERR_OUT_OF_MEMORY, "unexpected status for a bad buffer");
    return 0;
  }
  cfp_fuzz::QueryGraph(g);
  cfp_fuzz::RequireRoundTrip(g);
  cfp_fuzz::OptimizeSmallGraph(g, 48);
  cfp_graph_destroy(g);
  return 0;
}
