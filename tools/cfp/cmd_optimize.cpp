// cfp optimize: find a plan and print it in a readable form.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>

#include "cancel_on_interrupt.h"
#include "cli.h"
#include "fewest_microbatches.h"
#include "progress_bar.h"
#include "util/file_io.h"

namespace cfp_cli {
namespace {

const char *kHelp =
    "usage: cfp optimize <graph.cfpg | model spec | preset> [options]\n"
    "\n"
    "Finds the plan of least predicted step time within the per-device memory budget.\n"
    "\n"
    "options:\n"
    "  --mesh AxB[xC]        logical device mesh, e.g. 8x8 (default 8)\n"
    "  --device NAME         a100-40gb | a100-80gb | h100-sxm | h200 (default h100-sxm)\n"
    "  --devices-per-node N  GPUs per node, for default links (default 8)\n"
    "  --links BW:LAT,...    per mesh axis: bandwidth in bytes/s and latency in s\n"
    "  --budget SIZE         memory budget per device, e.g. 70GiB (default: device memory)\n"
    "  --microbatches N      the graph is one micro-batch; a step runs N, then one update\n"
    "  --microbatches auto   (model specs) split the spec's batch into the fewest\n"
    "                        micro-batches for which a plan fits the budget\n"
    "  --cost MODEL          analytic | cuda (default analytic)\n"
    "  --profile-db FILE     profile database for --cost cuda (default\n"
    "                        ~/.cache/cfp/profile.cfpdb; $XDG_CACHE_HOME, $CFP_PROFILE_DB)\n"
    "  --threads N           worker threads (default: all)\n"
    "  --time-limit S        stop the search after S seconds and print the best plan found\n"
    "  --alpa                Alpa's test convention (alpha = beta = 1, compute free)\n"
    "  --json FILE           write the plan as JSON\n"
    "  --plan FILE           write the plan as FlatBuffers (.cfpp)\n"
    "  --svg FILE            draw the plan: strategy map, step-time breakdown, memory (SVG)\n"
    "  --all-layers          list every layer instead of merging identical ones\n";

using Graph = std::unique_ptr<cfp_graph, decltype(&cfp_graph_destroy)>;
using Options = std::unique_ptr<cfp_options, decltype(&cfp_options_destroy)>;
using Plan = std::unique_ptr<cfp_plan, decltype(&cfp_plan_destroy)>;
using Bytes = std::unique_ptr<cfp_bytes, decltype(&cfp_bytes_destroy)>;

// The weight operand of a contraction: a parameter, possibly through casts.
int WeightOperand(cfp_graph *g, uint32_t op) {
  uint32_t n = 0;
  Check(cfp_graph_op_input_count(g, op, &n), "op inputs");
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t t = 0;
    Check(cfp_graph_op_input(g, op, i, &t), "op input");
    for (int depth = 0; depth < 4; ++depth) {
      cfp_tensor_role role;
      Check(cfp_graph_tensor_role(g, t, &role), "tensor role");
      if (role == CFP_ROLE_PARAMETER) return static_cast<int>(i);
      uint32_t prod = CFP_NO_OP, k = 0;
      Check(cfp_graph_tensor_producer(g, t, &prod), "producer");
      if (prod == CFP_NO_OP) break;
      Check(cfp_graph_op_input_count(g, prod, &k), "op inputs");
      if (k != 1) break;
      Check(cfp_graph_op_input(g, prod, 0, &t), "op input");
    }
  }
  return -1;
}

// "a2<-[0] a0<-[1] : ac,cb->ab" in Megatron / data-parallel words: column(1) data(0).
std::string Words(cfp_graph *g, cfp_options *o, uint32_t op, uint32_t strategy) {
  char buf[512];
  size_t needed = 0;
  Check(cfp_op_strategy_describe(g, o, op, strategy, buf, sizeof buf, &needed), "describe strategy");
  std::string text = buf;
  auto sep = text.find(" : ");
  std::string assign = text.substr(0, sep), einsum = text.substr(sep + 3);
  if (assign == "replicated") return "replicated";
  auto arrow = einsum.find("->");
  std::string ins = einsum.substr(0, arrow), out = einsum.substr(arrow + 2);
  std::string lhs = ins.substr(0, ins.find(',')), rhs = ins.substr(ins.find(',') + 1);
  int weight = WeightOperand(g, op);
  std::string result;
  std::regex item(R"(a(\d+)<-\[(\d+)\])");
  for (std::sregex_iterator it(assign.begin(), assign.end(), item), end; it != end; ++it) {
    int axis = std::stoi((*it)[1]);
    std::string label = axis < 26 ? std::string(1, static_cast<char>('a' + axis)) : "?";
    bool in_l = lhs.find(label) != std::string::npos, in_r = rhs.find(label) != std::string::npos,
         in_o = out.find(label) != std::string::npos;
    std::string word;
    if (weight >= 0) {
      bool in_w = weight == 0 ? in_l : in_r, in_a = weight == 0 ? in_r : in_l;
      if (in_w && in_a && in_o) word = "batch";
      else if (in_w && in_o) word = "column";
      else if (in_w && in_a) word = "row";
      else word = "data";
    } else {
      if (in_l && in_r && in_o) word = "batch";
      else if (in_l && in_o) word = "lhs";
      else if (in_r && in_o) word = "rhs";
      else word = "contracted";
    }
    if (!result.empty()) result += " ";
    result += word + "(" + std::string((*it)[2]) + ")";
  }
  return result;
}

// "layers.12.attn" -> ("layers.#.attn", 12); scopes without a number keep themselves.
std::pair<std::string, long> SplitScope(const std::string &scope) {
  std::smatch m;
  static const std::regex num(R"(^(.*?\.)(\d+)(\..*|)$)");
  if (std::regex_match(scope, m, num)) return {std::string(m[1]) + "#" + std::string(m[3]), std::stol(m[2])};
  return {scope, -1};
}

void PrintLayers(cfp_graph *g, cfp_options *o, cfp_plan *p, uint32_t n_ops, bool all) {
  // Per scope, the strategies of its forward contractions, in order.
  std::vector<std::pair<std::string, std::string>> rows;
  std::map<std::string, size_t> row_of;
  for (uint32_t op = 0; op < n_ops; ++op) {
    cfp_op_kind kind;
    cfp_phase phase;
    Check(cfp_graph_op_kind(g, op, &kind), "op kind");
    Check(cfp_graph_op_phase(g, op, &phase), "op phase");
    if (kind != CFP_OP_DOT || phase != CFP_PHASE_FORWARD) continue;
    const char *scope = nullptr;
    Check(cfp_graph_op_scope(g, op, &scope), "op scope");
    std::string s = scope && *scope ? scope : "(no scope)";
    uint32_t strategy = 0;
    Check(cfp_plan_op_strategy(p, op, &strategy), "op strategy");
    auto [it, inserted] = row_of.try_emplace(s, rows.size());
    if (inserted) rows.emplace_back(s, "");
    std::string &text = rows[it->second].second;
    text += (text.empty() ? "" : " | ") + Words(g, o, op, strategy);
  }
  if (rows.empty()) return;
  std::printf("\nstrategies of the forward contractions, per scope (mesh axis in parentheses):\n");
  // Merge runs of scopes that differ only in their number and agree on the strategies;
  // interleaved patterns (layers.N.attn, layers.N.mlp) are merged each on its own.
  struct Entry {
    std::string pattern, text;
    long first, last;
    std::string label;
  };
  std::vector<Entry> entries;
  std::map<std::string, size_t> open;
  for (const auto &[scope, text] : rows) {
    auto [pattern, num] = SplitScope(scope);
    auto it = open.find(pattern);
    if (!all && num >= 0 && it != open.end() && entries[it->second].last + 1 == num && entries[it->second].text == text) {
      entries[it->second].last = num;
      continue;
    }
    entries.push_back({pattern, text, num, num, scope});
    if (num >= 0) open[pattern] = entries.size() - 1;
  }
  for (Entry &e : entries) {
    std::string label = e.label;
    if (e.last > e.first) {
      label = e.pattern;
      label.replace(label.find('#'), 1, std::to_string(e.first) + "-" + std::to_string(e.last));
    }
    std::printf("  %-28s %s\n", label.c_str(), e.text.c_str());
  }
}

void PrintCollectives(cfp_graph *g, cfp_plan *p) {
  uint32_t n = 0;
  Check(cfp_plan_collective_count(p, &n), "collectives");
  struct Sum {
    uint32_t count = 0;
    double bytes = 0, time = 0;
  };
  static const char *kKind[] = {"all-reduce", "all-gather", "reduce-scatter", "all-to-all"};
  static const char *kPhase[] = {"forward", "backward", "update", "end of step"};
  std::map<std::pair<int, int>, Sum> sums;
  for (uint32_t i = 0; i < n; ++i) {
    cfp_collective_kind kind;
    uint64_t bytes = 0;
    int64_t before = -1;
    double t = 0;
    Check(cfp_plan_collective(p, i, &kind, nullptr, nullptr, &bytes, &before, &t), "collective");
    int phase = 3;
    if (before >= 0) {
      cfp_phase ph;
      Check(cfp_graph_op_phase(g, static_cast<uint32_t>(before), &ph), "op phase");
      phase = ph;
    }
    Sum &s = sums[{phase, kind}];
    ++s.count;
    s.bytes += static_cast<double>(bytes);
    s.time += t;
  }
  std::printf("\ncollectives per step: %u\n", n);
  for (const auto &[key, s] : sums)
    std::printf("  %-12s %-15s %6u  %12s  %12s\n", kPhase[key.first], kKind[key.second], s.count, HumanBytes(s.bytes).c_str(),
                HumanTime(s.time).c_str());
}

}  // namespace

cfp_options *OptionsFromArgs(const Args &args) {
  // Every number is read before the first call, so a bad one is a usage error (exit 2)
  // whatever else the command line holds.
  const std::vector<uint32_t> mesh = ParseMesh("--mesh", args.Get("mesh", "8"));
  std::optional<uint32_t> devices_per_node, microbatches, threads;
  std::optional<uint64_t> budget;
  std::optional<double> time_limit;
  std::vector<std::pair<double, double>> links;
  if (args.Has("devices-per-node"))
    devices_per_node = static_cast<uint32_t>(ParseWholeNumber("--devices-per-node", args.Get("devices-per-node"), 1, kMaxCount));
  if (args.Has("links")) links = ParseLinks("--links", args.Get("links"), mesh.size());
  // "auto" is `cfp optimize`'s own search over micro-batch counts (fewest_microbatches.h).
  if (args.Has("microbatches") && args.Get("microbatches") != "auto")
    microbatches = static_cast<uint32_t>(ParseWholeNumber("--microbatches", args.Get("microbatches"), 1, kMaxCount));
  if (args.Has("budget")) budget = ParseSize("--budget", args.Get("budget"));
  if (args.Has("threads")) threads = static_cast<uint32_t>(ParseWholeNumber("--threads", args.Get("threads"), 1, kMaxThreads));
  if (args.Has("time-limit")) time_limit = ParseNonNegative("--time-limit", args.Get("time-limit"), "number of seconds");

  cfp_options *raw = nullptr;
  Check(cfp_options_create(&raw), "options");
  Options o(raw, cfp_options_destroy);
  if (args.Has("device")) Check(cfp_options_set_device(o.get(), args.Get("device").c_str()), "--device");
  if (devices_per_node) Check(cfp_options_set_devices_per_node(o.get(), *devices_per_node), "--devices-per-node");
  Check(cfp_options_set_mesh(o.get(), mesh.data(), mesh.size()), "--mesh");
  if (args.Has("alpa")) Check(cfp_options_use_alpa_test_convention(o.get()), "--alpa");
  for (uint32_t axis = 0; axis < links.size(); ++axis)
    Check(cfp_options_set_axis_link(o.get(), axis, links[axis].first, links[axis].second), "--links");
  if (microbatches) Check(cfp_options_set_microbatches(o.get(), *microbatches), "--microbatches");
  if (budget) Check(cfp_options_set_memory_budget(o.get(), *budget), "--budget");
  if (args.Has("cost")) Check(cfp_options_set_cost_model(o.get(), args.Get("cost").c_str()), "--cost");
  if (args.Has("profile-db")) Check(cfp_options_set_profile_db(o.get(), args.Get("profile-db").c_str()), "--profile-db");
  if (threads) Check(cfp_options_set_threads(o.get(), *threads), "--threads");
  if (time_limit) Check(cfp_options_set_time_limit(o.get(), *time_limit), "--time-limit");
  return o.release();
}

int CmdOptimize(int argc, char **argv) {
  Args args = ParseArgs(argc, argv, 2, {"help", "h", "alpa", "all-layers"});
  if (args.Has("help") || args.Has("h")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  static const std::vector<std::string> known = {"mesh", "device", "devices-per-node", "links", "budget", "cost", "profile-db",
                                                 "threads", "time-limit", "alpa", "json", "plan", "svg", "all-layers",
                                                 "microbatches"};
  for (const auto &[k, v] : args.options)
    if (std::find(known.begin(), known.end(), k) == known.end()) throw UsageError{"unknown option --" + k};
  if (args.positional.size() != 1) throw UsageError{"expects one graph file or model"};

  std::vector<uint32_t> mesh = ParseMesh("--mesh", args.Get("mesh", "8"));
  Options o(OptionsFromArgs(args), cfp_options_destroy);
  // An output that cannot be written fails now, not after a search of minutes.
  for (const char *output : {"json", "plan", "svg"})
    if (args.Has(output)) CheckOutputPath(std::string("--") + output, args.Get(output));
  const bool auto_split = args.Get("microbatches") == "auto";

  // Profiling can take minutes: show it, and let Ctrl-C stop it cleanly.
  const bool profiled = args.Get("cost", "analytic") == "cuda";
  ProgressBar bar = ProgressBar::OnStderr();
  std::unique_ptr<CancelOnInterrupt> interrupt;
  if (profiled) {
    Check(cfp_options_set_progress_callback(o.get(), ProgressBar::Callback, &bar), "progress");
    interrupt = std::make_unique<CancelOnInterrupt>(&bar);
  }
  Graph g(nullptr, cfp_graph_destroy);
  Plan p(nullptr, cfp_plan_destroy);
  MicrobatchSplit split;
  if (auto_split) {
    split = OptimizeWithFewestMicrobatches(args.positional[0], o.get());
    g.reset(split.graph);
    p.reset(split.plan);
  } else {
    g.reset(LoadGraphOrModel(args.positional[0]));
    cfp_plan *plan_raw = nullptr;
    const cfp_status optimized = cfp_optimize(g.get(), o.get(), &plan_raw);
    p.reset(plan_raw);
    bar.Finish();  // an error message starts on its own line
    if ((optimized == CFP_ERR_TIME_LIMIT || optimized == CFP_ERR_MEMORY_LIMIT) && p)
      std::fprintf(stderr, "cfp optimize: %s; showing the best plan found (not proven optimal)\n", cfp_last_error_message());
    else
      Check(optimized, "cannot optimize");
  }
  bar.Finish();
  interrupt.reset();

  const char *name = nullptr;
  uint32_t n_ops = 0;
  Check(cfp_graph_name(g.get(), &name), "graph name");
  Check(cfp_graph_op_count(g.get(), &n_ops), "op count");
  double step = 0, compute = 0, comm = 0;
  uint64_t mem = 0;
  int optimal = 0;
  Check(cfp_plan_step_time(p.get(), &step), "step time");
  Check(cfp_plan_compute_time(p.get(), &compute), "compute time");
  Check(cfp_plan_comm_time(p.get(), &comm), "comm time");
  Check(cfp_plan_peak_memory(p.get(), &mem), "memory");
  Check(cfp_plan_is_optimal(p.get(), &optimal), "optimality");
  auto stat = [&](cfp_stat s) {
    double v = 0;
    Check(cfp_plan_stat(p.get(), s, &v), "statistics");
    return v;
  };
  std::string mesh_text;
  for (size_t i = 0; i < mesh.size(); ++i) mesh_text += (i ? "x" : "") + std::to_string(mesh[i]);
  std::printf("plan for %s on a %s mesh (%s cost model)\n", name && *name ? name : "graph", mesh_text.c_str(),
              args.Get("cost", "analytic").c_str());
  if (args.Has("alpa"))
    std::printf("units         Alpa's test convention: every link 1 s per message and 1 s per byte, compute free\n");
  if (auto_split)
    std::printf("micro-batches %u of %lld samples per step (batch %lld)\n", split.microbatches,
                static_cast<long long>(split.microbatch), static_cast<long long>(split.batch));
  std::printf("step time     %s  (compute %s, communication %s)\n", HumanTime(step).c_str(), HumanTime(compute).c_str(),
              HumanTime(comm).c_str());
  std::printf("peak memory   %s per device\n", HumanBytes(static_cast<double>(mem)).c_str());
  std::printf("search        %s in %s (blocks %s, segments %s, costs %s, search %s)\n",
              optimal ? "proven optimal" : "best found (not proven optimal)",
              HumanTime(stat(CFP_STAT_TIME_BLOCKS) + stat(CFP_STAT_TIME_SEGMENTS) + stat(CFP_STAT_TIME_COSTS) +
                        stat(CFP_STAT_TIME_SEARCH))
                  .c_str(),
              HumanTime(stat(CFP_STAT_TIME_BLOCKS)).c_str(), HumanTime(stat(CFP_STAT_TIME_SEGMENTS)).c_str(),
              HumanTime(stat(CFP_STAT_TIME_COSTS)).c_str(), HumanTime(stat(CFP_STAT_TIME_SEARCH)).c_str());
  std::printf("structure     %u ops, %.0f blocks (%.0f ops in blocks without a contraction or parameter entry), "
              "%.0f segments (%.0f unique), %.0f configurations costed\n",
              n_ops, stat(CFP_STAT_BLOCKS), stat(CFP_STAT_OPS_OUTSIDE_BLOCKS), stat(CFP_STAT_SEGMENTS),
              stat(CFP_STAT_UNIQUE_SEGMENTS), stat(CFP_STAT_CONFIGURATIONS_COSTED));
  if (profiled) {
    std::printf("profiling     %.0f configurations profiled, %.0f reused from the profile DB\n",
                stat(CFP_STAT_CONFIGURATIONS_PROFILED), stat(CFP_STAT_CONFIGURATIONS_REUSED));
    size_t needed = 0;
    cfp_plan_cost_notes(p.get(), nullptr, 0, &needed);
    std::string notes(needed, '\0');
    Check(cfp_plan_cost_notes(p.get(), notes.data(), notes.size(), &needed), "cost notes");
    notes.resize(needed ? needed - 1 : 0);
    std::stringstream lines(notes);
    for (std::string line; std::getline(lines, line);) std::printf("  %s\n", line.c_str());
  }

  PrintLayers(g.get(), o.get(), p.get(), n_ops, args.Has("all-layers"));
  PrintCollectives(g.get(), p.get());

  // Every output goes through the library's file writer: a file is replaced atomically, a
  // pipe or device is written as it is.
  auto write_file = [](const std::string &option, const std::string &path, const void *data, size_t size) {
    std::fflush(stdout);  // the report first, should the output be /dev/stdout
    const cfp::Status written = cfp::WriteFileAtomically(path, data, size);
    if (!written.ok()) throw CfpError{option + ": " + written.message()};
  };
  auto write = [&](const char *option, cfp_status (*fn)(const cfp_plan *, cfp_bytes **), const char *what) {
    cfp_bytes *b = nullptr;
    Check(fn(p.get(), &b), what);
    Bytes bytes(b, cfp_bytes_destroy);
    write_file(std::string("--") + option, args.Get(option), cfp_bytes_data(b), cfp_bytes_size(b));
  };
  if (args.Has("json")) write("json", cfp_plan_to_json, "JSON");
  if (args.Has("plan")) write("plan", cfp_plan_to_buffer, "plan");
  if (args.Has("svg")) {
    const std::string svg = PlanSvg(g.get(), o.get(), p.get(), mesh, name && *name ? name : "graph");
    write_file("--svg", args.Get("svg"), svg.data(), svg.size());
  }
  return 0;
}

}  // namespace cfp_cli
