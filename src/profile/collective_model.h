// The alpha-beta model of collectives (docs/design.md §7) and its calibration from measurements:
// when a mesh axis needs more GPUs than are visible, its collectives are priced with
// constants fitted to what the visible GPUs (or an MPI run across nodes) measured.
#pragma once

#include <cstdint>
#include <span>
#include <utility>

#include "cost/collective_cost.h"
#include "profile/device_backend.h"

namespace cfp {

struct AlphaBeta {
  double alpha = 0;      // seconds per collective (latency)
  double bandwidth = 0;  // bytes per second of each device's link
};

// alpha + RingFactor(kind, n) * bytes / bandwidth; 0 for n = 1.
double AlphaBetaTime(const AlphaBeta &model, CollectiveKind kind, uint64_t bytes, int n);

// Least-squares fit of seconds = alpha + RingFactor(kind, n) * bytes / bandwidth to
// (bytes, seconds) points measured for one kind over n devices. Needs at least two
// distinct sizes and n >= 2; kInvalidData when the times do not grow with the size.
// A negative intercept (noise) is clamped to 0.
Result<AlphaBeta> FitAlphaBeta(CollectiveKind kind, int n, std::span<const std::pair<uint64_t, double>> points);

// Times `kind` over `group` devices at each of `sizes` on `backend` and fits the model.
Result<AlphaBeta> CalibrateAlphaBeta(DeviceBackend &backend, CollectiveKind kind, int group,
                                     std::span<const uint64_t> sizes);

}  // namespace cfp
