// Knobs of the cost model beyond the hardware constants (docs/design.md §7).
#pragma once

namespace cfp {

struct CostParams {
  // Multiplier on compute time; 0 prices communication only (Alpa's test convention).
  double compute_scale = 1;
  // Time charged per byte of a parameter held on a device beyond its fully sharded size:
  // a tie-breaker towards sharded parameters (Alpa's convention uses a small one).
  double replicated_param_penalty = 0;
  // Micro-batches per step: the graph is one micro-batch; forward and backward work runs
  // this many times per step, the optimizer update (and the gradient reductions feeding
  // it) once — gradient accumulation.
  uint32_t microbatches = 1;
};

}  // namespace cfp
