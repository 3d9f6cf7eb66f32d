// cfp-nccl-profile: times NCCL collectives across processes and nodes, launched by MPI:
//
//   mpirun -np 16 -H node1:8,node2:8 cfp-nccl-profile --db ~/.cache/cfp/profile.cfpdb
//
// Every rank takes the GPU of its node-local rank, rank 0's NCCL unique id reaches all
// through BootstrapRanks (MPI_Bcast), and each (kind, size) is timed as the slowest rank's
// time, median over repeats. Rank 0 prints a table with the fitted alpha-beta constants
// and stores the times in the profile DB as collectives of the whole world, keyed by the
// topology (nodes x ranks per node), for the "cuda" cost model to use for mesh axes that
// span processes.
#include <cuda_runtime_api.h>
#include <nccl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "profile/collective_model.h"
#include "profile/cuda/cuda_status.h"
#include "profile/cuda/nccl_collectives.h"
#include "profile/mpi/rank_bootstrap.h"
#include "profile/profile_db.h"

#define CFP_STR2(x) #x
#define CFP_STR(x) CFP_STR2(x)

namespace {

using namespace cfp;
using cfp::cuda::EnqueueCollective;
using cfp::cuda::FromCuda;

const char *kUsage =
    "usage: mpirun [mpi options] cfp-nccl-profile [options]\n"
    "\n"
    "Times NCCL collectives over all ranks (one GPU per rank) and stores them in the\n"
    "profile DB for the \"cuda\" cost model.\n"
    "\n"
    "options:\n"
    "  --kinds LIST       all-reduce,all-gather,reduce-scatter,all-to-all (default: all)\n"
    "  --min-bytes N      smallest buffer per device (default 65536)\n"
    "  --max-bytes N      largest buffer per device (default 268435456)\n"
    "  --factor N         size step (default 4)\n"
    "  --warmup N         untimed runs per size (default 5)\n"
    "  --repeats N        timed runs per size, median reported (default 20)\n"
    "  --db PATH          profile DB to update (default: $CFP_PROFILE_DB or the cache)\n"
    "  --no-db            print only\n";

struct Options {
  std::vector<CollectiveKind> kinds{CollectiveKind::AllReduce, CollectiveKind::AllGather, CollectiveKind::ReduceScatter,
                                    CollectiveKind::AllToAll};
  uint64_t min_bytes = 64 << 10, max_bytes = 256 << 20, factor = 4;
  uint32_t warmup = 5, repeats = 20;
  std::string db = DefaultProfileDbPath();
  bool write_db = true;
};

Result<uint64_t> ParseCount(const std::string &flag, const char *text) {
  char *end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (!*text || *end || v == 0) return InvalidArgument(flag + " needs a positive integer, got '" + text + "'");
  return static_cast<uint64_t>(v);
}

Result<Options> Parse(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> Result<const char *> {
      if (i + 1 >= argc) return InvalidArgument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--no-db") {
      o.write_db = false;
    } else if (a == "--kinds") {
      CFP_ASSIGN_OR_RETURN(const char *v, value());
      o.kinds.clear();
      std::string list = v;
      for (size_t at = 0; at <= list.size();) {
        size_t comma = list.find(',', at);
        std::string name = list.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        at = comma == std::string::npos ? list.size() + 1 : comma + 1;
        bool found = false;
        for (int k = 0; k <= 3; ++k)
          if (name == CollectiveKindName(static_cast<CollectiveKind>(k))) {
            o.kinds.push_back(static_cast<CollectiveKind>(k));
            found = true;
          }
        if (!found) return InvalidArgument("unknown collective '" + name + "'");
      }
    } else if (a == "--db") {
      CFP_ASSIGN_OR_RETURN(const char *v, value());
      o.db = v;
    } else if (a == "--min-bytes" || a == "--max-bytes" || a == "--factor" || a == "--warmup" || a == "--repeats") {
      CFP_ASSIGN_OR_RETURN(const char *v, value());
      CFP_ASSIGN_OR_RETURN(uint64_t n, ParseCount(a, v));
      if (a == "--min-bytes") o.min_bytes = n;
      else if (a == "--max-bytes") o.max_bytes = n;
      else if (a == "--factor") o.factor = n;
      else if (a == "--warmup") o.warmup = static_cast<uint32_t>(n);
      else o.repeats = static_cast<uint32_t>(n);
    } else {
      return InvalidArgument("unknown option " + a);
    }
  }
  if (o.factor < 2) return InvalidArgument("--factor must be at least 2");
  if (o.min_bytes > o.max_bytes) return InvalidArgument("--min-bytes exceeds --max-bytes");
  return o;
}

struct Resources {
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;
  cudaEvent_t start = nullptr, stop = nullptr;
  void *send = nullptr, *recv = nullptr;
  ~Resources() {
    if (stream) cudaStreamSynchronize(stream);
    if (comm) ncclCommDestroy(comm);
    cudaFree(send);
    cudaFree(recv);
    if (start) cudaEventDestroy(start);
    if (stop) cudaEventDestroy(stop);
    if (stream) cudaStreamDestroy(stream);
  }
};

// Seconds of one collective as the slowest rank saw it, median over repeats (on every rank).
Result<double> TimeOne(Resources &r, CollectiveKind kind, uint64_t bytes, const RankInfo &info, const Options &o) {
  for (uint32_t w = 0; w < o.warmup; ++w)
    CFP_RETURN_IF_ERROR(EnqueueCollective(kind, bytes, info.world_size, r.send, r.recv, r.comm, r.stream));
  CFP_CUDA_TRY(cudaStreamSynchronize(r.stream));
  std::vector<double> samples;
  for (uint32_t i = 0; i < o.repeats; ++i) {
    MPI_Barrier(MPI_COMM_WORLD);
    CFP_CUDA_TRY(cudaEventRecord(r.start, r.stream));
    CFP_RETURN_IF_ERROR(EnqueueCollective(kind, bytes, info.world_size, r.send, r.recv, r.comm, r.stream));
    CFP_CUDA_TRY(cudaEventRecord(r.stop, r.stream));
    CFP_CUDA_TRY(cudaEventSynchronize(r.stop));
    float ms = 0;
    CFP_CUDA_TRY(cudaEventElapsedTime(&ms, r.start, r.stop));
    double mine = ms * 1e-3, slowest = 0;
    MPI_Allreduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    samples.push_back(slowest);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

Status Run(const Options &o, const RankInfo &info) {
  int devices = 0;
  CFP_CUDA_TRY(cudaGetDeviceCount(&devices));
  // Each rank sees its node's GPUs and takes the one of its local rank, or (a scheduler
  // binding one GPU per rank, e.g. srun --gpus-per-task=1) sees exactly its own.
  int device = info.local_rank;
  if (devices == 1) device = 0;
  else if (info.local_size > devices)
    return Status(Code::kDevice, "rank " + std::to_string(info.rank) + ": " + std::to_string(info.local_size) +
                                     " ranks share a node with " + std::to_string(devices) + " GPUs; start one rank per GPU");
  CFP_CUDA_TRY(cudaSetDevice(device));
  Resources r;
  ncclUniqueId id;
  static_assert(sizeof(id.internal) == kUniqueIdBytes, "NCCL's unique id size changed");
  std::memcpy(id.internal, info.unique_id.data(), kUniqueIdBytes);
  CFP_NCCL_TRY(ncclCommInitRank(&r.comm, info.world_size, id, info.rank));
  CFP_CUDA_TRY(cudaStreamCreateWithFlags(&r.stream, cudaStreamNonBlocking));
  CFP_CUDA_TRY(cudaEventCreate(&r.start));
  CFP_CUDA_TRY(cudaEventCreate(&r.stop));
  const uint64_t capacity = std::max<uint64_t>(o.max_bytes, 4ull * static_cast<uint64_t>(info.world_size));
  CFP_CUDA_TRY(cudaMalloc(&r.send, capacity));
  CFP_CUDA_TRY(cudaMalloc(&r.recv, capacity));
  CFP_CUDA_TRY(cudaMemset(r.send, 0x3c, capacity));

  cudaDeviceProp props{};
  CFP_CUDA_TRY(cudaGetDeviceProperties(&props, device));
  int runtime = 0, nccl = 0;
  cudaRuntimeGetVersion(&runtime);
  ncclGetVersion(&nccl);
  const std::string version = "cfp " CFP_STR(CFP_VERSION_MAJOR) "." CFP_STR(CFP_VERSION_MINOR) "." CFP_STR(
                                  CFP_VERSION_PATCH) "; cuda " +
                              std::to_string(runtime) + "; nccl " + std::to_string(nccl);
  const bool root = info.rank == 0;
  if (root)
    std::printf("%d ranks on %d node(s) (%s), %s\n%-15s %14s %12s %12s\n", info.world_size, info.nodes,
                info.Topology().c_str(), props.name, "collective", "bytes", "time (us)", "busbw (GB/s)");
  ProfileDb db(o.db);
  if (root && o.write_db) {
    auto opened = ProfileDb::Open(o.db);
    if (!opened.ok()) return opened.status();
    db = std::move(opened).value();
    for (const std::string &w : db.warnings()) std::fprintf(stderr, "warning: %s\n", w.c_str());
  }
  for (CollectiveKind kind : o.kinds) {
    std::vector<std::pair<uint64_t, double>> points;
    for (uint64_t bytes = o.min_bytes; bytes <= o.max_bytes; bytes *= o.factor) {
      CFP_ASSIGN_OR_RETURN(double t, TimeOne(r, kind, bytes, info, o));
      points.emplace_back(bytes, t);
      if (!root) continue;
      const double busbw = RingFactor(kind, info.world_size) * static_cast<double>(bytes) / t / 1e9;
      std::printf("%-15s %14llu %12.2f %12.2f\n", std::string(CollectiveKindName(kind)).c_str(),
                  static_cast<unsigned long long>(bytes), t * 1e6, busbw);
      if (o.write_db)
        CFP_RETURN_IF_ERROR(db.PutCollective({kind, static_cast<uint32_t>(info.world_size), bytes, props.name,
                                              info.Topology(), version},
                                             {t, o.repeats, 0, static_cast<int64_t>(std::time(nullptr))}));
    }
    if (root && info.world_size > 1) {
      auto fit = FitAlphaBeta(kind, info.world_size, points);
      if (fit.ok())
        std::printf("  fit: alpha %.2f us, bandwidth %.2f GB/s per device\n", fit->alpha * 1e6, fit->bandwidth / 1e9);
      else
        std::printf("  fit: %s\n", fit.status().message().c_str());
    }
  }
  if (root && o.write_db) {
    CFP_RETURN_IF_ERROR(db.Save());
    std::printf("saved %zu collective times to %s\n", db.collective_count(), o.db.c_str());
  }
  return Status::Ok();
}

}  // namespace

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  for (int i = 1; i < argc; ++i)
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      if (rank == 0) std::fputs(kUsage, stdout);
      MPI_Finalize();
      return 0;
    }
  Status status = Status::Ok();
  auto options = Parse(argc, argv);
  int devices = 0;
  const cudaError_t device_error = cudaGetDeviceCount(&devices);
  if (!options.ok()) {
    status = options.status();
  } else if (device_error != cudaSuccess || devices == 0) {
    // Every rank fails alike here, before any collective: no abort needed.
    status = device_error != cudaSuccess ? FromCuda(device_error, "no usable CUDA driver or GPU")
                                         : Status(Code::kDevice, "no CUDA device is visible");
  } else {
    auto info = BootstrapRanks(MPI_COMM_WORLD, [](UniqueId &id) -> Status {
      ncclUniqueId nccl_id;
      CFP_NCCL_TRY(ncclGetUniqueId(&nccl_id));
      std::memcpy(id.data(), nccl_id.internal, kUniqueIdBytes);
      return Status::Ok();
    });
    if (!info.ok()) {
      status = info.status();
    } else {
      status = Run(*options, *info);
      if (!status.ok()) {
        // The other ranks may be waiting in a collective this rank will never join.
        std::fprintf(stderr, "cfp-nccl-profile: rank %d: %s\n", rank, status.message().c_str());
        MPI_Abort(MPI_COMM_WORLD, 1);
      }
    }
  }
  int ok = status.ok() ? 1 : 0, all_ok = 0;
  if (!status.ok()) std::fprintf(stderr, "cfp-nccl-profile: rank %d: %s\n", rank, status.message().c_str());
  MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  MPI_Finalize();
  return all_ok ? 0 : 1;
}
