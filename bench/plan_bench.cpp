// plan_bench: libcfp against the Alpa-style ILP and hand-written plans, on the model zoo's
// GPT, LLaMA and MoE presets and meshes 1x8, 2x4, 8x8 (issue 7). One run writes a Markdown
// report, a CSV and the scaling plot; bench/RESULTS.md records a full run.
//
//   plan_bench                 full run (README numbers): every model, ILP limit 600 s
//   plan_bench --quick         small models, 10 s ILP limit (CI)
//   plan_bench --help          every option
//
// Each case runs in child processes of this program (--worker), so peak memory is per case
// and a solver past its limit can be stopped.
#include <cfp.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_record.h"
#include "bench_report.h"
#include "bench_workers.h"
#include "subprocess.h"

namespace cfp_bench {
namespace {

const char *kHelp =
    "usage: plan_bench [options]\n"
    "\n"
    "  --quick               small models, meshes 1x8 and 2x4, ILP limit 10 s, libcfp limit 60 s\n"
    "  --models a,b,...      labels of the models to run (default: all of the mode)\n"
    "  --meshes 1x8,2x4,...  meshes (default 1x8,2x4,8x8)\n"
    "  --no-ilp              skip the ILP baseline\n"
    "  --no-sweep            skip the scaling sweep (GPT-3 350M with 1, 2, 4, 8 layers)\n"
    "  --sweep-meshes LIST   meshes of the sweep (default 2x4)\n"
    "  --ilp-time-limit S    CBC's time limit (default 600, as Alpa)\n"
    "  --ilp-limits K=S,...  per-case ILP limits; K is a model label, a mesh or label@mesh\n"
    "                        (the most specific wins; 0 skips), e.g. 1x8=120,gpt3-175b@1x8=400,8x8=0\n"
    "  --ilp-no-follow       without Alpa's following merges\n"
    "  --ilp-max-columns N   do not build ILPs with more columns (default: no cap)\n"
    "  --ilp-memory-gib G    address-space cap of the ILP process (default 12)\n"
    "  --cfp-time-limit S    libcfp's search time limit (default 600)\n"
    "  --threads N           libcfp worker threads (default: all)\n"
    "  --out DIR             where plan_bench.{md,csv} and scaling.svg go (default plan_bench_out)\n";

struct Case {
  std::string label, spec;
  bool sweep = false;
};

// The per-step batch of every case is 8 sequences, a micro-batch as in Alpa's and CFP's
// experiments (the presets' batches are whole pipeline batches that do not fit 8 GPUs).
std::vector<Case> FullCases() {
  return {{"gpt3-350m", "gpt3-350m:batch=8"},   {"gpt3-1.3b", "gpt3-1.3b:batch=8"},
          {"gpt3-6.7b", "gpt3-6.7b:batch=8"},   {"gpt3-13b", "gpt3-13b:batch=8"},
          {"gpt3-175b", "gpt3-175b:batch=8"},   {"llama2-7b", "llama2-7b:batch=8"},
          {"llama2-70b", "llama2-70b:batch=8"}, {"gshard-moe-2.4b", "gshard-moe-2.4b:batch=8"}};
}

std::vector<Case> SweepCases() {
  std::vector<Case> out;
  for (int layers : {1, 2, 4, 8})
    out.push_back({"gpt3-350m/" + std::to_string(layers) + "L", "gpt3-350m:batch=8,layers=" + std::to_string(layers), true});
  return out;
}

std::vector<Case> QuickCases() {
  return {{"gpt-tiny-1L", "gpt:layers=1,hidden=128,heads=4,seq=64,batch=8,vocab=512"},
          {"gpt-tiny-2L", "gpt:layers=2,hidden=128,heads=4,seq=64,batch=8,vocab=512"},
          {"llama-tiny-2L", "llama:layers=2,hidden=128,heads=4,kv_heads=2,seq=64,batch=8,vocab=512"},
          {"moe-tiny-2L", "moe:layers=2,hidden=128,heads=4,seq=64,batch=8,vocab=512,experts=4"}};
}

std::vector<std::string> Split(const std::string &s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep))
    if (!part.empty()) out.push_back(part);
  return out;
}

std::vector<uint32_t> ParseMesh(const std::string &s) {
  std::vector<uint32_t> shape;
  for (const std::string &p : Split(s, 'x')) shape.push_back(static_cast<uint32_t>(std::stoul(p)));
  if (shape.empty() || shape.size() > 3) throw std::invalid_argument("bad mesh '" + s + "'");
  return shape;
}

std::string Machine() {
  std::ifstream cpu("/proc/cpuinfo");
  std::string line, model;
  while (std::getline(cpu, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  std::ifstream mem("/proc/meminfo");
  double gib = 0;
  while (std::getline(mem, line))
    if (line.rfind("MemTotal:", 0) == 0) gib = std::stod(line.substr(9)) / (1024.0 * 1024.0);
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s, %ld cores, %.0f GiB RAM", model.c_str(), sysconf(_SC_NPROCESSORS_ONLN), gib);
  return buf;
}

void WriteFile(const std::string &path, const std::string &text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + path);
}

struct Settings {
  bool quick = false, ilp = true, sweep = true, ilp_follow = true;
  std::vector<std::string> models, meshes{"1x8", "2x4", "8x8"}, sweep_meshes{"2x4"};
  double ilp_time_limit = 600, cfp_time_limit = 600, ilp_memory_gib = 12;
  std::vector<std::pair<std::string, double>> ilp_limits;  // --ilp-limits, in order given
  uint64_t ilp_max_columns = 0;
  uint32_t threads = 0;
  std::string out = "plan_bench_out";
};

std::vector<std::pair<std::string, double>> ParseLimits(const std::string &list) {
  std::vector<std::pair<std::string, double>> out;
  for (const std::string &item : Split(list, ',')) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw std::invalid_argument("--ilp-limits wants KEY=SECONDS, got '" + item + "'");
    out.emplace_back(item.substr(0, eq), std::stod(item.substr(eq + 1)));
  }
  return out;
}

// The ILP limit of one case: label@mesh over label over mesh over the run's default, so a
// whole run fits a time budget while the cases that matter most get the time to finish.
double IlpLimit(const Settings &s, const std::string &label, const std::string &mesh) {
  double limit = s.ilp_time_limit;
  int rank = 0;
  for (const auto &[key, seconds] : s.ilp_limits) {
    const int r = key == label + "@" + mesh ? 3 : key == label ? 2 : key == mesh ? 1 : 0;
    if (r > 0 && r >= rank) limit = seconds, rank = r;
  }
  return limit;
}

std::vector<std::string> WorkerArgv(const std::string &kind, const std::string &spec, const std::string &mesh,
                                    const Settings &s, double budget, double ilp_limit) {
  std::vector<std::string> argv = {"/proc/self/exe", "--worker", kind, "--spec", spec, "--mesh", mesh,
                                   "--threads", std::to_string(s.threads), "--cfp-time-limit",
                                   std::to_string(s.cfp_time_limit), "--ilp-time-limit", std::to_string(ilp_limit),
                                   "--budget", std::to_string(budget), "--ilp-max-columns",
                                   std::to_string(s.ilp_max_columns)};
  if (!s.ilp_follow) argv.push_back("--ilp-no-follow");
  return argv;
}

// Runs a worker and merges what it printed; a crash or a kill becomes a note in the row.
void RunWorker(const std::vector<std::string> &argv, double limit, uint64_t address_space, const std::string &prefix,
               Record &rec) {
  ChildResult r = RunChild(argv, limit, address_space);
  Record got;
  got.Parse(r.output);
  rec.Merge(got);
  rec.Set(prefix + "_wall_s", r.wall_seconds);
  rec.Set(prefix + "_rss_bytes", r.peak_rss_bytes);
  if (r.killed_at_limit) {
    rec.Set(prefix + "_status", "killed at " + std::to_string(static_cast<int>(limit)) + " s");
    rec.Set("child_error", prefix + " worker killed after " + std::to_string(static_cast<int>(limit)) + " s");
  } else if (r.signal != 0) {
    rec.Set(prefix + "_status", std::string("crashed (") + strsignal(r.signal) + ")");
    rec.Set("child_error", prefix + " worker ended by signal " + std::to_string(r.signal) + " (" + strsignal(r.signal) + ")");
  } else if (r.exit_code != 0 && !got.Has(prefix + "_error") && !got.Has("worker_error")) {
    rec.Set("child_error", prefix + " worker exited with " + std::to_string(r.exit_code));
  }
}

int Main(int argc, char **argv) {
  Settings s;
  std::string command = "plan_bench";
  for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
  bool models_given = false, meshes_given = false, limit_given = false, cfp_limit_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    } else if (a == "--quick") s.quick = true;
    else if (a == "--no-ilp") s.ilp = false;
    else if (a == "--no-sweep") s.sweep = false;
    else if (a == "--ilp-no-follow") s.ilp_follow = false;
    else if (a == "--models") s.models = Split(value(), ','), models_given = true;
    else if (a == "--meshes") s.meshes = Split(value(), ','), meshes_given = true;
    else if (a == "--sweep-meshes") s.sweep_meshes = Split(value(), ',');
    else if (a == "--ilp-time-limit") s.ilp_time_limit = std::stod(value()), limit_given = true;
    else if (a == "--ilp-limits") s.ilp_limits = ParseLimits(value());
    else if (a == "--cfp-time-limit") s.cfp_time_limit = std::stod(value()), cfp_limit_given = true;
    else if (a == "--ilp-max-columns") s.ilp_max_columns = std::stoull(value());
    else if (a == "--ilp-memory-gib") s.ilp_memory_gib = std::stod(value());
    else if (a == "--threads") s.threads = static_cast<uint32_t>(std::stoul(value()));
    else if (a == "--out") s.out = value();
    else throw std::invalid_argument("unknown option " + a + " (see --help)");
  }
  if (s.quick) {
    if (!meshes_given) s.meshes = {"1x8", "2x4"};
    if (!limit_given) s.ilp_time_limit = 10;
    if (!cfp_limit_given) s.cfp_time_limit = 60;
    s.sweep = false;
  }
  for (const std::string &m : s.meshes) ParseMesh(m);

  std::vector<Case> cases = s.quick ? QuickCases() : FullCases();
  if (s.sweep) {
    auto sweep = SweepCases();
    cases.insert(cases.end(), sweep.begin(), sweep.end());
  }
  if (models_given) {
    std::vector<Case> picked;
    for (const std::string &name : s.models) {
      bool found = false;
      for (const Case &c : s.quick ? QuickCases() : FullCases())
        if (c.label == name) picked.push_back(c), found = true;
      for (const Case &c : SweepCases())
        if (c.label == name) picked.push_back(c), found = true;
      if (!found) picked.push_back({name, name});  // any model spec or preset
    }
    cases = picked;
  }

  mkdir(s.out.c_str(), 0755);
  ReportContext ctx;
  ctx.command = command;
  ctx.machine = Machine();
  ctx.ilp_time_limit = s.ilp ? s.ilp_time_limit : 0;
  for (const auto &[key, seconds] : s.ilp_limits) ctx.ilp_limit_overrides.emplace_back(key, seconds);
  ctx.library_version = cfp_version_string();
  std::vector<CaseRow> rows;
  const uint64_t ilp_address_space = static_cast<uint64_t>(s.ilp_memory_gib * 1024 * 1024 * 1024);
  const double cfp_kill = s.cfp_time_limit > 0 ? 3 * s.cfp_time_limit + 300 : 0;
  for (const Case &c : cases)
    for (const std::string &mesh : c.sweep ? s.sweep_meshes : s.meshes) {
      CaseRow row{c.label, c.spec, mesh, c.sweep, {}};
      std::fprintf(stderr, "plan_bench: %s on %s: libcfp ...\n", c.label.c_str(), mesh.c_str());
      const double ilp_limit = IlpLimit(s, c.label, mesh);
      RunWorker(WorkerArgv("cfp", c.spec, mesh, s, 0, ilp_limit), cfp_kill, 0, "worker", row.rec);
      if (s.ilp && ilp_limit > 0) {  // a limit of 0 skips the ILP of the case
        const double budget = row.rec.Number("budget_bytes").value_or(0);
        const double ilp_kill = 1.5 * ilp_limit + 120;
        row.rec.Set("ilp_limit_s", ilp_limit);
        std::fprintf(stderr, "plan_bench: %s on %s: ILP ...\n", c.label.c_str(), mesh.c_str());
        RunWorker(WorkerArgv("ilp", c.spec, mesh, s, budget, ilp_limit), ilp_kill, ilp_address_space, "ilp", row.rec);
      }
      rows.push_back(std::move(row));
      // Rewritten after every case, so a long run's partial results are never lost.
      const std::string md = MarkdownReport(rows, ctx);
      WriteFile(s.out + "/plan_bench.md", md);
      WriteFile(s.out + "/plan_bench.csv", CsvReport(rows));
      WriteFile(s.out + "/scaling.svg", ScalingSvg(rows, ctx));
    }
  std::fputs(MarkdownReport(rows, ctx).c_str(), stdout);
  std::fprintf(stderr, "plan_bench: wrote %s/plan_bench.md, plan_bench.csv, scaling.svg\n", s.out.c_str());
  return 0;
}

int WorkerMain(int argc, char **argv) {
  WorkerArgs a;
  std::string kind;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(k + " needs a value");
      return argv[++i];
    };
    if (k == "--worker") kind = value();
    else if (k == "--spec") a.spec = value();
    else if (k == "--mesh") a.mesh = ParseMesh(value());
    else if (k == "--threads") a.threads = static_cast<uint32_t>(std::stoul(value()));
    else if (k == "--cfp-time-limit") a.cfp_time_limit = std::stod(value());
    else if (k == "--ilp-time-limit") a.ilp_time_limit = std::stod(value());
    else if (k == "--budget") a.budget = std::stod(value());
    else if (k == "--ilp-max-columns") a.ilp_max_columns = std::stoull(value());
    else if (k == "--ilp-no-follow") a.ilp_follow = false;
    else if (k == "--ilp-verbose") a.ilp_verbose = true;
    else throw std::invalid_argument("unknown worker option " + k);
  }
  if (kind == "cfp") return RunCfpWorker(a);
  if (kind == "ilp") return RunIlpWorker(a);
  throw std::invalid_argument("unknown worker '" + kind + "'");
}

}  // namespace
}  // namespace cfp_bench

int main(int argc, char **argv) {
  try {
    if (argc > 1 && std::strcmp(argv[1], "--worker") == 0) return cfp_bench::WorkerMain(argc, argv);
    return cfp_bench::Main(argc, argv);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "plan_bench: %s\n", e.what());
    return 2;
  }
}
