// The entry points of libcfp_cuda.so: the C plugin ABI of profile/cuda_plugin_abi.h over a
// session that owns one GPU's stream and cuBLAS handle and the NCCL communicators. Every
// entry point catches everything: no C++ exception crosses into libcfp.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <nccl.h>

#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <string>

#include "graph/graph_io.h"
#include "profile/cuda/cuda_status.h"
#include "profile/cuda/device_program.h"
#include "profile/cuda/nccl_collectives.h"
#include "profile/cuda_plugin_abi.h"
#include "profile/kernel_plan.h"

#define CFP_STR2(x) #x
#define CFP_STR(x) CFP_STR2(x)

struct cfp_cuda_session {
  std::mutex mu;  // one call at a time per session
  cfp_cuda_session_config config{};
  cfp::cuda::DeviceContext ctx;
  std::string device_name;
  std::string library_version;
  int visible = 0;
  std::unique_ptr<cfp::cuda::CollectiveTimer> collectives;

  ~cfp_cuda_session() {
    collectives.reset();
    cudaSetDevice(ctx.device);
    if (ctx.cublas) cublasDestroy(ctx.cublas);
    if (ctx.stream) cudaStreamDestroy(ctx.stream);
  }
};

namespace {

using cfp::Code;
using cfp::Result;
using cfp::Status;

void WriteText(const std::string &text, char *buf, size_t cap) {
  if (!buf || cap == 0) return;
  const size_t n = std::min(text.size(), cap - 1);
  std::memcpy(buf, text.data(), n);
  buf[n] = '\0';
}

int Report(const Status &s, char *error, size_t cap) {
  if (!s.ok()) WriteText(s.message(), error, cap);
  return static_cast<int>(s.code());
}

// Runs `body` (returning Status) and maps any exception to a status.
template <class F>
int Guarded(char *error, size_t cap, F &&body) noexcept {
  try {
    return Report(body(), error, cap);
  } catch (const std::bad_alloc &) {
    WriteText("out of host memory", error, cap);
    return static_cast<int>(Code::kOutOfMemory);
  } catch (const std::exception &e) {
    WriteText(std::string("internal error: ") + e.what(), error, cap);
    return static_cast<int>(Code::kInternal);
  } catch (...) {
    WriteText("internal error: unknown exception", error, cap);
    return static_cast<int>(Code::kInternal);
  }
}

Status OpenSession(const cfp_cuda_session_config &config, std::unique_ptr<cfp_cuda_session> &s) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess)
    return Status(Code::kDevice, std::string("no usable CUDA driver or GPU: cudaGetDeviceCount failed with ") +
                                     cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")");
  if (count == 0) {
    const char *visible = std::getenv("CUDA_VISIBLE_DEVICES");
    return Status(Code::kDevice, std::string("no CUDA device is visible") +
                                     (visible ? std::string(" (CUDA_VISIBLE_DEVICES=") + visible + ")" : ""));
  }
  if (config.device < 0 || config.device >= count)
    return Status(Code::kDevice, "CUDA device " + std::to_string(config.device) + " was asked for, " +
                                     std::to_string(count) + " are visible");
  if (config.repeats < 1) return cfp::InvalidArgument("at least one timed repeat is needed");
  s->config = config;
  s->visible = count;
  s->ctx.device = config.device;
  s->ctx.allow_tf32 = config.allow_tf32 != 0;
  CFP_CUDA_TRY(cudaSetDevice(config.device));
  cudaDeviceProp props{};
  CFP_CUDA_TRY(cudaGetDeviceProperties(&props, config.device));
  s->device_name = props.name;
  s->ctx.sm_count = props.multiProcessorCount;
  CFP_CUDA_TRY(cudaStreamCreateWithFlags(&s->ctx.stream, cudaStreamNonBlocking));
  CFP_CUBLAS_TRY(cublasCreate(&s->ctx.cublas));
  CFP_CUBLAS_TRY(cublasSetStream(s->ctx.cublas, s->ctx.stream));
  int runtime = 0, cublas = 0, nccl = 0;
  cudaRuntimeGetVersion(&runtime);
  cublasGetVersion(s->ctx.cublas, &cublas);
  ncclGetVersion(&nccl);
  // A new runtime, cuBLAS or NCCL may change timings, so each is part of the DB key.
  s->library_version = "cfp " CFP_STR(CFP_VERSION_MAJOR) "." CFP_STR(CFP_VERSION_MINOR) "." CFP_STR(CFP_VERSION_PATCH) "; cuda " +
                       std::to_string(runtime) + "; cublas " + std::to_string(cublas) + "; nccl " + std::to_string(nccl);
  s->collectives = std::make_unique<cfp::cuda::CollectiveTimer>(count);
  return Status::Ok();
}

Result<std::unique_ptr<cfp::cuda::DeviceProgram>> Prepare(cfp_cuda_session &s, const void *graph, size_t size) {
  CFP_CUDA_TRY(cudaSetDevice(s.ctx.device));
  CFP_ASSIGN_OR_RETURN(cfp::Graph g, cfp::GraphFromBuffer(graph, size));
  CFP_ASSIGN_OR_RETURN(cfp::KernelPlan plan, cfp::LowerToKernels(g));
  return cfp::cuda::DeviceProgram::Create(std::move(plan), s.ctx);
}

}  // namespace

extern "C" {

CFP_CUDA_PLUGIN_EXPORT uint32_t cfp_cuda_abi_version(void) { return CFP_CUDA_PLUGIN_ABI_VERSION; }

CFP_CUDA_PLUGIN_EXPORT int cfp_cuda_session_open(uint32_t abi_version, const cfp_cuda_session_config *config,
                                                 cfp_cuda_session **out, char *error, size_t error_cap) {
  if (out) *out = nullptr;
  return Guarded(error, error_cap, [&]() -> Status {
    if (abi_version != CFP_CUDA_PLUGIN_ABI_VERSION)
      return cfp::Unsupported("libcfp speaks plugin ABI version " + std::to_string(abi_version) +
                              ", this CUDA module version " + std::to_string(CFP_CUDA_PLUGIN_ABI_VERSION));
    if (!config || !out) return cfp::InvalidArgument("config and out must not be NULL");
    auto s = std::make_unique<cfp_cuda_session>();
    CFP_RETURN_IF_ERROR(OpenSession(*config, s));
    *out = s.release();
    return Status::Ok();
  });
}

CFP_CUDA_PLUGIN_EXPORT void cfp_cuda_session_close(cfp_cuda_session *session) {
  try {
    delete session;
  } catch (...) {
  }
}

CFP_CUDA_PLUGIN_EXPORT int cfp_cuda_session_describe(const cfp_cuda_session *session, char *device_name,
                                                     size_t name_cap, int32_t *visible_devices, char *library_version,
                                                     size_t version_cap) {
  if (!session) return CFP_ERR_INVALID_ARGUMENT;
  WriteText(session->device_name, device_name, name_cap);
  WriteText(session->library_version, library_version, version_cap);
  if (visible_devices) *visible_devices = session->visible;
  return CFP_OK;
}

CFP_CUDA_PLUGIN_EXPORT int cfp_cuda_time_program(cfp_cuda_session *session, const void *graph, size_t graph_size,
                                                 double *seconds, char *error, size_t error_cap) {
  return Guarded(error, error_cap, [&]() -> Status {
    if (!session || !seconds) return cfp::InvalidArgument("session and seconds must not be NULL");
    std::lock_guard lock(session->mu);
    CFP_ASSIGN_OR_RETURN(auto program, Prepare(*session, graph, graph_size));
    CFP_RETURN_IF_ERROR(program->FillInputs({}, session->config.seed));
    CFP_ASSIGN_OR_RETURN(*seconds, program->Time(session->config.warmup, session->config.repeats));
    return Status::Ok();
  });
}

CFP_CUDA_PLUGIN_EXPORT int cfp_cuda_time_collective(cfp_cuda_session *session, int32_t kind, uint64_t bytes,
                                                    int32_t group, double *seconds, char *error, size_t error_cap) {
  return Guarded(error, error_cap, [&]() -> Status {
    if (!session || !seconds) return cfp::InvalidArgument("session and seconds must not be NULL");
    if (!cfp::IsValidCollectiveKind(kind)) return cfp::InvalidArgument("unknown collective kind " + std::to_string(kind));
    std::lock_guard lock(session->mu);
    CFP_ASSIGN_OR_RETURN(*seconds, session->collectives->Time(static_cast<cfp::CollectiveKind>(kind), bytes, group,
                                                              session->config.warmup, session->config.repeats));
    return Status::Ok();
  });
}

CFP_CUDA_PLUGIN_EXPORT int cfp_cuda_evaluate(cfp_cuda_session *session, const void *graph, size_t graph_size,
                                             size_t input_count, const uint32_t *input_tensors,
                                             const double *const *input_values, const uint64_t *input_sizes,
                                             double *values, uint64_t value_cap, char *error, size_t error_cap) {
  return Guarded(error, error_cap, [&]() -> Status {
    if (!session) return cfp::InvalidArgument("session must not be NULL");
    if (input_count > 0 && (!input_tensors || !input_values || !input_sizes))
      return cfp::InvalidArgument("input arrays must not be NULL");
    std::lock_guard lock(session->mu);
    CFP_ASSIGN_OR_RETURN(auto program, Prepare(*session, graph, graph_size));
    std::map<uint32_t, std::vector<double>> given;
    for (size_t i = 0; i < input_count; ++i)
      given[input_tensors[i]].assign(input_values[i], input_values[i] + input_sizes[i]);
    CFP_RETURN_IF_ERROR(program->FillInputs(given, session->config.seed));
    CFP_RETURN_IF_ERROR(program->Enqueue());
    CFP_ASSIGN_OR_RETURN(cfp::Graph g, cfp::GraphFromBuffer(graph, graph_size));
    uint64_t at = 0;
    for (uint32_t t = 0; t < g.num_tensors(); ++t) {
      CFP_ASSIGN_OR_RETURN(std::vector<double> v, program->Download(static_cast<int32_t>(t)));
      if (at + v.size() > value_cap)
        return Status(Code::kBufferTooSmall, "the value buffer holds " + std::to_string(value_cap) + " doubles, the " +
                                                 "program's tensors need more");
      if (!v.empty()) std::memcpy(values + at, v.data(), v.size() * sizeof(double));
      at += v.size();
    }
    return Status::Ok();
  });
}

}  // extern "C"
