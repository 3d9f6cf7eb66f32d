// Lowering programs to kernel plans, checked on the CPU with the element code the CUDA
// kernels run (kernel_steps.h): each op against values worked out by hand or by an
// independent loop, and the storage conversions against known bit patterns.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>

#include "graph/emitter.h"
#include "profile/kernel_math.h"
#include "profile/kernel_plan.h"
#include "support/kernel_plan_cpu.h"

namespace cfp {
namespace {

using cfp_test::EvaluateWithPlan;
using Values = std::vector<double>;

// Builds a graph with an emitter and evaluates it with `inputs`; returns all tensors.
struct Program {
  GraphBuilder b{"program"};
  OpEmitter e{b};
  Graph Finish() {
    auto g = b.Finish();
    EXPECT_TRUE(g.ok()) << g.status().message();
    return std::move(g).value();
  }
};

std::vector<Values> Evaluate(const Graph &g, const std::map<uint32_t, Values> &inputs) { return EvaluateWithPlan(g, inputs); }

// ---- Dims and layout -------------------------------------------------------------------

TEST(CoalesceDims, MergesContiguousDimsAndDropsOnes) {
  int64_t shape[] = {2, 1, 3, 4};
  int64_t dense[] = {12, 12, 4, 1};
  int64_t bcast[] = {0, 0, 4, 1};  // broadcast along dim 0 only
  int rank = CoalesceDims(4, shape, {dense, bcast});
  ASSERT_EQ(rank, 2);
  EXPECT_EQ(shape[0], 2);
  EXPECT_EQ(shape[1], 12);
  EXPECT_EQ(dense[1], 1);
  EXPECT_EQ(bcast[0], 0);
  EXPECT_EQ(bcast[1], 1);
  int64_t shape2[] = {2, 3};
  int64_t transposed[] = {1, 2};
  EXPECT_EQ(CoalesceDims(2, shape2, {transposed}), 2) << "a transposed view does not merge";
}

TEST(KernelPlan, SameShapeElementwiseIsOneFlatLoop) {
  Program p;
  auto x = p.e.Input("x", {4, 8, 16}, DType::F32);
  p.e.Unary(OpKind::Exp, x);
  auto plan = LowerToKernels(p.Finish());
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->steps.size(), 1u);
  const auto &m = std::get<MapStep>(plan->steps[0].step);
  EXPECT_EQ(m.rank, 1);
  EXPECT_EQ(m.count, 512);
}

// ---- Elementwise, broadcasting, conversions ----------------------------------------------

TEST(KernelPlan, BinaryOpsBroadcastSizeOneAndScalarOperands) {
  Program p;
  auto a = p.e.Input("a", {2, 3}, DType::F32);
  auto b = p.e.Input("b", {1, 3}, DType::F32);
  auto c = p.e.Input("c", {2, 1}, DType::F32);
  auto s = p.e.Constant(10.0);
  auto ab = p.e.Sub(a, b);
  auto abc = p.e.Mul(ab, c);
  auto out = p.e.Add(abc, s);
  Graph g = p.Finish();
  auto v = Evaluate(g, {{a, {1, 2, 3, 4, 5, 6}}, {b, {1, 1, 2}}, {c, {2, -1}}});
  EXPECT_EQ(v[ab], (Values{0, 1, 1, 3, 4, 4}));
  EXPECT_EQ(v[abc], (Values{0, 2, 2, -3, -4, -4}));
  EXPECT_EQ(v[out], (Values{10, 12, 12, 7, 6, 6})) << "the rank-0 constant keeps its value";
}

TEST(KernelPlan, UnaryMathMatchesTheLibm) {
  Program p;
  auto x = p.e.Input("x", {5}, DType::F32);
  std::map<OpKind, uint32_t> out;
  for (OpKind k : {OpKind::Abs, OpKind::Neg, OpKind::Exp, OpKind::Log, OpKind::Sqrt, OpKind::Rsqrt, OpKind::Tanh,
                   OpKind::Logistic, OpKind::Sin, OpKind::Cos})
    out[k] = p.e.Unary(k, x);
  Graph g = p.Finish();
  Values in{0.25, 0.5, 1, 2, 3};
  auto v = Evaluate(g, {{x, in}});
  for (size_t i = 0; i < in.size(); ++i) {
    const float f = static_cast<float>(in[i]);
    EXPECT_FLOAT_EQ(v[out[OpKind::Exp]][i], std::exp(f));
    EXPECT_FLOAT_EQ(v[out[OpKind::Log]][i], std::log(f));
    EXPECT_FLOAT_EQ(v[out[OpKind::Rsqrt]][i], 1 / std::sqrt(f));
    EXPECT_FLOAT_EQ(v[out[OpKind::Logistic]][i], 1 / (1 + std::exp(-f)));
    EXPECT_FLOAT_EQ(v[out[OpKind::Neg]][i], -f);
    EXPECT_FLOAT_EQ(v[out[OpKind::Tanh]][i], std::tanh(f));
    EXPECT_FLOAT_EQ(v[out[OpKind::Cos]][i], std::cos(f));
  }
}

TEST(KernelPlan, CompareSelectAndConvert) {
  Program p;
  auto a = p.e.Input("a", {4}, DType::F32);
  auto b = p.e.Input("b", {4}, DType::F32);
  auto gt = p.e.Compare(a, b, Comparison::GT);
  auto sel = p.e.Select(gt, a, b);  // max
  auto to_i32 = p.e.Convert(a, DType::I32);
  auto to_bf16 = p.e.Convert(a, DType::BF16);
  auto back = p.e.Convert(to_bf16, DType::F32);
  auto to_bool = p.e.Convert(a, DType::Bool);
  Graph g = p.Finish();
  auto v = Evaluate(g, {{a, {1.5, -2.7, 3.0, 0.0}}, {b, {2, -3, 3, 1}}});
  EXPECT_EQ(v[gt], (Values{0, 1, 0, 0}));
  EXPECT_EQ(v[sel], (Values{2, -2.7f, 3, 1}));
  EXPECT_EQ(v[to_i32], (Values{1, -2, 3, 0})) << "float to int truncates";
  EXPECT_EQ(v[back], (Values{1.5, -2.703125, 3.0, 0.0})) << "bf16 keeps 8 significant bits";
  EXPECT_EQ(v[to_bool], (Values{1, 1, 1, 0}));
}

TEST(KernelPlan, IntegerArithmeticIsExact) {
  Program p;
  auto a = p.e.Input("a", {3}, DType::I64);
  auto b = p.e.Input("b", {3}, DType::I64);
  auto sum = p.e.Add(a, b);
  auto prod = p.e.Mul(a, b);
  auto hi = p.e.Max(a, b);
  Graph g = p.Finish();
  const double big = 1073741825;  // 2^30 + 1: integers beyond float precision
  auto v = Evaluate(g, {{a, {big, 7, -7}}, {b, {2, 2, 0}}});
  EXPECT_EQ(v[sum], (Values{1073741827, 9, -7}));
  EXPECT_EQ(v[prod], (Values{2147483650, 14, 0}));
  EXPECT_EQ(v[hi], (Values{big, 7, 0}));
}

// ---- Data movement -----------------------------------------------------------------------

TEST(KernelPlan, TransposeBroadcastReshape) {
  Program p;
  auto x = p.e.Input("x", {2, 3}, DType::F32);
  auto t = p.e.Transpose(x, {1, 0});
  auto row = p.e.Input("row", {3}, DType::F32);
  auto rows = p.e.Broadcast(row, {2, 3}, {1});
  auto col = p.e.Input("col", {2}, DType::F32);
  auto cols = p.e.Broadcast(col, {2, 3}, {0});
  auto r = p.e.Reshape(t, {6});
  Graph g = p.Finish();
  auto v = Evaluate(g, {{x, {1, 2, 3, 4, 5, 6}}, {row, {7, 8, 9}}, {col, {-1, -2}}});
  EXPECT_EQ(v[t], (Values{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(v[rows], (Values{7, 8, 9, 7, 8, 9}));
  EXPECT_EQ(v[cols], (Values{-1, -1, -1, -2, -2, -2}));
  EXPECT_EQ(v[r], (Values{1, 4, 2, 5, 3, 6}));
}

TEST(KernelPlan, Rank4TransposeMatchesIndexArithmetic) {
  Program p;
  auto x = p.e.Input("x", {2, 3, 4, 5}, DType::F32);
  auto t = p.e.Transpose(x, {2, 0, 3, 1});  // out [4, 2, 5, 3]
  Graph g = p.Finish();
  Values in(120);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<double>(i);
  auto v = Evaluate(g, {{x, in}});
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 2; ++b)
      for (int c = 0; c < 5; ++c)
        for (int d = 0; d < 3; ++d)
          ASSERT_EQ(v[t][((a * 2 + b) * 5 + c) * 3 + d], ((b * 3 + d) * 4 + a) * 5 + c);
}

TEST(KernelPlan, SlicePadConcatenate) {
  Program p;
  auto x = p.e.Input("x", {3, 4}, DType::F32);
  auto s = p.e.Slice(x, {1, 1}, {3, 3});
  auto pad = p.e.Pad(s, {1, 0}, {0, 2}, -1.0);  // [3, 4]
  auto y = p.e.Input("y", {3, 1}, DType::F32);
  auto cat = p.e.Concatenate({x, y, x}, 1);  // [3, 9]
  Graph g = p.Finish();
  Values in(12);
  for (size_t i = 0; i < 12; ++i) in[i] = static_cast<double>(i);
  auto v = Evaluate(g, {{x, in}, {y, {100, 200, 300}}});
  EXPECT_EQ(v[s], (Values{5, 6, 9, 10}));
  EXPECT_EQ(v[pad], (Values{-1, -1, -1, -1, 5, 6, -1, -1, 9, 10, -1, -1}));
  EXPECT_EQ(v[cat], (Values{0, 1, 2, 3, 100, 0, 1, 2, 3, 4, 5, 6, 7, 200, 4, 5, 6, 7, 8, 9, 10, 11, 300, 8, 9, 10, 11}));
}

TEST(KernelPlan, IotaCountsAlongItsAxis) {
  Program p;
  auto a0 = p.e.Iota({2, 3}, DType::I32, 0);
  auto a1 = p.e.Iota({2, 3}, DType::F32, 1);
  auto mid = p.e.Iota({2, 3, 2}, DType::I64, 1);
  Graph g = p.Finish();
  auto v = Evaluate(g, {});
  EXPECT_EQ(v[a0], (Values{0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(v[a1], (Values{0, 1, 2, 0, 1, 2}));
  EXPECT_EQ(v[mid], (Values{0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2}));
}

// ---- Reductions --------------------------------------------------------------------------

TEST(KernelPlan, ReductionsOverAnyDims) {
  Program p;
  auto x = p.e.Input("x", {2, 3, 2}, DType::F32);
  auto sum1 = p.e.Reduce(OpKind::ReduceSum, x, {1});
  auto max0 = p.e.Reduce(OpKind::ReduceMax, x, {0});
  auto min02 = p.e.Reduce(OpKind::ReduceMin, x, {0, 2});
  auto all = p.e.Reduce(OpKind::ReduceSum, x, {0, 1, 2});
  Graph g = p.Finish();
  Values in{1, -2, 3, 4, -5, 6, 7, 8, 9, -10, 11, 12};  // x[i][j][k] = in[i*6 + j*2 + k]
  auto v = Evaluate(g, {{x, in}});
  EXPECT_EQ(v[sum1], (Values{-1, 8, 27, 10}));
  EXPECT_EQ(v[max0], (Values{7, 8, 9, 4, 11, 12}));
  EXPECT_EQ(v[min02], (Values{-2, -10, -5}));
  EXPECT_EQ(v[all], (Values{44}));
}

// ---- Contractions --------------------------------------------------------------------------

// dot_general by its definition, independent of the lowering.
Values ReferenceDot(const Tensor &l, const Tensor &r, const OpAttrs &a, const Values &lv, const Values &rv,
                    const std::vector<int64_t> &out_shape) {
  auto free = [](const Tensor &t, const std::vector<int64_t> &b, const std::vector<int64_t> &c) {
    std::vector<int64_t> f;
    for (int64_t d = 0; d < static_cast<int64_t>(t.shape.size()); ++d)
      if (std::count(b.begin(), b.end(), d) == 0 && std::count(c.begin(), c.end(), d) == 0) f.push_back(d);
    return f;
  };
  const auto lf = free(l, a.lhs_batch, a.lhs_contract), rf = free(r, a.rhs_batch, a.rhs_contract);
  auto linear = [](const Tensor &t, const std::vector<int64_t> &idx) {
    int64_t at = 0;
    for (size_t d = 0; d < t.shape.size(); ++d) at = at * t.shape[d] + idx[d];
    return at;
  };
  int64_t out_count = 1, k_count = 1;
  for (int64_t s : out_shape) out_count *= s;
  for (int64_t d : a.lhs_contract) k_count *= l.shape[static_cast<size_t>(d)];
  Values out(static_cast<size_t>(out_count));
  for (int64_t o = 0; o < out_count; ++o) {
    std::vector<int64_t> oi(out_shape.size());
    for (int64_t rem = o, d = static_cast<int64_t>(out_shape.size()) - 1; d >= 0; --d) {
      oi[d] = rem % out_shape[d];
      rem /= out_shape[d];
    }
    std::vector<int64_t> li(l.shape.size()), ri(r.shape.size());
    size_t at = 0;
    for (size_t i = 0; i < a.lhs_batch.size(); ++i, ++at) li[a.lhs_batch[i]] = ri[a.rhs_batch[i]] = oi[at];
    for (int64_t d : lf) li[d] = oi[at++];
    for (int64_t d : rf) ri[d] = oi[at++];
    double acc = 0;
    for (int64_t k = 0; k < k_count; ++k) {
      for (int64_t rem = k, i = static_cast<int64_t>(a.lhs_contract.size()) - 1; i >= 0; --i) {
        const int64_t size = l.shape[a.lhs_contract[i]];
        li[a.lhs_contract[i]] = ri[a.rhs_contract[i]] = rem % size;
        rem /= size;
      }
      acc += lv[linear(l, li)] * rv[linear(r, ri)];
    }
    out[static_cast<size_t>(o)] = acc;
  }
  return out;
}

struct DotCase {
  const char *name;
  std::vector<int64_t> lhs, rhs, lb, rb, lc, rc;
  bool lhs_km, rhs_nk;
  size_t transposed_copies;
};

class DotLayouts : public ::testing::TestWithParam<DotCase> {};

TEST_P(DotLayouts, MatchTheDefinition) {
  const DotCase &c = GetParam();
  Program p;
  auto l = p.e.Input("l", c.lhs, DType::F32);
  auto r = p.e.Input("r", c.rhs, DType::F32);
  auto out = p.e.Dot(l, r, c.lb, c.rb, c.lc, c.rc);
  Graph g = p.Finish();
  auto plan = LowerToKernels(g);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->steps.size(), c.transposed_copies + 1);
  const auto &gemm = std::get<GemmStep>(plan->steps.back().step);
  EXPECT_EQ(gemm.lhs_km, c.lhs_km);
  EXPECT_EQ(gemm.rhs_nk, c.rhs_nk);
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> small(-4, 4);  // exact in f32 sums
  Values lv(static_cast<size_t>(g.tensor(l).NumElements())), rv(static_cast<size_t>(g.tensor(r).NumElements()));
  for (auto &x : lv) x = small(rng);
  for (auto &x : rv) x = small(rng);
  auto v = Evaluate(g, {{l, lv}, {r, rv}});
  EXPECT_EQ(v[out], ReferenceDot(g.tensor(l), g.tensor(r), g.op(0).attrs, lv, rv, g.tensor(out).shape));
}

INSTANTIATE_TEST_SUITE_P(
    KernelPlan, DotLayouts,
    ::testing::Values(DotCase{"matmul", {3, 4}, {4, 5}, {}, {}, {1}, {0}, false, false, 0},
                      DotCase{"lhs_transposed", {4, 3}, {4, 5}, {}, {}, {0}, {0}, true, false, 0},
                      DotCase{"rhs_transposed", {3, 4}, {5, 4}, {}, {}, {1}, {1}, false, true, 0},
                      DotCase{"attention_scores", {2, 3, 5, 4}, {2, 3, 6, 4}, {0, 1}, {0, 1}, {3}, {3}, false, true, 0},
                      DotCase{"attention_values", {2, 3, 5, 6}, {2, 3, 6, 4}, {0, 1}, {0, 1}, {3}, {2}, false, false, 0},
                      DotCase{"batch_not_leading", {4, 2, 3}, {2, 4, 5}, {1}, {0}, {0}, {1}, false, false, 1},
                      DotCase{"two_contracting_dims", {3, 2, 4}, {2, 4, 5}, {}, {}, {1, 2}, {0, 1}, false, false, 0},
                      DotCase{"contract_order_swapped", {3, 2, 4}, {4, 2, 5}, {}, {}, {1, 2}, {1, 0}, false, false, 1},
                      DotCase{"rank3_by_matrix", {2, 3, 4}, {4, 6}, {}, {}, {2}, {0}, false, false, 0},
                      DotCase{"size_one_dims", {1, 3, 4}, {4, 1}, {}, {}, {2}, {0}, false, false, 0}),
    [](const auto &info) { return std::string(info.param.name); });

TEST(KernelPlan, Bf16DotAccumulatesInFloat) {
  Program p;
  auto l = p.e.Input("l", {1, 256}, DType::BF16);
  auto r = p.e.Input("r", {256, 1}, DType::BF16);
  auto out = p.e.Dot(l, r, {}, {}, {1}, {0}, DType::F32);
  Graph g = p.Finish();
  auto v = Evaluate(g, {{l, Values(256, 1.0)}, {r, Values(256, 1.0 / 256 * 3)}});
  // 256 products of 3/256 (exact in bf16) sum to 3 only with a float accumulator.
  EXPECT_DOUBLE_EQ(v[out][0], 3.0);
}

// ---- Gather and scatter-add ------------------------------------------------------------

TEST(KernelPlan, GatherRowsClampsOutOfRangeIds) {
  Program p;
  auto table = p.e.Input("table", {4, 2}, DType::F32);
  auto ids = p.e.Input("ids", {2, 2}, DType::I32);
  auto out = p.e.Gather(table, ids);
  Graph g = p.Finish();
  auto v = Evaluate(g, {{table, {0, 1, 10, 11, 20, 21, 30, 31}}, {ids, {3, 0, 9, -1}}});
  EXPECT_EQ(v[out], (Values{30, 31, 0, 1, 30, 31, 0, 1}));
}

TEST(KernelPlan, ScatterAddSumsRowsAndDropsOutOfRangeIds) {
  Program p;
  auto ids = p.e.Input("ids", {4}, DType::I64);
  auto upd = p.e.Input("upd", {4, 2}, DType::F32);
  auto out = p.e.ScatterAdd(ids, upd, 3);
  Graph g = p.Finish();
  auto v = Evaluate(g, {{ids, {2, 0, 2, 7}}, {upd, {1, 2, 3, 4, 5, 6, 7, 8}}});
  EXPECT_EQ(v[out], (Values{3, 4, 0, 0, 6, 8}));
}

TEST(KernelPlan, ScatterAddOfF8IsUnsupported) {
  Program p;
  auto ids = p.e.Input("ids", {4}, DType::I32);
  auto upd = p.e.Input("upd", {4, 2}, DType::F8E4M3);
  p.e.ScatterAdd(ids, upd, 3);
  auto plan = LowerToKernels(p.Finish());
  EXPECT_EQ(plan.status().code(), Code::kUnsupported);
}

// ---- Inputs --------------------------------------------------------------------------

TEST(KernelPlan, GeneratedInputsAreNonZeroAndIndicesStayInTheTable) {
  Program p;
  auto x = p.e.Input("x", {64, 64}, DType::BF16);
  auto n = p.e.Input("n", {1000}, DType::I32);
  auto table = p.e.Input("table", {50, 8}, DType::F32);
  auto ids = p.e.Input("ids", {1000}, DType::I64);
  auto flags = p.e.Input("flags", {1000}, DType::Bool);
  p.e.Unary(OpKind::Exp, x);
  p.e.Add(n, n);
  p.e.Gather(table, ids);
  p.e.Select(flags, p.e.Convert(n, DType::F32), p.e.Convert(n, DType::F32));
  Graph g = p.Finish();
  auto v = Evaluate(g, {});
  for (double a : v[x]) {
    ASSERT_NE(a, 0);
    ASSERT_LE(std::abs(a), 1.0);
    ASSERT_GE(std::abs(a), 0.25);
  }
  for (double a : v[n]) ASSERT_TRUE(a >= 1 && a < 64) << a;
  std::set<double> seen;
  for (double a : v[ids]) {
    ASSERT_TRUE(a >= 0 && a < 50) << a;
    seen.insert(a);
  }
  EXPECT_EQ(seen.size(), 50u) << "indices cover the table";
  int trues = 0;
  for (double a : v[flags]) trues += a != 0;
  EXPECT_GT(trues, 400);
  EXPECT_LT(trues, 600);
  // A different seed gives different values; the same seed the same.
  EXPECT_EQ(EvaluateWithPlan(g, {}, 1)[x], EvaluateWithPlan(g, {}, 1)[x]);
  EXPECT_NE(EvaluateWithPlan(g, {}, 1)[x], EvaluateWithPlan(g, {}, 2)[x]);
}

TEST(KernelPlan, CustomOpsAreUnsupportedByName) {
  Program p;
  auto x = p.e.Input("x", {4, 4}, DType::F32);
  p.e.set_scope("layers.0.fused");
  p.e.Custom("flash_attention", {x}, {{{4, 4}, DType::F32}}, "ab->ab", 10);
  auto plan = LowerToKernels(p.Finish());
  ASSERT_EQ(plan.status().code(), Code::kUnsupported);
  EXPECT_NE(plan.status().message().find("flash_attention"), std::string::npos) << plan.status().message();
}

TEST(KernelPlan, RanksBeyondTheKernelLimitAreUnsupported) {
  Program p;
  auto x = p.e.Input("x", {2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, DType::F32);
  p.e.Transpose(x, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0});
  auto plan = LowerToKernels(p.Finish());
  ASSERT_EQ(plan.status().code(), Code::kUnsupported);
  EXPECT_NE(plan.status().message().find("at most 8"), std::string::npos) << plan.status().message();
}

// ---- Storage conversions ---------------------------------------------------------------

TEST(KernelMath, HalfPrecisionBitPatterns) {
  using namespace kernel;
  EXPECT_EQ(FloatToF16(1.0f), 0x3c00);
  EXPECT_EQ(FloatToF16(-2.0f), 0xc000);
  EXPECT_EQ(FloatToF16(65504.0f), 0x7bff);
  EXPECT_EQ(FloatToF16(65520.0f), 0x7c00) << "rounds to infinity";
  EXPECT_EQ(FloatToF16(std::ldexp(1.0f, -24)), 0x0001) << "smallest subnormal";
  EXPECT_EQ(FloatToF16(std::ldexp(1.0f, -25)), 0x0000) << "ties to even";
  EXPECT_EQ(FloatToF16(std::ldexp(3.0f, -25)), 0x0002);
  EXPECT_EQ(FloatToF16(1.0f + std::ldexp(1.0f, -11)), 0x3c00) << "tie rounds to even";
  EXPECT_EQ(FloatToF16(1.0f + std::ldexp(3.0f, -11)), 0x3c02);
  // Every half survives a round trip through float.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = F16ToFloat(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(FloatToF16(f), h) << std::hex << h;
  }
}

TEST(KernelMath, Bfloat16AndFp8BitPatterns) {
  using namespace kernel;
  EXPECT_EQ(FloatToBf16(1.0f), 0x3f80);
  EXPECT_EQ(FloatToBf16(BitsFloat(0x3f808000u)), 0x3f80) << "tie to even";
  EXPECT_EQ(FloatToBf16(BitsFloat(0x3f818000u)), 0x3f82);
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = Bf16ToFloat(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(FloatToBf16(f), h);
  }
  EXPECT_EQ(FloatToF8e4m3(1.0f), 0x38);
  EXPECT_EQ(FloatToF8e4m3(448.0f), 0x7e);
  EXPECT_EQ(FloatToF8e4m3(1e6f), 0x7e) << "saturates";
  EXPECT_EQ(FloatToF8e4m3(-1e6f), 0xfe);
  EXPECT_EQ(FloatToF8e4m3(std::ldexp(1.0f, -9)), 0x01) << "smallest subnormal";
  EXPECT_EQ(FloatToF8e4m3(std::ldexp(1.0f, -6)), 0x08) << "smallest normal";
  for (uint32_t b = 0; b < 0x100; ++b) {
    const float f = F8e4m3ToFloat(static_cast<uint8_t>(b));
    if (std::isnan(f)) continue;
    ASSERT_EQ(FloatToF8e4m3(f), b) << b;
  }
}

}  // namespace
}  // namespace cfp
