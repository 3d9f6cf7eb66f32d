// Shared pieces of the `cfp` command-line tool. The tool uses only the public C API, besides
// two self-contained sources it compiles in: the file writer and message quoting.
#pragma once

#include <cfp.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
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

// Largest micro-batch count and devices per node the tool accepts (a mesh holds at most
// 2^31 devices), and most worker threads (the library's limit).
inline constexpr uint64_t kMaxCount = uint64_t{1} << 31;
inline constexpr uint64_t kMaxThreads = 4096;

// Strict readers of option values, the only way the tool turns text into numbers. Each
// throws UsageError naming the option ("--microbatches") and the value it refuses.
// A whole number from `min` to `max`: decimal digits only (no sign, fraction, exponent or
// spaces).
uint64_t ParseWholeNumber(const std::string &option, const std::string &value, uint64_t min, uint64_t max);
// A size: a positive decimal number with an optional unit (B, KiB, MiB, GiB, TiB, KB, MB,
// GB, TB) that comes to a whole number of bytes from 1 to 2^64 - 1 ("1.5GiB", not "0.5").
uint64_t ParseSize(const std::string &option, const std::string &value);
// A finite decimal number >= 0 (seconds) or > 0 (`positive`, e.g. a bandwidth).
double ParseNonNegative(const std::string &option, const std::string &value, const char *what);
double ParsePositive(const std::string &option, const std::string &value, const char *what);
// A mesh shape "A[xBxC]": 1 to 3 axes, each from 1 to 2^20 devices.
std::vector<uint32_t> ParseMesh(const std::string &option, const std::string &value);
// Per mesh axis "BW:LAT,...": bandwidth (bytes/s, > 0) and latency (s, >= 0), at most one
// entry per axis of a mesh of `axes` axes.
std::vector<std::pair<double, double>> ParseLinks(const std::string &option, const std::string &value, size_t axes);

// Throws CfpError naming `option` when `path` cannot be an output: a directory, socket or
// block device, or a file in a directory that does not exist or cannot be written. A pipe
// or character device passes.
void CheckOutputPath(const std::string &option, const std::string &path);

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
