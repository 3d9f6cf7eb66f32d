#include "models/decoder.h"

#include "models/attention.h"
#include "models/feed_forward.h"
#include "models/moe_layer.h"
#include "models/norms.h"

namespace cfp {
namespace {

std::string LayerScope(int64_t layer, const char *part) { return "layers." + std::to_string(layer) + "." + part; }

// One transformer layer, pre-norm: x + attn(norm(x)), then + ffn(norm(x)). GShard MoE
// replaces the feed-forward block of every other layer (the odd ones) by experts.
uint32_t DecoderLayer(ModelContext &m, int64_t layer, uint32_t x) {
  OpEmitter &e = m.e();
  const ModelSpec &s = m.spec();
  const bool llama = s.family == ModelFamily::Llama;
  auto norm = [&](uint32_t t) { return llama ? RmsNorm(m, t) : LayerNorm(m, t); };

  m.SetScope(LayerScope(layer, "ln1"));
  uint32_t h = norm(x);
  m.SetScope(LayerScope(layer, "attn"));
  x = e.Add(x, CausalSelfAttention(m, h, {.bias = !llama, .rotary = llama}));

  const bool moe = s.family == ModelFamily::Moe && layer % 2 == 1;
  m.SetScope(LayerScope(layer, "ln2"));
  h = norm(x);
  m.SetScope(LayerScope(layer, moe ? "moe" : "mlp"));
  return e.Add(x, moe ? MoeLayer(m, h) : llama ? SwiGlu(m, h) : GeluMlp(m, h));
}

// Mean softmax cross-entropy of logits [B,S,V] against integer labels [B,S], in f32, with
// the labels' one-hot mask built in the graph from an iota.
uint32_t CrossEntropy(ModelContext &m, uint32_t logits, uint32_t labels) {
  OpEmitter &e = m.e();
  const ModelSpec &s = m.spec();
  const std::vector<int64_t> bsv = {s.batch, s.seq, s.vocab};
  const uint32_t z = m.Cast(logits, DType::F32);
  const uint32_t shifted = e.Sub(z, m.BroadcastTo(e.Reduce(OpKind::ReduceMax, z, {2}), bsv, {0, 1}));
  const uint32_t log_sum = e.Unary(OpKind::Log, e.Reduce(OpKind::ReduceSum, e.Unary(OpKind::Exp, shifted), {2}));
  const uint32_t log_probs = e.Sub(shifted, m.BroadcastTo(log_sum, bsv, {0, 1}));
  const uint32_t vocab_index = e.Iota(bsv, DType::I32, 2);
  const uint32_t one_hot = e.Compare(vocab_index, m.BroadcastTo(labels, bsv, {0, 1}), Comparison::EQ);
  const uint32_t zero = m.Const(0.0, DType::F32);
  const uint32_t picked = e.Select(one_hot, log_probs, zero);
  const double tokens = static_cast<double>(s.batch) * static_cast<double>(s.seq);
  const uint32_t total = e.Reduce(OpKind::ReduceSum, picked, {0, 1, 2});
  return e.Mul(total, m.Const(-1.0 / tokens, DType::F32));
}

}  // namespace

void EmitDecoder(GraphBuilder &b, const ModelSpec &s) {
  ModelContext m(b, s);
  OpEmitter &e = m.e();
  const bool llama = s.family == ModelFamily::Llama;
  const uint32_t tokens = e.Input("tokens", {s.batch, s.seq}, DType::I32);
  const uint32_t labels = e.Input("labels", {s.batch, s.seq}, DType::I32);

  m.SetScope("embed");
  const uint32_t wte = e.Parameter("embed.wte", {s.vocab, s.hidden}, DType::F32);
  uint32_t x = e.Gather(m.Use(wte), tokens);
  if (!llama) {  // learned positions (GPT-2/3); Llama rotates queries and keys instead
    const uint32_t wpe = m.Weight("wpe", {s.seq, s.hidden});
    x = e.Add(x, m.BroadcastTo(wpe, {s.batch, s.seq, s.hidden}, {1, 2}));
  }
  for (int64_t layer = 0; layer < s.layers; ++layer) x = DecoderLayer(m, layer, x);

  m.SetScope("head");
  const uint32_t h = llama ? RmsNorm(m, x) : LayerNorm(m, x);
  // Tied: logits = h · wte^T, contracting hidden with the table's second dim.
  const uint32_t logits = s.tied ? e.Dot(h, m.Use(wte), {}, {}, {2}, {1}) : m.Linear(h, "w", s.vocab, false);
  m.SetScope("loss");
  CrossEntropy(m, logits, labels);
}

void EmitMlp(GraphBuilder &b, const ModelSpec &s) {
  ModelContext m(b, s);
  OpEmitter &e = m.e();
  uint32_t x = m.Cast(e.Input("x", {s.batch, s.hidden}, DType::F32), s.dtype);
  const uint32_t target = e.Input("target", {s.batch, s.hidden}, DType::F32);
  for (int64_t layer = 0; layer < s.layers; ++layer) {
    m.SetScope(LayerScope(layer, "mlp"));
    const uint32_t h = m.Linear(x, "w", s.hidden, true);
    x = e.Max(h, m.Const(0.0));
  }
  m.SetScope("loss");
  const uint32_t diff = e.Sub(m.Cast(x, DType::F32), target);
  const double n = static_cast<double>(s.batch) * static_cast<double>(s.hidden);
  const uint32_t total = e.Reduce(OpKind::ReduceSum, e.Mul(diff, diff), {0, 1});
  e.Mul(total, m.Const(1.0 / n, DType::F32));
}

}  // namespace cfp
