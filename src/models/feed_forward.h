// Position-wise feed-forward blocks, activations written out as elementwise ops.
#pragma once

#include "models/model_context.h"

namespace cfp {

// GeLU, tanh form (Hendrycks & Gimpel 2016, as in GPT-2/3):
// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
uint32_t Gelu(ModelContext &m, uint32_t x);
// GPT: w_out · gelu(w_in · x + b_in) + b_out, width spec.ffn.
uint32_t GeluMlp(ModelContext &m, uint32_t x);
// Llama (Shazeer 2020): w_down · (silu(w_gate · x) * (w_up · x)), no biases.
uint32_t SwiGlu(ModelContext &m, uint32_t x);

}  // namespace cfp
