// Model specs: families, presets, overrides, and a clear error for every bad key or value.
#include <gtest/gtest.h>

#include "models/model_spec.h"

namespace cfp {
namespace {

ModelSpec Parse(const std::string &s) {
  auto r = ParseModelSpec(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().message();
  return r.ok() ? *r : ModelSpec{};
}

void ExpectBad(const std::string &spec, const std::string &fragment) {
  auto r = ParseModelSpec(spec);
  ASSERT_FALSE(r.ok()) << spec;
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << spec;
  EXPECT_NE(r.status().message().find(fragment), std::string::npos) << spec << " -> " << r.status().message();
}

TEST(ModelSpec, FamilyWithKeys) {
  ModelSpec m = Parse("gpt:layers=96,hidden=12288,heads=96,seq=2048,batch=1536,vocab=50257");
  EXPECT_EQ(m.family, ModelFamily::Gpt);
  EXPECT_EQ(m.layers, 96);
  EXPECT_EQ(m.hidden, 12288);
  EXPECT_EQ(m.heads, 96);
  EXPECT_EQ(m.kv_heads, 96);
  EXPECT_EQ(m.ffn, 4 * 12288);
  EXPECT_EQ(m.head_dim(), 128);
  EXPECT_EQ(m.dtype, DType::BF16);
  EXPECT_TRUE(m.tied);
  EXPECT_EQ(m.optimizer, "adam");
  EXPECT_EQ(m.name, "gpt:layers=96,hidden=12288,heads=96,seq=2048,batch=1536,vocab=50257");
}

TEST(ModelSpec, BareFamilyTakesDefaults) {
  ModelSpec mlp = Parse("mlp");
  EXPECT_EQ(mlp.family, ModelFamily::Mlp);
  EXPECT_EQ(mlp.layers, 6);
  EXPECT_EQ(mlp.hidden, 256);
  EXPECT_EQ(mlp.batch, 32);
  EXPECT_EQ(mlp.dtype, DType::F32);
  ModelSpec llama = Parse(" llama ");
  EXPECT_FALSE(llama.tied);
  EXPECT_EQ(llama.ffn, 11008);  // Llama's SwiGLU width rule at hidden 4096
  ModelSpec moe = Parse("moe:batch=2");
  EXPECT_EQ(moe.group, moe.seq);
  EXPECT_EQ(moe.capacity(), (2 * moe.seq + 15) / 16);
}

TEST(ModelSpec, PresetsParseAndTakeOverrides) {
  for (const ModelPreset &p : ModelPresets()) {
    SCOPED_TRACE(std::string(p.name));
    ModelSpec m = Parse(std::string(p.name));
    EXPECT_EQ(m.name, p.name);
    EXPECT_GT(m.layers, 0);
  }
  ModelSpec m = Parse("gpt3-175b:batch=8,dtype=f16,optimizer=sgd");
  EXPECT_EQ(m.layers, 96);
  EXPECT_EQ(m.batch, 8);
  EXPECT_EQ(m.dtype, DType::F16);
  EXPECT_EQ(m.optimizer, "sgd");
  ModelSpec l = Parse("llama2-70b:layers=2");
  EXPECT_EQ(l.kv_heads, 8);
  EXPECT_EQ(l.layers, 2);
  EXPECT_GE(ModelPresets().size(), 20u);
}

TEST(ModelSpec, EveryBadKeyOrValueIsNamed) {
  ExpectBad("", "empty");
  ExpectBad("bert", "unknown model 'bert'");
  ExpectBad("gpt2-huge", "unknown model 'gpt2-huge'");
  ExpectBad("gpt:", "nothing follows ':'");
  ExpectBad("gpt:layers", "'layers' is not key=value");
  ExpectBad("gpt:layers=2,,hidden=8", "empty entry");
  ExpectBad("gpt:hiden=8", "unknown key 'hiden'");
  ExpectBad("gpt:experts=8", "key 'experts' does not apply to the gpt family");
  ExpectBad("mlp:heads=2", "key 'heads' does not apply to the mlp family");
  ExpectBad("gpt:layers=0", "layers must be an integer from 1");
  ExpectBad("gpt:layers=-3", "got '-3'");
  ExpectBad("gpt:layers=9999", "layers must be an integer from 1 to 4096");
  ExpectBad("gpt:hidden=12x", "hidden must be an integer");
  ExpectBad("gpt:batch=99999999999999", "batch must be an integer");
  ExpectBad("gpt:layers=2,layers=3", "key 'layers' is given twice");
  ExpectBad("gpt:hidden=100,heads=12", "hidden (100) must be divisible by heads (12)");
  ExpectBad("llama:heads=32,kv_heads=5", "multiple of kv_heads (5)");
  ExpectBad("llama:hidden=96,heads=32,kv_heads=32", "must be even for rotary");
  ExpectBad("gpt:dtype=int8", "dtype must be f32, bf16 or f16, got 'int8'");
  ExpectBad("gpt:optimizer=adagrad", "optimizer must be adam, sgd or none");
  ExpectBad("gpt:tied=maybe", "tied must be true or false");
  ExpectBad("llama:rope_theta=abc", "rope_theta must be a number");
  ExpectBad("moe:experts=4,top_k=5", "top_k (5) must not exceed experts (4)");
  ExpectBad("moe:batch=3,seq=10,group=7", "group (7) must divide batch * seq (30)");
  ExpectBad("gpt:batch=2000000000,seq=2000000000,vocab=2000000000", "more than this library handles");
  // The message carries the whole spec.
  ExpectBad("gpt3-175b:hidden=100", "model spec 'gpt3-175b:hidden=100'");
}

}  // namespace
}  // namespace cfp
