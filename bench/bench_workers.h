// The two halves of one plan_bench case, each run in its own process (see subprocess.h):
//  - the libcfp worker builds the model, reloads it from its FlatBuffers bytes, optimizes it
//    through the C API, prices the manual plans with cfp_evaluate and counts configurations;
//  - the ILP worker builds the Alpa-style ILP over the same cost model, solves it with CBC
//    and prices its plan with cfp_evaluate.
// Both print a Record (key=value lines) on stdout.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cfp_bench {

struct WorkerArgs {
  std::string spec;                 // model spec for cfp_model_build
  std::vector<uint32_t> mesh;       // e.g. {8, 8}
  uint32_t threads = 0;             // libcfp worker threads (0: all)
  double cfp_time_limit = 0;        // s, 0: none
  double budget = 0;                // ILP: bytes per device, 0: no memory constraint
  double ilp_time_limit = 600;      // s
  uint64_t ilp_max_columns = 0;     // 0: no cap
  bool ilp_follow = true;           // Alpa's following merges
  bool ilp_verbose = false;
};

int RunCfpWorker(const WorkerArgs &args);
int RunIlpWorker(const WorkerArgs &args);

}  // namespace cfp_bench
