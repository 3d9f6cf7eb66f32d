// Seeded random training graphs for property tests: a forward graph of 1-3 building blocks
// drawn at random (MLP, residual, LayerNorm/RMSNorm, attention, MoE dispatch, embedding
// with a tied head), a loss, then the training transform (autodiff and the optimizer
// update). Small enough for the exact oracles of exact_optimum.h.
#pragma once

#include <cstdint>
#include <string>

#include "graph/graph.h"

namespace cfp_test {

struct RandomGraphOptions {
  std::string optimizer = "adam";  // or "sgd"
  // Dims from 1024-8192 instead of 4-64; either way mostly divisible by 4, sometimes only
  // by 2, sometimes odd.
  bool large_dims = false;
  int min_blocks = 1, max_blocks = 3;
};

struct RandomGraph {
  cfp::Graph graph;
  // The blocks and dims drawn, e.g. "[B=8,S=12,H=32] f32 | embed V=20 | res(mlp F=16 relu)
  // | layernorm | tied head | loss ce".
  std::string description;
};

// Deterministic in `seed` and `options`.
cfp::Result<RandomGraph> RandomTrainingGraph(uint64_t seed, const RandomGraphOptions &options = {});

}  // namespace cfp_test
