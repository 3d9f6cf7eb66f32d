// Tiny model-zoo graphs evaluated by the reference evaluator: what they compute (a
// uniform prediction from zero weights, causality) and that their training graphs'
// gradients agree with finite differences — through every layer kind at once.
#include <gtest/gtest.h>

#include <cmath>

#include "models/model_spec.h"
#include "models/model_zoo.h"
#include "support/gradient_check.h"

namespace cfp {
namespace {

using cfp_test::EvaluateGraph;
using cfp_test::Inputs;

Graph Build(const std::string &spec) {
  auto g = BuildModel(spec);
  EXPECT_TRUE(g.ok()) << spec << ": " << g.status().message();
  return std::move(g).value();
}

uint32_t TensorNamed(const Graph &g, const std::string &name) {
  for (uint32_t t = 0; t < g.num_tensors(); ++t)
    if (g.tensor(t).name == name) return t;
  ADD_FAILURE() << "no tensor " << name;
  return 0;
}

// Random weights, and token / label ids in [0, vocab).
Inputs ModelInputs(const Graph &g, int64_t vocab, uint32_t seed) {
  Inputs in = cfp_test::RandomInputs(g, seed, -0.5, 0.5);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> id(0, vocab - 1);
  for (const char *name : {"tokens", "labels"})
    for (double &v : in[TensorNamed(g, name)]) v = static_cast<double>(id(rng));
  return in;
}

const char *kTinyModels[] = {
    "gpt:layers=2,hidden=8,heads=2,seq=4,batch=2,vocab=11,dtype=f32",
    "gpt:layers=2,hidden=8,heads=2,seq=4,batch=2,vocab=11,tied=false",
    "llama:layers=2,hidden=8,heads=4,kv_heads=2,ffn=12,seq=4,batch=2,vocab=11",
    "moe:layers=2,hidden=8,heads=2,ffn=16,seq=4,batch=2,vocab=11,experts=4,top_k=2",
    "moe:layers=2,hidden=8,heads=2,ffn=16,seq=4,batch=2,vocab=11,experts=3,top_k=1,group=8",
};

class TinyModel : public ::testing::TestWithParam<const char *> {};

TEST_P(TinyModel, GradientsMatchFiniteDifferences) {
  const std::string spec = GetParam();
  ModelSpec s = ParseModelSpec(spec).value();
  Graph fwd = Build(spec + ",optimizer=none");
  Graph train = Build(spec);
  cfp_test::ExpectGradientsMatchFiniteDifferences(fwd, train, ModelInputs(fwd, s.vocab, 5), 1e-6, 6);
}

TEST_P(TinyModel, ZeroWeightsPredictUniformly) {
  // With every weight zero and unit norm gains, the logits are zero and the loss is ln V.
  const std::string spec = GetParam();
  ModelSpec s = ParseModelSpec(spec).value();
  Graph g = Build(spec + ",optimizer=none");
  Inputs in = ModelInputs(g, s.vocab, 1);
  for (uint32_t t = 0; t < g.num_tensors(); ++t) {
    const Tensor &p = g.tensor(t);
    if (p.role != TensorRole::Parameter) continue;
    const bool gain = p.name.size() > 5 && p.name.substr(p.name.size() - 5) == ".gain";
    in[t].assign(in[t].size(), gain ? 1.0 : 0.0);
  }
  EXPECT_NEAR(cfp_test::Loss(g, in), std::log(static_cast<double>(s.vocab)), 1e-12);
}

TEST_P(TinyModel, EarlierPositionsDoNotSeeLaterTokens) {
  const std::string spec = GetParam();
  ModelSpec s = ParseModelSpec(spec).value();
  Graph g = Build(spec + ",optimizer=none");
  // The logits: the [batch, seq, vocab] result of the head.
  uint32_t logits = kNoId;
  for (const Op &op : g.ops())
    if (op.scope == "head" && op.kind == OpKind::Dot) logits = op.outputs[0];
  ASSERT_NE(logits, kNoId);
  Inputs in = ModelInputs(g, s.vocab, 2);
  auto before = EvaluateGraph(g, in)[logits];
  auto &tokens = in[TensorNamed(g, "tokens")];
  const size_t last = static_cast<size_t>(s.seq - 1);  // batch 0, last position
  tokens[last] = std::fmod(tokens[last] + 1, static_cast<double>(s.vocab));
  auto after = EvaluateGraph(g, in)[logits];
  const size_t v = static_cast<size_t>(s.vocab);
  for (size_t pos = 0; pos < last; ++pos)
    for (size_t j = 0; j < v; ++j) EXPECT_EQ(after[pos * v + j], before[pos * v + j]) << "position " << pos;
  bool changed = false;
  for (size_t j = 0; j < v; ++j) changed |= after[last * v + j] != before[last * v + j];
  EXPECT_TRUE(changed) << "the changed token had no effect at its own position";
}

INSTANTIATE_TEST_SUITE_P(Models, TinyModel, ::testing::ValuesIn(kTinyModels));

TEST(TinyMlp, GradientsMatchFiniteDifferences) {
  Graph fwd = Build("mlp:layers=3,hidden=5,batch=4,optimizer=none");
  Graph train = Build("mlp:layers=3,hidden=5,batch=4,optimizer=sgd");
  cfp_test::ExpectGradientsMatchFiniteDifferences(fwd, train, cfp_test::RandomInputs(fwd, 9), 1e-6, 10);
}

TEST(TinyMlp, ComputesReluLayersAndMeanSquaredError) {
  Graph g = Build("mlp:layers=1,hidden=2,batch=1,optimizer=none");
  Inputs in;
  in[TensorNamed(g, "x")] = {1, -2};
  in[TensorNamed(g, "target")] = {0, 1};
  in[TensorNamed(g, "layers.0.mlp.w")] = {1, 2, 3, 4};  // y = relu(x w + b)
  in[TensorNamed(g, "layers.0.mlp.b")] = {0.5, 0};
  // x w = [1 - 6, 2 - 8] = [-5, -6]; + b = [-4.5, -6]; relu = [0, 0]; mse = (0 + 1) / 2.
  EXPECT_DOUBLE_EQ(cfp_test::Loss(g, in), 0.5);
}

}  // namespace
}  // namespace cfp
