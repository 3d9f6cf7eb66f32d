// Fuzz target: the model-spec parser behind cfp_model_build. Every string is parsed; the
// graph is built only for specs of at most two layers and top_k <= 4, because a graph's
// size grows with those two numbers alone (dims are symbolic, so huge dims stay cheap and
// are built: they are where overflows hide).
#include <string>

#include "fuzz_checks.h"
#include "models/model_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string spec(reinterpret_cast<const char *>(data), strnlen(reinterpret_cast<const char *>(data), size));
  auto parsed = cfp::ParseModelSpec(spec);
  cfp_graph *g = nullptr;
  if (!parsed.ok()) {
    cfp_status s = cfp_model_build(spec.c_str(), &g);
    cfp_fuzz::RequireCleanFailure(s, "cfp_model_build", g);
    cfp_fuzz::Require(s == CFP_ERR_INVALID_ARGUMENT, "a spec the parser rejects must be INVALID_ARGUMENT");
    return 0;
  }
  if (parsed->layers > 2 || parsed->top_k > 4) return 0;
  cfp_status s = cfp_model_build(spec.c_str(), &g);
  cfp_fuzz::RequireCleanFailure(s, "cfp_model_build", g);
  if (s == CFP_OK) {
    cfp_fuzz::QueryGraph(g);
    cfp_fuzz::RequireRoundTrip(g);
  }
  cfp_graph_destroy(g);
  return 0;
}
