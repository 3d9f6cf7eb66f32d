// The conventions of the training graph that the optimizer relies on, and the errors of
// the training transform.
#include <gtest/gtest.h>

#include "graph/autodiff.h"
#include "graph/emitter.h"
#include "graph/optimizer_update.h"
#include "support/gradient_check.h"

namespace cfp {
namespace {

// x[4,8] -> relu(x w1 + b1) w2 -> mean square against t; scopes per layer.
struct TinyMlp {
  GraphBuilder b{"tiny"};
  OpEmitter e{b};
  uint32_t x, t, w1, b1, w2, loss;
  TinyMlp() {
    x = e.Input("x", {4, 8}, DType::F32);
    t = e.Input("target", {4, 2}, DType::F32);
    e.set_scope("layers.0.mlp");
    w1 = e.Parameter("w1", {8, 6});
    b1 = e.Parameter("b1", {6});
    auto h = e.Add(e.MatMul(x, w1), e.Broadcast(b1, {4, 6}, {1}));
    auto r = e.Max(h, e.Constant(0.0));
    e.set_scope("layers.1.mlp");
    w2 = e.Parameter("w2", {6, 2});
    auto y = e.MatMul(r, w2);
    e.set_scope("loss");
    auto d = e.Sub(y, t);
    loss = e.Mul(e.Reduce(OpKind::ReduceSum, e.Mul(d, d), {0, 1}), e.Constant(1.0 / 8));
  }
  Graph Forward() { return b.Finish().value(); }
};

TEST(Autodiff, KeepsForwardOpsAndMarksEveryGeneratedOp) {
  TinyMlp m;
  Graph fwd = m.Forward();
  auto train = MakeTrainingGraph(fwd, "adam");
  ASSERT_TRUE(train.ok()) << train.status().message();
  const Graph &g = *train;
  ASSERT_GT(g.num_ops(), fwd.num_ops());
  for (uint32_t o = 0; o < fwd.num_ops(); ++o) {
    EXPECT_EQ(g.op(o).name, fwd.op(o).name);
    EXPECT_EQ(g.op(o).phase, Phase::Forward);
    EXPECT_EQ(g.op(o).grad_of, -1);
  }
  size_t backward = 0, update = 0;
  for (uint32_t o = fwd.num_ops(); o < g.num_ops(); ++o) {
    const Op &op = g.op(o);
    ASSERT_NE(op.phase, Phase::Forward) << DescribeOp(g.ops(), o);
    if (op.phase == Phase::Backward) {
      ++backward;
      ASSERT_GE(op.grad_of, 0);
      ASSERT_LT(op.grad_of, static_cast<int32_t>(fwd.num_ops()));
      const Op &f = fwd.op(static_cast<uint32_t>(op.grad_of));
      EXPECT_EQ(op.scope, f.scope) << op.name;
      EXPECT_EQ(op.name.rfind(f.name + ".grad.", 0), 0u) << op.name << " differentiates " << f.name;
    } else {
      ++update;
      EXPECT_EQ(op.phase, Phase::Update);
      EXPECT_EQ(op.grad_of, -1);
    }
  }
  EXPECT_GT(backward, 0u);
  EXPECT_GT(update, 0u);
}

TEST(Autodiff, EveryGradientMatchesItsForwardTensor) {
  TinyMlp m;
  Graph fwd = m.Forward();
  Graph g = MakeTrainingGraph(fwd, "sgd").value();
  size_t linked = 0;
  for (uint32_t t = 0; t < g.num_tensors(); ++t) {
    const Tensor &tensor = g.tensor(t);
    if (tensor.gradient_of < 0) continue;
    ++linked;
    EXPECT_EQ(tensor.role, TensorRole::Gradient) << tensor.name;
    const Tensor &of = g.tensor(static_cast<uint32_t>(tensor.gradient_of));
    EXPECT_EQ(tensor.shape, of.shape) << tensor.name << " vs " << of.name;
    EXPECT_EQ(tensor.dtype, of.dtype) << tensor.name << " vs " << of.name;
    EXPECT_LT(static_cast<uint32_t>(tensor.gradient_of), fwd.num_tensors());
  }
  EXPECT_GE(linked, 4u);  // loss, three parameters, activations
  for (uint32_t p : {m.w1, m.b1, m.w2}) EXPECT_NE(cfp_test::GradientOf(g, p), kNoId) << g.tensor(p).name;
  // The loss's gradient is the seed, d loss / d loss = 1.
  uint32_t seed = cfp_test::GradientOf(g, m.loss);
  ASSERT_NE(seed, kNoId);
  EXPECT_EQ(g.op(g.producer(seed)).kind, OpKind::Copy);
  // Masks computed from forward values alone are not gradients.
  for (uint32_t o = fwd.num_ops(); o < g.num_ops(); ++o)
    if (g.op(o).kind == OpKind::Compare) EXPECT_NE(g.tensor(g.op(o).outputs[0]).role, TensorRole::Gradient);
}

TEST(Autodiff, AdamAddsStatesAndReplacesEachParameter) {
  TinyMlp m;
  Graph fwd = m.Forward();
  Graph g = MakeTrainingGraph(fwd, "adam").value();
  for (uint32_t p : {m.w1, m.b1, m.w2}) {
    std::vector<uint32_t> replacing;
    for (uint32_t t = 0; t < g.num_tensors(); ++t)
      if (g.tensor(t).updates == static_cast<int32_t>(p)) replacing.push_back(t);
    ASSERT_EQ(replacing.size(), 1u) << g.tensor(p).name;
    EXPECT_EQ(g.tensor(replacing[0]).shape, g.tensor(p).shape);
    EXPECT_TRUE(g.consumers(replacing[0]).empty());
    EXPECT_EQ(g.op(g.producer(replacing[0])).phase, Phase::Update);
  }
  size_t states = 0;
  for (uint32_t t = 0; t < g.num_tensors(); ++t) {
    const Tensor &s = g.tensor(t);
    if (s.role != TensorRole::OptimizerState) continue;
    ++states;
    EXPECT_EQ(s.dtype, DType::F32);
    EXPECT_EQ(g.producer(t), kNoId);
    size_t replaced = 0;
    for (uint32_t u = 0; u < g.num_tensors(); ++u) replaced += g.tensor(u).updates == static_cast<int32_t>(t);
    EXPECT_EQ(replaced, 1u) << s.name;
  }
  EXPECT_EQ(states, 6u);  // m and v of three parameters
  // Hyper-parameters are rank-0 constants.
  size_t hyper = 0;
  for (const Tensor &t : g.tensors())
    if (t.name.rfind("adam.", 0) == 0) {
      ++hyper;
      EXPECT_EQ(t.role, TensorRole::Constant);
      EXPECT_TRUE(t.shape.empty());
    }
  EXPECT_EQ(hyper, 6u);
  // The parameter count is unchanged by the training step.
  EXPECT_EQ(g.ParameterCount().value(), fwd.ParameterCount().value());
}

TEST(Autodiff, SgdAndAdamUpdatesComputeTheirFormulas) {
  TinyMlp m;
  Graph fwd = m.Forward();
  auto in = cfp_test::RandomInputs(fwd, 3);
  for (const char *opt : {"sgd", "adam"}) {
    SCOPED_TRACE(opt);
    Graph g = MakeTrainingGraph(fwd, opt).value();
    auto train_in = in;
    for (uint32_t t = 0; t < g.num_tensors(); ++t)
      if (g.tensor(t).role == TensorRole::OptimizerState)
        train_in[t].assign(static_cast<size_t>(g.tensor(t).NumElements()), 0.0);
    auto v = cfp_test::EvaluateGraph(g, train_in);
    uint32_t grad = cfp_test::GradientOf(g, m.w1);
    uint32_t next = kNoId;
    for (uint32_t t = 0; t < g.num_tensors(); ++t)
      if (g.tensor(t).updates == static_cast<int32_t>(m.w1)) next = t;
    ASSERT_NE(next, kNoId);
    for (size_t j = 0; j < v[m.w1].size(); ++j) {
      const double p = v[m.w1][j], gr = v[grad][j];
      double expect;
      if (std::string(opt) == "sgd") {
        expect = p - kSgdLearningRate * gr;
      } else {  // first step from m = v = 0
        const double m1 = (1 - kAdamBeta1) * gr, v1 = (1 - kAdamBeta2) * gr * gr;
        expect = p - kAdamLearningRate * m1 / (std::sqrt(v1) + kAdamEpsilon);
      }
      EXPECT_NEAR(v[next][j], expect, 1e-12);
    }
  }
}

TEST(Autodiff, GradientsOfTheTinyMlpMatchFiniteDifferences) {
  TinyMlp m;
  Graph fwd = m.Forward();
  Graph g = MakeTrainingGraph(fwd, "adam").value();
  cfp_test::ExpectGradientsMatchFiniteDifferences(fwd, g, cfp_test::RandomInputs(fwd, 11));
}

TEST(Autodiff, SurvivesARoundTripOfBothOptimizers) {
  TinyMlp m;
  Graph fwd = m.Forward();
  for (const char *opt : {"sgd", "adam"}) {
    auto g = MakeTrainingGraph(fwd, opt);
    ASSERT_TRUE(g.ok()) << g.status().message();
    // Differentiating a training graph again is refused: it is no forward graph.
    auto again = MakeTrainingGraph(*g, opt);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.status().code(), Code::kInvalidArgument);
    EXPECT_NE(again.status().message().find("phase"), std::string::npos) << again.status().message();
  }
}

void ExpectError(const Result<Graph> &g, Code code, const std::string &fragment) {
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), code) << g.status().message();
  EXPECT_NE(g.status().message().find(fragment), std::string::npos) << g.status().message();
}

TEST(AutodiffErrors, UnknownOptimizer) {
  TinyMlp m;
  ExpectError(MakeTrainingGraph(m.Forward(), "adagrad"), Code::kInvalidArgument, "unknown optimizer 'adagrad'");
}

TEST(AutodiffErrors, LossMustBeAScalarFloat) {
  GraphBuilder b;
  OpEmitter e(b);
  e.MatMul(e.Input("x", {2, 3}, DType::F32), e.Parameter("w", {3, 4}));
  ExpectError(MakeTrainingGraph(b.Finish().value(), "sgd"), Code::kInvalidArgument, "of shape [2,4] (f32)");

  GraphBuilder b2;
  OpEmitter e2(b2);
  auto p = e2.Parameter("p", {3});
  e2.Convert(e2.Reduce(OpKind::ReduceSum, p, {0}), DType::I32);
  ExpectError(MakeTrainingGraph(b2.Finish().value(), "sgd"), Code::kInvalidArgument, "(i32)");

  ExpectError(MakeTrainingGraph(Graph::Create("empty", {}, {}).value(), "sgd"), Code::kInvalidArgument, "no ops");
}

TEST(AutodiffErrors, LastOpWithSeveralOutputs) {
  GraphBuilder b;
  OpEmitter e(b);
  auto p = e.Parameter("p", {4});
  e.Custom("split", {p}, {{{2}, DType::F32}, {{2}, DType::F32}}, "(ab)->a,b", 1);
  ExpectError(MakeTrainingGraph(b.Finish().value(), "sgd"), Code::kInvalidArgument, "has 2 outputs");
}

TEST(AutodiffErrors, CustomOpOnTheParameterPathNamesTheOp) {
  GraphBuilder b;
  OpEmitter e(b);
  auto p = e.Parameter("w", {4});
  auto c = e.Custom("fused_gelu", {p}, {{{4}, DType::F32}}, "a->a", 8);
  e.Reduce(OpKind::ReduceSum, c[0], {0});
  ExpectError(MakeTrainingGraph(b.Finish().value(), "sgd"), Code::kUnsupported,
              "'fused_gelu' (custom) is not differentiable, but parameter 'w' reaches the loss through it");
}

TEST(AutodiffErrors, CustomOpOffTheParameterPathIsFine) {
  GraphBuilder b;
  OpEmitter e(b);
  auto x = e.Input("x", {4}, DType::F32);
  auto pre = e.Custom("preprocess", {x}, {{{4}, DType::F32}}, "a->a", 1);
  auto p = e.Parameter("w", {4});
  e.Reduce(OpKind::ReduceSum, e.Mul(pre[0], p), {0});
  Graph fwd = b.Finish().value();
  auto g = MakeTrainingGraph(fwd, "sgd");
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_NE(cfp_test::GradientOf(*g, p), kNoId);
}

TEST(AutodiffErrors, NoParameterReachesTheLoss) {
  GraphBuilder b;
  OpEmitter e(b);
  e.Parameter("unused", {4});
  e.Reduce(OpKind::ReduceSum, e.Input("x", {4}, DType::F32), {0});
  ExpectError(MakeTrainingGraph(b.Finish().value(), "sgd"), Code::kInvalidArgument, "no parameter reaches the loss");
}

TEST(Autodiff, ParametersTheLossIgnoresAreNotUpdated) {
  GraphBuilder b;
  OpEmitter e(b);
  auto used = e.Parameter("used", {4});
  auto frozen = e.Parameter("frozen", {4});
  auto side = e.Unary(OpKind::Exp, frozen);  // computed, but the loss ignores it
  (void)side;
  e.Reduce(OpKind::ReduceSum, e.Mul(used, used), {0});
  Graph g = MakeTrainingGraph(b.Finish().value(), "adam").value();
  EXPECT_NE(cfp_test::GradientOf(g, used), kNoId);
  EXPECT_EQ(cfp_test::GradientOf(g, frozen), kNoId);
  for (const Tensor &t : g.tensors()) EXPECT_NE(t.updates, static_cast<int32_t>(frozen));
}

}  // namespace
}  // namespace cfp
