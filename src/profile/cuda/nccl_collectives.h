// Collectives timed with NCCL over the GPUs of this process (ncclCommInitAll), one
// communicator per group size, created on first use.
#pragma once

#include <cuda_runtime_api.h>
#include <nccl.h>

#include <map>
#include <vector>

#include "profile/device_backend.h"

namespace cfp::cuda {

// Enqueues one collective of `bytes` per device (see DeviceBackend::TimeCollective for
// what that means per kind) on `comm` and `stream`, with `send` and `recv` of at least
// `bytes` each, as f32 elements. `group` is the communicator's size.
Status EnqueueCollective(CollectiveKind kind, uint64_t bytes, int group, const void *send, void *recv, ncclComm_t comm,
                         cudaStream_t stream);

class CollectiveTimer {
 public:
  explicit CollectiveTimer(int visible_devices) : visible_(visible_devices) {}
  ~CollectiveTimer();
  CollectiveTimer(const CollectiveTimer &) = delete;
  CollectiveTimer &operator=(const CollectiveTimer &) = delete;

  // Median seconds over `repeats` runs after `warmup`, on devices 0 .. group-1; the time
  // of a run is the longest any device spent in it. kUnsupported when fewer than
  // `group` devices are visible.
  Result<double> Time(CollectiveKind kind, uint64_t bytes, int group, uint32_t warmup, uint32_t repeats);

 private:
  struct Group {
    std::vector<ncclComm_t> comms;
    std::vector<cudaStream_t> streams;
    std::vector<cudaEvent_t> starts, stops;
    std::vector<void *> send, recv;
    uint64_t capacity = 0;  // bytes of each send and recv buffer
  };
  Result<Group *> GetGroup(int group, uint64_t bytes);
  static void Release(Group &g);

  int visible_;
  std::map<int, Group> groups_;
};

}  // namespace cfp::cuda
