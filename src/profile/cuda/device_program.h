// A kernel plan (profile/kernel_plan.h) executed on one GPU: its buffers in device
// memory, our generic kernels for maps, reductions, gathers and scatter-adds, cuBLAS for
// GEMMs, CUDA events for timing.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <map>
#include <memory>
#include <vector>

#include "profile/kernel_plan.h"

namespace cfp::cuda {

// What a program runs on: one device, its stream and cuBLAS handle.
struct DeviceContext {
  int device = 0;
  int sm_count = 1;
  cudaStream_t stream = nullptr;
  cublasHandle_t cublas = nullptr;
  bool allow_tf32 = true;
};

class DeviceProgram {
 public:
  // Allocates every buffer of `plan` (kOutOfMemory says how much was needed).
  static Result<std::unique_ptr<DeviceProgram>> Create(KernelPlan plan, const DeviceContext &ctx);
  ~DeviceProgram();
  DeviceProgram(const DeviceProgram &) = delete;
  DeviceProgram &operator=(const DeviceProgram &) = delete;

  // Graph inputs named in `given` take those values (converted to their dtype on the
  // host); the others are generated on the device from `seed`, exactly as the CPU
  // executor of kernel plans generates them.
  Status FillInputs(const std::map<uint32_t, std::vector<double>> &given, uint64_t seed);
  // Enqueues every step on the stream.
  Status Enqueue();
  // Median seconds of one run: `warmup` untimed runs, then `repeats` timed ones. Runs
  // shorter than the events' resolution are repeated back to back inside each timing.
  Result<double> Time(uint32_t warmup, uint32_t repeats);
  // The values of buffer `b` as doubles; waits for the stream.
  Result<std::vector<double>> Download(int32_t b);

 private:
  DeviceProgram(KernelPlan plan, const DeviceContext &ctx) : plan_(std::move(plan)), ctx_(ctx) {}
  Status Gemm(const GemmStep &g);
  void *ptr(int32_t b) const { return buffers_[static_cast<size_t>(b)]; }

  KernelPlan plan_;
  DeviceContext ctx_;
  void *arena_ = nullptr;
  std::vector<void *> buffers_;
};

}  // namespace cfp::cuda
