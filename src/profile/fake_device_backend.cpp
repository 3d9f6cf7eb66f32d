#include "profile/fake_device_backend.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <thread>

#include "cost/collective_cost.h"
#include "graph/op_semantics.h"

namespace cfp {

FakeDeviceBackend::FakeDeviceBackend(std::string device_name, int visible_devices, ProgramTimeFn program_time,
                                     CollectiveTimeFn collective_time, std::string library_version)
    : name_(std::move(device_name)),
      devices_(visible_devices),
      program_time_(std::move(program_time)),
      collective_time_(std::move(collective_time)),
      version_(std::move(library_version)) {}

namespace {
Result<double> CheckTime(Result<double> t, const char *what) {
  if (t.ok() && (!std::isfinite(*t) || *t < 0))
    return Internal(std::string("fake device returned an invalid ") + what + " time " + std::to_string(*t));
  return t;
}
}  // namespace

Result<double> FakeDeviceBackend::TimeProgram(const Graph &program) {
  ++program_calls_;
  if (!program_time_) return Unsupported("fake device '" + name_ + "' has no program times");
  return CheckTime(program_time_(program), "program");
}

Result<double> FakeDeviceBackend::TimeCollective(CollectiveKind kind, uint64_t bytes, int group) {
  ++collective_calls_;
  if (group < 1) return InvalidArgument("a collective needs a group of at least 1 device, got " + std::to_string(group));
  if (group > devices_)
    return Unsupported("a group of " + std::to_string(group) + " devices needs more than the " +
                       std::to_string(devices_) + " visible");
  if (!collective_time_) return Unsupported("fake device '" + name_ + "' has no collective times");
  return CheckTime(collective_time_(kind, bytes, group), "collective");
}

namespace {

struct RooflineSpec {
  std::string name = "fake-h100 (CFP_FAKE_DEVICE)";
  int devices = 8;
  double flops = 989e12;      // H100 SXM dense bf16 (NVIDIA H100 datasheet)
  double bandwidth = 3.35e12; // H100 SXM HBM3
  double link = 450e9;        // NVLink 4, one direction
  double latency = 5e-6;
  double overhead = 3e-6;
  double delay_ms = 0;
};

Result<double> ParsePositive(const std::string &key, const std::string &value, bool allow_zero) {
  char *end = nullptr;
  double v = std::strtod(value.c_str(), &end);
  if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(v) || v < 0 || (!allow_zero && v == 0))
    return InvalidArgument("CFP_FAKE_DEVICE: " + key + "=" + value + " is not a " +
                           (allow_zero ? "non-negative" : "positive") + " number");
  return v;
}

Result<RooflineSpec> ParseSpec(std::string_view spec) {
  RooflineSpec s;
  if (spec.empty() || spec == "1") return s;
  size_t at = 0;
  while (at <= spec.size()) {
    size_t comma = spec.find(',', at);
    std::string item(spec.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at));
    at = comma == std::string_view::npos ? spec.size() + 1 : comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string::npos) return InvalidArgument("CFP_FAKE_DEVICE: '" + item + "' is not key=value");
    std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "name") {
      if (value.empty()) return InvalidArgument("CFP_FAKE_DEVICE: name is empty");
      s.name = value;
      continue;
    }
    double *target = nullptr;
    bool allow_zero = false;
    if (key == "devices") {
      CFP_ASSIGN_OR_RETURN(double d, ParsePositive(key, value, false));
      if (d != std::floor(d) || d > 1 << 20) return InvalidArgument("CFP_FAKE_DEVICE: devices=" + value + " is not a count");
      s.devices = static_cast<int>(d);
      continue;
    }
    if (key == "flops") target = &s.flops;
    else if (key == "bandwidth") target = &s.bandwidth;
    else if (key == "link") target = &s.link;
    else if (key == "latency") target = &s.latency, allow_zero = true;
    else if (key == "overhead") target = &s.overhead, allow_zero = true;
    else if (key == "delay_ms") target = &s.delay_ms, allow_zero = true;
    else
      return InvalidArgument("CFP_FAKE_DEVICE: unknown key '" + key +
                             "' (known: name, devices, flops, bandwidth, link, latency, overhead, delay_ms)");
    CFP_ASSIGN_OR_RETURN(*target, ParsePositive(key, value, allow_zero));
  }
  return s;
}

}  // namespace

Result<std::unique_ptr<DeviceBackend>> MakeRooflineFakeBackend(std::string_view spec_text) {
  CFP_ASSIGN_OR_RETURN(RooflineSpec spec, ParseSpec(spec_text));
  auto delay = [ms = spec.delay_ms] {
    if (ms > 0) std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms));
  };
  auto program = [spec, delay](const Graph &g) -> Result<double> {
    delay();
    double t = 0;
    for (uint32_t o = 0; o < g.num_ops(); ++o) {
      const Op &op = g.op(o);
      double bytes = 0;
      for (uint32_t x : op.inputs) bytes += static_cast<double>(g.tensor(x).Bytes());
      for (uint32_t x : op.outputs) bytes += static_cast<double>(g.tensor(x).Bytes());
      t += std::max(OpFlops(op, g.space(o)) / spec.flops, bytes / spec.bandwidth) + spec.overhead;
    }
    return t;
  };
  // Ring collectives (docs/design.md §7): the factor is the fraction of the buffer each link carries.
  auto collective = [spec, delay](CollectiveKind kind, uint64_t bytes, int group) -> Result<double> {
    delay();
    return group == 1 ? 0.0 : spec.latency + RingFactor(kind, group) * static_cast<double>(bytes) / spec.link;
  };
  return std::unique_ptr<DeviceBackend>(
      std::make_unique<FakeDeviceBackend>(spec.name, spec.devices, program, collective, "cfp-fake-roofline 1"));
}

Result<std::unique_ptr<DeviceBackend>> OpenProfilingBackend(const CudaBackendOptions &options) {
  if (const char *spec = std::getenv("CFP_FAKE_DEVICE"); spec && *spec) return MakeRooflineFakeBackend(spec);
  return OpenCudaBackend(options);
}

}  // namespace cfp
