#include "profile/mpi/rank_bootstrap.h"

#include <cstring>

namespace cfp {
namespace {

constexpr int kMessageBytes = 512;

Status MpiCheck(int rc, const char *what) {
  if (rc == MPI_SUCCESS) return Status::Ok();
  char text[MPI_MAX_ERROR_STRING] = "";
  int len = 0;
  MPI_Error_string(rc, text, &len);
  return Internal(std::string("MPI ") + what + " failed: " + std::string(text, static_cast<size_t>(len)));
}

uint64_t Hash(const UniqueId &id) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (uint8_t b : id) h = (h ^ b) * 0x100000001b3ull;
  return h;
}

}  // namespace

std::string RankInfo::Topology() const { return std::to_string(nodes) + "x" + std::to_string(local_size); }

Result<RankInfo> BootstrapRanks(MPI_Comm comm, const std::function<Status(UniqueId &id)> &make_id) {
  RankInfo info;
  CFP_RETURN_IF_ERROR(MpiCheck(MPI_Comm_rank(comm, &info.rank), "Comm_rank"));
  CFP_RETURN_IF_ERROR(MpiCheck(MPI_Comm_size(comm, &info.world_size), "Comm_size"));

  // Rank 0 makes the id; its status travels first.
  int code = 0;
  char message[kMessageBytes] = "";
  if (info.rank == 0) {
    Status s = make_id ? make_id(info.unique_id) : InvalidArgument("no unique-id maker");
    code = static_cast<int>(s.code());
    std::strncpy(message, s.message().c_str(), kMessageBytes - 1);
  }
  CFP_RETURN_IF_ERROR(MpiCheck(MPI_Bcast(&code, 1, MPI_INT, 0, comm), "Bcast of the status"));
  if (code != 0) {
    CFP_RETURN_IF_ERROR(MpiCheck(MPI_Bcast(message, kMessageBytes, MPI_CHAR, 0, comm), "Bcast of the message"));
    message[kMessageBytes - 1] = '\0';
    const Code c = code > 0 && code <= static_cast<int>(Code::kInternal) ? static_cast<Code>(code) : Code::kInternal;
    return Status(c, "rank 0 could not create the NCCL unique id: " + std::string(message));
  }
  CFP_RETURN_IF_ERROR(MpiCheck(MPI_Bcast(info.unique_id.data(), static_cast<int>(kUniqueIdBytes), MPI_BYTE, 0, comm),
                               "Bcast of the unique id"));

  // Every rank must now hold rank 0's id.
  uint64_t h = Hash(info.unique_id), lo = 0, hi = 0;
  CFP_RETURN_IF_ERROR(MpiCheck(MPI_Allreduce(&h, &lo, 1, MPI_UINT64_T, MPI_MIN, comm), "Allreduce"));
  CFP_RETURN_IF_ERROR(MpiCheck(MPI_Allreduce(&h, &hi, 1, MPI_UINT64_T, MPI_MAX, comm), "Allreduce"));
  if (lo != hi) return Internal("ranks disagree on the NCCL unique id after the broadcast");

  // Ranks that share memory share a node; node leaders number the nodes.
  MPI_Comm node_comm = MPI_COMM_NULL, leaders = MPI_COMM_NULL;
  CFP_RETURN_IF_ERROR(MpiCheck(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, info.rank, MPI_INFO_NULL, &node_comm),
                               "Comm_split_type"));
  MPI_Comm_rank(node_comm, &info.local_rank);
  MPI_Comm_size(node_comm, &info.local_size);
  Status s = MpiCheck(MPI_Comm_split(comm, info.local_rank == 0 ? 0 : MPI_UNDEFINED, info.rank, &leaders), "Comm_split");
  int node_and_count[2] = {0, 1};
  if (s.ok() && leaders != MPI_COMM_NULL) {
    MPI_Comm_rank(leaders, &node_and_count[0]);
    MPI_Comm_size(leaders, &node_and_count[1]);
  }
  if (s.ok()) s = MpiCheck(MPI_Bcast(node_and_count, 2, MPI_INT, 0, node_comm), "Bcast of the node index");
  if (leaders != MPI_COMM_NULL) MPI_Comm_free(&leaders);
  MPI_Comm_free(&node_comm);
  CFP_RETURN_IF_ERROR(s);
  info.node = node_and_count[0];
  info.nodes = node_and_count[1];
  return info;
}

}  // namespace cfp
