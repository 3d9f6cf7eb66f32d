// What every model-zoo graph shares: the emitter, the spec, and the conventions that put
// graphs at XLA-HLO granularity — f32 master weights converted to the compute dtype at
// their use, explicit broadcasts, constants per scope.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "graph/emitter.h"
#include "models/model_spec.h"

namespace cfp {

class ModelContext {
 public:
  ModelContext(GraphBuilder &b, const ModelSpec &spec) : e_(b), spec_(spec) {}

  OpEmitter &e() { return e_; }
  const ModelSpec &spec() const { return spec_; }
  DType compute() const { return spec_.dtype; }

  // Scope of the ops emitted next, e.g. "layers.3.attn"; parameters are named after it.
  void SetScope(std::string scope);
  const std::string &scope() const { return e_.scope(); }

  // A new f32 parameter "<scope>.<name>", converted to the compute dtype.
  uint32_t Weight(const std::string &name, std::vector<int64_t> shape);
  // An existing f32 parameter converted to the compute dtype in the current scope.
  uint32_t Use(uint32_t parameter);
  // A rank-0 constant, shared within the current scope.
  uint32_t Const(double value, DType dtype);
  uint32_t Const(double value) { return Const(value, compute()); }
  // `x` in dtype `dt` (no op when it already is).
  uint32_t Cast(uint32_t x, DType dt);

  // x[..., in] · w[in, out] (+ bias[out], broadcast explicitly).
  uint32_t Linear(uint32_t x, const std::string &name, int64_t out, bool bias);
  // Broadcasts `v` (of `shape`'s trailing dims or leading dims) to `shape` along `dims`.
  uint32_t BroadcastTo(uint32_t v, const std::vector<int64_t> &shape, std::vector<int64_t> dims);
  // Softmax over the last dim, computed in f32; returns f32.
  uint32_t SoftmaxF32(uint32_t logits);
  // The index of the last dim of `x`.
  int64_t LastDim(uint32_t x) { return static_cast<int64_t>(e_.shape(x).size()) - 1; }

 private:
  OpEmitter e_;
  const ModelSpec &spec_;
  std::map<std::pair<int, double>, uint32_t> constants_;
};

}  // namespace cfp
