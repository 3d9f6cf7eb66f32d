// Decoder-only language models (GPT, Llama, GShard MoE): token (and position) embedding,
// a stack of layers all emitted by one function so that repeated layers are structurally
// identical, a final norm, the LM head and a softmax cross-entropy loss.
#pragma once

#include "graph/builder.h"
#include "models/model_spec.h"

namespace cfp {

// Emits the forward graph of `spec` (family gpt, llama or moe) into `b`. Scopes: "embed",
// "layers.<i>.ln1", "layers.<i>.attn", "layers.<i>.ln2", "layers.<i>.mlp" (or ".moe"),
// "head", "loss". The loss is the last op.
void EmitDecoder(GraphBuilder &b, const ModelSpec &spec);

// x[batch, hidden] through `layers` x (dense + bias + ReLU), mean squared error against a
// target: the MLP of Alpa's auto-sharding tests.
void EmitMlp(GraphBuilder &b, const ModelSpec &spec);

}  // namespace cfp
