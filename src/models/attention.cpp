#include "models/attention.h"

#include <cmath>

namespace cfp {
namespace {

// A large negative score for masked positions, finite in the compute dtype.
double MaskedScore(DType dt) { return dt == DType::F16 ? -65504.0 : -1e9; }

// mask[s, t] = (t <= s): a query sees itself and earlier keys.
uint32_t CausalMask(OpEmitter &e, int64_t seq) {
  const uint32_t query = e.Iota({seq, seq}, DType::I32, 0);
  const uint32_t key = e.Iota({seq, seq}, DType::I32, 1);  // statements keep ids compiler-independent
  return e.Compare(query, key, Comparison::GE);
}

// Rotary position embeddings (Su et al. 2021) in the rotate-half form: the angle of
// position p and pair i is p * theta^(-2i/d); cos and sin are computed in the graph.
class Rotary {
 public:
  Rotary(ModelContext &m, int64_t seq, int64_t head_dim) : m_(m), half_(head_dim / 2) {
    OpEmitter &e = m.e();
    const uint32_t pos = e.Iota({seq, half_}, DType::F32, 0);
    const uint32_t pair = e.Iota({seq, half_}, DType::F32, 1);
    const double scale = -2.0 * std::log(m.spec().rope_theta) / static_cast<double>(head_dim);
    const uint32_t log_scale = m.Const(scale, DType::F32);
    const uint32_t inv_freq = e.Unary(OpKind::Exp, e.Mul(pair, log_scale));
    const uint32_t angle = e.Mul(pos, inv_freq);
    cos_ = m.Cast(e.Unary(OpKind::Cos, angle), m.compute());
    sin_ = m.Cast(e.Unary(OpKind::Sin, angle), m.compute());
  }

  // x: [batch, seq, heads, head_dim].
  uint32_t Apply(uint32_t x) {
    OpEmitter &e = m_.e();
    const std::vector<int64_t> shape = e.shape(x);
    std::vector<int64_t> half_shape = shape;
    half_shape[3] = half_;
    const uint32_t x1 = e.Slice(x, {0, 0, 0, 0}, half_shape);
    const uint32_t x2 = e.Slice(x, {0, 0, 0, half_}, shape);
    const uint32_t c = m_.BroadcastTo(cos_, half_shape, {1, 3});
    const uint32_t s = m_.BroadcastTo(sin_, half_shape, {1, 3});
    const uint32_t x1c = e.Mul(x1, c), x2s = e.Mul(x2, s);
    const uint32_t r1 = e.Sub(x1c, x2s);
    const uint32_t x2c = e.Mul(x2, c), x1s = e.Mul(x1, s);
    const uint32_t r2 = e.Add(x2c, x1s);
    return e.Concatenate({r1, r2}, 3);
  }

 private:
  ModelContext &m_;
  int64_t half_;
  uint32_t cos_ = kNoId, sin_ = kNoId;
};

}  // namespace

uint32_t CausalSelfAttention(ModelContext &m, uint32_t x, const AttentionOptions &options) {
  OpEmitter &e = m.e();
  const ModelSpec &s = m.spec();
  const int64_t B = s.batch, S = s.seq, N = s.heads, KV = s.kv_heads, D = s.head_dim();
  // [B,S,H] -> [B,S,n,D]
  uint32_t q = e.Reshape(m.Linear(x, "wq", N * D, options.bias), {B, S, N, D});
  uint32_t k = e.Reshape(m.Linear(x, "wk", KV * D, options.bias), {B, S, KV, D});
  const uint32_t v = e.Reshape(m.Linear(x, "wv", KV * D, options.bias), {B, S, KV, D});
  if (options.rotary) {
    Rotary rope(m, S, D);
    q = rope.Apply(q);
    k = rope.Apply(k);
  }
  // [B,S,n,D] -> [B,n,S,D]; key/value heads shared by groups of query heads.
  auto heads_first = [&](uint32_t t) {
    uint32_t r = e.Transpose(t, {0, 2, 1, 3});
    if (KV == N) return r;
    return e.Reshape(e.Broadcast(r, {B, KV, N / KV, S, D}, {0, 1, 3, 4}), {B, N, S, D});
  };
  const uint32_t qh = e.Transpose(q, {0, 2, 1, 3});
  const uint32_t kh = heads_first(k), vh = heads_first(v);
  // scores[b,n,s,t] = q[b,n,s,:] . k[b,n,t,:] / sqrt(D)
  const uint32_t dot = e.Dot(qh, kh, {0, 1}, {0, 1}, {3}, {3});
  const uint32_t scale = m.Const(1.0 / std::sqrt(static_cast<double>(D)));
  const uint32_t scores = e.Mul(dot, scale);
  const uint32_t mask = m.BroadcastTo(CausalMask(e, S), {B, N, S, S}, {2, 3});
  const uint32_t masked_score = m.Const(MaskedScore(m.compute()));
  const uint32_t masked = e.Select(mask, scores, masked_score);
  const uint32_t probs = m.Cast(m.SoftmaxF32(masked), m.compute());
  // context[b,n,s,:] = sum_t probs[b,n,s,t] v[b,n,t,:]
  const uint32_t context = e.Dot(probs, vh, {0, 1}, {0, 1}, {3}, {2});
  const uint32_t merged = e.Reshape(e.Transpose(context, {0, 2, 1, 3}), {B, S, N * D});
  return m.Linear(merged, "wo", s.hidden, options.bias);
}

}  // namespace cfp
