// Gradients from MakeTrainingGraph agree with central finite differences, for every
// differentiable op kind, broadcasting operands, shared inputs and several dot layouts.
#include <gtest/gtest.h>

#include <functional>

#include "graph/autodiff.h"
#include "graph/emitter.h"
#include "support/gradient_check.h"

namespace cfp {
namespace {

using cfp_test::ExpectGradientsMatchFiniteDifferences;
using cfp_test::RandomInputs;

// Builds `body` into a forward graph whose loss is sum(y * r) for a data input r of
// random weights (so every output element has its own seed), differentiates it and
// checks every parameter's gradient numerically.
class GradCheck : public ::testing::Test {
 protected:
  GraphBuilder b{"grad"};
  OpEmitter e{b};

  uint32_t P(std::vector<int64_t> shape, DType dt = DType::F32) {
    return e.Parameter("p" + std::to_string(b.num_tensors()), std::move(shape), dt);
  }
  uint32_t D(std::vector<int64_t> shape, DType dt = DType::F32) {
    return e.Input("d" + std::to_string(b.num_tensors()), std::move(shape), dt);
  }

  // Inputs drawn from [lo, hi); integer inputs are overridden through `fixed`.
  void Check(uint32_t y, double lo = -1, double hi = 1, cfp_test::Inputs fixed = {}) {
    uint32_t yf = e.dtype(y) == DType::F32 ? y : e.Convert(y, DType::F32);
    uint32_t r = e.Input("seed_weights", e.shape(yf), DType::F32);
    uint32_t prod = e.Mul(yf, r);
    std::vector<int64_t> all;
    for (size_t d = 0; d < e.shape(prod).size(); ++d) all.push_back(static_cast<int64_t>(d));
    if (!all.empty()) e.Reduce(OpKind::ReduceSum, prod, all);
    else e.Unary(OpKind::Copy, prod);
    auto fwd = b.Finish();
    ASSERT_TRUE(fwd.ok()) << fwd.status().message();
    auto train = MakeTrainingGraph(*fwd, "sgd");
    ASSERT_TRUE(train.ok()) << train.status().message();
    auto in = RandomInputs(*fwd, 7, lo, hi);
    for (auto &[t, v] : fixed) in[t] = v;
    ExpectGradientsMatchFiniteDifferences(*fwd, *train, in);
  }
};

TEST_F(GradCheck, UnaryKinds) {
  for (OpKind k : {OpKind::Neg, OpKind::Exp, OpKind::Tanh, OpKind::Logistic, OpKind::Sin, OpKind::Cos, OpKind::Copy}) {
    GraphBuilder fresh{"u"};
    std::swap(b, fresh);
    SCOPED_TRACE(std::string(OpKindName(k)));
    Check(e.Unary(k, P({2, 3})));
  }
}

TEST_F(GradCheck, UnaryKindsOnPositiveValues) {
  for (OpKind k : {OpKind::Log, OpKind::Sqrt, OpKind::Rsqrt, OpKind::Abs}) {
    GraphBuilder fresh{"u"};
    std::swap(b, fresh);
    SCOPED_TRACE(std::string(OpKindName(k)));
    Check(e.Unary(k, P({2, 3})), 0.5, 2.0);
  }
}

TEST_F(GradCheck, AbsOnBothSidesOfZero) { Check(e.Unary(OpKind::Abs, P({3, 4})), -2, 2); }

TEST_F(GradCheck, ConvertThroughBf16AndBack) { Check(e.Convert(e.Mul(e.Convert(P({4}), DType::BF16), P({4}, DType::BF16)), DType::F32)); }

TEST_F(GradCheck, BinaryKindsWithEqualShapes) {
  for (OpKind k : {OpKind::Add, OpKind::Subtract, OpKind::Multiply, OpKind::Divide, OpKind::Maximum, OpKind::Minimum,
                   OpKind::Power}) {
    GraphBuilder fresh{"bin"};
    std::swap(b, fresh);
    SCOPED_TRACE(std::string(OpKindName(k)));
    Check(e.Binary(k, P({2, 3}), P({2, 3})), 0.5, 2.0);
  }
}

TEST_F(GradCheck, BinaryKindsWithBroadcastOperands) {
  for (OpKind k : {OpKind::Add, OpKind::Subtract, OpKind::Multiply, OpKind::Divide, OpKind::Maximum, OpKind::Power}) {
    GraphBuilder fresh{"bcast"};
    std::swap(b, fresh);
    SCOPED_TRACE(std::string(OpKindName(k)));
    // [2,3] with [1,3], then with [2,1], then with a rank-0 parameter.
    auto y = e.Binary(k, P({2, 3}), P({1, 3}));
    y = e.Binary(k == OpKind::Power ? OpKind::Multiply : k, P({2, 1}), y);
    Check(e.Binary(k == OpKind::Power ? OpKind::Multiply : k, y, P({})), 0.5, 2.0);
  }
}

TEST_F(GradCheck, OperandsBroadcastAgainstEachOther) {
  // [1,3] * [2,1] -> [2,3]: each operand is summed over the other's dim.
  Check(e.Mul(P({1, 3}), P({2, 1})));
}

TEST_F(GradCheck, ConstantsAndDataInputsGetNoGradient) {
  auto x = D({2, 3});
  Check(e.Mul(e.Add(P({2, 3}), e.Constant(3.0)), e.Max(x, e.Constant(0.0))));
}

TEST_F(GradCheck, SelectRoutesTheGradient) {
  auto pred = e.Compare(D({2, 3}), e.Constant(0.0), Comparison::GT);
  Check(e.Select(pred, P({2, 3}), P({1, 3})));
}

TEST_F(GradCheck, SelectWithRankZeroBranch) {
  auto pred = e.Compare(D({2, 3}), e.Constant(0.0), Comparison::GT);
  Check(e.Select(pred, P({}), P({2, 3})));
}

TEST_F(GradCheck, BroadcastSumsOverNewDims) { Check(e.Broadcast(P({3}), {2, 3, 4}, {1})); }

TEST_F(GradCheck, BroadcastWithPermutedDims) { Check(e.Broadcast(P({3, 2}), {2, 4, 3}, {2, 0})); }

TEST_F(GradCheck, BroadcastExpandingSizeOneDims) { Check(e.Broadcast(P({1, 3}), {2, 4, 3}, {1, 2})); }

TEST_F(GradCheck, ReshapeAndTranspose) { Check(e.Transpose(e.Reshape(P({2, 3, 4}), {6, 4}), {1, 0})); }

TEST_F(GradCheck, TransposeOfRankThree) { Check(e.Transpose(P({2, 3, 4}), {2, 0, 1})); }

TEST_F(GradCheck, SlicePadAndConcatenate) {
  auto p = P({4, 5});
  auto s = e.Slice(p, {1, 0}, {3, 4});                 // [2,4]
  auto padded = e.Pad(P({2, 2}), {0, 1}, {0, 1}, 0.5);  // [2,4]
  Check(e.Concatenate({s, padded, s, D({2, 4})}, 0));
}

TEST_F(GradCheck, Reductions) {
  auto x = P({3, 4, 2});
  auto sum = e.Reduce(OpKind::ReduceSum, x, {0, 2});                  // [4]
  auto mx = e.Reduce(OpKind::ReduceMax, x, {1});                      // [3,2]
  auto mn = e.Reduce(OpKind::ReduceMin, P({4, 3}), {1});              // [4]
  auto all = e.Reduce(OpKind::ReduceSum, mx, {0, 1});                 // []
  Check(e.Add(e.Mul(sum, mn), e.Broadcast(all, {4}, {})));
}

TEST_F(GradCheck, MatMul) { Check(e.MatMul(P({2, 3}), P({3, 4}))); }

TEST_F(GradCheck, MatMulOfActivationsAndBias) {
  auto h = e.MatMul(D({4, 3}), P({3, 5}));
  Check(e.Max(e.Add(h, e.Broadcast(P({5}), {4, 5}, {1})), e.Constant(0.0)));
}

TEST_F(GradCheck, BatchedDotWithTransposedRhs) {
  // attention scores: [b,h,s,d] x [b,h,t,d] -> [b,h,s,t]
  Check(e.Dot(P({2, 2, 3, 4}), P({2, 2, 5, 4}), {0, 1}, {0, 1}, {3}, {3}));
}

TEST_F(GradCheck, BatchedDotContractingTheMiddleDim) {
  // context: [b,h,s,t] x [b,h,t,d] -> [b,h,s,d]
  Check(e.Dot(P({2, 1, 3, 4}), P({2, 1, 4, 2}), {0, 1}, {0, 1}, {3}, {2}));
}

TEST_F(GradCheck, DotWithTwoContractingDimsAndBatchInTheMiddle) {
  // lhs [k1, b, m, k2], rhs [k2, n, b, k1] -> [b, m, n]
  Check(e.Dot(P({2, 3, 2, 3}), P({3, 2, 3, 2}), {1}, {2}, {0, 3}, {3, 0}));
}

TEST_F(GradCheck, DotOfATensorWithItself) {
  auto x = P({3, 4});
  Check(e.Dot(x, x, {}, {}, {1}, {1}));
}

TEST_F(GradCheck, DotOfBf16OperandsWithF32Result) {
  auto x = e.Convert(P({2, 3}), DType::BF16);
  auto w = e.Convert(P({3, 2}), DType::BF16);
  Check(e.Dot(x, w, {}, {}, {1}, {0}, DType::F32));
}

TEST_F(GradCheck, DispatchStyleEinsums) {
  // GShard dispatch and combine: GSEC,GSM->GECM, then GSEC,EGCM->GSM.
  auto dispatch = P({2, 3, 2, 2});
  auto x = P({2, 3, 4});
  auto experts_in = e.Dot(dispatch, x, {0}, {0}, {1}, {1});   // [G,E,C,M]
  auto egcm = e.Transpose(experts_in, {1, 0, 2, 3});
  Check(e.Dot(P({2, 3, 2, 2}), egcm, {0}, {1}, {2, 3}, {0, 2}));
}

TEST_F(GradCheck, GatherScattersIntoTheTable) {
  auto ids = D({2, 3}, DType::I32);
  Check(e.Gather(P({5, 4}), ids), -1, 1, {{ids, {0, 4, 2, 4, 4, 1}}});
}

TEST_F(GradCheck, ScatterAddGathersFromTheGradient) {
  auto ids = D({4}, DType::I32);
  Check(e.ScatterAdd(ids, P({4, 3}), 3), -1, 1, {{ids, {2, 0, 2, 1}}});
}

TEST_F(GradCheck, ContributionsFromSeveralUsesAccumulate) {
  auto p = P({2, 3});
  auto y = e.Add(e.Mul(p, p), e.Unary(OpKind::Exp, p));
  Check(e.Add(y, e.Broadcast(e.Reduce(OpKind::ReduceSum, p, {0}), {2, 3}, {1})));
}

TEST_F(GradCheck, IntegerPathsArePruned) {
  auto p = P({2, 3});
  auto as_int = e.Convert(p, DType::I32);
  auto back = e.Convert(as_int, DType::F32);  // piecewise constant: no gradient through it
  auto mask = e.Compare(e.Iota({2, 3}, DType::I32, 1), as_int, Comparison::GE);
  Check(e.Select(mask, e.Mul(p, back), p), 0.5, 3);
}

TEST_F(GradCheck, LayerNormLikeChain) {
  auto x = e.Input("x", {2, 4}, DType::F32);
  auto gamma = P({4});
  auto mean = e.Mul(e.Reduce(OpKind::ReduceSum, x, {1}), e.Constant(0.25));
  auto xc = e.Sub(x, e.Broadcast(mean, {2, 4}, {0}));
  auto var = e.Mul(e.Reduce(OpKind::ReduceSum, e.Mul(xc, xc), {1}), e.Constant(0.25));
  auto rstd = e.Unary(OpKind::Rsqrt, e.Add(var, e.Constant(1e-5)));
  auto y = e.Mul(e.Mul(xc, e.Broadcast(rstd, {2, 4}, {0})), e.Broadcast(gamma, {2, 4}, {1}));
  Check(e.MatMul(y, P({4, 3})));
}

}  // namespace
}  // namespace cfp
