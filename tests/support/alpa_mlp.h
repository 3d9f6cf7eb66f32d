// Alpa's MLP test graph (its auto-sharding tests): `layers` x (Dense + bias + ReLU) on a
// batch x hidden input, mean squared error against a target, then the update of
// `optimizer` ("sgd" as in Alpa's tests, or "adam"). Shared by the unit tests
// of Alpa's expectations and the baselines' tests in bench/.
#pragma once

#include <cstdint>
#include <string>

#include "graph/autodiff.h"
#include "graph/emitter.h"

namespace cfp_test {

inline cfp::Graph AlpaMlpTraining(int64_t batch, int64_t hidden, int layers, const std::string &optimizer = "sgd") {
  using namespace cfp;
  GraphBuilder b("alpa-mlp");
  OpEmitter e(b);
  uint32_t x = e.Input("x", {batch, hidden}, DType::F32);
  uint32_t y = e.Input("y", {batch, hidden}, DType::F32);
  for (int l = 0; l < layers; ++l) {
    e.set_scope("layers." + std::to_string(l));
    uint32_t w = e.Parameter("w" + std::to_string(l), {hidden, hidden});
    uint32_t bias = e.Parameter("b" + std::to_string(l), {hidden});
    x = e.Max(e.Add(e.MatMul(x, w), e.Broadcast(bias, {batch, hidden}, {1})), e.Constant(0));
  }
  e.set_scope("loss");
  uint32_t d = e.Sub(x, y);
  uint32_t sq = e.Reduce(OpKind::ReduceSum, e.Mul(d, d), {0, 1});
  e.Mul(sq, e.Constant(1.0 / static_cast<double>(batch * hidden)));
  return MakeTrainingGraph(b.Finish().value(), optimizer).value();
}

}  // namespace cfp_test
