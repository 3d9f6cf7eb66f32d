#include "support/random_training_graph.h"

#include <cmath>
#include <random>
#include <vector>

#include "graph/autodiff.h"
#include "graph/emitter.h"

namespace cfp_test {
namespace {

using cfp::DType;
using cfp::OpKind;

// Each statement draws at most one random number and emits at most one op: argument
// evaluation order is unspecified, and a seed must give the same graph with every compiler
// and standard library.
class Generator {
 public:
  Generator(uint64_t seed, const RandomGraphOptions &o)
      : rng_(seed), o_(o), b_("random-" + std::to_string(seed)), e_(b_) {}

  cfp::Result<RandomGraph> Build() {
    const bool three_d = Coin(0.4);
    const int64_t batch = Dim();
    const int64_t seq = three_d ? Dim() : 0;
    hidden_ = Dim();
    shape_ = three_d ? std::vector<int64_t>{batch, seq, hidden_} : std::vector<int64_t>{batch, hidden_};
    mixed_ = Coin(0.25);
    dt_ = mixed_ ? DType::BF16 : DType::F32;
    Describe(three_d
                 ? "[B=" + std::to_string(batch) + ",S=" + std::to_string(seq) + ",H=" + std::to_string(hidden_) + "]"
                 : "[B=" + std::to_string(batch) + ",H=" + std::to_string(hidden_) + "]");
    Describe(mixed_ ? "bf16 (f32 weights)" : "f32");

    uint32_t table = cfp::kNoId;
    uint32_t x = cfp::kNoId;
    e_.set_scope("embed");
    if (Coin(0.3)) {
      const int64_t vocab = Dim();
      std::vector<int64_t> ids_shape(shape_.begin(), shape_.end() - 1);
      const uint32_t ids = e_.Input("tokens", ids_shape, DType::I32);
      prefix_ = "embed";
      table = Parameter("table", {vocab, hidden_});
      x = e_.Gather(Use(table), ids);
      Describe("embed V=" + std::to_string(vocab));
    } else {
      x = e_.Input("x", shape_, dt_);
    }

    const int blocks = Uniform(o_.min_blocks, o_.max_blocks);
    for (int i = 0; i < blocks; ++i) {
      prefix_ = "b" + std::to_string(i);
      e_.set_scope(prefix_);
      const int kind = Uniform(0, 9);  // mlp 4 : norm 2 : attention 2 : moe 2
      if (kind < 2) {
        x = Norm(x);
        continue;
      }
      const bool residual = Coin(0.5);
      const size_t mark = description_.size();
      uint32_t y = kind < 6 ? Mlp(x) : kind < 8 ? Attention(x) : Moe(x);
      if (residual) {
        y = e_.Add(x, y);
        // "res(" wraps the block just described.
        description_.insert(mark + 3, "res(");
        description_ += ")";
      }
      x = y;
    }

    e_.set_scope("head");
    const int64_t last = Rank() - 1;
    uint32_t loss_input = x;
    std::vector<int64_t> loss_shape = shape_;
    if (table != cfp::kNoId && Coin(0.7)) {
      // Tied: logits = x · tableᵀ, the gather's table read again, transposed.
      loss_input = e_.Dot(x, Use(table), {}, {}, {last}, {1});
      loss_shape.back() = b_.tensors()[table].shape[0];
      Describe("tied head");
      e_.set_scope("loss");
      if (Coin(0.5)) {
        CrossEntropy(loss_input, loss_shape);
        return Finish();
      }
    } else if (Coin(0.3) || !has_parameter_) {  // the loss must depend on some parameter
      const int64_t out = Dim();
      prefix_ = "head";
      const uint32_t w = Weight("w", {hidden_, out});
      loss_input = e_.MatMul(x, w);
      loss_shape.back() = out;
      Describe("head O=" + std::to_string(out));
    }
    e_.set_scope("loss");
    SquaredLoss(loss_input, loss_shape);
    return Finish();
  }

 private:
  // --- draws -------------------------------------------------------------------------
  // From the engine's raw output, which the standard fixes (its distributions it does not).
  double Unit() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  bool Coin(double p) { return Unit() < p; }
  int64_t Uniform64(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(rng_() % static_cast<uint64_t>(hi - lo + 1));
  }
  int Uniform(int lo, int hi) { return static_cast<int>(Uniform64(lo, hi)); }
  // A dim of the regime: 80% divisible by 4, 12% by 2 only, 8% odd.
  int64_t Dim() {
    const double r = Unit();
    if (!o_.large_dims) {
      if (r < 0.80) return 4 * Uniform64(1, 16);
      if (r < 0.92) return 4 * Uniform64(1, 15) + 2;
      return 2 * Uniform64(2, 31) + 1;
    }
    if (r < 0.80) return 256 * Uniform64(4, 32);
    if (r < 0.92) return 4 * Uniform64(256, 2047) + 2;
    return 2 * Uniform64(512, 4095) + 1;
  }

  // --- emitting ----------------------------------------------------------------------
  int64_t Rank() const { return static_cast<int64_t>(shape_.size()); }
  std::vector<int64_t> RowDims(size_t rank) const {
    std::vector<int64_t> d;
    for (size_t i = 0; i + 1 < rank; ++i) d.push_back(static_cast<int64_t>(i));
    return d;
  }
  uint32_t Const(double v) { return e_.Constant(v, dt_); }
  uint32_t Cast(uint32_t x, DType to) { return e_.dtype(x) == to ? x : e_.Convert(x, to); }
  // An f32 parameter used in the compute dtype (converted at its use when mixed).
  uint32_t Use(uint32_t param) { return Cast(param, dt_); }
  uint32_t Weight(const std::string &name, std::vector<int64_t> shape) {
    return Use(Parameter(name, std::move(shape)));
  }
  uint32_t Parameter(const std::string &name, std::vector<int64_t> shape) {
    has_parameter_ = true;
    return e_.Parameter(prefix_ + "." + name, std::move(shape));
  }
  void Describe(const std::string &part) { description_ += (description_.empty() ? "" : " | ") + part; }

  // x · w (+ bias), the bias broadcast along the last dim.
  uint32_t Linear(uint32_t x, const std::string &name, int64_t out, bool bias) {
    const int64_t in = e_.shape(x).back();
    const uint32_t w = Weight("w_" + name, {in, out});
    const uint32_t y = e_.MatMul(x, w);
    if (!bias) return y;
    const std::vector<int64_t> shape = e_.shape(y);
    const uint32_t b = Weight("b_" + name, {out});
    const uint32_t bb = e_.Broadcast(b, shape, {static_cast<int64_t>(shape.size()) - 1});
    return e_.Add(y, bb);
  }

  uint32_t Nonlinearity(uint32_t h, std::string &name) {
    switch (Uniform(0, 3)) {
      case 0: {
        name = "relu";
        const uint32_t zero = Const(0);
        return e_.Max(h, zero);
      }
      case 1:
        name = "tanh";
        return e_.Unary(OpKind::Tanh, h);
      case 2: {
        name = "swish";
        const uint32_t s = e_.Unary(OpKind::Logistic, h);
        return e_.Mul(h, s);
      }
      default:
        name = "sigmoid";
        return e_.Unary(OpKind::Logistic, h);
    }
  }

  uint32_t Mlp(uint32_t x) {
    const int64_t ffn = Dim();
    const bool bias = Coin(0.5);
    uint32_t h = Linear(x, "in", ffn, bias);
    std::string act;
    h = Nonlinearity(h, act);
    const bool bias_out = bias && Coin(0.5);
    const uint32_t y = Linear(h, "out", hidden_, bias_out);
    Describe("mlp F=" + std::to_string(ffn) + (bias ? " bias" : "") + " " + act);
    return y;
  }

  // Written out as the zoo does (models/norms.cpp): per-row statistics by reductions over
  // the last dim, broadcast back; in f32.
  uint32_t Norm(uint32_t x) {
    const bool rms = Coin(0.5);
    const bool affine = Coin(0.5);
    const uint32_t x32 = Cast(x, DType::F32);
    const std::vector<int64_t> shape = e_.shape(x32);
    const int64_t last = static_cast<int64_t>(shape.size()) - 1;
    const std::vector<int64_t> rows = RowDims(shape.size());
    const uint32_t inv_n = e_.Constant(1.0 / static_cast<double>(shape.back()), DType::F32);
    uint32_t centered = x32;
    if (!rms) {
      const uint32_t sum = e_.Reduce(OpKind::ReduceSum, x32, {last});
      const uint32_t mean = e_.Mul(sum, inv_n);
      const uint32_t mean_b = e_.Broadcast(mean, shape, rows);
      centered = e_.Sub(x32, mean_b);
    }
    const uint32_t squares = e_.Mul(centered, centered);
    const uint32_t sum_sq = e_.Reduce(OpKind::ReduceSum, squares, {last});
    const uint32_t var = e_.Mul(sum_sq, inv_n);
    const uint32_t eps = e_.Constant(1e-5, DType::F32);
    const uint32_t var_eps = e_.Add(var, eps);
    const uint32_t rstd = e_.Unary(OpKind::Rsqrt, var_eps);
    const uint32_t rstd_b = e_.Broadcast(rstd, shape, rows);
    uint32_t y = e_.Mul(centered, rstd_b);
    if (affine) {
      const uint32_t gain = Parameter("gain", {shape.back()});
      const uint32_t gain_b = e_.Broadcast(gain, shape, {last});
      y = e_.Mul(y, gain_b);
      if (!rms) {
        const uint32_t bias = Parameter("bias", {shape.back()});
        const uint32_t bias_b = e_.Broadcast(bias, shape, {last});
        y = e_.Add(y, bias_b);
      }
    }
    Describe(std::string(rms ? "rmsnorm" : "layernorm") + (affine ? " affine" : ""));
    return Cast(y, dt_);
  }

  // Softmax over the last dim in f32: exp, reduce-sum, broadcast, divide (optionally the
  // row maximum subtracted first).
  uint32_t Softmax(uint32_t s) {
    const uint32_t z = Cast(s, DType::F32);
    const std::vector<int64_t> shape = e_.shape(z);
    const int64_t last = static_cast<int64_t>(shape.size()) - 1;
    const std::vector<int64_t> rows = RowDims(shape.size());
    uint32_t shifted = z;
    if (Coin(0.5)) {
      const uint32_t max = e_.Reduce(OpKind::ReduceMax, z, {last});
      const uint32_t max_b = e_.Broadcast(max, shape, rows);
      shifted = e_.Sub(z, max_b);
    }
    const uint32_t ex = e_.Unary(OpKind::Exp, shifted);
    const uint32_t sum = e_.Reduce(OpKind::ReduceSum, ex, {last});
    const uint32_t sum_b = e_.Broadcast(sum, shape, rows);
    const uint32_t p = e_.Div(ex, sum_b);
    return Cast(p, dt_);
  }

  // Self-attention over the activation's tokens (models/attention.cpp without masks or
  // rotary): Q/K/V projections, per-head scores by a batched dot, softmax, context,
  // output projection. A 2-D activation is one sequence of its rows.
  uint32_t Attention(uint32_t x) {
    std::vector<int64_t> head_counts;
    for (int64_t n : {1, 2, 4, 8})
      if (hidden_ % n == 0) head_counts.push_back(n);
    const int64_t heads = head_counts[static_cast<size_t>(Uniform(0, static_cast<int>(head_counts.size()) - 1))];
    const int64_t hd = hidden_ / heads;
    const uint32_t q = Linear(x, "q", hidden_, false);
    const uint32_t k = Linear(x, "k", hidden_, false);
    const uint32_t v = Linear(x, "v", hidden_, false);
    const bool three_d = Rank() == 3;
    const int64_t tokens = three_d ? shape_[1] : shape_[0];
    uint32_t context = cfp::kNoId;
    if (heads == 1) {
      // Scores [(B,)T,T] with the batch as a batch dim of the dot.
      const std::vector<int64_t> bd = three_d ? std::vector<int64_t>{0} : std::vector<int64_t>{};
      const int64_t feat = three_d ? 2 : 1, tok = three_d ? 1 : 0;
      const uint32_t scores = e_.Dot(q, k, bd, bd, {feat}, {feat});
      const uint32_t scale = Const(1.0 / std::sqrt(static_cast<double>(hd)));
      const uint32_t scaled = e_.Mul(scores, scale);
      const uint32_t probs = Softmax(scaled);
      context = e_.Dot(probs, v, bd, bd, {feat}, {tok});
    } else {
      // [B,T,H] -> [B,n,T,D] (or [T,H] -> [n,T,D]); scores [B,n,T,T] batched over (B,) n.
      std::vector<int64_t> split =
          three_d ? std::vector<int64_t>{shape_[0], tokens, heads, hd} : std::vector<int64_t>{tokens, heads, hd};
      const std::vector<int64_t> perm = three_d ? std::vector<int64_t>{0, 2, 1, 3} : std::vector<int64_t>{1, 0, 2};
      auto heads_first = [&](uint32_t t) {
        const uint32_t r = e_.Reshape(t, split);
        return e_.Transpose(r, perm);
      };
      const uint32_t qh = heads_first(q);
      const uint32_t kh = heads_first(k);
      const uint32_t vh = heads_first(v);
      const std::vector<int64_t> bd = three_d ? std::vector<int64_t>{0, 1} : std::vector<int64_t>{0};
      const int64_t feat = three_d ? 3 : 2, tok = three_d ? 2 : 1;
      const uint32_t scores = e_.Dot(qh, kh, bd, bd, {feat}, {feat});
      const uint32_t scale = Const(1.0 / std::sqrt(static_cast<double>(hd)));
      const uint32_t scaled = e_.Mul(scores, scale);
      const uint32_t probs = Softmax(scaled);
      const uint32_t ctx = e_.Dot(probs, vh, bd, bd, {feat}, {tok});
      const uint32_t back = e_.Transpose(ctx, perm);  // the permutation is its own inverse
      context = e_.Reshape(back, shape_);
    }
    const uint32_t out = Linear(context, "o", hidden_, false);
    Describe("attn heads=" + std::to_string(heads));
    return out;
  }

  // A mixture of experts (models/moe_layer.cpp) with the routing given as data: a
  // dispatch tensor [(G,)T,E,C] scatters tokens into expert buffers by a dot, per-expert
  // weights (batched over E) transform them, and a combine dot (dispatch times the gates)
  // gathers them back. A 3-D activation is G groups of T tokens.
  uint32_t Moe(uint32_t x) {
    const int64_t experts = int64_t{2} << Uniform(0, 2);
    const int64_t capacity = Dim();
    const int64_t ffn = Dim();
    const bool gated = Coin(0.6);
    const bool three_d = Rank() == 3;
    std::vector<int64_t> tec(shape_.begin(), shape_.end() - 1);
    tec.push_back(experts);
    tec.push_back(capacity);
    const uint32_t dispatch = e_.Input(prefix_ + ".dispatch", tec, dt_);
    uint32_t combine = dispatch;
    if (gated) {
      const uint32_t logits = Linear(x, "gate", experts, false);
      const uint32_t gates = Softmax(logits);
      std::vector<int64_t> keep;
      for (int64_t d = 0; d < Rank(); ++d) keep.push_back(d);
      const uint32_t gates_b = e_.Broadcast(gates, tec, keep);
      combine = e_.Mul(dispatch, gates_b);
    }
    const uint32_t w_in = Weight("experts.w_in", {experts, hidden_, ffn});
    const uint32_t w_out = Weight("experts.w_out", {experts, ffn, hidden_});
    uint32_t out = cfp::kNoId;
    if (three_d) {
      // GTEC,GTH->GECH -> EGCH; EGCH,EHF->EGCF; EGCF,EFH->EGCH; GTEC,EGCH->GTH.
      const uint32_t gech = e_.Dot(dispatch, x, {0}, {0}, {1}, {1});
      const uint32_t in = e_.Transpose(gech, {1, 0, 2, 3});
      const uint32_t h = e_.Dot(in, w_in, {0}, {0}, {3}, {1});
      std::string act;
      const uint32_t a = Nonlinearity(h, act);
      const uint32_t y = e_.Dot(a, w_out, {0}, {0}, {3}, {1});
      out = e_.Dot(combine, y, {0}, {1}, {2, 3}, {0, 2});
      Describe("moe E=" + std::to_string(experts) + " C=" + std::to_string(capacity) + " F=" + std::to_string(ffn) +
               (gated ? " gated " : " ") + act);
    } else {
      // TEC,TH->ECH; ECH,EHF->ECF; ECF,EFH->ECH; TEC,ECH->TH.
      const uint32_t in = e_.Dot(dispatch, x, {}, {}, {0}, {0});
      const uint32_t h = e_.Dot(in, w_in, {0}, {0}, {2}, {1});
      std::string act;
      const uint32_t a = Nonlinearity(h, act);
      const uint32_t y = e_.Dot(a, w_out, {0}, {0}, {2}, {1});
      out = e_.Dot(combine, y, {}, {}, {1, 2}, {0, 1});
      Describe("moe E=" + std::to_string(experts) + " C=" + std::to_string(capacity) + " F=" + std::to_string(ffn) +
               (gated ? " gated " : " ") + act);
    }
    return out;
  }

  // Mean of squares (against a target, or of the values themselves), in f32.
  void SquaredLoss(uint32_t y, const std::vector<int64_t> &shape) {
    const uint32_t y32 = Cast(y, DType::F32);
    uint32_t d = y32;
    const bool target = Coin(0.5);
    if (target) {
      const uint32_t t = e_.Input("target", shape, DType::F32);
      d = e_.Sub(y32, t);
    }
    const uint32_t sq = e_.Mul(d, d);
    std::vector<int64_t> all;
    double n = 1;
    for (size_t i = 0; i < shape.size(); ++i) {
      all.push_back(static_cast<int64_t>(i));
      n *= static_cast<double>(shape[i]);
    }
    const uint32_t total = e_.Reduce(OpKind::ReduceSum, sq, all);
    const uint32_t scale = e_.Constant(1.0 / n, DType::F32);
    e_.Mul(total, scale);
    Describe(target ? "loss mse" : "loss sum-of-squares");
  }

  // Softmax cross-entropy against integer labels (the zoo's decoder loss).
  void CrossEntropy(uint32_t logits, const std::vector<int64_t> &shape) {
    const int64_t last = static_cast<int64_t>(shape.size()) - 1;
    const std::vector<int64_t> rows = RowDims(shape.size());
    const std::vector<int64_t> label_shape(shape.begin(), shape.end() - 1);
    const uint32_t labels = e_.Input("labels", label_shape, DType::I32);
    const uint32_t z = Cast(logits, DType::F32);
    const uint32_t max = e_.Reduce(OpKind::ReduceMax, z, {last});
    const uint32_t max_b = e_.Broadcast(max, shape, rows);
    const uint32_t shifted = e_.Sub(z, max_b);
    const uint32_t ex = e_.Unary(OpKind::Exp, shifted);
    const uint32_t sum = e_.Reduce(OpKind::ReduceSum, ex, {last});
    const uint32_t log_sum = e_.Unary(OpKind::Log, sum);
    const uint32_t log_sum_b = e_.Broadcast(log_sum, shape, rows);
    const uint32_t log_probs = e_.Sub(shifted, log_sum_b);
    const uint32_t index = e_.Iota(shape, DType::I32, last);
    const uint32_t labels_b = e_.Broadcast(labels, shape, rows);
    const uint32_t one_hot = e_.Compare(index, labels_b, cfp::Comparison::EQ);
    const uint32_t zero = e_.Constant(0.0, DType::F32);
    const uint32_t picked = e_.Select(one_hot, log_probs, zero);
    std::vector<int64_t> all;
    double n = 1;
    for (size_t i = 0; i + 1 < shape.size(); ++i) n *= static_cast<double>(shape[i]);
    for (size_t i = 0; i < shape.size(); ++i) all.push_back(static_cast<int64_t>(i));
    const uint32_t total = e_.Reduce(OpKind::ReduceSum, picked, all);
    const uint32_t scale = e_.Constant(-1.0 / n, DType::F32);
    e_.Mul(total, scale);
    Describe("loss ce");
  }

  cfp::Result<RandomGraph> Finish() {
    auto forward = b_.Finish();
    if (!forward.ok()) return forward.status();
    auto training = cfp::MakeTrainingGraph(*forward, o_.optimizer);
    if (!training.ok()) return training.status();
    Describe(o_.optimizer);
    return RandomGraph{std::move(*training), description_};
  }

  std::mt19937_64 rng_;
  RandomGraphOptions o_;
  cfp::GraphBuilder b_;
  cfp::OpEmitter e_;
  std::string prefix_;
  std::string description_;
  std::vector<int64_t> shape_;
  int64_t hidden_ = 0;
  bool mixed_ = false;
  bool has_parameter_ = false;
  DType dt_ = DType::F32;
};

}  // namespace

cfp::Result<RandomGraph> RandomTrainingGraph(uint64_t seed, const RandomGraphOptions &options) {
  return Generator(seed, options).Build();
}

}  // namespace cfp_test
