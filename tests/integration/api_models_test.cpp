// The model zoo and the training transform through the C API.
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>

#include "support/c_graphs.h"

namespace {

using namespace cfp_test;  // NOLINT(google-build-using-namespace): test support

using cfp_test::LastError;

uint32_t Ops(const cfp_graph *g) {
  uint32_t n = 0;
  EXPECT_EQ(cfp_graph_op_count(g, &n), CFP_OK);
  return n;
}

TEST(ApiModels, BuildsAPresetTrainingGraph) {
  Graph g;
  ASSERT_EQ(cfp_model_build("gpt2-small", g.out()), CFP_OK) << LastError();
  uint64_t params = 0;
  ASSERT_EQ(cfp_graph_parameter_count(g.get(), &params), CFP_OK);
  EXPECT_EQ(params, 124439808u);
  const char *name = nullptr;
  ASSERT_EQ(cfp_graph_name(g.get(), &name), CFP_OK);
  EXPECT_STREQ(name, "gpt2-small");
  // Forward, backward and update phases are all there: the optimizer states exist.
  uint32_t tensors = 0;
  ASSERT_EQ(cfp_graph_tensor_count(g.get(), &tensors), CFP_OK);
  size_t states = 0;
  for (uint32_t t = 0; t < tensors; ++t) {
    cfp_tensor_role role;
    ASSERT_EQ(cfp_graph_tensor_role(g.get(), t, &role), CFP_OK);
    states += role == CFP_ROLE_OPTIMIZER_STATE;
  }
  EXPECT_GT(states, 0u);
}

TEST(ApiModels, MakeTrainingOfAModelForwardEqualsTheModelsTrainingGraph) {
  Graph fwd, train, built;
  ASSERT_EQ(cfp_model_build("llama:layers=2,hidden=64,heads=4,kv_heads=2,seq=8,batch=2,vocab=50,optimizer=none", fwd.out()),
            CFP_OK)
      << LastError();
  ASSERT_EQ(cfp_graph_make_training(fwd.get(), "adam", train.out()), CFP_OK) << LastError();
  ASSERT_EQ(cfp_model_build("llama:layers=2,hidden=64,heads=4,kv_heads=2,seq=8,batch=2,vocab=50", built.out()), CFP_OK);
  EXPECT_GT(Ops(train.get()), 2 * Ops(fwd.get()));
  ASSERT_EQ(Ops(train.get()), Ops(built.get()));
  // The same ops in the same order.
  for (uint32_t o = 0; o < Ops(train.get()); ++o) {
    cfp_op_kind k1, k2;
    const char *n1 = nullptr, *n2 = nullptr;
    ASSERT_EQ(cfp_graph_op_kind(train.get(), o, &k1), CFP_OK);
    ASSERT_EQ(cfp_graph_op_kind(built.get(), o, &k2), CFP_OK);
    ASSERT_EQ(cfp_graph_op_name(train.get(), o, &n1), CFP_OK);
    ASSERT_EQ(cfp_graph_op_name(built.get(), o, &n2), CFP_OK);
    ASSERT_EQ(k1, k2) << o;
    ASSERT_STREQ(n1, n2);
  }
}

TEST(ApiModels, TrainsAForwardGraphFromTheBuilder) {
  Builder b;
  ASSERT_EQ(cfp_graph_builder_create("user-mlp", b.out()), CFP_OK);
  cfp_test::BuildTinyMlp(b.get(), 4, 8);  // ends in y [4, 8]
  uint32_t y = 9;  // the tiny MLP's last tensor
  uint32_t loss = AddTensor(b.get(), "loss", {}, CFP_ROLE_ACTIVATION);
  uint32_t sum = AddOp(b.get(), "loss.sum", CFP_OP_REDUCE_SUM, {y}, {loss});
  int64_t dims[] = {0, 1};
  ASSERT_EQ(cfp_graph_builder_set_op_ints(b.get(), sum, CFP_ATTR_DIMS, dims, 2), CFP_OK);
  Graph fwd;
  ASSERT_EQ(cfp_graph_builder_finish(b.get(), fwd.out()), CFP_OK) << LastError();
  for (const char *opt : {"sgd", "adam"}) {
    Graph train;
    ASSERT_EQ(cfp_graph_make_training(fwd.get(), opt, train.out()), CFP_OK) << opt << ": " << LastError();
    EXPECT_GT(Ops(train.get()), Ops(fwd.get()));
  }
}

TEST(ApiModels, TrainingNeedsAScalarLoss) {
  auto buf = cfp_test::TinyMlpBuffer(8, 16);  // its last op yields [8, 16]
  Graph fwd, train;
  ASSERT_EQ(cfp_graph_from_buffer(buf.data(), buf.size(), fwd.out()), CFP_OK);
  EXPECT_EQ(cfp_graph_make_training(fwd.get(), "adam", train.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(train.get(), nullptr);
  EXPECT_NE(LastError().find("cfp_graph_make_training: the loss must be the single rank-0 float output"), std::string::npos)
      << LastError();
  EXPECT_NE(LastError().find("[8,16]"), std::string::npos) << LastError();
  EXPECT_EQ(cfp_graph_make_training(fwd.get(), "lamb", train.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("unknown optimizer 'lamb'"), std::string::npos) << LastError();
}

TEST(ApiModels, NullArgumentsAreRejected) {
  Graph g;
  EXPECT_EQ(cfp_model_build(nullptr, g.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("spec must not be NULL"), std::string::npos) << LastError();
  EXPECT_EQ(cfp_model_build("gpt2-small", nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_model_preset_count(nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_model_preset_name(0, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_make_training(nullptr, "adam", g.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("forward must not be NULL"), std::string::npos) << LastError();
  Graph fwd;
  ASSERT_EQ(cfp_model_build("mlp:optimizer=none", fwd.out()), CFP_OK);
  EXPECT_EQ(cfp_graph_make_training(fwd.get(), nullptr, g.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_make_training(fwd.get(), "sgd", nullptr), CFP_ERR_INVALID_ARGUMENT);
}

TEST(ApiModels, BadSpecsNameTheProblem) {
  struct Case {
    const char *spec, *fragment;
  } cases[] = {
      {"gpt3-175b:batch=0", "batch must be an integer from 1"},
      {"gpt:layers=2,colour=blue", "unknown key 'colour'"},
      {"transformer", "unknown model 'transformer'"},
      {"llama:kv_heads=3", "multiple of kv_heads (3)"},
  };
  for (const Case &c : cases) {
    Graph g;
    EXPECT_EQ(cfp_model_build(c.spec, g.out()), CFP_ERR_INVALID_ARGUMENT) << c.spec;
    EXPECT_EQ(g.get(), nullptr);
    EXPECT_NE(LastError().find(c.fragment), std::string::npos) << c.spec << ": " << LastError();
  }
}

TEST(ApiModels, ListsPresets) {
  uint32_t n = 0;
  ASSERT_EQ(cfp_model_preset_count(&n), CFP_OK);
  EXPECT_GE(n, 20u);
  std::set<std::string> names;
  for (uint32_t i = 0; i < n; ++i) {
    const char *name = nullptr;
    ASSERT_EQ(cfp_model_preset_name(i, &name), CFP_OK);
    ASSERT_NE(name, nullptr);
    names.insert(name);
  }
  EXPECT_EQ(names.size(), n);
  for (const char *want : {"gpt2-small", "gpt2-xl", "gpt3-125m", "gpt3-175b", "llama2-7b", "llama2-70b", "llama3-8b",
                           "llama3-70b", "gshard-moe-2.4b"})
    EXPECT_TRUE(names.count(want)) << want;
  const char *name = "unchanged";
  EXPECT_EQ(cfp_model_preset_name(n, &name), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(name, nullptr);
}

TEST(ApiModels, Gpt3_175bRoundTripsThroughFlatBuffers) {
  Graph g;
  ASSERT_EQ(cfp_model_build("gpt3-175b", g.out()), CFP_OK) << LastError();
  const uint32_t ops = Ops(g.get());
  EXPECT_GT(ops, 30000u);
  Bytes bytes;
  ASSERT_EQ(cfp_graph_to_buffer(g.get(), bytes.out()), CFP_OK);
  Graph back;
  ASSERT_EQ(cfp_graph_from_buffer(cfp_bytes_data(bytes.get()), cfp_bytes_size(bytes.get()), back.out()), CFP_OK)
      << LastError();
  EXPECT_EQ(Ops(back.get()), ops);
  uint64_t p1 = 0, p2 = 0;
  double f1 = 0, f2 = 0;
  cfp_graph_parameter_count(g.get(), &p1);
  cfp_graph_parameter_count(back.get(), &p2);
  cfp_graph_flops(g.get(), &f1);
  cfp_graph_flops(back.get(), &f2);
  EXPECT_EQ(p1, p2);
  EXPECT_EQ(f1, f2);
  for (uint32_t o = 0; o < ops; o += 1009) {
    const char *a = nullptr, *b = nullptr;
    cfp_graph_op_scope(g.get(), o, &a);
    cfp_graph_op_scope(back.get(), o, &b);
    EXPECT_STREQ(a, b);
  }
}

}  // namespace
