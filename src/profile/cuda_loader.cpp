// Loads the CUDA profiler module (libcfp_cuda.so) with dlopen and adapts its C plugin ABI
// (cuda_plugin_abi.h) to DeviceBackend. libcfp itself never links CUDA: a host without
// the module or without a driver gets a clear kUnsupported / kDevice, never a failed
// load of libcfp.
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

#include "graph/graph_io.h"
#include "profile/cuda_plugin_abi.h"
#include "profile/device_backend.h"

#ifndef CFP_CUDA_MODULE_NAME
#define CFP_CUDA_MODULE_NAME "libcfp_cuda.so"
#endif

namespace cfp {
namespace {

constexpr size_t kErrorCap = 4096;

struct ModuleApi {
  std::string path;
  cfp_cuda_abi_version_fn abi_version = nullptr;
  cfp_cuda_session_open_fn open = nullptr;
  cfp_cuda_session_close_fn close = nullptr;
  cfp_cuda_session_describe_fn describe = nullptr;
  cfp_cuda_time_program_fn time_program = nullptr;
  cfp_cuda_time_collective_fn time_collective = nullptr;
  cfp_cuda_evaluate_fn evaluate = nullptr;
};

Status FromPlugin(int code, const char *error, const char *what) {
  if (code == 0) return Status::Ok();
  Code c = code > 0 && code <= static_cast<int>(Code::kInternal) ? static_cast<Code>(code) : Code::kInternal;
  std::string msg = error && *error ? error : "no message";
  return Status(c, std::string(what) + ": " + msg);
}

// Resolves the ABI of a loaded module. Modules stay loaded for the life of the process:
// CUDA's libraries do not support being unloaded and reloaded.
Result<ModuleApi> Resolve(void *handle, const std::string &path) {
  ModuleApi api;
  api.path = path;
  auto sym = [&](const char *name, auto &fn) -> Status {
    void *p = ::dlsym(handle, name);
    if (!p)
      return Unsupported("'" + path + "' is not a libcfp CUDA profiler module: it lacks the symbol " + name);
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(p);
    return Status::Ok();
  };
  CFP_RETURN_IF_ERROR(sym(CFP_CUDA_SYM_ABI_VERSION, api.abi_version));
  const uint32_t version = api.abi_version();
  if (version != CFP_CUDA_PLUGIN_ABI_VERSION)
    return Unsupported("the CUDA profiler module '" + path + "' speaks plugin ABI version " + std::to_string(version) +
                       ", this libcfp speaks version " + std::to_string(CFP_CUDA_PLUGIN_ABI_VERSION) +
                       " (install the module built with this libcfp)");
  CFP_RETURN_IF_ERROR(sym(CFP_CUDA_SYM_SESSION_OPEN, api.open));
  CFP_RETURN_IF_ERROR(sym(CFP_CUDA_SYM_SESSION_CLOSE, api.close));
  CFP_RETURN_IF_ERROR(sym(CFP_CUDA_SYM_SESSION_DESCRIBE, api.describe));
  CFP_RETURN_IF_ERROR(sym(CFP_CUDA_SYM_TIME_PROGRAM, api.time_program));
  CFP_RETURN_IF_ERROR(sym(CFP_CUDA_SYM_TIME_COLLECTIVE, api.time_collective));
  CFP_RETURN_IF_ERROR(sym(CFP_CUDA_SYM_EVALUATE, api.evaluate));
  return api;
}

class CudaBackend final : public DeviceBackend {
 public:
  CudaBackend(ModuleApi api, cfp_cuda_session *session, std::string name, int devices, std::string version)
      : api_(std::move(api)), session_(session), name_(std::move(name)), devices_(devices), version_(std::move(version)) {}
  CudaBackend(const CudaBackend &) = delete;
  CudaBackend &operator=(const CudaBackend &) = delete;
  ~CudaBackend() override { api_.close(session_); }

  std::string DeviceName() const override { return name_; }
  int VisibleDevices() const override { return devices_; }
  std::string LibraryVersion() const override { return version_; }

  Result<double> TimeProgram(const Graph &program) override {
    std::vector<uint8_t> buf = GraphToBuffer(program);
    double seconds = 0;
    char error[kErrorCap] = "";
    int rc = api_.time_program(session_, buf.data(), buf.size(), &seconds, error, sizeof error);
    CFP_RETURN_IF_ERROR(FromPlugin(rc, error, "CUDA profiler"));
    return seconds;
  }

  Result<double> TimeCollective(CollectiveKind kind, uint64_t bytes, int group) override {
    double seconds = 0;
    char error[kErrorCap] = "";
    int rc = api_.time_collective(session_, static_cast<int32_t>(kind), bytes, group, &seconds, error, sizeof error);
    CFP_RETURN_IF_ERROR(FromPlugin(rc, error, "CUDA profiler"));
    return seconds;
  }

  Result<std::vector<std::vector<double>>> EvaluateProgram(
      const Graph &program, const std::map<uint32_t, std::vector<double>> &inputs) override {
    std::vector<uint32_t> ids;
    std::vector<const double *> values;
    std::vector<uint64_t> sizes;
    for (const auto &[id, v] : inputs) {
      if (id >= program.num_tensors())
        return InvalidArgument("input tensor " + std::to_string(id) + " does not exist (the program has " +
                               std::to_string(program.num_tensors()) + " tensors)");
      if (program.producer(id) != kNoId)
        return InvalidArgument(DescribeTensor(program.tensors(), id) + " is computed by the program, not an input");
      if (v.size() != static_cast<uint64_t>(program.tensor(id).NumElements()))
        return InvalidArgument(DescribeTensor(program.tensors(), id) + " has " +
                               std::to_string(program.tensor(id).NumElements()) + " elements, " +
                               std::to_string(v.size()) + " values were given");
      ids.push_back(id);
      values.push_back(v.data());
      sizes.push_back(v.size());
    }
    uint64_t total = 0;
    for (const Tensor &t : program.tensors()) total += static_cast<uint64_t>(t.NumElements());
    std::vector<double> all(total);
    std::vector<uint8_t> buf = GraphToBuffer(program);
    char error[kErrorCap] = "";
    int rc = api_.evaluate(session_, buf.data(), buf.size(), ids.size(), ids.data(), values.data(), sizes.data(),
                           all.data(), total, error, sizeof error);
    CFP_RETURN_IF_ERROR(FromPlugin(rc, error, "CUDA profiler"));
    std::vector<std::vector<double>> out(program.num_tensors());
    uint64_t at = 0;
    for (uint32_t t = 0; t < program.num_tensors(); ++t) {
      uint64_t n = static_cast<uint64_t>(program.tensor(t).NumElements());
      out[t].assign(all.begin() + static_cast<std::ptrdiff_t>(at), all.begin() + static_cast<std::ptrdiff_t>(at + n));
      at += n;
    }
    return out;
  }

 private:
  ModuleApi api_;
  cfp_cuda_session *session_;
  std::string name_;
  int devices_;
  std::string version_;
};

// dlopen of one candidate: the module, nullopt when this candidate is simply not there,
// or an error when it is there but unusable.
Result<std::optional<ModuleApi>> LoadCandidate(const std::string &candidate) {
  static std::mutex mu;
  static std::map<std::string, ModuleApi> loaded;
  std::lock_guard lock(mu);
  if (auto it = loaded.find(candidate); it != loaded.end()) return std::optional<ModuleApi>(it->second);
  const bool is_path = candidate.find('/') != std::string::npos;
  if (is_path) {
    std::error_code ec;
    if (!std::filesystem::exists(candidate, ec)) return std::optional<ModuleApi>();
  }
  ::dlerror();
  void *handle = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *e = ::dlerror();
    std::string err = e ? e : "unknown dlopen error";
    // Through the search path, "name: cannot open shared object file" means the module
    // itself is absent; any other failure (a missing cuBLAS or NCCL) means it is there.
    if (!is_path && err.rfind(candidate + ":", 0) == 0 && err.find("cannot open shared object") != std::string::npos)
      return std::optional<ModuleApi>();
    return Status(Code::kDevice, "the CUDA profiler module '" + candidate + "' is installed but cannot be loaded: " +
                                     err + " (are the CUDA driver, cuBLAS and NCCL libraries installed?)");
  }
  auto api = Resolve(handle, candidate);
  if (!api.ok()) return api.status();
  loaded.emplace(candidate, *api);
  return std::optional<ModuleApi>(std::move(api).value());
}

std::string Truncated(const char *buf, size_t cap) { return std::string(buf, ::strnlen(buf, cap)); }

}  // namespace

std::vector<std::string> CudaModuleCandidates() {
  if (const char *explicit_path = std::getenv("CFP_CUDA_MODULE"); explicit_path && *explicit_path)
    return {explicit_path};
  std::vector<std::string> candidates;
  // The directory of the binary that holds this code: libcfp.so for users, a test or
  // tool executable when linked statically.
  Dl_info info{};
  if (::dladdr(reinterpret_cast<const void *>(&CudaModuleCandidates), &info) != 0 && info.dli_fname) {
    std::filesystem::path self(info.dli_fname);
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::absolute(self, ec).parent_path();
    if (!ec && !dir.empty()) candidates.push_back((dir / CFP_CUDA_MODULE_NAME).string());
  }
  candidates.push_back(CFP_CUDA_MODULE_NAME);
  return candidates;
}

Result<std::unique_ptr<DeviceBackend>> OpenCudaBackendFrom(const std::vector<std::string> &candidates,
                                                           const CudaBackendOptions &options) {
  if (options.repeats < 1) return InvalidArgument("CUDA profiling needs at least one timed repeat");
  std::optional<ModuleApi> api;
  std::string looked;
  for (const std::string &c : candidates) {
    CFP_ASSIGN_OR_RETURN(api, LoadCandidate(c));
    if (api) break;
    looked += (looked.empty() ? "" : ", ") + (c.find('/') == std::string::npos ? c + " on the loader path" : c);
  }
  if (!api)
    return Unsupported("the \"cuda\" cost model needs the CUDA profiler module " CFP_CUDA_MODULE_NAME
                       ", which is not installed (looked for " +
                       looked +
                       "); this libcfp was built without CUDA (CFP_WITH_CUDA=OFF, or nvcc/NCCL not found). "
                       "Use the \"analytic\" cost model, or set CFP_CUDA_MODULE to the module's path");
  cfp_cuda_session_config config{options.device, options.warmup, options.repeats, options.seed,
                                 options.allow_tf32 ? 1 : 0};
  cfp_cuda_session *session = nullptr;
  char error[kErrorCap] = "";
  int rc = api->open(CFP_CUDA_PLUGIN_ABI_VERSION, &config, &session, error, sizeof error);
  CFP_RETURN_IF_ERROR(FromPlugin(rc, error, "CUDA profiler"));
  if (!session) return Internal("CUDA profiler module '" + api->path + "' opened no session");
  char name[256] = "";
  char version[256] = "";
  int32_t devices = 0;
  rc = api->describe(session, name, sizeof name, &devices, version, sizeof version);
  if (rc != 0) {
    api->close(session);
    return FromPlugin(rc, "cannot describe the device", "CUDA profiler");
  }
  return std::unique_ptr<DeviceBackend>(std::make_unique<CudaBackend>(
      *api, session, Truncated(name, sizeof name), devices, Truncated(version, sizeof version)));
}

Result<std::unique_ptr<DeviceBackend>> OpenCudaBackend(const CudaBackendOptions &options) {
  return OpenCudaBackendFrom(CudaModuleCandidates(), options);
}

}  // namespace cfp
