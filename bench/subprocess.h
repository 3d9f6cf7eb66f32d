// Runs one benchmark case in a child process: its peak RSS is then its own (wait4), a
// solver that ignores its time limit can be killed, and a crash or an out-of-memory stays
// one failed row instead of ending the run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cfp_bench {

struct ChildResult {
  std::string output;      // what the child wrote to stdout
  int exit_code = -1;      // -1 when killed by a signal
  int signal = 0;          // the signal that ended it, 0 if none
  bool killed_at_limit = false;
  double wall_seconds = 0;
  uint64_t peak_rss_bytes = 0;
};

// Runs `argv` (argv[0] is the program path), killing it after `limit_seconds` (0: none).
// `address_space_limit` bytes (0: none) caps its virtual memory, so an oversized solve
// fails inside the child. stderr is passed through.
ChildResult RunChild(const std::vector<std::string> &argv, double limit_seconds, uint64_t address_space_limit);

// This process's peak resident set size (VmHWM) in bytes.
uint64_t PeakRssOfThisProcess();

}  // namespace cfp_bench
