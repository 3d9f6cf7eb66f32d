#include "profile/profiled_costs.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <unordered_map>

#include "profile/collective_model.h"
#include "util/hash.h"

namespace cfp {

namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A tensor's shape on one device: each dim divided by the sizes of the mesh axes that
// split it. A pending sum has the full local shape.
std::vector<int64_t> LocalShape(const std::vector<int64_t> &shape, const ShardingSpec &spec, const Mesh &mesh) {
  std::vector<int64_t> local = shape;
  for (size_t d = 0; d < local.size() && d < spec.dims.size(); ++d) {
    int64_t split = 1;
    for (uint8_t i = 0; i < spec.dims[d].count; ++i) split *= mesh.size(spec.dims[d].axes[i]);
    local[d] = (local[d] + split - 1) / split;
  }
  return local;
}

std::string_view BlockKindName(BlockKind k) {
  switch (k) {
    case BlockKind::Contraction: return "contraction";
    case BlockKind::Parameter: return "parameter";
    case BlockKind::Other: return "other";
  }
  return "other";
}

std::string DescribeBlock(const Graph &g, const Block &b) {
  std::string name;
  if (b.entry_op != kNoId) name = g.op(b.entry_op).name;
  else if (b.entry_tensor != kNoId) name = g.tensor(b.entry_tensor).name;
  else if (!b.members.empty()) name = g.op(b.members.front()).name;
  return std::string(BlockKindName(b.kind)) + " block of '" + name + "' (" + std::to_string(b.members.size()) + " ops)";
}

// The strategy part of the DB key: the mesh (local shapes depend on its sizes), the entry
// strategy for people to read, and a hash of every member's strategy (what the program is).
std::string StrategyKeyText(const CostModel &model, const Block &block, const Strategy &entry,
                            const std::vector<uint32_t> &member_choice) {
  const int axes = model.mesh().num_axes();
  Hasher h;
  for (size_t i = 0; i < block.members.size(); ++i)
    h.AddString(model.strategies(block.members[i])[member_choice[i]].ToString(axes));
  char members[24];
  std::snprintf(members, sizeof members, "%016llx", static_cast<unsigned long long>(h.value()));
  return "mesh " + model.mesh().ToString() + "; " + entry.ToString(axes) + "; members " + members;
}

}  // namespace

Result<Graph> LocalProgram(const CostModel &model, const Block &block, const std::vector<uint32_t> &member_choice) {
  const Graph &g = model.graph();
  const Mesh &mesh = model.mesh();
  std::vector<Tensor> tensors;
  std::vector<Op> ops;
  std::unordered_map<uint32_t, uint32_t> produced;                     // graph tensor -> program tensor
  std::map<std::pair<uint32_t, std::vector<int64_t>>, uint32_t> read;  // (graph tensor, local shape) -> input
  auto input_for = [&](uint32_t t, std::vector<int64_t> shape) {
    if (auto it = produced.find(t); it != produced.end() && tensors[it->second].shape == shape) return it->second;
    auto [it, inserted] = read.try_emplace({t, shape}, static_cast<uint32_t>(tensors.size()));
    if (inserted) {
      Tensor copy = g.tensor(t);
      copy.shape = std::move(shape);
      copy.gradient_of = copy.updates = -1;
      if (copy.role == TensorRole::Gradient) copy.role = TensorRole::Activation;
      tensors.push_back(std::move(copy));
    }
    return it->second;
  };
  for (size_t i = 0; i < block.members.size(); ++i) {
    const uint32_t op = block.members[i];
    const Op &o = g.op(op);
    const Strategy &s = model.strategies(op)[member_choice[i]];
    Op local;
    local.name = o.name;
    local.kind = o.kind;
    local.attrs = o.attrs;
    local.scope = o.scope;
    local.phase = o.phase;
    for (uint32_t slot = 0; slot < o.inputs.size(); ++slot)
      local.inputs.push_back(input_for(o.inputs[slot], LocalShape(g.tensor(o.inputs[slot]).shape, model.InputSpec(op, slot, s), mesh)));
    for (uint32_t slot = 0; slot < o.outputs.size(); ++slot) {
      Tensor out = g.tensor(o.outputs[slot]);
      out.shape = LocalShape(out.shape, model.OutputSpec(op, slot, s), mesh);
      out.role = TensorRole::Activation;
      out.gradient_of = out.updates = -1;
      produced[o.outputs[slot]] = static_cast<uint32_t>(tensors.size());
      local.outputs.push_back(static_cast<uint32_t>(tensors.size()));
      tensors.push_back(std::move(out));
    }
    ops.push_back(std::move(local));
  }
  auto program = Graph::Create(g.name() + ":" + DescribeBlock(g, block), std::move(tensors), std::move(ops));
  if (!program.ok())
    return Unsupported("the local program of the " + DescribeBlock(g, block) + " is not a valid graph: " +
                       program.status().message());
  return program;
}

DType DominantDType(const CostModel &model, const Block &block) {
  const Graph &g = model.graph();
  std::map<DType, double> bytes;  // a double: tensors of up to 2^63 bytes each can pass int64
  for (uint32_t op : block.members) {
    for (uint32_t t : g.op(op).inputs) bytes[g.tensor(t).dtype] += static_cast<double>(g.tensor(t).Bytes());
    for (uint32_t t : g.op(op).outputs) bytes[g.tensor(t).dtype] += static_cast<double>(g.tensor(t).Bytes());
  }
  DType best = DType::F32;
  double most = -1;
  for (const auto &[dtype, n] : bytes)  // ties: the lowest dtype value, for a stable key
    if (n > most) {
      most = n;
      best = dtype;
    }
  return best;
}

Result<std::shared_ptr<const ComputeOverride>> ProfileBlockTypes(const ProfilingInputs &in, DeviceBackend &backend,
                                                                 ProfileDb &db, ProfilingReport &report) {
  const auto start = Clock::now();
  const CostModel &model = *in.model;
  const BlockPartition &blocks = model.blocks();
  const BlockTypes &types = *in.types;
  const std::vector<std::vector<uint32_t>> &instances = types.instances;
  const std::vector<BlockTable> &tables = *in.rows;
  const Graph &g = model.graph();
  report = ProfilingReport{};
  report.device = backend.DeviceName();
  report.library_version = backend.LibraryVersion();
  for (const std::string &w : db.warnings()) report.warnings.push_back(w);
  for (const BlockTable &t : tables) report.configurations += t.member_choice.size();

  auto table = std::make_shared<ComputeOverride>(g.num_ops());
  uint64_t done = 0;
  if (in.progress && !in.progress(0, report.configurations)) return Status(Code::kCancelled, "cancelled by the progress callback");
  for (uint32_t ti = 0; ti < instances.size(); ++ti) {
    const auto type_start = Clock::now();
    const Block &rep = blocks.blocks[instances[ti][0]];
    const BlockTable &bt = tables[ti];
    const std::vector<Strategy> entry = EntryStrategies(rep, model);
    const DType dtype = DominantDType(model, rep);
    ProfiledBlockType type;
    type.fingerprint = types.fingerprint[instances[ti][0]];
    type.representative = instances[ti][0];
    type.instances = static_cast<uint32_t>(instances[ti].size());
    type.description = DescribeBlock(g, rep);
    type.configurations = static_cast<uint32_t>(bt.member_choice.size());
    // Seconds per run of member i under strategy c, from the first k measured with it.
    std::map<std::pair<uint32_t, uint32_t>, double> per_member;
    std::string fallback_reason;
    for (uint32_t k = 0; k < bt.member_choice.size(); ++k) {
      const std::vector<uint32_t> &members = bt.member_choice[k];
      ProfileKey key{type.fingerprint, StrategyKeyText(model, rep, entry[bt.entry_of_row[k]], members), report.device, dtype,
                     report.library_version};
      double analytic = 0;
      for (size_t i = 0; i < rep.members.size(); ++i)
        analytic += model.AnalyticRunTime(rep.members[i], model.strategies(rep.members[i])[members[i]]);
      std::optional<double> measured;
      if (auto found = db.Find(key)) {
        measured = found->seconds;
        ++type.reused;
        ++report.reused;
      } else {
        Result<double> t = [&]() -> Result<double> {
          CFP_ASSIGN_OR_RETURN(Graph program, LocalProgram(model, rep, members));
          return backend.TimeProgram(program);
        }();
        if (t.ok()) {
          measured = *t;
          CFP_RETURN_IF_ERROR(db.Put(key, Measurement{*t, 0, 0, static_cast<int64_t>(std::time(nullptr))}));
          ++type.profiled;
          ++report.profiled;
        } else if (t.status().code() == Code::kUnsupported) {
          ++type.fell_back;
          ++report.fell_back;
          if (fallback_reason.empty()) fallback_reason = t.status().message();
        } else {
          return Status(t.status().code(), "profiling the " + type.description + " under " +
                                               entry[k].ToString(model.mesh().num_axes()) + ": " + t.status().message());
        }
      }
      if (measured) {
        type.measured_seconds += *measured;
        type.analytic_seconds += analytic;
        for (size_t i = 0; i < rep.members.size(); ++i) {
          const uint32_t op = rep.members[i];
          const double share = analytic > 0 ? model.AnalyticRunTime(op, model.strategies(op)[members[i]]) / analytic
                                            : 1.0 / static_cast<double>(rep.members.size());
          per_member.try_emplace({static_cast<uint32_t>(i), members[i]}, *measured * share);
        }
      }
      ++done;
      if (in.progress && !in.progress(done, report.configurations))
        return Status(Code::kCancelled, "cancelled by the progress callback");
    }
    for (uint32_t b : instances[ti])
      for (const auto &[member, seconds] : per_member) table->Set(blocks.blocks[b].members[member.first], member.second, seconds);
    if (type.fell_back)
      report.warnings.push_back(std::to_string(type.fell_back) + " of " + std::to_string(type.configurations) +
                                " strategies of the " + type.description + " use the analytic time: " + fallback_reason);
    type.profiling_seconds = Since(type_start);
    report.types.push_back(std::move(type));
  }
  report.seconds = Since(start);
  return std::shared_ptr<const ComputeOverride>(std::move(table));
}

std::string FormatProfilingReport(const ProfilingReport &r) {
  char line[512];
  std::snprintf(line, sizeof line,
                "profiled on %s (%s): %llu block configurations, %llu profiled, %llu reused, %llu analytic fallbacks "
                "in %.3f s; profile DB %s\n",
                r.device.c_str(), r.library_version.c_str(), static_cast<unsigned long long>(r.configurations),
                static_cast<unsigned long long>(r.profiled), static_cast<unsigned long long>(r.reused),
                static_cast<unsigned long long>(r.fell_back), r.seconds, r.db_path.c_str());
  std::string out = line;
  for (const std::string &l : r.links) out += "links: " + l + "\n";
  for (const std::string &w : r.warnings) out += "warning: " + w + "\n";
  out += "block types (instances, configurations, profiled, reused, measured and roofline time of one run of every "
         "configuration, profiling time):\n";
  for (const ProfiledBlockType &t : r.types) {
    std::snprintf(line, sizeof line, "  %016llx  %4ux  %3u configs  %3u profiled  %3u reused  measured %.4g s  roofline %.4g s  "
                  "%.3f s  %s\n",
                  static_cast<unsigned long long>(t.fingerprint), t.instances, t.configurations, t.profiled, t.reused,
                  t.measured_seconds, t.analytic_seconds, t.profiling_seconds, t.description.c_str());
    out += line;
  }
  return out;
}

Result<std::vector<std::string>> CalibrateMeshLinks(Mesh &mesh, DeviceBackend &backend, ProfileDb &db,
                                                    uint32_t devices_per_node, const std::vector<bool> &fixed,
                                                    const std::function<bool(uint64_t, uint64_t)> &progress) {
  static constexpr uint64_t kSizes[] = {uint64_t{1} << 20, uint64_t{1} << 24, uint64_t{1} << 26};
  static constexpr CollectiveKind kKinds[] = {CollectiveKind::AllReduce, CollectiveKind::AllGather,
                                              CollectiveKind::ReduceScatter, CollectiveKind::AllToAll};
  const int visible = backend.VisibleDevices();
  const std::string device = backend.DeviceName(), version = backend.LibraryVersion();
  const std::string topology = "1x" + std::to_string(visible);
  auto measurable = [&](int m, uint64_t span) {
    const uint32_t n = mesh.size(m);
    return n >= 2 && !(m < static_cast<int>(fixed.size()) && fixed[m]) && static_cast<int64_t>(n) <= visible &&
           span <= devices_per_node;
  };
  uint64_t total = 0, done = 0;
  for (uint64_t m = mesh.num_axes(), span = 1; m-- > 0;) {
    span *= mesh.size(static_cast<int>(m));
    if (measurable(static_cast<int>(m), span)) total += std::size(kKinds) * std::size(kSizes);
  }
  auto report = [&]() -> Status {
    if (progress && total > 0 && !progress(done, total)) return Status(Code::kCancelled, "cancelled by the progress callback");
    return Status::Ok();
  };
  CFP_RETURN_IF_ERROR(report());
  std::vector<std::string> lines;
  uint64_t span = 1;  // devices from the innermost axis out to this one
  for (int m = mesh.num_axes() - 1; m >= 0; --m) {
    const uint32_t n = mesh.size(m);
    span *= n;
    const std::string head = "axis " + std::to_string(m) + " (" + std::to_string(n) + "): ";
    char preset[96];
    std::snprintf(preset, sizeof preset, "alpha %.3g us, %.4g GB/s", mesh.axis(m).latency * 1e6, mesh.axis(m).bandwidth / 1e9);
    if (n < 2) {
      lines.insert(lines.begin(), head + "no communication");
      continue;
    }
    if (m < static_cast<int>(fixed.size()) && fixed[m]) {
      lines.insert(lines.begin(), head + "links as set, " + preset);
      continue;
    }
    if (static_cast<int64_t>(n) > visible || span > devices_per_node) {
      const std::string why = static_cast<int64_t>(n) > visible
                                  ? std::to_string(n) + " devices needed, " + std::to_string(visible) + " visible"
                                  : "the axis spans nodes";
      lines.insert(lines.begin(), head + "device preset, " + preset + " (" + why + ")");
      continue;
    }
    auto fit_axis = [&]() -> Result<AlphaBeta> {
      AlphaBeta mean;
      for (CollectiveKind kind : kKinds) {
        std::vector<std::pair<uint64_t, double>> points;
        for (uint64_t bytes : kSizes) {
          CollectiveKey key{kind, n, bytes, device, topology, version};
          ++done;
          if (auto found = db.FindCollective(key)) {
            points.emplace_back(bytes, found->seconds);
            continue;
          }
          CFP_ASSIGN_OR_RETURN(double t, backend.TimeCollective(kind, bytes, static_cast<int>(n)));
          CFP_RETURN_IF_ERROR(db.PutCollective(key, Measurement{t, 0, 0, static_cast<int64_t>(std::time(nullptr))}));
          points.emplace_back(bytes, t);
          CFP_RETURN_IF_ERROR(report());
        }
        CFP_ASSIGN_OR_RETURN(AlphaBeta fit, FitAlphaBeta(kind, static_cast<int>(n), points));
        mean.alpha += fit.alpha / std::size(kKinds);
        mean.bandwidth += fit.bandwidth / std::size(kKinds);
      }
      return mean;
    };
    Result<AlphaBeta> fitted = fit_axis();
    if (!fitted.ok() && fitted.status().code() == Code::kCancelled) return fitted.status();
    if (!fitted.ok() && fitted.status().code() == Code::kUnsupported) {
      lines.insert(lines.begin(), head + "device preset, " + preset + " (" + fitted.status().message() + ")");
      continue;
    }
    if (!fitted.ok()) return Status(fitted.status().code(), "calibrating mesh " + head + fitted.status().message());
    const double alpha = fitted->alpha, bandwidth = fitted->bandwidth;
    mesh.mutable_axis(m).latency = alpha;
    mesh.mutable_axis(m).bandwidth = bandwidth;
    char measured[96];
    std::snprintf(measured, sizeof measured, "alpha %.3g us, %.4g GB/s", alpha * 1e6, bandwidth / 1e9);
    lines.insert(lines.begin(), head + "measured on " + device + ", " + measured);
  }
  return lines;
}

}  // namespace cfp
