// Every op kind's iteration space, derived in graph/op_semantics.cpp.
#include <gtest/gtest.h>

#include "graph/emitter.h"

namespace cfp {
namespace {

// Builds a one-op graph with the emitter and returns its op's space as einsum text.
class SpaceTest : public ::testing::Test {
 protected:
  GraphBuilder b{"t"};
  OpEmitter e{b};
  std::string SpaceOfLastOp() {
    auto g = b.Finish();
    EXPECT_TRUE(g.ok()) << g.status().message();
    if (!g.ok()) return "";
    return g->space(e.last_op()).ToString();
  }
  const IterationSpace &Space() {
    graph_ = std::make_unique<Graph>(b.Finish().value());
    return graph_->space(e.last_op());
  }
  std::unique_ptr<Graph> graph_;
};

TEST_F(SpaceTest, MatmulHasParallelRowsAndColumnsAndReducedInner) {
  auto x = e.Input("x", {32, 64}, DType::F32);
  auto w = e.Parameter("w", {64, 16});
  e.MatMul(x, w);
  EXPECT_EQ(SpaceOfLastOp(), "ac,cb->ab");
  const auto &s = Space();
  EXPECT_EQ(s.axes()[2].kind, AxisKind::Reduction);
  EXPECT_EQ(s.axes()[2].size, 64);
  EXPECT_EQ(s.axes()[0].kind, AxisKind::Parallel);
}

TEST_F(SpaceTest, BatchedDotSharesBatchAndHeadAxes) {
  auto q = e.Input("q", {2, 4, 8, 16}, DType::BF16);
  auto k = e.Input("k", {2, 4, 8, 16}, DType::BF16);
  e.Dot(q, k, {0, 1}, {0, 1}, {3}, {3});
  // b h s t parallel, d reduction
  EXPECT_EQ(SpaceOfLastOp(), "abce,abde->abcd");
}

TEST_F(SpaceTest, ElementwiseBroadcastDimMapsToNoAxis) {
  auto x = e.Input("x", {8, 16}, DType::F32);
  auto bias = e.Input("b", {1, 16}, DType::F32);
  e.Add(x, bias);
  EXPECT_EQ(SpaceOfLastOp(), "ab,()b->ab");  // "()": a dim made of no axes
}

TEST_F(SpaceTest, ScalarOperandMapsToNothing) {
  auto x = e.Input("x", {8, 16}, DType::F32);
  e.Mul(x, e.Constant(2.0));
  EXPECT_EQ(SpaceOfLastOp(), "ab,->ab");
}

TEST_F(SpaceTest, ReduceMarksReducedDimsAsReduction) {
  auto x = e.Input("x", {8, 16, 4}, DType::F32);
  e.Reduce(OpKind::ReduceSum, x, {1});
  EXPECT_EQ(SpaceOfLastOp(), "abc->ac");
  EXPECT_EQ(Space().axes()[1].kind, AxisKind::Reduction);
}

TEST_F(SpaceTest, BroadcastAddsOutputOnlyAxes) {
  auto x = e.Input("x", {16}, DType::F32);
  e.Broadcast(x, {8, 16}, {1});
  EXPECT_EQ(SpaceOfLastOp(), "b->ab");
}

TEST_F(SpaceTest, TransposePermutesAxes) {
  auto x = e.Input("x", {2, 3, 5}, DType::F32);
  e.Transpose(x, {2, 0, 1});
  EXPECT_EQ(SpaceOfLastOp(), "abc->cab");
}

TEST_F(SpaceTest, ReshapeMergesDimsOutermostFirst) {
  auto x = e.Input("x", {4, 6}, DType::F32);
  e.Reshape(x, {24});
  EXPECT_EQ(SpaceOfLastOp(), "ab->(ab)");
}

TEST_F(SpaceTest, ReshapeSplitsHeadsFromHidden) {
  auto x = e.Input("x", {2, 8, 64}, DType::F32);
  e.Reshape(x, {2, 8, 4, 16});
  EXPECT_EQ(SpaceOfLastOp(), "ab(cd)->abcd");
}

TEST_F(SpaceTest, ReshapeFindsCommonRefinement) {
  auto x = e.Input("x", {6, 4}, DType::F32);
  e.Reshape(x, {2, 12});
  EXPECT_EQ(SpaceOfLastOp(), "(ab)c->a(bc)");
}

TEST_F(SpaceTest, ReshapeWithoutRefinementGetsUnsplittableAxes) {
  auto x = e.Input("x", {6, 4}, DType::F32);
  e.Reshape(x, {4, 6});
  EXPECT_EQ(SpaceOfLastOp(), "ab->cd");
  for (const Axis &a : Space().axes()) EXPECT_FALSE(a.splittable);
}

TEST_F(SpaceTest, ReshapeIgnoresUnitDims) {
  auto x = e.Input("x", {1, 8, 1}, DType::F32);
  e.Reshape(x, {8});
  EXPECT_EQ(SpaceOfLastOp(), "()a()->a");
}

TEST_F(SpaceTest, GatherTreatsVocabularyAsReduction) {
  auto table = e.Parameter("wte", {100, 16});
  auto ids = e.Input("ids", {2, 8}, DType::I32);
  e.Gather(table, ids);
  EXPECT_EQ(SpaceOfLastOp(), "cd,ab->abd");
  EXPECT_EQ(Space().axes()[2].kind, AxisKind::Reduction);
}

TEST_F(SpaceTest, ScatterAddSumsOverTokens) {
  auto ids = e.Input("ids", {2, 8}, DType::I32);
  auto upd = e.Input("g", {2, 8, 16}, DType::F32);
  e.ScatterAdd(ids, upd, 100);
  EXPECT_EQ(SpaceOfLastOp(), "ab,abd->cd");
  EXPECT_EQ(Space().axes()[0].kind, AxisKind::Reduction);
  EXPECT_EQ(Space().axes()[2].kind, AxisKind::Parallel);
}

TEST_F(SpaceTest, SliceKeepsUntouchedDimsShared) {
  auto x = e.Input("x", {4, 12}, DType::F32);
  e.Slice(x, {0, 4}, {4, 8});
  EXPECT_EQ(SpaceOfLastOp(), "ab->ac");
  EXPECT_TRUE(Space().axes()[0].splittable);
  EXPECT_FALSE(Space().axes()[1].splittable);
}

TEST_F(SpaceTest, ConcatenateGivesEachPieceItsOwnAxis) {
  auto x = e.Input("x", {4, 3}, DType::F32);
  auto y = e.Input("y", {4, 5}, DType::F32);
  e.Concatenate({x, y}, 1);
  EXPECT_EQ(SpaceOfLastOp(), "ab,ac->ad");
}

TEST_F(SpaceTest, CustomOpUsesStatedEinsum) {
  auto x = e.Input("x", {8, 32}, DType::F32);
  e.Custom("my_op", {x}, {{{8, 4, 8}, DType::F32}}, "b(hd)->bhd", 3.0);
  EXPECT_EQ(SpaceOfLastOp(), "a(bc)->abc");
  auto g = b.Finish().value();
  EXPECT_DOUBLE_EQ(g.Flops(), 3.0 * 8 * 32);
}

TEST(Flops, MatmulCountsTwoPerMultiplyAdd) {
  GraphBuilder b;
  OpEmitter e(b);
  e.MatMul(e.Input("x", {32, 64}, DType::F32), e.Parameter("w", {64, 16}));
  EXPECT_DOUBLE_EQ(b.Finish()->Flops(), 2.0 * 32 * 64 * 16);
}

TEST(Flops, DataMovementIsFree) {
  GraphBuilder b;
  OpEmitter e(b);
  auto x = e.Input("x", {32, 64}, DType::F32);
  e.Transpose(e.Reshape(x, {64, 32}), {1, 0});
  EXPECT_DOUBLE_EQ(b.Finish()->Flops(), 0.0);
}

TEST(Flops, ScatterAddCountsOneAddPerUpdate) {
  GraphBuilder b;
  OpEmitter e(b);
  auto ids = e.Input("ids", {2, 8}, DType::I32);
  e.ScatterAdd(ids, e.Input("g", {2, 8, 16}, DType::F32), 1000);
  // Not 2 * 8 * 1000 * 16: no update visits the rows it does not hit.
  EXPECT_DOUBLE_EQ(b.Finish()->Flops(), 2.0 * 8 * 16);
}

}  // namespace
}  // namespace cfp
