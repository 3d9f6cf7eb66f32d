// Launched by ctest under mpirun: checks the NCCL rank bootstrap on CPU-only machines.
//   bootstrap_check agree <ranks>   every rank ends with rank 0's 128-byte id
//   bootstrap_check fail <ranks>    rank 0 fails to make an id: every rank gets its error
// Exits 0 on every rank when the check holds on all of them.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "profile/mpi/rank_bootstrap.h"

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int ok = 1;
  const std::string mode = argc > 1 ? argv[1] : "";
  const int expected_ranks = argc > 2 ? std::atoi(argv[2]) : -1;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int make_calls = 0;

  if (mode == "agree") {
    // Random bytes from each process's own entropy: ranks can only agree through rank
    // 0's broadcast.
    auto make = [&](cfp::UniqueId &id) {
      ++make_calls;
      std::random_device rd;
      for (auto &b : id) b = static_cast<uint8_t>(rd());
      return cfp::Status::Ok();
    };
    auto info = cfp::BootstrapRanks(MPI_COMM_WORLD, make);
    if (!info.ok()) {
      std::fprintf(stderr, "rank %d: %s\n", rank, info.status().message().c_str());
      ok = 0;
    } else {
      if (info->world_size != expected_ranks || info->rank != rank) ok = 0;
      if ((rank == 0) != (make_calls == 1) || make_calls > 1) ok = 0;
      if (info->local_rank < 0 || info->local_rank >= info->local_size || info->node >= info->nodes) ok = 0;
      std::vector<uint8_t> all(rank == 0 ? cfp::kUniqueIdBytes * static_cast<size_t>(info->world_size) : 0);
      MPI_Gather(info->unique_id.data(), static_cast<int>(cfp::kUniqueIdBytes), MPI_BYTE, all.data(),
                 static_cast<int>(cfp::kUniqueIdBytes), MPI_BYTE, 0, MPI_COMM_WORLD);
      if (rank == 0) {
        for (int r = 1; r < info->world_size; ++r)
          if (std::memcmp(all.data(), all.data() + cfp::kUniqueIdBytes * static_cast<size_t>(r), cfp::kUniqueIdBytes) != 0) {
            std::fprintf(stderr, "rank %d holds a different id than rank 0\n", r);
            ok = 0;
          }
        bool all_zero = true;
        for (size_t i = 0; i < cfp::kUniqueIdBytes; ++i) all_zero &= all[i] == 0;
        if (all_zero) ok = 0;
      }
      std::printf("bootstrap: rank %d of %d, local %d of %d, node %d of %d (%s), id %02x%02x%02x%02x...\n", info->rank,
                  info->world_size, info->local_rank, info->local_size, info->node, info->nodes,
                  info->Topology().c_str(), info->unique_id[0], info->unique_id[1], info->unique_id[2],
                  info->unique_id[3]);
    }
  } else if (mode == "fail") {
    auto make = [&](cfp::UniqueId &) {
      ++make_calls;
      return cfp::Status(cfp::Code::kDevice, "no GPU on rank 0");
    };
    auto info = cfp::BootstrapRanks(MPI_COMM_WORLD, make);
    ok = !info.ok() && info.status().code() == cfp::Code::kDevice &&
         info.status().message().find("no GPU on rank 0") != std::string::npos && (rank == 0) == (make_calls == 1);
    std::printf("bootstrap: rank %d got: %s\n", rank, info.ok() ? "success (unexpected)" : info.status().message().c_str());
  } else {
    if (rank == 0) std::fprintf(stderr, "usage: bootstrap_check agree|fail <ranks>\n");
    ok = 0;
  }

  int all_ok = 0;
  MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  MPI_Finalize();
  return all_ok ? 0 : 1;
}
