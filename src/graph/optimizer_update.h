// The optimizer step appended to a training graph: one elementwise update per parameter,
// on the parameter's shape, so it can take the parameter's sharding (docs/design.md §5).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/builder.h"

namespace cfp {

enum class OptimizerKind { Sgd, Adam };

std::optional<OptimizerKind> ParseOptimizer(std::string_view name);

struct ParameterGradient {
  uint32_t parameter;
  uint32_t gradient;
  std::string scope;  // where the parameter is first used, for reports
};

// Hyper-parameters, emitted as rank-0 f32 constants named "<optimizer>.<name>". Adam's
// bias correction is folded into the learning rate, as a per-step scalar would be.
inline constexpr double kSgdLearningRate = 1e-2;
inline constexpr double kAdamLearningRate = 1e-3;
inline constexpr double kAdamBeta1 = 0.9;
inline constexpr double kAdamBeta2 = 0.999;
inline constexpr double kAdamEpsilon = 1e-8;

// SGD: p' = p - lr g. Adam (Kingma & Ba 2015, Algorithm 1): m' = b1 m + (1 - b1) g,
// v' = b2 v + (1 - b2) g^2, p' = p - lr m' / (sqrt(v') + eps), in f32 whatever the
// parameter's dtype; m and v are new OptimizerState tensors (f32, parameter shape).
// Every new value is an unconsumed tensor whose `updates` names the tensor it replaces.
// Ops are in Phase::Update with no gradient hint.
void EmitOptimizerUpdate(GraphBuilder &b, OptimizerKind kind, const std::vector<ParameterGradient> &params);

}  // namespace cfp
