// Rank start-up for NCCL across processes (docs/profiling.md: multi-node profiling launches its
// ranks through MPI, an existing engine, not a home-made one). MPI gives every process
// its rank and the world size; rank 0 creates the NCCL unique id and MPI_Bcast hands it
// to all ranks, which then call ncclCommInitRank. The exchange knows nothing of NCCL —
// the id is 128 opaque bytes made by a callback — so it is tested on CPU-only machines.
// Built only where MPI is found; libcfp never links MPI.
#pragma once

#include <mpi.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "util/status.h"

namespace cfp {

inline constexpr size_t kUniqueIdBytes = 128;  // sizeof(ncclUniqueId), NCCL_UNIQUE_ID_BYTES
using UniqueId = std::array<uint8_t, kUniqueIdBytes>;

struct RankInfo {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;  // among the ranks of this node (the GPU it should use)
  int local_size = 1;
  int node = 0;        // index of this rank's node, 0 .. nodes - 1
  int nodes = 1;
  UniqueId unique_id{};

  // "nodes x ranks per node", e.g. "2x8", the topology part of a collective's DB key.
  std::string Topology() const;
};

// Collective over `comm`: every rank calls it. Rank 0 alone calls `make_id` (e.g.
// ncclGetUniqueId) and broadcasts its status first, so a failure there fails every rank
// with the same message instead of leaving them waiting. Afterwards all ranks verify
// that they hold the same id.
Result<RankInfo> BootstrapRanks(MPI_Comm comm, const std::function<Status(UniqueId &id)> &make_id);

}  // namespace cfp
