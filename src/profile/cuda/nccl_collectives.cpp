#include "profile/cuda/nccl_collectives.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "profile/cuda/cuda_status.h"

namespace cfp::cuda {

Status EnqueueCollective(CollectiveKind kind, uint64_t bytes, int group, const void *send, void *recv, ncclComm_t comm,
                         cudaStream_t stream) {
  // f32 elements: the reductions need a numeric type, and each rank's share must be whole.
  const size_t per_rank = std::max<uint64_t>(1, bytes / 4 / static_cast<uint64_t>(group));
  const size_t total = per_rank * static_cast<size_t>(group);
  switch (kind) {
    case CollectiveKind::AllReduce:
      return FromNccl(ncclAllReduce(send, recv, total, ncclFloat32, ncclSum, comm, stream), "ncclAllReduce");
    case CollectiveKind::AllGather:
      return FromNccl(ncclAllGather(send, recv, per_rank, ncclFloat32, comm, stream), "ncclAllGather");
    case CollectiveKind::ReduceScatter:
      return FromNccl(ncclReduceScatter(send, recv, per_rank, ncclFloat32, ncclSum, comm, stream), "ncclReduceScatter");
    case CollectiveKind::AllToAll: {
#if NCCL_VERSION_CODE >= NCCL_VERSION(2, 28, 0)
      return FromNccl(ncclAlltoAll(send, recv, per_rank, ncclFloat32, comm, stream), "ncclAlltoAll");
#else
      // Before NCCL 2.28: one send and one receive per peer, grouped.
      CFP_NCCL_TRY(ncclGroupStart());
      for (int peer = 0; peer < group; ++peer) {
        const size_t off = per_rank * static_cast<size_t>(peer) * 4;
        CFP_NCCL_TRY(ncclSend(static_cast<const char *>(send) + off, per_rank, ncclFloat32, peer, comm, stream));
        CFP_NCCL_TRY(ncclRecv(static_cast<char *>(recv) + off, per_rank, ncclFloat32, peer, comm, stream));
      }
      return FromNccl(ncclGroupEnd(), "ncclGroupEnd");
#endif
    }
  }
  return InvalidArgument("unknown collective kind " + std::to_string(static_cast<int>(kind)));
}

void CollectiveTimer::Release(Group &g) {
  for (size_t d = 0; d < g.comms.size(); ++d) {
    cudaSetDevice(static_cast<int>(d));
    if (d < g.streams.size() && g.streams[d]) cudaStreamSynchronize(g.streams[d]);
    if (d < g.send.size()) cudaFree(g.send[d]);
    if (d < g.recv.size()) cudaFree(g.recv[d]);
    if (d < g.starts.size()) cudaEventDestroy(g.starts[d]);
    if (d < g.stops.size()) cudaEventDestroy(g.stops[d]);
    if (d < g.streams.size()) cudaStreamDestroy(g.streams[d]);
    if (g.comms[d]) ncclCommDestroy(g.comms[d]);
  }
  g = Group{};
}

CollectiveTimer::~CollectiveTimer() {
  for (auto &[size, g] : groups_) Release(g);
}

Result<CollectiveTimer::Group *> CollectiveTimer::GetGroup(int group, uint64_t bytes) {
  auto it = groups_.find(group);
  if (it == groups_.end()) {
    Group g;
    std::vector<int> devices(static_cast<size_t>(group));
    std::iota(devices.begin(), devices.end(), 0);
    g.comms.assign(static_cast<size_t>(group), nullptr);
    Status s = FromNccl(ncclCommInitAll(g.comms.data(), group, devices.data()), "ncclCommInitAll");
    for (int d = 0; s.ok() && d < group; ++d) {
      s = FromCuda(cudaSetDevice(d), "cudaSetDevice");
      cudaStream_t stream = nullptr;
      cudaEvent_t start = nullptr, stop = nullptr;
      if (s.ok()) s = FromCuda(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
      g.streams.push_back(stream);
      if (s.ok()) s = FromCuda(cudaEventCreate(&start), "cudaEventCreate");
      g.starts.push_back(start);
      if (s.ok()) s = FromCuda(cudaEventCreate(&stop), "cudaEventCreate");
      g.stops.push_back(stop);
    }
    if (!s.ok()) {
      Release(g);
      return s;
    }
    it = groups_.emplace(group, std::move(g)).first;
  }
  Group &g = it->second;
  if (g.capacity < bytes) {
    for (int d = 0; d < group; ++d) {
      CFP_CUDA_TRY(cudaSetDevice(d));
      CFP_CUDA_TRY(cudaStreamSynchronize(g.streams[static_cast<size_t>(d)]));
      if (static_cast<size_t>(d) < g.send.size()) {
        cudaFree(g.send[static_cast<size_t>(d)]);
        cudaFree(g.recv[static_cast<size_t>(d)]);
      }
    }
    g.send.assign(static_cast<size_t>(group), nullptr);
    g.recv.assign(static_cast<size_t>(group), nullptr);
    g.capacity = 0;
    for (int d = 0; d < group; ++d) {
      CFP_CUDA_TRY(cudaSetDevice(d));
      CFP_CUDA_TRY(cudaMalloc(&g.send[static_cast<size_t>(d)], bytes));
      CFP_CUDA_TRY(cudaMalloc(&g.recv[static_cast<size_t>(d)], bytes));
      // Non-zero data, like every input the profiler makes.
      CFP_CUDA_TRY(cudaMemset(g.send[static_cast<size_t>(d)], 0x3c, bytes));
    }
    g.capacity = bytes;
  }
  return &g;
}

Result<double> CollectiveTimer::Time(CollectiveKind kind, uint64_t bytes, int group, uint32_t warmup, uint32_t repeats) {
  if (!IsValidCollectiveKind(static_cast<int>(kind)))
    return InvalidArgument("unknown collective kind " + std::to_string(static_cast<int>(kind)));
  if (group < 1) return InvalidArgument("a collective needs a group of at least 1 device, got " + std::to_string(group));
  if (group > visible_)
    return Unsupported("a collective over " + std::to_string(group) + " devices needs " + std::to_string(group) +
                       " GPUs, " + std::to_string(visible_) + " are visible; use the alpha-beta model for it");
  if (repeats < 1) return InvalidArgument("at least one timed repeat is needed");
  // Room for at least one f32 per rank.
  const uint64_t buffer = std::max<uint64_t>(bytes, 4ull * static_cast<uint64_t>(group));
  CFP_ASSIGN_OR_RETURN(Group * g, GetGroup(group, buffer));
  auto run = [&]() -> Status {
    CFP_NCCL_TRY(ncclGroupStart());
    for (int d = 0; d < group; ++d) {
      const auto i = static_cast<size_t>(d);
      Status s = EnqueueCollective(kind, bytes, group, g->send[i], g->recv[i], g->comms[i], g->streams[i]);
      if (!s.ok()) {
        ncclGroupEnd();
        return s;
      }
    }
    return FromNccl(ncclGroupEnd(), "ncclGroupEnd");
  };
  for (uint32_t w = 0; w < warmup; ++w) CFP_RETURN_IF_ERROR(run());
  std::vector<double> samples;
  for (uint32_t r = 0; r < repeats; ++r) {
    for (int d = 0; d < group; ++d) {
      CFP_CUDA_TRY(cudaSetDevice(d));
      CFP_CUDA_TRY(cudaStreamSynchronize(g->streams[static_cast<size_t>(d)]));
      CFP_CUDA_TRY(cudaEventRecord(g->starts[static_cast<size_t>(d)], g->streams[static_cast<size_t>(d)]));
    }
    CFP_RETURN_IF_ERROR(run());
    // Record every stop before waiting on any, so none is recorded late.
    for (int d = 0; d < group; ++d) {
      const auto i = static_cast<size_t>(d);
      CFP_CUDA_TRY(cudaSetDevice(d));
      CFP_CUDA_TRY(cudaEventRecord(g->stops[i], g->streams[i]));
    }
    double longest = 0;
    for (int d = 0; d < group; ++d) {
      const auto i = static_cast<size_t>(d);
      CFP_CUDA_TRY(cudaEventSynchronize(g->stops[i]));
      float ms = 0;
      CFP_CUDA_TRY(cudaEventElapsedTime(&ms, g->starts[i], g->stops[i]));
      longest = std::max(longest, ms * 1e-3);
    }
    samples.push_back(longest);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

}  // namespace cfp::cuda
