#include "progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace cfp_cli {

namespace {
constexpr double kRedrawInterval = 0.1;  // seconds between in-place redraws
}

ProgressBar::ProgressBar(FILE *out, bool interactive, std::string unit, Clock clock)
    : out_(out), interactive_(interactive), unit_(std::move(unit)), clock_(clock ? std::move(clock) : cfp::MonotonicSeconds) {}

ProgressBar ProgressBar::OnStderr(std::string unit) { return ProgressBar(stderr, ::isatty(STDERR_FILENO) != 0, std::move(unit)); }

int ProgressBar::Callback(void *user_data, const char *phase, uint64_t done, uint64_t total) {
  auto *bar = static_cast<ProgressBar *>(user_data);
  if (!bar) return 0;
  bar->Update(phase ? phase : "", done, total);
  return bar->cancel_.load() ? 1 : 0;
}

std::string ProgressBar::FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  if (seconds < 1) return "<1s";
  auto s = static_cast<long long>(std::llround(seconds));
  char buf[32];
  if (s < 60) std::snprintf(buf, sizeof buf, "%llds", s);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
  return buf;
}

std::string ProgressBar::Render(const std::string &phase, uint64_t done, uint64_t total, std::optional<double> remaining,
                                const std::string &unit, int bar_width) {
  std::string line = phase;
  char buf[96];
  if (total > 0) {
    const uint64_t shown = std::min(done, total);
    const double fraction = static_cast<double>(shown) / static_cast<double>(total);
    const int filled = static_cast<int>(fraction * bar_width);
    line += " [" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(bar_width - filled), '-') + "]";
    std::snprintf(buf, sizeof buf, "  %llu/%llu %s  %3d%%", static_cast<unsigned long long>(shown),
                  static_cast<unsigned long long>(total), unit.c_str(), static_cast<int>(fraction * 100));
    line += buf;
    if (shown == total) line += "  done";
    else if (remaining) line += "  " + FormatDuration(*remaining) + " left";
  } else if (!unit.empty()) {
    std::snprintf(buf, sizeof buf, "  %llu %s", static_cast<unsigned long long>(done), unit.c_str());
    line += buf;
  }
  return line;
}

// What the library counts in each of its phases (cfp.h, cfp_progress_fn); other phases
// count the bar's own unit.
static std::string UnitOfPhase(const std::string &phase, const std::string &fallback) {
  if (phase == "calibrate") return "collectives";
  if (phase == "profile") return "configurations";
  if (phase == "costs") return "block types";
  if (phase == "edges") return "edge matrices";
  if (phase == "blocks" || phase == "search") return "";
  return fallback;
}

void ProgressBar::Update(const char *phase, uint64_t done, uint64_t total) {
  const double now = clock_();
  const bool new_phase = phase_ != phase || estimator_.total() != total || done < estimator_.done();
  if (new_phase) {
    if (line_open_ && interactive_) std::fputc('\n', out_);
    line_open_ = false;
    phase_ = phase;
    estimator_.Start(now, total);
    last_decile_ = -1;
    last_draw_ = -1e300;
  }
  estimator_.Update(now, done);
  const bool complete = total > 0 && done >= total;
  const std::string line = Render(phase_, done, total, estimator_.Remaining(), UnitOfPhase(phase_, unit_));
  if (interactive_) {
    if (!complete && !new_phase && now - last_draw_ < kRedrawInterval) return;
    last_draw_ = now;
    // Pad over what a longer previous line left behind.
    std::string padded = line;
    if (padded.size() < last_width_) padded.append(last_width_ - padded.size(), ' ');
    last_width_ = line.size();
    std::fprintf(out_, "\r%s", padded.c_str());
    line_open_ = true;
    if (complete) {
      std::fputc('\n', out_);
      line_open_ = false;
      last_width_ = 0;
    }
  } else {
    const int decile = total > 0 ? static_cast<int>(std::min<uint64_t>(done, total) * 10 / total) : 0;
    if (!new_phase && decile == last_decile_) return;
    last_decile_ = decile;
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
}

void ProgressBar::Finish() {
  if (line_open_ && interactive_) {
    std::fputc('\n', out_);
    std::fflush(out_);
  }
  line_open_ = false;
  last_width_ = 0;
}

}  // namespace cfp_cli
