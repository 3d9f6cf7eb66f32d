// Normalizations written out as reductions and elementwise ops, computed in f32 and
// returned in the compute dtype.
#pragma once

#include "models/model_context.h"

namespace cfp {

// LayerNorm over the last dim (Ba et al. 2016): (x - mean) / sqrt(var + eps) * gain + bias,
// with parameters "<scope>.gain" and "<scope>.bias".
uint32_t LayerNorm(ModelContext &m, uint32_t x);
// RMSNorm over the last dim (Zhang & Sennrich 2019): x / sqrt(mean(x^2) + eps) * gain,
// with parameter "<scope>.gain".
uint32_t RmsNorm(ModelContext &m, uint32_t x);

}  // namespace cfp
