#include "util/progress.h"

#include <algorithm>
#include <chrono>

namespace cfp {

namespace {
constexpr double kMinWindow = 5.0;         // seconds of history the rate uses at least
constexpr double kWindowFraction = 0.25;   // ... or this share of the elapsed time
constexpr size_t kMaxSamples = 512;
}  // namespace

double MonotonicSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void RemainingTimeEstimator::Start(double now, uint64_t total) {
  start_ = now;
  total_ = total;
  done_ = 0;
  samples_.clear();
  samples_.push_back({now, 0});
}

void RemainingTimeEstimator::Update(double now, uint64_t done) {
  if (samples_.empty() || done < samples_.back().done) Start(now, total_);
  done_ = done;
  if (now < samples_.back().time) now = samples_.back().time;
  if (done == samples_.back().done) {
    // No progress: only remember that time passed (the rate is taken between progress).
    return;
  }
  samples_.push_back({now, done});
  const double window = std::max(kMinWindow, kWindowFraction * (now - start_));
  // Keep one sample older than the window so the rate always spans it.
  while (samples_.size() > 2 && samples_[1].time <= now - window) samples_.pop_front();
  if (samples_.size() > kMaxSamples) {
    // Thin out the middle; the oldest and the newest define the rate.
    std::deque<Sample> thinned;
    for (size_t i = 0; i < samples_.size(); ++i)
      if (i % 2 == 0 || i + 1 == samples_.size()) thinned.push_back(samples_[i]);
    samples_.swap(thinned);
  }
}

std::optional<double> RemainingTimeEstimator::Remaining() const {
  if (total_ == 0 || samples_.size() < 2) return std::nullopt;
  if (done_ >= total_) return 0.0;
  const Sample &first = samples_.front(), &last = samples_.back();
  const double dt = last.time - first.time;
  const double dd = static_cast<double>(last.done - first.done);
  if (dt <= 0 || dd <= 0) return std::nullopt;
  return static_cast<double>(total_ - done_) * dt / dd;
}

ProgressReporter::ProgressReporter(cfp_progress_fn fn, void *user_data, double min_interval, Clock clock)
    : fn_(fn), user_data_(user_data), min_interval_(min_interval), clock_(clock ? std::move(clock) : MonotonicSeconds) {}

Status ProgressReporter::Begin(std::string phase, uint64_t total) {
  phase_ = std::move(phase);
  total_ = total;
  done_.store(0);
  reported_once_ = false;
  estimator_.Start(clock_(), total);
  return Report(true);
}

void ProgressReporter::Add(uint64_t n) { done_.fetch_add(n, std::memory_order_relaxed); }

Status ProgressReporter::Poll() { return Report(false); }

Status ProgressReporter::Step(uint64_t n) {
  Add(n);
  return Poll();
}

Status ProgressReporter::Finish() { return Report(true); }

Status ProgressReporter::Report(bool force) {
  if (cancelled()) return Status(Code::kCancelled, "cancelled by the progress callback during " + phase_);
  const double now = clock_();
  const uint64_t done = done_.load(std::memory_order_relaxed);
  estimator_.Update(now, done);
  const bool due = !reported_once_ || now - last_report_ >= min_interval_;
  if (!force && !(due && done != last_reported_done_)) return Status::Ok();
  last_report_ = now;
  last_reported_done_ = done;
  reported_once_ = true;
  if (!fn_) return Status::Ok();
  ++reports_;
  if (fn_(user_data_, phase_.c_str(), done, total_) != 0) {
    cancelled_.store(true);
    return Status(Code::kCancelled, "cancelled by the progress callback during " + phase_);
  }
  return Status::Ok();
}

}  // namespace cfp
