// Gradients of a training graph checked against central finite differences of its
// forward graph, both evaluated by the reference evaluator in double precision.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "support/reference_eval.h"

namespace cfp_test {

using Inputs = std::map<uint32_t, std::vector<double>>;

// Uniform values in [lo, hi) for every graph input of `g` that is not a constant.
inline Inputs RandomInputs(const cfp::Graph &g, uint32_t seed, double lo = -1, double hi = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  Inputs in;
  for (uint32_t t = 0; t < g.num_tensors(); ++t) {
    const cfp::Tensor &tensor = g.tensor(t);
    if (g.producer(t) != cfp::kNoId || tensor.role == cfp::TensorRole::Constant) continue;
    std::vector<double> v(static_cast<size_t>(tensor.NumElements()));
    for (double &x : v) x = u(rng);
    in[t] = std::move(v);
  }
  return in;
}

// The tensor of `training` linked as the gradient of `of`, or kNoId.
inline uint32_t GradientOf(const cfp::Graph &training, uint32_t of) {
  uint32_t found = cfp::kNoId;
  for (uint32_t t = 0; t < training.num_tensors(); ++t)
    if (training.tensor(t).gradient_of == static_cast<int32_t>(of) && training.tensor(t).role == cfp::TensorRole::Gradient) {
      EXPECT_EQ(found, cfp::kNoId) << "two gradients linked to " << training.tensor(of).name;
      found = t;
    }
  return found;
}

inline double Loss(const cfp::Graph &forward, const Inputs &in) {
  auto vals = EvaluateGraph(forward, in);
  return vals[forward.op(forward.topo_order().back()).outputs[0]].at(0);
}

// For every parameter of `forward` (inputs given in `in`), checks the gradient tensor of
// `training` element by element (at most `max_checks` evenly spaced elements each)
// against (L(p + h) - L(p - h)) / 2h. Optimizer states absent from `in` start at zero.
inline void ExpectGradientsMatchFiniteDifferences(const cfp::Graph &forward, const cfp::Graph &training, const Inputs &in,
                                                  double tolerance = 1e-6, size_t max_checks = 64, double h = 1e-6) {
  Inputs train_in = in;
  for (uint32_t t = 0; t < training.num_tensors(); ++t)
    if (training.tensor(t).role == cfp::TensorRole::OptimizerState && !train_in.count(t))
      train_in[t].assign(static_cast<size_t>(training.tensor(t).NumElements()), 0.0);
  const auto vals = EvaluateGraph(training, train_in);
  for (uint32_t p = 0; p < forward.num_tensors(); ++p) {
    if (forward.tensor(p).role != cfp::TensorRole::Parameter) continue;
    const uint32_t grad = GradientOf(training, p);
    ASSERT_NE(grad, cfp::kNoId) << "no gradient for parameter " << forward.tensor(p).name;
    EXPECT_EQ(training.tensor(grad).shape, forward.tensor(p).shape) << forward.tensor(p).name;
    EXPECT_EQ(training.tensor(grad).dtype, forward.tensor(p).dtype) << forward.tensor(p).name;
    const size_t n = in.at(p).size();
    const size_t step = std::max<size_t>(1, n / max_checks);
    for (size_t j = 0; j < n; j += step) {
      Inputs plus = in, minus = in;
      plus[p][j] += h;
      minus[p][j] -= h;
      const double numeric = (Loss(forward, plus) - Loss(forward, minus)) / (2 * h);
      const double analytic = vals[grad][j];
      EXPECT_NEAR(analytic, numeric, tolerance * std::max(1.0, std::fabs(numeric)))
          << "d loss / d " << forward.tensor(p).name << "[" << j << "]";
    }
  }
}

}  // namespace cfp_test
