// A DeviceBackend that measures nothing: times come from caller-supplied functions and
// calls are counted. Tests use it to drive profiling with known times; `cfp` uses it
// (CFP_FAKE_DEVICE) to demonstrate the profiled cost model on a machine without a GPU.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "profile/device_backend.h"

namespace cfp {

class FakeDeviceBackend final : public DeviceBackend {
 public:
  using ProgramTimeFn = std::function<Result<double>(const Graph &program)>;
  using CollectiveTimeFn = std::function<Result<double>(CollectiveKind kind, uint64_t bytes, int group)>;

  // Without `collective_time`, TimeCollective answers kUnsupported like a machine with
  // too few GPUs.
  FakeDeviceBackend(std::string device_name, int visible_devices, ProgramTimeFn program_time,
                    CollectiveTimeFn collective_time = {}, std::string library_version = "cfp-fake 1");

  std::string DeviceName() const override { return name_; }
  int VisibleDevices() const override { return devices_; }
  std::string LibraryVersion() const override { return version_; }
  // Counts the call, then asks the function; a negative or non-finite time is an error.
  Result<double> TimeProgram(const Graph &program) override;
  // kUnsupported when `group` exceeds the visible devices, like the CUDA backend.
  Result<double> TimeCollective(CollectiveKind kind, uint64_t bytes, int group) override;

  uint64_t program_calls() const { return program_calls_.load(); }
  uint64_t collective_calls() const { return collective_calls_.load(); }

 private:
  std::string name_;
  int devices_;
  ProgramTimeFn program_time_;
  CollectiveTimeFn collective_time_;
  std::string version_;
  std::atomic<uint64_t> program_calls_{0};
  std::atomic<uint64_t> collective_calls_{0};
};

// A fake device priced by a roofline, for demonstrations: a program takes
// sum over ops of max(flops / peak, bytes / bandwidth) + launch overhead; collectives
// follow the ring alpha-beta model. `spec` is "" for the defaults or comma-separated
// key=value pairs: name, devices, flops (FLOP/s), bandwidth (memory, bytes/s), link
// (bytes/s), latency (s), overhead (s per op), delay_ms (sleep per call, to watch
// progress). kInvalidArgument names a bad key or value.
Result<std::unique_ptr<DeviceBackend>> MakeRooflineFakeBackend(std::string_view spec);

// The backend of the "cuda" cost model: a roofline fake when $CFP_FAKE_DEVICE is set
// (its value is the spec above; "1" for the defaults), otherwise OpenCudaBackend().
Result<std::unique_ptr<DeviceBackend>> OpenProfilingBackend(const CudaBackendOptions &options = {});

}  // namespace cfp
