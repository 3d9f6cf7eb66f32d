// A stand-in for libcfp_cuda.so that needs no GPU, so the loader and the plugin ABI are
// tested on any machine. $CFP_FAKE_PLUGIN_MODE, read at each call, picks its behaviour:
//   ok (default)  a 2-device machine; programs run on the CPU through kernel plans
//   no-device     opening fails as on a host without a driver
//   abi           reports a foreign ABI version
#include <cstdlib>
#include <cstring>
#include <string>

#include "graph/graph_io.h"
#include "profile/cuda_plugin_abi.h"
#include "support/kernel_plan_cpu.h"

namespace {

std::string Mode() {
  const char *m = std::getenv("CFP_FAKE_PLUGIN_MODE");
  return m && *m ? m : "ok";
}

int Fail(int code, const std::string &message, char *error, size_t cap) {
  if (cap > 0) {
    std::strncpy(error, message.c_str(), cap - 1);
    error[cap - 1] = '\0';
  }
  return code;
}

void Copy(const char *text, char *buf, size_t cap) {
  if (cap == 0) return;
  std::strncpy(buf, text, cap - 1);
  buf[cap - 1] = '\0';
}

}  // namespace

struct cfp_cuda_session {
  cfp_cuda_session_config config;
};

extern "C" {

CFP_CUDA_PLUGIN_EXPORT uint32_t cfp_cuda_abi_version(void) { return Mode() == "abi" ? 999u : CFP_CUDA_PLUGIN_ABI_VERSION; }

CFP_CUDA_PLUGIN_EXPORT int cfp_cuda_session_open(uint32_t abi_version, const cfp_cuda_session_config *config,
                                                 cfp_cuda_session **out, char *error, size_t error_cap) {
  *out = nullptr;
  if (abi_version != CFP_CUDA_PLUGIN_ABI_VERSION) return Fail(CFP_ERR_UNSUPPORTED, "ABI mismatch", error, error_cap);
  if (Mode() == "no-device") return Fail(CFP_ERR_DEVICE, "no CUDA-capable device is detected", error, error_cap);
  *out = new cfp_cuda_session{*config};
  return CFP_OK;
}

CFP_CUDA_PLUGIN_EXPORT void cfp_cuda_session_close(cfp_cuda_session *session) { delete session; }

CFP_CUDA_PLUGIN_EXPORT int cfp_cuda_session_describe(const cfp_cuda_session *, char *name, size_t name_cap,
                                                     int32_t *devices, char *version, size_t version_cap) {
  Copy("Fake Plugin GPU", name, name_cap);
  *devices = 2;
  Copy("fake-plugin 1", version, version_cap);
  return CFP_OK;
}

CFP_CUDA_PLUGIN_EXPORT int cfp_cuda_time_program(cfp_cuda_session *, const void *graph, size_t size, double *seconds,
                                                 char *error, size_t error_cap) {
  auto g = cfp::GraphFromBuffer(graph, size);
  if (!g.ok()) return Fail(static_cast<int>(g.status().code()), g.status().message(), error, error_cap);
  *seconds = 1e-6 * g->num_ops();
  return CFP_OK;
}

CFP_CUDA_PLUGIN_EXPORT int cfp_cuda_time_collective(cfp_cuda_session *, int32_t kind, uint64_t bytes, int32_t group,
                                                    double *seconds, char *error, size_t error_cap) {
  if (group > 2) return Fail(CFP_ERR_UNSUPPORTED, "only 2 GPUs are visible", error, error_cap);
  *seconds = 1e-5 * (kind + 1) + static_cast<double>(bytes) * 1e-9;
  return CFP_OK;
}

CFP_CUDA_PLUGIN_EXPORT int cfp_cuda_evaluate(cfp_cuda_session *session, const void *graph, size_t size,
                                             size_t input_count, const uint32_t *input_tensors,
                                             const double *const *input_values, const uint64_t *input_sizes,
                                             double *values, uint64_t value_cap, char *error, size_t error_cap) {
  auto g = cfp::GraphFromBuffer(graph, size);
  if (!g.ok()) return Fail(static_cast<int>(g.status().code()), g.status().message(), error, error_cap);
  std::map<uint32_t, std::vector<double>> inputs;
  for (size_t i = 0; i < input_count; ++i)
    inputs[input_tensors[i]].assign(input_values[i], input_values[i] + input_sizes[i]);
  auto all = cfp_test::EvaluateWithPlan(*g, inputs, session->config.seed);
  uint64_t at = 0;
  for (const auto &v : all)
    for (double x : v) {
      if (at >= value_cap) return Fail(CFP_ERR_BUFFER_TOO_SMALL, "value buffer too small", error, error_cap);
      values[at++] = x;
    }
  return CFP_OK;
}

}  // extern "C"
