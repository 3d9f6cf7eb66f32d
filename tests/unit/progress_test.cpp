// Progress: the remaining-time estimate, the callback wrapper (throttling, cancellation)
// and the CLI's progress bar.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "cfp/progress_bar.h"
#include "util/progress.h"

namespace cfp {
namespace {

TEST(RemainingTimeEstimator, SteadyRateGivesExactEstimate) {
  RemainingTimeEstimator e;
  e.Start(100.0, 50);
  EXPECT_FALSE(e.Remaining().has_value()) << "nothing done yet";
  for (int i = 1; i <= 10; ++i) e.Update(100.0 + 0.5 * i, static_cast<uint64_t>(i));
  ASSERT_TRUE(e.Remaining().has_value());
  EXPECT_NEAR(*e.Remaining(), 40 * 0.5, 1e-9);
  EXPECT_DOUBLE_EQ(e.elapsed(), 5.0);
}

TEST(RemainingTimeEstimator, FollowsARateChangeWithinTheWindow) {
  RemainingTimeEstimator e;
  e.Start(0, 1000);
  double t = 0;
  uint64_t done = 0;
  for (int i = 0; i < 100; ++i) e.Update(t += 1.0, ++done);     // 1 s per unit for 100 s
  for (int i = 0; i < 100; ++i) e.Update(t += 0.1, ++done);     // then 10 per second
  // The window is max(5 s, elapsed / 4 = 27.5 s): 10 s of the fast rate and 17.5 s of
  // the slow one, far nearer the new rate than the overall average (1.82 s per unit).
  ASSERT_TRUE(e.Remaining().has_value());
  const double per_unit = *e.Remaining() / 800;
  EXPECT_LT(per_unit, 0.3);
  EXPECT_GT(per_unit, 0.1);
  for (int i = 0; i < 500; ++i) e.Update(t += 0.1, ++done);
  EXPECT_NEAR(*e.Remaining() / 300, 0.1, 1e-6) << "only the new rate is left in the window";
}

TEST(RemainingTimeEstimator, UnknownTotalHasNoEstimate) {
  RemainingTimeEstimator e;
  e.Start(0, 0);
  e.Update(1, 5);
  EXPECT_FALSE(e.Remaining().has_value());
}

TEST(RemainingTimeEstimator, DoneIsZeroLeft) {
  RemainingTimeEstimator e;
  e.Start(0, 3);
  e.Update(1, 3);
  EXPECT_EQ(e.Remaining(), 0.0);
}

struct Recorded {
  std::vector<std::string> phases;
  std::vector<uint64_t> done, total;
  int cancel_after = -1;  // cancel on this call (0-based); -1 never
};

int Record(void *user, const char *phase, uint64_t done, uint64_t total) {
  auto *r = static_cast<Recorded *>(user);
  r->phases.push_back(phase);
  r->done.push_back(done);
  r->total.push_back(total);
  return r->cancel_after >= 0 && static_cast<int>(r->done.size()) > r->cancel_after ? 1 : 0;
}

TEST(ProgressReporter, ReportsBeginThrottledStepsAndFinish) {
  Recorded r;
  double now = 0;
  ProgressReporter p(Record, &r, 0.1, [&] { return now; });
  ASSERT_TRUE(p.Begin("profiling", 100).ok());
  for (int i = 0; i < 100; ++i) {
    now += 0.01;  // a step every 10 ms: one report per 10 steps
    ASSERT_TRUE(p.Step().ok());
  }
  ASSERT_TRUE(p.Finish().ok());
  ASSERT_GE(r.done.size(), 10u);
  EXPECT_LE(r.done.size(), 13u) << "throttled to about one report per 0.1 s";
  EXPECT_EQ(r.done.front(), 0u);
  EXPECT_EQ(r.done.back(), 100u);
  EXPECT_EQ(r.total.back(), 100u);
  EXPECT_EQ(r.phases.back(), "profiling");
  for (size_t i = 1; i < r.done.size(); ++i) EXPECT_GE(r.done[i], r.done[i - 1]);
  EXPECT_EQ(p.reports(), r.done.size());
}

TEST(ProgressReporter, NonZeroReturnCancelsAndStaysCancelled) {
  Recorded r;
  r.cancel_after = 2;
  double now = 0;
  ProgressReporter p(Record, &r, 0, [&] { return now; });
  ASSERT_TRUE(p.Begin("search", 10).ok());
  ASSERT_TRUE(p.Step().ok());
  now = 1;
  Status s = p.Step();
  EXPECT_EQ(s.code(), Code::kCancelled);
  EXPECT_NE(s.message().find("search"), std::string::npos);
  EXPECT_TRUE(p.cancelled());
  const size_t calls = r.done.size();
  EXPECT_EQ(p.Step().code(), Code::kCancelled);
  EXPECT_EQ(p.Finish().code(), Code::kCancelled);
  EXPECT_EQ(r.done.size(), calls) << "no more callbacks after cancelling";
}

TEST(ProgressReporter, WorkersAddOwnerReports) {
  Recorded r;
  ProgressReporter p(Record, &r, 0);
  ASSERT_TRUE(p.Begin("profiling", 4000).ok());
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) p.Add();
    });
  for (auto &w : workers) w.join();
  ASSERT_TRUE(p.Finish().ok());
  EXPECT_EQ(p.done(), 4000u);
  EXPECT_EQ(r.done.back(), 4000u);
}

TEST(ProgressReporter, WithoutACallbackStillTracks) {
  double now = 0;
  ProgressReporter p(nullptr, nullptr, 0.1, [&] { return now; });
  ASSERT_TRUE(p.Begin("x", 10).ok());
  now = 2;
  ASSERT_TRUE(p.Step(5).ok());
  EXPECT_EQ(p.reports(), 0u);
  ASSERT_TRUE(p.RemainingSeconds().has_value());
  EXPECT_NEAR(*p.RemainingSeconds(), 2.0, 1e-9);
}

// ---- The CLI's progress bar ------------------------------------------------------------

using cfp_cli::ProgressBar;

TEST(ProgressBar, RendersCountsPercentAndTimeLeft) {
  EXPECT_EQ(ProgressBar::Render("profiling", 42, 120, 72.0, "configurations", 20),
            "profiling [#######-------------]  42/120 configurations   35%  1m12s left");
  EXPECT_EQ(ProgressBar::Render("profiling", 120, 120, 0.0, "configurations", 10),
            "profiling [##########]  120/120 configurations  100%  done");
  EXPECT_EQ(ProgressBar::Render("search", 7, 0, std::nullopt, "states", 10), "search  7 states");
  EXPECT_EQ(ProgressBar::Render("search", 7, 0, std::nullopt, "", 10), "search");  // nothing counted: the phase alone
  EXPECT_EQ(ProgressBar::Render("x", 1, 4, std::nullopt, "items", 4), "x [#---]  1/4 items   25%");
}

TEST(ProgressBar, FormatsDurations) {
  EXPECT_EQ(ProgressBar::FormatDuration(0.4), "<1s");
  EXPECT_EQ(ProgressBar::FormatDuration(42), "42s");
  EXPECT_EQ(ProgressBar::FormatDuration(185), "3m05s");
  EXPECT_EQ(ProgressBar::FormatDuration(7620), "2h07m");
  EXPECT_EQ(ProgressBar::FormatDuration(-1), "?");
}

std::string Captured(FILE *f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  char buf[512];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

TEST(ProgressBar, PlainOutputIsOneLinePerTenth) {
  FILE *f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  double now = 0;
  ProgressBar bar(f, false, "configurations", [&] { return now; });
  for (uint64_t d = 0; d <= 200; ++d) {
    now += 0.05;
    EXPECT_EQ(ProgressBar::Callback(&bar, "profiling", d, 200), 0);
  }
  bar.Finish();
  std::string out = Captured(f);
  std::fclose(f);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 11) << out;  // 0%, 10%, ..., 100%
  EXPECT_EQ(out.find('\r'), std::string::npos);
  EXPECT_NE(out.find("200/200 configurations  100%  done\n"), std::string::npos) << out;
  EXPECT_NE(out.find("100/200 configurations   50%  5s left"), std::string::npos) << out;
}

TEST(ProgressBar, TerminalOutputRedrawsInPlace) {
  FILE *f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  double now = 0;
  ProgressBar bar(f, true, "configurations", [&] { return now; });
  for (uint64_t d = 0; d <= 100; ++d) {
    now += 0.02;  // redraws are at least 0.1 s apart: about every fifth call
    ProgressBar::Callback(&bar, "profiling", d, 100);
  }
  ProgressBar::Callback(&bar, "measuring", 3, 0);
  bar.Finish();
  std::string out = Captured(f);
  std::fclose(f);
  const auto redraws = std::count(out.begin(), out.end(), '\r');
  EXPECT_GE(redraws, 15);
  EXPECT_LE(redraws, 25);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << "one line per phase";
  EXPECT_NE(out.find("100/100 configurations  100%  done"), std::string::npos) << out;
  EXPECT_NE(out.find("measuring  3 configurations"), std::string::npos);
}

// The library's phases are shown in their own units; the search counts nothing.
TEST(ProgressBar, LibraryPhasesShowTheirOwnUnits) {
  FILE *f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ProgressBar bar(f, false, "configurations", [] { return 0.0; });
  ProgressBar::Callback(&bar, "costs", 4, 4);
  ProgressBar::Callback(&bar, "edges", 2, 8);
  ProgressBar::Callback(&bar, "search", 0, 0);
  bar.Finish();
  std::string out = Captured(f);
  std::fclose(f);
  EXPECT_NE(out.find("costs [########################]  4/4 block types  100%  done"), std::string::npos) << out;
  EXPECT_NE(out.find("2/8 edge matrices"), std::string::npos) << out;
  EXPECT_NE(out.find("\nsearch\n"), std::string::npos) << out;
}

TEST(ProgressBar, RequestCancelMakesTheCallbackStop) {
  FILE *f = std::tmpfile();
  ProgressBar bar(f, false);
  EXPECT_EQ(ProgressBar::Callback(&bar, "p", 1, 10), 0);
  bar.RequestCancel();
  EXPECT_NE(ProgressBar::Callback(&bar, "p", 2, 10), 0);
  std::fclose(f);
}

}  // namespace
}  // namespace cfp
