// A GShard mixture-of-experts layer (Lepikhin et al. 2020, Section 2.2 and Algorithm 1)
// at HLO granularity: softmax gating, top-k dispatch and combine as einsums over one-hot
// dispatch tensors built in the graph, experts as dots batched over an expert axis.
#pragma once

#include "models/model_context.h"

namespace cfp {

// x: [batch, seq, hidden]; returns the layer output of the same shape. Tokens are split
// into groups of spec.group; each expert takes at most capacity = ceil(top_k * group /
// experts) tokens of a group, later tokens are dropped (GShard's fixed expert capacity).
// The top-k choice is an in-graph mask: k rounds of "equal to the row maximum", each
// removing the experts already chosen — exact except for exactly tied gates. The
// load-balancing auxiliary loss and the random second-expert policy are not modelled.
uint32_t MoeLayer(ModelContext &m, uint32_t x);

}  // namespace cfp
