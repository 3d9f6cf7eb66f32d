// `cfp optimize <model spec> --microbatches auto`: a model spec's batch is the whole step's;
// the step is split into the fewest micro-batches for which a plan fits the memory budget.
#pragma once

#include <cfp.h>

#include <cstdint>
#include <string>

namespace cfp_cli {

struct MicrobatchSplit {
  int64_t batch = 0;             // the spec's batch: samples per step
  int64_t microbatch = 0;        // samples per micro-batch, a divisor of `batch`
  uint32_t microbatches = 0;     // batch / microbatch
  cfp_graph *graph = nullptr;    // the micro-batch's training step (owned by the caller)
  cfp_plan *plan = nullptr;      // its plan under `options` (owned by the caller)
};

// `spec` with its batch set to `batch` ("gpt3-175b" -> "gpt3-175b:batch=4").
std::string SpecWithBatch(const std::string &spec, int64_t batch);

// Tries micro-batch sizes that divide the spec's batch (the leading dimension of the model's
// data inputs), bisecting for the largest one whose step has a plan within the budget;
// `options` gets the matching micro-batch count. Throws CfpError when even one sample per
// micro-batch does not fit, with the library's message.
MicrobatchSplit OptimizeWithFewestMicrobatches(const std::string &spec, cfp_options *options);

}  // namespace cfp_cli
