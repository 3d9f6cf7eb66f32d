// The alpha-beta model and its calibration from measured collectives.
#include <gtest/gtest.h>

#include <random>

#include "profile/collective_model.h"
#include "profile/fake_device_backend.h"

namespace cfp {
namespace {

TEST(CollectiveModel, RingFactorsFollowTheDesign) {
  EXPECT_DOUBLE_EQ(RingFactor(CollectiveKind::AllReduce, 4), 1.5);
  EXPECT_DOUBLE_EQ(RingFactor(CollectiveKind::AllGather, 4), 0.75);
  EXPECT_DOUBLE_EQ(RingFactor(CollectiveKind::ReduceScatter, 8), 0.875);
  EXPECT_DOUBLE_EQ(RingFactor(CollectiveKind::AllToAll, 4), 3.0 / 16);
  EXPECT_DOUBLE_EQ(RingFactor(CollectiveKind::AllReduce, 1), 0);
  EXPECT_DOUBLE_EQ(AlphaBetaTime({1e-5, 1e9}, CollectiveKind::AllReduce, 1000000, 2), 1e-5 + 1e-3);
  EXPECT_DOUBLE_EQ(AlphaBetaTime({1e-5, 1e9}, CollectiveKind::AllReduce, 1000000, 1), 0);
}

// A device whose collectives follow alpha-beta exactly, with optional noise.
FakeDeviceBackend AlphaBetaDevice(AlphaBeta truth, double noise, int devices) {
  auto rng = std::make_shared<std::mt19937>(5);
  return FakeDeviceBackend(
      "ab", devices, [](const Graph &) -> Result<double> { return 0.0; },
      [=](CollectiveKind k, uint64_t bytes, int group) -> Result<double> {
        std::uniform_real_distribution<double> jitter(1 - noise, 1 + noise);
        return AlphaBetaTime(truth, k, bytes, group) * jitter(*rng);
      });
}

TEST(CollectiveModel, CalibrationRecoversExactConstants) {
  FakeDeviceBackend dev = AlphaBetaDevice({7e-6, 3e11}, 0, 8);
  const std::vector<uint64_t> sizes{1 << 16, 1 << 20, 1 << 24, 1 << 28};
  for (CollectiveKind k : {CollectiveKind::AllReduce, CollectiveKind::AllGather, CollectiveKind::AllToAll}) {
    auto fit = CalibrateAlphaBeta(dev, k, 8, sizes);
    ASSERT_TRUE(fit.ok()) << fit.status().message();
    EXPECT_NEAR(fit->alpha, 7e-6, 1e-12);
    EXPECT_NEAR(fit->bandwidth / 3e11, 1.0, 1e-9);
  }
  EXPECT_EQ(dev.collective_calls(), 12u);
}

TEST(CollectiveModel, CalibrationToleratesNoise) {
  FakeDeviceBackend dev = AlphaBetaDevice({2e-5, 1e11}, 0.02, 4);
  std::vector<uint64_t> sizes;
  for (int i = 0; i < 8; ++i)
    for (uint64_t b = 1 << 18; b <= 1u << 28; b <<= 2) sizes.push_back(b);
  auto fit = CalibrateAlphaBeta(dev, CollectiveKind::ReduceScatter, 4, sizes);
  ASSERT_TRUE(fit.ok());
  EXPECT_NEAR(fit->bandwidth / 1e11, 1.0, 0.02);
  // The model then predicts a size it never measured within the noise.
  EXPECT_NEAR(AlphaBetaTime(*fit, CollectiveKind::ReduceScatter, 3u << 26, 4) /
                  AlphaBetaTime({2e-5, 1e11}, CollectiveKind::ReduceScatter, 3u << 26, 4),
              1.0, 0.03);
}

TEST(CollectiveModel, FitRejectsWhatCannotBeFitted) {
  using P = std::pair<uint64_t, double>;
  std::vector<P> one_size{{1024, 1e-5}, {1024, 2e-5}};
  EXPECT_EQ(FitAlphaBeta(CollectiveKind::AllReduce, 2, one_size).status().code(), Code::kInvalidArgument);
  std::vector<P> shrinking{{1024, 2e-5}, {1 << 20, 1e-5}};
  EXPECT_EQ(FitAlphaBeta(CollectiveKind::AllReduce, 2, shrinking).status().code(), Code::kInvalidData);
  std::vector<P> good{{1024, 1e-5}, {1 << 20, 2e-5}};
  EXPECT_EQ(FitAlphaBeta(CollectiveKind::AllReduce, 1, good).status().code(), Code::kInvalidArgument);
  std::vector<P> nan{{1024, std::nan("")}, {1 << 20, 2e-5}};
  EXPECT_EQ(FitAlphaBeta(CollectiveKind::AllReduce, 2, nan).status().code(), Code::kInvalidData);
  // Noise below the latency gives a negative intercept: clamped.
  std::vector<P> steep{{1000, 0.5e-6}, {2000, 2e-6}, {3000, 3.5e-6}};
  auto fit = FitAlphaBeta(CollectiveKind::AllGather, 2, steep);
  ASSERT_TRUE(fit.ok());
  EXPECT_EQ(fit->alpha, 0);
}

TEST(CollectiveModel, TooFewDevicesPropagatesUnsupported) {
  FakeDeviceBackend dev = AlphaBetaDevice({1e-5, 1e11}, 0, 2);
  const std::vector<uint64_t> sizes{1024, 4096};
  EXPECT_EQ(CalibrateAlphaBeta(dev, CollectiveKind::AllReduce, 8, sizes).status().code(), Code::kUnsupported);
}

}  // namespace
}  // namespace cfp
