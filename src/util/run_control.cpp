#include "util/run_control.h"

#include <cmath>
#include <cstdio>

namespace cfp {

RunControl::RunControl() : owner_(std::this_thread::get_id()) {}

RunControl::RunControl(double time_limit, ProgressFn progress, double interval)
    : time_limit_(std::isfinite(time_limit) && time_limit > 0 ? time_limit : 0),
      deadline_(DeadlineAfter(time_limit)),
      progress_(std::move(progress)),
      interval_(interval),
      owner_(std::this_thread::get_id()) {}

std::optional<RunControl::Clock::time_point> RunControl::DeadlineAfter(double seconds, Clock::time_point now) {
  if (!(seconds > 0) || !std::isfinite(seconds)) return std::nullopt;
  // What is left of the clock's range, in seconds; a limit beyond it is no limit.
  const double room = std::chrono::duration<double>(Clock::time_point::max() - now).count();
  if (seconds >= room / 2) return std::nullopt;
  return now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

Status RunControl::stopped() const {
  const int code = stop_code_.load(std::memory_order_acquire);
  if (code == 0) return Status::Ok();
  std::lock_guard lock(stop_mutex_);
  return Status(static_cast<Code>(code), stop_message_);
}

Status RunControl::Stop(Code code, std::string message) {
  {
    std::lock_guard lock(stop_mutex_);
    if (stop_code_.load(std::memory_order_relaxed) == 0) {
      stop_message_ = std::move(message);
      stop_code_.store(static_cast<int>(code), std::memory_order_release);
    }
  }
  return stopped();
}

Status RunControl::Begin(const char *phase, uint64_t total) {
  phase_ = phase;
  total_ = total;
  done_.store(0, std::memory_order_relaxed);
  CFP_RETURN_IF_ERROR(stopped());
  return Report(true);
}

Status RunControl::Finish() {
  CFP_RETURN_IF_ERROR(stopped());
  return Report(true);
}

Status RunControl::Check(uint64_t done) {
  if (done) done_.fetch_add(done, std::memory_order_relaxed);
  CFP_RETURN_IF_ERROR(stopped());
  if (deadline_ && Clock::now() > *deadline_) {
    char limit[32];
    std::snprintf(limit, sizeof limit, "%g", time_limit_);
    return Stop(Code::kTimeLimit, std::string("the time limit of ") + limit + " s passed during " + phase_);
  }
  if (progress_ && std::this_thread::get_id() == owner_) return Report(false);
  return Status::Ok();
}

Status RunControl::Report(bool force) {
  if (!progress_) return Status::Ok();
  const auto now = Clock::now();
  if (!force && reported_ && std::chrono::duration<double>(now - last_report_).count() < interval_) return Status::Ok();
  last_report_ = now;
  reported_ = true;
  if (!progress_(phase_, done_.load(std::memory_order_relaxed), total_))
    return Stop(Code::kCancelled, std::string("cancelled by the progress callback during ") + phase_);
  return Status::Ok();
}

}  // namespace cfp
