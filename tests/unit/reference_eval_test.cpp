// The test-only reference evaluator computes what each op kind means, on values worked
// out by hand; numeric-gradient and model tests rely on it.
#include <gtest/gtest.h>

#include <stdexcept>

#include "graph/emitter.h"
#include "support/reference_eval.h"

namespace cfp {
namespace {

using cfp_test::EvaluateGraph;
using Values = std::vector<double>;

class EvalTest : public ::testing::Test {
 protected:
  GraphBuilder b{"eval"};
  OpEmitter e{b};
  std::map<uint32_t, Values> in;

  uint32_t Input(std::vector<int64_t> shape, Values v, DType dt = DType::F32) {
    uint32_t t = e.Input("in" + std::to_string(b.num_tensors()), std::move(shape), dt);
    in[t] = std::move(v);
    return t;
  }
  Values Eval(uint32_t t) {
    auto g = b.Finish();
    EXPECT_TRUE(g.ok()) << g.status().message();
    return EvaluateGraph(*g, in).at(t);
  }
};

TEST_F(EvalTest, DotContractsTheNamedDims) {
  auto a = Input({2, 3}, {1, 2, 3, 4, 5, 6});
  auto w = Input({3, 2}, {1, 0, 0, 1, 1, 1});
  EXPECT_EQ(Eval(e.MatMul(a, w)), (Values{4, 5, 10, 11}));
}

TEST_F(EvalTest, DotWithBatchAndTransposedOperand) {
  // out[b, i, j] = sum_k x[b, i, k] * y[b, j, k]
  auto x = Input({2, 1, 2}, {1, 2, 3, 4});
  auto y = Input({2, 2, 2}, {1, 1, 0, 1, 2, 0, 1, 1});
  EXPECT_EQ(Eval(e.Dot(x, y, {0}, {0}, {2}, {2})), (Values{3, 2, 6, 7}));
}

TEST_F(EvalTest, DotContractingTheLeadingDimOfTheLhs) {
  // out[i, j] = sum_k x[k, i] * y[k, j]  (x^T y)
  auto x = Input({2, 2}, {1, 2, 3, 4});
  auto y = Input({2, 1}, {1, 10});
  EXPECT_EQ(Eval(e.Dot(x, y, {}, {}, {0}, {0})), (Values{31, 42}));
}

TEST_F(EvalTest, BroadcastFollowsItsDimsMap) {
  auto x = Input({2, 3}, {1, 2, 3, 4, 5, 6});
  // operand dim 0 -> result dim 1, operand dim 1 -> result dim 0: a transposed copy.
  EXPECT_EQ(Eval(e.Broadcast(x, {3, 2}, {1, 0})), (Values{1, 4, 2, 5, 3, 6}));
}

TEST_F(EvalTest, ElementwiseBroadcastsSizeOneDimsAndScalars) {
  auto x = Input({2, 2}, {1, 2, 3, 4});
  auto row = Input({1, 2}, {10, 20});
  auto s = Input({}, {100});
  EXPECT_EQ(Eval(e.Add(e.Add(x, row), s)), (Values{111, 122, 113, 124}));
}

TEST_F(EvalTest, TransposeSliceAndPad) {
  auto x = Input({2, 3}, {1, 2, 3, 4, 5, 6});
  auto t = e.Transpose(x, {1, 0});
  auto s = e.Slice(x, {0, 1}, {2, 3});
  auto p = e.Pad(e.Slice(x, {1, 2}, {2, 3}), {1, 0}, {0, 2}, -1);
  auto g = b.Finish();
  ASSERT_TRUE(g.ok()) << g.status().message();
  auto v = EvaluateGraph(*g, in);
  EXPECT_EQ(v[t], (Values{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(v[s], (Values{2, 3, 5, 6}));
  EXPECT_EQ(v[p], (Values{-1, -1, -1, 6, -1, -1}));
}

TEST_F(EvalTest, ConcatenateAlongTheInnerDim) {
  auto x = Input({2, 1}, {1, 2});
  auto y = Input({2, 2}, {3, 4, 5, 6});
  EXPECT_EQ(Eval(e.Concatenate({x, y}, 1)), (Values{1, 3, 4, 2, 5, 6}));
}

TEST_F(EvalTest, Reductions) {
  auto x = Input({2, 3}, {1, -2, 3, 4, 5, -6});
  auto sum = e.Reduce(OpKind::ReduceSum, x, {1});
  auto mx = e.Reduce(OpKind::ReduceMax, x, {0});
  auto mn = e.Reduce(OpKind::ReduceMin, x, {0, 1});
  auto g = b.Finish();
  ASSERT_TRUE(g.ok());
  auto v = EvaluateGraph(*g, in);
  EXPECT_EQ(v[sum], (Values{2, 3}));
  EXPECT_EQ(v[mx], (Values{4, 5, 3}));
  EXPECT_EQ(v[mn], (Values{-6}));
}

TEST_F(EvalTest, GatherAndScatterAddUseRowsOfTheTable) {
  auto table = Input({3, 2}, {1, 2, 3, 4, 5, 6});
  auto ids = Input({2, 2}, {2, 0, 2, 1}, DType::I32);
  auto gathered = e.Gather(table, ids);
  auto upd = Input({2, 2, 2}, {1, 1, 2, 2, 3, 3, 4, 4});
  auto scattered = e.ScatterAdd(ids, upd, 3);
  auto g = b.Finish();
  ASSERT_TRUE(g.ok()) << g.status().message();
  auto v = EvaluateGraph(*g, in);
  EXPECT_EQ(v[gathered], (Values{5, 6, 1, 2, 5, 6, 3, 4}));
  EXPECT_EQ(v[scattered], (Values{2, 2, 4, 4, 4, 4}));
}

TEST_F(EvalTest, IotaCompareSelectMakeACausalMask) {
  auto row = e.Iota({3, 3}, DType::I32, 0);
  auto col = e.Iota({3, 3}, DType::I32, 1);
  auto mask = e.Compare(row, col, Comparison::GE);
  auto x = Input({3, 3}, Values(9, 7.0));
  auto masked = e.Select(mask, x, e.Constant(-1));
  EXPECT_EQ(Eval(masked), (Values{7, -1, -1, 7, 7, -1, 7, 7, 7}));
}

TEST_F(EvalTest, MathAndIntegerConversion) {
  auto x = Input({4}, {-1.5, 0.25, 2.0, 9.0});
  auto i = e.Convert(x, DType::I32);
  auto sq = e.Unary(OpKind::Sqrt, e.Unary(OpKind::Abs, x));
  auto pw = e.Binary(OpKind::Power, e.Unary(OpKind::Abs, x), e.Constant(2.0));
  auto g = b.Finish();
  ASSERT_TRUE(g.ok());
  auto v = EvaluateGraph(*g, in);
  EXPECT_EQ(v[i], (Values{-1, 0, 2, 9}));
  EXPECT_DOUBLE_EQ(v[sq][3], 3.0);
  EXPECT_DOUBLE_EQ(v[pw][0], 2.25);
}

TEST_F(EvalTest, MissingInputsAndBadIndicesThrow) {
  auto x = e.Input("x", {2}, DType::F32);
  e.Unary(OpKind::Exp, x);
  auto g = b.Finish();
  ASSERT_TRUE(g.ok());
  EXPECT_THROW(EvaluateGraph(*g, {}), std::runtime_error);
  EXPECT_THROW(EvaluateGraph(*g, {{x, {1.0}}}), std::runtime_error);

  GraphBuilder b2;
  OpEmitter e2(b2);
  auto table = e2.Input("t", {2, 2}, DType::F32);
  auto ids = e2.Input("ids", {1}, DType::I32);
  e2.Gather(table, ids);
  auto g2 = b2.Finish();
  ASSERT_TRUE(g2.ok());
  EXPECT_THROW(EvaluateGraph(*g2, {{table, {1, 2, 3, 4}}, {ids, {5}}}), std::runtime_error);
}

}  // namespace
}  // namespace cfp
