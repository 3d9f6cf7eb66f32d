// The limits of cfp_optimize hold in every phase: the time limit and the progress
// callback stop blocks, costs, edges and search alike; limits too large to represent are
// no limits; the search memory limit holds while the memory budget binds.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "support/c_graphs.h"
#include "support/sanitized.h"

namespace {

using namespace cfp_test;  // NOLINT(google-build-using-namespace): test support

#define EXPECT_MESSAGE(needle) EXPECT_NE(LastError().find(needle), std::string::npos) << "expected '" << (needle) << "' in: " << LastError()

// A follower chain long enough that costing it outlasts the limits below; shorter under a
// sanitizer, where building the cost model (linear, not interrupted) is several times slower.
constexpr uint32_t kLongChain = kUnderSanitizer ? 100000 : 300000;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// An input and `ops` negations in a chain: one block whose members all follow its entry,
// so costing it walks the chain once per entry strategy and rule.
Graph FollowerChain(uint32_t ops) {
  Builder b;
  EXPECT_EQ(cfp_graph_builder_create("follower-chain", b.out()), CFP_OK);
  uint32_t prev = AddTensor(b.get(), "x", {1024, 1024}, CFP_ROLE_DATA_INPUT);
  for (uint32_t i = 0; i < ops; ++i) {
    const uint32_t next = AddTensor(b.get(), "t", {1024, 1024});
    AddOp(b.get(), "neg", CFP_OP_NEG, {prev}, {next});
    prev = next;
  }
  Graph g;
  EXPECT_EQ(cfp_graph_builder_finish(b.get(), g.out()), CFP_OK) << LastError();
  return g;
}

void MeshOptions(Options &o, std::vector<uint32_t> mesh) {
  ASSERT_EQ(cfp_options_create(o.out()), CFP_OK);
  ASSERT_EQ(cfp_options_set_mesh(o.get(), mesh.data(), mesh.size()), CFP_OK) << LastError();
}

long PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

// Unlimited, costing this chain takes seconds (300,000 members, 9 strategies on a 1-D mesh,
// up to three rows each); a 1 s limit ends it within 2 s, with the limit's status and no
// plan, since no search could start, or with a plan if the machine is fast enough to
// reach the search.
TEST(HostileLimits, TimeLimitBoundsTheCostingOfALongFollowerChain) {
  Graph g = FollowerChain(kLongChain);
  ASSERT_NE(g.get(), nullptr);
  Options o;
  MeshOptions(o, {4});
  ASSERT_EQ(cfp_options_set_time_limit(o.get(), 1.0), CFP_OK);
  Plan p;
  const auto t0 = std::chrono::steady_clock::now();
  const cfp_status s = cfp_optimize(g.get(), o.get(), p.out());
  const double took = Seconds(t0);
  std::printf("%u-op follower chain, 1 s limit: %s after %.3f s (%s)\n", kLongChain, cfp_status_string(s), took,
              LastError().c_str());
  EXPECT_LT(took, 2.0);
  if (s == CFP_ERR_TIME_LIMIT) {
    EXPECT_MESSAGE("time limit of 1 s");
  } else {
    EXPECT_EQ(s, CFP_OK) << LastError();
    EXPECT_NE(p.get(), nullptr);
  }
}

// A callback that cancels in one phase, once it has been called `calls` times in it.
struct CancelIn {
  std::string phase;
  int calls = 1;
  std::map<std::string, int> seen;
  std::chrono::steady_clock::time_point cancelled_at{};
  static int Callback(void *user, const char *phase, uint64_t, uint64_t) {
    auto *c = static_cast<CancelIn *>(user);
    if (++c->seen[phase] < c->calls || c->phase != phase) return 0;
    c->cancelled_at = std::chrono::steady_clock::now();
    return 1;
  }
};

TEST(HostileLimits, TheCallbackCancelsEveryPhase) {
  Graph g = DenselyConnected(3);
  Options o;
  MeshOptions(o, {2, 2});
  // Every phase reports at its start; cancelling there stops the run with no plan.
  for (const char *phase : {"blocks", "costs", "edges", "search"}) {
    CancelIn cancel{phase};
    ASSERT_EQ(cfp_options_set_progress_callback(o.get(), CancelIn::Callback, &cancel), CFP_OK);
    Plan p;
    EXPECT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_ERR_CANCELLED) << phase << ": " << LastError();
    EXPECT_MESSAGE(std::string("cancelled by the progress callback during ") + phase);
    EXPECT_EQ(p.get(), nullptr);
  }
  // And a run nobody cancels has seen each of them.
  CancelIn none{"nothing"};
  ASSERT_EQ(cfp_options_set_progress_callback(o.get(), CancelIn::Callback, &none), CFP_OK);
  Plan p;
  ASSERT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_OK) << LastError();
  for (const char *phase : {"blocks", "costs", "edges", "search"}) EXPECT_GE(none.seen[phase], 2) << phase;
}

// Within a long phase the callback is called again every 0.1 s, and cancelling there
// stops the phase at once, not when it ends.
TEST(HostileLimits, TheCallbackCancelsInsideALongPhase) {
  Graph g = FollowerChain(kLongChain);
  Options o;
  MeshOptions(o, {4});
  CancelIn cancel{"costs", 3};
  ASSERT_EQ(cfp_options_set_progress_callback(o.get(), CancelIn::Callback, &cancel), CFP_OK);
  Plan p;
  EXPECT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_ERR_CANCELLED) << LastError();
  const double after_cancel = Seconds(cancel.cancelled_at);
  EXPECT_MESSAGE("cancelled by the progress callback during costs");
  EXPECT_EQ(cancel.seen["costs"], 3);
  std::printf("returned %.3f s after the third report of the costs phase cancelled\n", after_cancel);
  EXPECT_LT(after_cancel, 0.5);
}

// A limit the clock cannot reach is no limit: the same plan as without one, proven optimal.
TEST(HostileLimits, HugeTimeLimitsBehaveAsNone) {
  Graph g = DenselyConnected(3);
  Options o;
  MeshOptions(o, {2, 2});
  Plan unlimited;
  ASSERT_EQ(cfp_optimize(g.get(), o.get(), unlimited.out()), CFP_OK) << LastError();
  double expected = 0;
  ASSERT_EQ(cfp_plan_objective(unlimited.get(), &expected), CFP_OK);
  for (double seconds : {9.3e9, 1e10, 1e18, 1e300, std::numeric_limits<double>::max()}) {
    ASSERT_EQ(cfp_options_set_time_limit(o.get(), seconds), CFP_OK) << seconds;
    Plan p;
    ASSERT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_OK) << seconds << ": " << LastError();
    double objective = 0;
    int optimal = 0;
    ASSERT_EQ(cfp_plan_objective(p.get(), &objective), CFP_OK);
    ASSERT_EQ(cfp_plan_is_optimal(p.get(), &optimal), CFP_OK);
    EXPECT_EQ(objective, expected) << seconds;
    EXPECT_EQ(optimal, 1) << seconds;
    uint64_t need = 0;
    EXPECT_EQ(cfp_min_memory(g.get(), o.get(), &need), CFP_OK) << seconds << ": " << LastError();
  }
}

// With the budget at the least memory any plan needs, the search runs with (time, memory)
// frontiers, the most memory-hungry search there is: unlimited, this graph's takes 3 minutes
// and 2.3 GiB. Under a 64 MiB limit cfp_min_memory and cfp_optimize both stay within it
// (the process grows by no more than the limit plus the graph and cost tables), and the
// search returns a plan within the budget, not proven optimal, or the limit's status.
// (Under a sanitizer, which makes the limited search minutes long and RSS meaningless, six
// layers check the same path.)
TEST(HostileLimits, SearchMemoryLimitHoldsUnderABindingBudget) {
  Graph g = DenselyConnected(kUnderSanitizer ? 6 : 8);
  Options o;
  MeshOptions(o, {2, 2});
  ASSERT_EQ(cfp_options_set_threads(o.get(), 1), CFP_OK);
  constexpr uint64_t kLimitMiB = 64;
  ASSERT_EQ(cfp_options_set_search_memory_limit(o.get(), kLimitMiB << 20), CFP_OK);
  const long before = PeakRssMiB();
  uint64_t need = 0;
  ASSERT_EQ(cfp_min_memory(g.get(), o.get(), &need), CFP_OK) << LastError();
  ASSERT_EQ(cfp_options_set_memory_budget(o.get(), need), CFP_OK);
  Plan p;
  const auto t0 = std::chrono::steady_clock::now();
  const cfp_status s = cfp_optimize(g.get(), o.get(), p.out());
  const double took = Seconds(t0);
  const long grown = PeakRssMiB() - before;
  std::printf("binding budget of %llu bytes, 64 MiB search limit: %s after %.2f s, peak RSS grew %ld MiB\n",
              static_cast<unsigned long long>(need), cfp_status_string(s), took, grown);
  if (!kUnderSanitizer) EXPECT_LT(grown, static_cast<long>(kLimitMiB) + 128);
  if (s == CFP_ERR_MEMORY_LIMIT) {
    EXPECT_MESSAGE("memory limit");
  } else {
    ASSERT_EQ(s, CFP_OK) << LastError();
  }
  if (p.get()) {
    uint64_t peak = 0;
    int optimal = 1;
    EXPECT_EQ(cfp_plan_peak_memory(p.get(), &peak), CFP_OK);
    EXPECT_EQ(cfp_plan_is_optimal(p.get(), &optimal), CFP_OK);
    EXPECT_LE(peak, need);
    EXPECT_EQ(optimal, 0);
  }
}

// The same holds for cfp_min_memory, which takes the options' limits as well.
TEST(HostileLimits, MinMemoryHoldsTheLimits) {
  Graph g = FollowerChain(kLongChain);
  Options o;
  MeshOptions(o, {4});
  ASSERT_EQ(cfp_options_set_time_limit(o.get(), 0.5), CFP_OK);
  uint64_t need = 1;
  const auto t0 = std::chrono::steady_clock::now();
  const cfp_status s = cfp_min_memory(g.get(), o.get(), &need);
  const double took = Seconds(t0);
  EXPECT_LT(took, 1.5);
  if (s == CFP_ERR_TIME_LIMIT) {
    EXPECT_MESSAGE("time limit of 0.5 s");
    EXPECT_EQ(need, 0u);
  } else {
    EXPECT_EQ(s, CFP_OK) << LastError();
  }
}

// More threads than the machine has are fine to ask for, and oneTBB says nothing about
// them on the host's stderr (it warns when an arena asks for more than it allows).
TEST(HostileLimits, AThreadCountPastTheMachinePrintsNothingOnStderr) {
  if (kUnderSanitizer) GTEST_SKIP() << "sanitizers write their own reports on stderr";
  Graph g = DenselyConnected(2);
  Options o;
  MeshOptions(o, {2, 2});
  ASSERT_EQ(cfp_options_set_threads(o.get(), 4096), CFP_OK);
  char path[] = "/tmp/cfp-stderr-XXXXXX";
  const int capture = mkstemp(path);
  ASSERT_GE(capture, 0);
  std::fflush(stderr);
  const int saved = dup(2);
  dup2(capture, 2);
  Plan p;
  const cfp_status s = cfp_optimize(g.get(), o.get(), p.out());
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::string printed(4096, '\0');
  const ssize_t n = pread(capture, printed.data(), printed.size(), 0);
  close(capture);
  unlink(path);
  EXPECT_EQ(s, CFP_OK) << LastError();
  EXPECT_EQ(n, 0) << printed.substr(0, n > 0 ? static_cast<size_t>(n) : 0);
}

}  // namespace
