// What bounds one run of the optimizer: a deadline, and the caller's progress callback,
// which can cancel. Every phase calls Check() at points it reaches often (per op, per
// block, per member, every few hundred search states), from any thread; the callback is
// only ever called on the thread that made the control (the C API's promise), at most
// every `interval` seconds, and once at the start of each phase.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "util/status.h"

namespace cfp {

class RunControl {
 public:
  using Clock = std::chrono::steady_clock;
  // (phase, done, total) -> false to cancel.
  using ProgressFn = std::function<bool(const char *, uint64_t, uint64_t)>;

  // No deadline, no callback: Check() never stops.
  RunControl();
  // `time_limit` seconds from now; 0, negative, NaN or too far to represent: no deadline.
  RunControl(double time_limit, ProgressFn progress, double interval = 0.1);
  RunControl(const RunControl &) = delete;
  RunControl &operator=(const RunControl &) = delete;

  // Owner thread only: starts a phase of `total` units (0: unknown) and reports it.
  Status Begin(const char *phase, uint64_t total);
  // Any thread: records `done` more units, then returns the reason to stop, if any. On the
  // owner thread it also reports progress when the interval has passed.
  Status Check(uint64_t done = 0);
  // Owner thread only: reports the phase's final count.
  Status Finish();
  // Why the run stopped (ok while it has not): the first reason Check() found.
  Status stopped() const;

  // The time limit counts from now (after work it does not bound, such as measuring).
  void RestartClock() { deadline_ = DeadlineAfter(time_limit_); }
  double time_limit() const { return time_limit_; }

  // The deadline `seconds` from `now`, or none when `seconds` is not positive and finite or
  // the clock cannot represent it.
  static std::optional<Clock::time_point> DeadlineAfter(double seconds, Clock::time_point now = Clock::now());

 private:
  Status Stop(Code code, std::string message);
  Status Report(bool force);

  double time_limit_ = 0;
  std::optional<Clock::time_point> deadline_;
  ProgressFn progress_;
  double interval_ = 0.1;
  std::thread::id owner_;
  const char *phase_ = "";
  uint64_t total_ = 0;
  std::atomic<uint64_t> done_{0};
  std::atomic<int> stop_code_{0};
  mutable std::mutex stop_mutex_;  // guards stop_message_, written once
  std::string stop_message_;
  Clock::time_point last_report_{};
  bool reported_ = false;
};

// For loops: true when `control` (may be null) says stop, asked on every 1024th `i` only.
inline bool StopRequested(RunControl *control, uint64_t i) { return control && (i & 1023) == 0 && !control->Check().ok(); }

}  // namespace cfp
