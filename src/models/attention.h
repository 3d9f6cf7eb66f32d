// Causal multi-head self-attention at HLO granularity: projections, explicit reshapes and
// transposes into heads, scores as a batched dot, the causal mask built in the graph from
// iotas, softmax in f32, the context dot and the output projection.
#pragma once

#include "models/model_context.h"

namespace cfp {

struct AttentionOptions {
  bool bias = true;    // GPT: biases on every projection; Llama: none
  bool rotary = false; // Llama: rotary position embeddings on queries and keys
};

// x: [batch, seq, hidden] in the compute dtype; returns the attention output (before the
// residual add) of the same shape. Grouped-query attention when spec.kv_heads < heads:
// each key/value head is broadcast to heads / kv_heads query heads.
uint32_t CausalSelfAttention(ModelContext &m, uint32_t x, const AttentionOptions &options);

}  // namespace cfp
