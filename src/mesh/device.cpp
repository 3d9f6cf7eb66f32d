#include "mesh/device.h"

namespace cfp {
namespace {

constexpr double kT = 1e12;
constexpr double kGB = 1e9;
constexpr uint64_t kGiB = 1ull << 30;

// Small-message collective latency. Not a datasheet number: the order of magnitude NCCL's
// own tests report for one ring step inside a node (NVLink) and across nodes (InfiniBand).
constexpr double kNvlinkLatency = 10e-6;
constexpr double kNetworkLatency = 20e-6;
// One CUDA kernel launch as seen by a training step (launch + tail), typical of cudaLaunch.
constexpr double kKernelOverhead = 4e-6;

void SetMatrix(DeviceSpec &d, double bf16, double f16, double f8, double f32, double i8) {
  d.matrix_flops[static_cast<size_t>(DType::BF16)] = bf16;
  d.matrix_flops[static_cast<size_t>(DType::F16)] = f16;
  d.matrix_flops[static_cast<size_t>(DType::F8E4M3)] = f8;
  d.matrix_flops[static_cast<size_t>(DType::F32)] = f32;
  d.matrix_flops[static_cast<size_t>(DType::I32)] = i8;
  d.matrix_flops[static_cast<size_t>(DType::I64)] = d.vector_flops;
  d.matrix_flops[static_cast<size_t>(DType::Bool)] = d.vector_flops;
}

DeviceSpec A100(bool big) {
  // NVIDIA A100 Tensor Core GPU datasheet (2021): BF16/FP16 tensor 312 TFLOPS dense,
  // TF32 156 TFLOPS (f32 contractions run as TF32), FP32 19.5 TFLOPS, INT8 624 TOPS;
  // HBM2 1,555 GB/s (40GB) / HBM2e 2,039 GB/s (80GB SXM); NVLink 600 GB/s total (300 per
  // direction); HDR InfiniBand 200 Gb/s per GPU in DGX A100.
  DeviceSpec d;
  d.name = big ? "A100-SXM4-80GB" : "A100-SXM4-40GB";
  d.vector_flops = 19.5 * kT;
  SetMatrix(d, 312 * kT, 312 * kT, 312 * kT /* no FP8: runs as FP16 */, 156 * kT, 624 * kT);
  d.memory_bandwidth = big ? 2039 * kGB : 1555 * kGB;
  d.memory_capacity = big ? 80 * kGiB : 40 * kGiB;
  d.nvlink_bandwidth = 300 * kGB;
  d.network_bandwidth = 25 * kGB;
  d.nvlink_latency = kNvlinkLatency;
  d.network_latency = kNetworkLatency;
  d.kernel_overhead = kKernelOverhead;
  return d;
}

DeviceSpec Hopper(bool h200) {
  // NVIDIA H100 Tensor Core GPU datasheet (SXM5): BF16/FP16 989.4 TFLOPS dense, FP8 1,978.9,
  // TF32 494.7, FP32 66.9 TFLOPS, INT8 1,978.9 TOPS; HBM3 3.35 TB/s, 80 GB; NVLink 900 GB/s
  // total (450 per direction); NDR InfiniBand 400 Gb/s per GPU in DGX H100.
  // NVIDIA H200 Tensor Core GPU datasheet (SXM): same compute, HBM3e 4.8 TB/s, 141 GB.
  DeviceSpec d;
  d.name = h200 ? "H200-SXM-141GB" : "H100-SXM5-80GB";
  d.vector_flops = 66.9 * kT;
  SetMatrix(d, 989.4 * kT, 989.4 * kT, 1978.9 * kT, 494.7 * kT, 1978.9 * kT);
  d.memory_bandwidth = h200 ? 4800 * kGB : 3350 * kGB;
  d.memory_capacity = h200 ? 141ull * 1000 * 1000 * 1000 : 80 * kGiB;
  d.nvlink_bandwidth = 450 * kGB;
  d.network_bandwidth = 50 * kGB;
  d.nvlink_latency = kNvlinkLatency;
  d.network_latency = kNetworkLatency;
  d.kernel_overhead = kKernelOverhead;
  return d;
}

}  // namespace

std::optional<DeviceSpec> DevicePreset(std::string_view name) {
  if (name == "a100-40gb") return A100(false);
  if (name == "a100-80gb") return A100(true);
  if (name == "h100-sxm" || name == "h100") return Hopper(false);
  if (name == "h200") return Hopper(true);
  return std::nullopt;
}

std::vector<std::string> DevicePresetNames() { return {"a100-40gb", "a100-80gb", "h100-sxm", "h200"}; }

}  // namespace cfp
