// The profiled cost model's measurements (docs/design.md §7): every strategy of every unique block
// type timed once on a DeviceBackend (a sum over block types, never a product over a
// segment's combinations), reused from the ProfileDb where it already holds the key, and
// turned into a ComputeOverride so the search and cfp_evaluate price one objective.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "blocks/block.h"
#include "blocks/block_costs.h"
#include "cost/cost_model.h"
#include "profile/device_backend.h"
#include "profile/profile_db.h"
#include "segments/fingerprint.h"

namespace cfp {

// The program one device runs for `block` when its members take `member_choice`
// (strategy indices, in member order): every member op with each tensor at its local
// shape (the dims split by the mesh axes of the producer's output layout; an input read in
// another layout by some member becomes a separate input at that member's local shape).
// kUnsupported when the local program is not a valid graph (e.g. a slice along a split dim).
Result<Graph> LocalProgram(const CostModel &model, const Block &block, const std::vector<uint32_t> &member_choice);

// The dtype holding most bytes among the block's tensors: the profile DB key's dtype.
DType DominantDType(const CostModel &model, const Block &block);

// One unique block type, as profiling saw it.
struct ProfiledBlockType {
  uint64_t fingerprint = 0;
  uint32_t representative = 0;  // a block of this type
  uint32_t instances = 0;       // blocks of this type in the graph
  std::string description;      // e.g. "contraction block of 'l0.mlp.up' (6 ops)"
  uint32_t configurations = 0;  // entry strategies
  uint32_t profiled = 0, reused = 0, fell_back = 0;
  double measured_seconds = 0;  // sum over strategies of one run's measured time
  double analytic_seconds = 0;  // the same sum, by the roofline
  double profiling_seconds = 0; // wall time spent timing this type
};

struct ProfilingReport {
  std::string device;
  std::string library_version;
  uint64_t configurations = 0, profiled = 0, reused = 0, fell_back = 0;
  std::vector<ProfiledBlockType> types;
  std::vector<std::string> warnings;  // from the DB and from fallbacks
  std::vector<std::string> links;     // per mesh axis: measured or preset (CalibrateMeshLinks)
  std::string db_path;
  double seconds = 0;
};

// For people: a summary line, links, warnings, then one line per block type.
std::string FormatProfilingReport(const ProfilingReport &report);

struct ProfilingInputs {
  const CostModel *model = nullptr;  // its blocks are the ones typed
  const BlockTypes *types = nullptr;
  // Per type, every row its representative may take (FollowBlock): what is measured.
  const std::vector<BlockTable> *rows = nullptr;
  // Progress: done and total configurations; returning false cancels (kCancelled).
  std::function<bool(uint64_t done, uint64_t total)> progress;
};

// Times every entry strategy of every unique block type (or finds it in `db`), puts new
// measurements into `db` (the caller saves it) and returns the override: for each block
// type and strategy k with measured time T and analytic member sum A, every member (op,
// strategy) gets analytic(op, s) * T / A, from the lowest k whose members include that
// (op, strategy), for every instance of the type. Blocks the backend cannot run keep the
// analytic time (counted in fell_back, with a warning).
Result<std::shared_ptr<const ComputeOverride>> ProfileBlockTypes(const ProfilingInputs &in, DeviceBackend &backend,
                                                                 ProfileDb &db, ProfilingReport &report);

// Collectives per mesh axis: where the backend sees at least as many devices as the axis
// needs, times all-reduce, all-gather, reduce-scatter and all-to-all at a few sizes (or
// finds them in `db`), fits alpha-beta per kind (CalibrateAlphaBeta) and sets the axis's
// latency and bandwidth to their means; other axes (and those spanning nodes, and those
// `fixed` by the caller) keep their links. Returns one line per axis saying which, e.g.
// "axis 0 (4): measured on <device>, alpha 12 us, 150 GB/s". `progress` (may be empty)
// gets done and total collectives after each; returning false cancels (kCancelled).
Result<std::vector<std::string>> CalibrateMeshLinks(Mesh &mesh, DeviceBackend &backend, ProfileDb &db,
                                                    uint32_t devices_per_node, const std::vector<bool> &fixed,
                                                    const std::function<bool(uint64_t, uint64_t)> &progress = {});

}  // namespace cfp
