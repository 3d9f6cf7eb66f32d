// A terminal progress bar for long commands (profiling, search), fed by the C API's
// progress callback: the phase, configurations done of total, percent and time left.
// On a terminal it redraws one line in place; otherwise (a log, a pipe) it prints a plain
// line at each tenth of the work, so logs stay short.
#pragma once

#include <cfp.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include "util/progress.h"

namespace cfp_cli {

class ProgressBar {
 public:
  using Clock = std::function<double()>;

  // `interactive`: redraw in place (a TTY). `unit` names what is counted.
  ProgressBar(FILE *out, bool interactive, std::string unit = "configurations", Clock clock = {});
  // A bar on stderr, interactive when stderr is a terminal.
  static ProgressBar OnStderr(std::string unit = "configurations");

  // A cfp_progress_fn: pass it with `this` as user_data. Returns non-zero (cancel) once
  // RequestCancel was called, e.g. from a SIGINT handler.
  static int Callback(void *user_data, const char *phase, uint64_t done, uint64_t total);
  void Update(const char *phase, uint64_t done, uint64_t total);
  // Ends the in-place line so later output starts on a fresh line.
  void Finish();
  // Async-signal-safe: makes the next callback ask the library to stop.
  void RequestCancel() { cancel_.store(true); }

  // One line of the bar, e.g.
  // "profiling [#######-------------]  42/120 configurations  35%  1m12s left".
  static std::string Render(const std::string &phase, uint64_t done, uint64_t total, std::optional<double> remaining,
                            const std::string &unit, int bar_width = 24);
  // "<1s", "42s", "3m05s", "2h07m".
  static std::string FormatDuration(double seconds);

 private:
  FILE *out_;
  bool interactive_;
  std::string unit_;
  Clock clock_;
  std::string phase_;
  cfp::RemainingTimeEstimator estimator_;
  double last_draw_ = -1e300;
  int last_decile_ = -1;
  bool line_open_ = false;
  size_t last_width_ = 0;
  std::atomic<bool> cancel_{false};
};

}  // namespace cfp_cli
