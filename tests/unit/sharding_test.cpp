// Strategies, operand layouts, resharding collectives and their alpha-beta cost.
#include <gtest/gtest.h>

#include "cost/collective_cost.h"
#include "graph/emitter.h"
#include "sharding/resharding.h"
#include "sharding/strategy.h"

namespace cfp {
namespace {

Mesh MakeMesh(std::vector<uint32_t> shape, double bw = 1, double lat = 0) {
  Mesh m = Mesh::Create(shape, *DevicePreset("h100-sxm"), 8).value();
  for (int a = 0; a < m.num_axes(); ++a) {
    m.mutable_axis(a).bandwidth = bw;
    m.mutable_axis(a).latency = lat;
  }
  return m;
}

ShardingSpec Spec(std::vector<std::vector<uint8_t>> dims, uint8_t partial = 0) {
  ShardingSpec s;
  for (auto &d : dims) {
    DimSharding ds;
    for (uint8_t m : d) ds.Push(m);
    s.dims.push_back(ds);
  }
  s.partial = partial;
  return s;
}

IterationSpace MatmulSpace(int64_t m, int64_t k, int64_t n) {
  GraphBuilder b;
  OpEmitter e(b);
  e.MatMul(e.Input("x", {m, k}, DType::F32), e.Parameter("w", {k, n}));
  return b.Finish()->space(0);
}

TEST(Strategies, MatmulOn1DMeshHasReplicatedAndOnePerAxis) {
  auto s = EnumerateStrategies(MatmulSpace(8, 8, 8), true, MakeMesh({4}), {});
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].axis_of[0], Strategy::kNone);
  EXPECT_EQ(s[1].axis_of[0], 0);
  EXPECT_EQ(s[3].axis_of[0], 2);
}

TEST(Strategies, AnAxisMayTakeSeveralMeshAxes) {
  auto s = EnumerateStrategies(MatmulSpace(8, 8, 8), true, MakeMesh({2, 2}), {});
  EXPECT_EQ(s.size(), 16u);
  bool batch_over_both = false;
  for (const Strategy &x : s) batch_over_both |= x.axis_of[0] == 0 && x.axis_of[1] == 0;
  EXPECT_TRUE(batch_over_both);
}

TEST(Strategies, DivisibilityIsEnforced) {
  // m = 6 splits over 2 but not over 4 or 2x2.
  auto s = EnumerateStrategies(MatmulSpace(6, 8, 8), true, MakeMesh({2, 2}), {});
  for (const Strategy &x : s) EXPECT_FALSE(x.axis_of[0] == 0 && x.axis_of[1] == 0) << x.ToString(2);
  auto s4 = EnumerateStrategies(MatmulSpace(6, 8, 8), true, MakeMesh({4}), {});
  for (const Strategy &x : s4) EXPECT_NE(x.axis_of[0], 0);
}

TEST(Strategies, AlpaConventionForbidsReplicatedContractions) {
  StrategyRules rules;
  rules.allow_replicated_contractions = false;
  auto s = EnumerateStrategies(MatmulSpace(8, 8, 8), true, MakeMesh({4}), rules);
  EXPECT_EQ(s.size(), 3u);
  for (const Strategy &x : s) EXPECT_NE(x.axis_of[0], Strategy::kNone);
}

TEST(Strategies, MergedDimSplitsOnlyOnItsOutermostAxis) {
  GraphBuilder b;
  OpEmitter e(b);
  e.Reshape(e.Input("x", {4, 8}, DType::F32), {32});
  auto g = b.Finish().value();
  auto s = EnumerateStrategies(g.space(0), false, MakeMesh({2}), {});
  // none, or the outer axis (size 4); the inner axis would make non-contiguous shards.
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1].axis_of[0], 0);
}

TEST(OperandSpecs, RowParallelMatmulLeavesAPartialResult) {
  IterationSpace sp = MatmulSpace(8, 8, 8);  // axes m=0, n=1, k=2
  Strategy row;
  row.axis_of[0] = 2;
  EXPECT_EQ(OperandSpec(sp, 0, row, 1).ToString(), "[-,0]");
  EXPECT_EQ(OperandSpec(sp, 1, row, 1).ToString(), "[0,-]");
  EXPECT_EQ(OperandSpec(sp, 2, row, 1).ToString(), "[-,-] partial{0}");
  Strategy col;
  col.axis_of[0] = 1;
  EXPECT_EQ(OperandSpec(sp, 1, col, 1).ToString(), "[-,0]");
  EXPECT_EQ(OperandSpec(sp, 2, col, 1).ToString(), "[-,0]");
  Strategy dp2;
  dp2.axis_of[0] = 0;
  dp2.axis_of[1] = 0;
  EXPECT_EQ(OperandSpec(sp, 0, dp2, 2).ToString(), "[01,-]");
}

std::string Kinds(const std::vector<Collective> &cs) {
  std::string s;
  for (const Collective &c : cs) s += std::string(s.empty() ? "" : " ") + std::string(CollectiveKindName(c.kind)) + "@" + std::to_string(c.mesh_axis);
  return s;
}

TEST(Resharding, EachBasicTransitionUsesItsCollective) {
  Mesh mesh = MakeMesh({4, 2});
  std::vector<int64_t> shape{8, 8};
  auto plan = [&](ShardingSpec a, ShardingSpec b) { return Kinds(PlanResharding(a, b, shape, DType::F32, mesh)); };
  EXPECT_EQ(plan(Spec({{}, {}}, 1), Spec({{}, {}})), "all-reduce@0");
  EXPECT_EQ(plan(Spec({{}, {}}, 1), Spec({{0}, {}})), "reduce-scatter@0");
  EXPECT_EQ(plan(Spec({{0}, {}}), Spec({{}, {}})), "all-gather@0");
  EXPECT_EQ(plan(Spec({{0}, {}}), Spec({{}, {0}})), "all-to-all@0");
  EXPECT_EQ(plan(Spec({{}, {}}), Spec({{0}, {1}})), "");  // local slices are free
  EXPECT_EQ(plan(Spec({{0, 1}, {}}), Spec({{}, {}})), "all-gather@1 all-gather@0");
  EXPECT_EQ(plan(Spec({{0}, {}}, 2), Spec({{0}, {}})), "all-reduce@1");
}

TEST(Resharding, BytesAreTheTensorAcrossTheGroup) {
  Mesh mesh = MakeMesh({4});
  std::vector<int64_t> shape{8, 8};  // 256 bytes in f32
  auto ag = PlanResharding(Spec({{0}, {}}), Spec({{}, {}}), shape, DType::F32, mesh);
  ASSERT_EQ(ag.size(), 1u);
  EXPECT_DOUBLE_EQ(ag[0].bytes, 256);
  auto rs = PlanResharding(Spec({{}, {}}, 1), Spec({{0}, {}}), shape, DType::F32, mesh);
  EXPECT_DOUBLE_EQ(rs[0].bytes, 256);
}

TEST(CollectiveCost, AlphaBetaFormulas) {
  Mesh mesh = MakeMesh({4}, /*bw=*/2.0, /*lat=*/1.0);
  EXPECT_DOUBLE_EQ(CollectiveTime({CollectiveKind::AllReduce, 0, 800}, mesh), 1 + 2 * 0.75 * 800 / 2);
  EXPECT_DOUBLE_EQ(CollectiveTime({CollectiveKind::AllGather, 0, 800}, mesh), 1 + 0.75 * 800 / 2);
  EXPECT_DOUBLE_EQ(CollectiveTime({CollectiveKind::ReduceScatter, 0, 800}, mesh), 1 + 0.75 * 800 / 2);
  EXPECT_DOUBLE_EQ(CollectiveTime({CollectiveKind::AllToAll, 0, 800}, mesh), 1 + 3.0 / 16 * 800 / 2);
  Mesh one = MakeMesh({1});
  EXPECT_DOUBLE_EQ(CollectiveTime({CollectiveKind::AllReduce, 0, 800}, one), 0);
}

TEST(MeshLinks, InnerAxesUseNvlinkOuterAxesTheNetwork) {
  DeviceSpec d = *DevicePreset("h100-sxm");
  Mesh m = Mesh::Create({8, 8}, d, 8).value();
  EXPECT_DOUBLE_EQ(m.axis(1).bandwidth, d.nvlink_bandwidth);
  EXPECT_DOUBLE_EQ(m.axis(0).bandwidth, d.network_bandwidth);
  Mesh small = Mesh::Create({2, 4}, d, 8).value();
  EXPECT_DOUBLE_EQ(small.axis(0).bandwidth, d.nvlink_bandwidth);
  EXPECT_FALSE(Mesh::Create({}, d, 8).ok());
  EXPECT_FALSE(Mesh::Create({2, 2, 2, 2}, d, 8).ok());
  EXPECT_FALSE(Mesh::Create({4, 0}, d, 8).ok());
}

}  // namespace
}  // namespace cfp
