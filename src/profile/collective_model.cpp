#include "profile/collective_model.h"

#include <cmath>
#include <set>
#include <vector>

namespace cfp {

double AlphaBetaTime(const AlphaBeta &model, CollectiveKind kind, uint64_t bytes, int n) {
  if (n <= 1) return 0;
  return model.alpha + RingFactor(kind, n) * static_cast<double>(bytes) / model.bandwidth;
}

Result<AlphaBeta> FitAlphaBeta(CollectiveKind kind, int n, std::span<const std::pair<uint64_t, double>> points) {
  if (n < 2) return InvalidArgument("a collective over " + std::to_string(n) + " device moves no data: nothing to fit");
  std::set<uint64_t> sizes;
  for (const auto &[bytes, seconds] : points) {
    if (!std::isfinite(seconds) || seconds < 0)
      return InvalidData("a measured time of " + std::to_string(seconds) + " s cannot be fitted");
    sizes.insert(bytes);
  }
  if (sizes.size() < 2) return InvalidArgument("fitting alpha and beta needs times at two or more sizes");
  // Ordinary least squares of y = alpha + x / bandwidth with x = factor * bytes.
  const double factor = RingFactor(kind, n);
  double mx = 0, my = 0;
  for (const auto &[bytes, seconds] : points) {
    mx += factor * static_cast<double>(bytes);
    my += seconds;
  }
  mx /= static_cast<double>(points.size());
  my /= static_cast<double>(points.size());
  double sxy = 0, sxx = 0;
  for (const auto &[bytes, seconds] : points) {
    const double dx = factor * static_cast<double>(bytes) - mx;
    sxy += dx * (seconds - my);
    sxx += dx * dx;
  }
  const double slope = sxy / sxx;
  if (!(slope > 0))
    return InvalidData(std::string(CollectiveKindName(kind)) + " times over " + std::to_string(n) +
                       " devices do not grow with the size; no bandwidth can be fitted");
  return AlphaBeta{std::max(0.0, my - slope * mx), 1 / slope};
}

Result<AlphaBeta> CalibrateAlphaBeta(DeviceBackend &backend, CollectiveKind kind, int group,
                                     std::span<const uint64_t> sizes) {
  std::vector<std::pair<uint64_t, double>> points;
  for (uint64_t bytes : sizes) {
    CFP_ASSIGN_OR_RETURN(double t, backend.TimeCollective(kind, bytes, group));
    points.emplace_back(bytes, t);
  }
  return FitAlphaBeta(kind, group, points);
}

}  // namespace cfp
