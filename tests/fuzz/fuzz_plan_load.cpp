// Fuzz target: cfp_plan_from_buffer on arbitrary bytes. A plan that loads must answer
// every accessor and serialize back to FlatBuffers and JSON.
#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cfp_plan *p = nullptr;
  cfp_status s = cfp_plan_from_buffer(data, size, &p);
  cfp_fuzz::RequireCleanFailure(s, "cfp_plan_from_buffer", p);
  if (s != CFP_OK) {
    cfp_fuzz::Require(s == CFP_ERR_INVALID_DATA || s == CFP_ERR_OUT_OF_MEMORY, "unexpected status for a bad plan");
    return 0;
  }
  cfp_fuzz::QueryPlan(p);
  cfp_plan_destroy(p);
  return 0;
}
