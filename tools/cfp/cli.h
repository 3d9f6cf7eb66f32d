// Shared pieces of the `cfp` command-line tool. The tool uses only the public C API.
#pragma once

#include <cfp.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cfp_cli {

// Parsed command line: positional arguments and --key value / --flag options.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  bool Has(const std::string &k) const { return options.count(k) != 0; }
  std::string Get(const std::string &k, const std::string &fallback = {}) const {
    auto it = options.find(k);
    return it == options.end() ? fallback : it->second;
  }
};

// `flags` lists options that take no value. Throws UsageError on unknown syntax.
Args ParseArgs(int argc, char **argv, int first, const std::vector<std::string> &flags);

struct UsageError {
  std::string message;
};
struct CfpError {
  std::string message;
};

// Throws CfpError("what: message") when status is not CFP_OK.
void Check(cfp_status status, const std::string &what);

// Loads a graph from a .cfpg file, or builds a model when `arg` is a model spec or preset
// rather than a path.
cfp_graph *LoadGraphOrModel(const std::string &arg);

// Options from the flags `cfp optimize` and `cfp profile` share (--mesh, --device,
// --devices-per-node, --links, --alpa, --microbatches, --budget, --cost, --profile-db,
// --threads, --time-limit). Caller owns the result.
cfp_options *OptionsFromArgs(const Args &args);

std::string HumanCount(double v);   // 1.2K, 3.4M, 175.0B
std::string HumanBytes(double v);   // 1.5 GiB
std::string HumanTime(double s);    // 12.3 ms

// The plan as an SVG picture: per-layer strategy map over the mesh axes, step-time
// breakdown by collective kind, memory per device against the budget.
std::string PlanSvg(cfp_graph *g, cfp_options *o, cfp_plan *p, const std::vector<uint32_t> &mesh, const std::string &title);

int CmdInspect(int argc, char **argv);
int CmdOptimize(int argc, char **argv);
int CmdModel(int argc, char **argv);
int CmdProfile(int argc, char **argv);

}  // namespace cfp_cli
