// Runs a kernel plan (src/profile/kernel_plan.h) on the CPU with the element code the
// CUDA kernels use (kernel_steps.h). Tests check the lowering with it against values
// computed by hand, and GPU tests compare the GPU's results with it.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "graph/graph.h"
#include "profile/kernel_plan.h"

namespace cfp_test {

class CpuPlanExecutor {
 public:
  explicit CpuPlanExecutor(cfp::KernelPlan plan);

  // Graph inputs in `given` take those values (converted to their dtype); the others are
  // generated from `seed` exactly as the CUDA module generates them.
  void FillInputs(const std::map<uint32_t, std::vector<double>> &given, uint64_t seed);
  void Run();
  // Values of buffer `b` as doubles.
  std::vector<double> Values(int32_t b) const;
  const cfp::KernelPlan &plan() const { return plan_; }

 private:
  cfp::KernelPlan plan_;
  std::vector<std::vector<uint8_t>> buffers_;
};

// Lowers `graph`, fills its inputs and runs it: the value of every tensor, by id.
// Aborts the test (via gtest assertions in the caller) when lowering fails: check
// LowerToKernels first for graphs that may be unsupported.
std::vector<std::vector<double>> EvaluateWithPlan(const cfp::Graph &graph,
                                                  const std::map<uint32_t, std::vector<double>> &inputs,
                                                  uint64_t seed = 0x5eed);

}  // namespace cfp_test
