// Progress of long phases (profiling, search): the C API's progress callback
// (cfp_progress_fn) wrapped with throttling, cancellation and an estimate of the time
// left. The estimator is also what the `cfp` tool's progress bar shows.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "cfp.h"
#include "util/status.h"

namespace cfp {

// Seconds left of a phase, from the rate of recent progress: the rate is measured over
// the last max(5 s, a quarter of the elapsed time), so a phase that speeds up or slows
// down is followed within seconds while a steady one gives a steady estimate.
class RemainingTimeEstimator {
 public:
  // Starts a phase of `total` units (0: unknown) at time `now` (seconds, monotonic).
  void Start(double now, uint64_t total);
  // `done` units are complete at time `now`.
  void Update(double now, uint64_t done);
  // nullopt while unknown: no total, nothing done yet, or no time has passed.
  std::optional<double> Remaining() const;
  uint64_t done() const { return done_; }
  uint64_t total() const { return total_; }
  double elapsed() const { return samples_.empty() ? 0 : samples_.back().time - start_; }

 private:
  struct Sample {
    double time;
    uint64_t done;
  };
  double start_ = 0;
  uint64_t total_ = 0;
  uint64_t done_ = 0;
  std::deque<Sample> samples_;
};

// Calls a cfp_progress_fn for one optimization. Begin/Poll/Finish run on the thread that
// owns the reporter (the C API promises callbacks on the optimizing thread); Add may be
// called from any thread, and workers can watch cancelled() to stop early.
class ProgressReporter {
 public:
  using Clock = std::function<double()>;  // monotonic seconds

  // `fn` may be NULL: progress is then tracked but not reported. Reports are at least
  // `min_interval` seconds apart, except the first and the last of a phase.
  ProgressReporter(cfp_progress_fn fn, void *user_data, double min_interval = 0.1, Clock clock = {});

  // Starts a phase of `total` units (0: unknown) and reports done = 0.
  Status Begin(std::string phase, uint64_t total);
  // Records `n` more units done. Thread-safe.
  void Add(uint64_t n = 1);
  // Reports if the interval has passed. kCancelled once the callback asked to stop
  // (and from then on).
  Status Poll();
  // Add(n), then Poll().
  Status Step(uint64_t n = 1);
  // Reports the final count of the phase, whatever the interval.
  Status Finish();

  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
  uint64_t done() const { return done_.load(std::memory_order_relaxed); }
  uint64_t total() const { return total_; }
  const std::string &phase() const { return phase_; }
  std::optional<double> RemainingSeconds() const { return estimator_.Remaining(); }
  // Number of times the callback was called (for tests and statistics).
  uint64_t reports() const { return reports_; }

 private:
  Status Report(bool force);

  cfp_progress_fn fn_;
  void *user_data_;
  double min_interval_;
  Clock clock_;
  std::string phase_;
  uint64_t total_ = 0;
  std::atomic<uint64_t> done_{0};
  std::atomic<bool> cancelled_{false};
  double last_report_ = 0;
  uint64_t last_reported_done_ = 0;
  bool reported_once_ = false;
  uint64_t reports_ = 0;
  RemainingTimeEstimator estimator_;
};

// Monotonic seconds since an arbitrary origin.
double MonotonicSeconds();

}  // namespace cfp
