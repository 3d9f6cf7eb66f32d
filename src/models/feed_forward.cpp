#include "models/feed_forward.h"

#include <cmath>
#include <numbers>

namespace cfp {

// Each statement emits at most one op or constant, so ids do not depend on the compiler.
uint32_t Gelu(ModelContext &m, uint32_t x) {
  OpEmitter &e = m.e();
  const uint32_t cube = e.Mul(e.Mul(x, x), x);
  const uint32_t c = m.Const(0.044715);
  const uint32_t k = m.Const(std::sqrt(2.0 / std::numbers::pi));
  const uint32_t one = m.Const(1.0);
  const uint32_t half = m.Const(0.5);
  const uint32_t inner = e.Mul(e.Add(x, e.Mul(cube, c)), k);
  const uint32_t gate = e.Add(e.Unary(OpKind::Tanh, inner), one);
  const uint32_t half_x = e.Mul(x, half);
  return e.Mul(half_x, gate);
}

uint32_t GeluMlp(ModelContext &m, uint32_t x) {
  const uint32_t h = Gelu(m, m.Linear(x, "w_in", m.spec().ffn, true));
  return m.Linear(h, "w_out", m.spec().hidden, true);
}

uint32_t SwiGlu(ModelContext &m, uint32_t x) {
  OpEmitter &e = m.e();
  const uint32_t gate = m.Linear(x, "w_gate", m.spec().ffn, false);
  const uint32_t up = m.Linear(x, "w_up", m.spec().ffn, false);
  const uint32_t silu = e.Mul(gate, e.Unary(OpKind::Logistic, gate));
  return m.Linear(e.Mul(silu, up), "w_down", m.spec().hidden, false);
}

}  // namespace cfp
