#include "graph/optimizer_update.h"

#include "graph/emitter.h"

namespace cfp {

std::optional<OptimizerKind> ParseOptimizer(std::string_view name) {
  if (name == "sgd") return OptimizerKind::Sgd;
  if (name == "adam") return OptimizerKind::Adam;
  return std::nullopt;
}

namespace {

uint32_t HyperParameter(GraphBuilder &b, const std::string &name, double value) {
  uint32_t t = b.AddTensor(name, DType::F32, {}, TensorRole::Constant);
  b.tensor(t).value = value;
  return t;
}

// Names the value that replaces `old` and links it.
void MarkUpdate(GraphBuilder &b, uint32_t next, uint32_t old) {
  b.tensor(next).name = b.tensor(old).name + ".next";
  b.tensor(next).updates = static_cast<int32_t>(old);
}

}  // namespace

void EmitOptimizerUpdate(GraphBuilder &b, OptimizerKind kind, const std::vector<ParameterGradient> &params) {
  OpEmitter e(b);
  e.set_phase(Phase::Update);
  e.set_grad_of(-1);
  if (kind == OptimizerKind::Sgd) {
    const uint32_t lr = HyperParameter(b, "sgd.lr", kSgdLearningRate);
    for (const ParameterGradient &pg : params) {
      const DType dtype = b.tensor(pg.parameter).dtype;  // copied: emitting grows the tensor list
      e.set_scope(pg.scope);
      e.set_name_prefix(b.tensor(pg.parameter).name + ".sgd");
      uint32_t step = e.Mul(dtype == DType::F32 ? lr : e.Convert(lr, dtype), pg.gradient);
      MarkUpdate(b, e.Sub(pg.parameter, step), pg.parameter);
    }
    return;
  }
  const uint32_t lr = HyperParameter(b, "adam.lr", kAdamLearningRate);
  const uint32_t beta1 = HyperParameter(b, "adam.beta1", kAdamBeta1);
  const uint32_t one_minus_beta1 = HyperParameter(b, "adam.one_minus_beta1", 1 - kAdamBeta1);
  const uint32_t beta2 = HyperParameter(b, "adam.beta2", kAdamBeta2);
  const uint32_t one_minus_beta2 = HyperParameter(b, "adam.one_minus_beta2", 1 - kAdamBeta2);
  const uint32_t eps = HyperParameter(b, "adam.epsilon", kAdamEpsilon);
  for (const ParameterGradient &pg : params) {
    const std::string name = b.tensor(pg.parameter).name;
    const std::vector<int64_t> shape = b.tensor(pg.parameter).shape;
    const DType dtype = b.tensor(pg.parameter).dtype;
    e.set_scope(pg.scope);
    e.set_name_prefix(name + ".adam");
    const uint32_t m = b.AddTensor(name + ".adam.m", DType::F32, shape, TensorRole::OptimizerState);
    const uint32_t v = b.AddTensor(name + ".adam.v", DType::F32, shape, TensorRole::OptimizerState);
    const uint32_t g = dtype == DType::F32 ? pg.gradient : e.Convert(pg.gradient, DType::F32);
    const uint32_t p = dtype == DType::F32 ? pg.parameter : e.Convert(pg.parameter, DType::F32);
    // One op per statement: argument evaluation order is unspecified in C++.
    const uint32_t m_decayed = e.Mul(beta1, m);
    const uint32_t m_next = e.Add(m_decayed, e.Mul(one_minus_beta1, g));
    const uint32_t v_decayed = e.Mul(beta2, v);
    const uint32_t g_squared = e.Mul(g, g);
    const uint32_t v_next = e.Add(v_decayed, e.Mul(one_minus_beta2, g_squared));
    const uint32_t step = e.Mul(lr, e.Div(m_next, e.Add(e.Unary(OpKind::Sqrt, v_next), eps)));
    uint32_t p_next = e.Sub(p, step);
    if (dtype != DType::F32) p_next = e.Convert(p_next, dtype);
    MarkUpdate(b, m_next, m);
    MarkUpdate(b, v_next, v);
    MarkUpdate(b, p_next, pg.parameter);
  }
}

}  // namespace cfp
