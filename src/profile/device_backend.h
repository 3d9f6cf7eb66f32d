// The device a profiled cost model measures on (docs/design.md §7). The search asks it for the
// time of a block strategy's local computation and of collectives; the CUDA module
// (libcfp_cuda.so, loaded with dlopen) and FakeDeviceBackend implement it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "graph/graph.h"
#include "sharding/resharding.h"
#include "util/status.h"

namespace cfp {

// CollectiveKind (sharding/resharding.h): values equal plan.fbs's and cfp_collective_kind.

bool IsValidCollectiveKind(int v);

class DeviceBackend {
 public:
  virtual ~DeviceBackend() = default;

  virtual std::string DeviceName() const = 0;  // e.g. "NVIDIA H100 80GB HBM3"
  virtual int VisibleDevices() const = 0;
  // What produced the times, for the profile DB key: a new library, CUDA, cuBLAS or NCCL
  // version measures afresh. E.g. "cfp 0.1.0; cuda 13000; cublas 130100; nccl 22809".
  // Defaults to libcfp's own version.
  virtual std::string LibraryVersion() const;

  // Median seconds of one run of `program`: a Graph whose tensors have the LOCAL (already
  // sharded) shapes of one device; inputs are filled with random values (never zeros;
  // index inputs within their table), ops run in topological order, timed with events
  // after warm-up. kUnsupported for programs the backend cannot run (custom ops), so the
  // caller can fall back to the analytic model for that block.
  virtual Result<double> TimeProgram(const Graph &program) = 0;

  // Median seconds of one collective over the first `group` devices. `bytes` is the full
  // buffer each device holds: the all-reduce buffer, the all-gather result, the
  // reduce-scatter input, the all-to-all send buffer. kUnsupported when fewer than
  // `group` devices are visible: the caller then uses the alpha-beta model.
  virtual Result<double> TimeCollective(CollectiveKind kind, uint64_t bytes, int group) = 0;

  // Runs `program` once and returns the value of every tensor (indexed by tensor id) as
  // doubles. Inputs named in `inputs` (graph inputs only, one value per element, row
  // major) take those values, the others are generated as for TimeProgram. For kernel
  // correctness tests; backends without it return kUnsupported.
  virtual Result<std::vector<std::vector<double>>> EvaluateProgram(
      const Graph &program, const std::map<uint32_t, std::vector<double>> &inputs);
};

// How the CUDA module times programs.
struct CudaBackendOptions {
  int device = 0;          // CUDA ordinal programs run on
  uint32_t warmup = 3;     // untimed runs first
  uint32_t repeats = 11;   // timed runs; the median is reported
  uint64_t seed = 0x5eed;  // of the random inputs
  // f32 contractions on tensor cores with TF32 inputs, as XLA and PyTorch do by default
  // on Ampere and later; false for full-precision f32 GEMMs.
  bool allow_tf32 = true;
};

// Loads libcfp_cuda.so with dlopen and opens a session on it. Looks, in order, at the
// path in $CFP_CUDA_MODULE, beside the binary holding libcfp (the directory of libcfp.so),
// then the dynamic loader's search path. kUnsupported with a clear message if the module
// is absent (libcfp built without CUDA) or incompatible; kDevice if it is there but no
// CUDA driver, runtime library or GPU is usable.
Result<std::unique_ptr<DeviceBackend>> OpenCudaBackend(const CudaBackendOptions &options = {});

// The same, trying exactly `candidates` in order: a path containing '/' is used if the
// file exists, a bare file name goes through the loader's search path.
Result<std::unique_ptr<DeviceBackend>> OpenCudaBackendFrom(const std::vector<std::string> &candidates,
                                                           const CudaBackendOptions &options = {});

// Where OpenCudaBackend looks, in order.
std::vector<std::string> CudaModuleCandidates();

}  // namespace cfp
