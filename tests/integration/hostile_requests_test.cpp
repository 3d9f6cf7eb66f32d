// Hostile and edge-case requests beyond the graph itself: model specs, meshes and link
// numbers, budgets and limits, plan buffers and file paths. Each asserts the exact status
// and a message that names the problem.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "plan_generated.h"
#include "support/c_graphs.h"

namespace {

using namespace cfp_test;  // NOLINT(google-build-using-namespace): test support
namespace fb = cfp::fb;

using cfp_test::LastError;

#define EXPECT_MESSAGE(needle) EXPECT_NE(LastError().find(needle), std::string::npos) << "expected '" << (needle) << "' in: " << LastError()

void TinyMlp(Graph &g, int64_t batch, int64_t hidden) {
  auto buf = cfp_test::TinyMlpBuffer(batch, hidden);
  EXPECT_EQ(cfp_graph_from_buffer(buf.data(), buf.size(), g.out()), CFP_OK) << LastError();
}

void MeshOptions(Options &o, std::vector<uint32_t> mesh) {
  EXPECT_EQ(cfp_options_create(o.out()), CFP_OK);
  EXPECT_EQ(cfp_options_set_mesh(o.get(), mesh.data(), mesh.size()), CFP_OK) << LastError();
}

// --- model specs -----------------------------------------------------------------------

TEST(HostileSpec, TensorsBeyondSixtyFourBitsAreInvalidArgumentsNotInternalErrors) {
  // Each spec parses, but one of its weights or inputs has 2^62 elements or more.
  for (const char *spec : {"gpt:layers=1,vocab=2147483648,hidden=2147483648,heads=1",
                           "gpt:layers=1,hidden=2147483648,heads=1,seq=1,batch=1,vocab=1",
                           "moe:layers=2,hidden=1024,heads=1,seq=1,batch=1,vocab=1,experts=2147483648,top_k=1,ffn=2147483648",
                           "mlp:layers=1,hidden=2147483648,batch=2147483648", "mlp:layers=1,hidden=2147483648,batch=1"}) {
    Graph g;
    EXPECT_EQ(cfp_model_build(spec, g.out()), CFP_ERR_INVALID_ARGUMENT) << spec << ": " << LastError();
    EXPECT_MESSAGE("elements, more than this library handles");
    EXPECT_MESSAGE(std::string("model spec '") + spec + "'");
  }
}

TEST(HostileSpec, LongNumbersAreRefusedWithoutOverflowing) {
  // Reading 21 digits into an int64 overflowed (undefined behaviour, found by
  // fuzz_model_spec) before the length check refused them.
  Graph g;
  EXPECT_EQ(cfp_model_build("gpt:batch=999999999999999999999", g.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_MESSAGE("batch must be an integer from 1 to 2147483648, got '999999999999999999999'");
}

TEST(HostileSpec, TopKIsBoundedBecauseEveryRoundAddsOperators) {
  // top_k rounds of expert selection are unrolled into the graph, so an unbounded top_k
  // is an unbounded graph: top_k=2000000000 asked for ten billion operators.
  Graph g;
  EXPECT_EQ(cfp_model_build("moe:experts=2000000000,top_k=2000000000", g.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_MESSAGE("top_k must be at most 64, got 2000000000");
  EXPECT_EQ(cfp_model_build("moe:layers=2,hidden=64,heads=2,seq=16,batch=2,vocab=64,experts=64,top_k=64,optimizer=none",
                            g.out()),
            CFP_OK)
      << LastError();
}

// --- meshes and link numbers -----------------------------------------------------------

TEST(HostileOptions, MeshWithAZeroAxisIsNamed) {
  Options o;
  MeshOptions(o, {8});
  for (const auto &bad : std::vector<std::vector<uint32_t>>{{0}, {4, 0}, {2, 2, 0}}) {
    EXPECT_EQ(cfp_options_set_mesh(o.get(), bad.data(), bad.size()), CFP_ERR_INVALID_ARGUMENT);
    EXPECT_MESSAGE("cfp_options_set_mesh: mesh axis " + std::to_string(bad.size() - 1) + " has size 0");
  }
  const uint32_t four[] = {2, 2, 2, 2};
  EXPECT_EQ(cfp_options_set_mesh(o.get(), four, 4), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_MESSAGE("a mesh has 1 to 3 axes, got 4");
  // A rejected mesh leaves the previous one in place.
  Graph g;
  TinyMlp(g, 8, 16);
  uint32_t n = 0;
  ASSERT_EQ(cfp_op_strategy_count(g.get(), o.get(), 0, &n), CFP_OK);
  EXPECT_EQ(n, 4u);  // replicated, or one of m = 8, n = 16, k = 16 split 8 ways
}

TEST(HostileOptions, MeshesBeyondTwoToThe31DevicesAreRefused) {
  // 65536^3 devices is 2^48; (2^32-1)^3 overflows 64 bits. Strategy enumeration multiplies
  // axis sizes, so the mesh is bounded where it is set.
  Options o;
  MeshOptions(o, {8});
  for (const auto &bad : std::vector<std::vector<uint32_t>>{{65536, 65536, 65536}, {UINT32_MAX, UINT32_MAX, UINT32_MAX}}) {
    EXPECT_EQ(cfp_options_set_mesh(o.get(), bad.data(), bad.size()), CFP_ERR_INVALID_ARGUMENT);
    EXPECT_MESSAGE("has more than 2147483648 devices");
  }
  const uint32_t largest[] = {1u << 31};
  EXPECT_EQ(cfp_options_set_mesh(o.get(), largest, 1), CFP_OK) << LastError();
}

TEST(HostileOptions, NanAndNegativeLinkNumbersAreRefusedAndDoNotStick) {
  Graph g;
  TinyMlp(g, 64, 128);
  Options o;
  MeshOptions(o, {4});
  Plan before;
  ASSERT_EQ(cfp_optimize(g.get(), o.get(), before.out()), CFP_OK);
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  for (double bw : {nan, -1.0, 0.0, -0.0, inf, -inf}) {
    EXPECT_EQ(cfp_options_set_axis_link(o.get(), 0, bw, 1e-6), CFP_ERR_INVALID_ARGUMENT) << bw;
    EXPECT_MESSAGE("cfp_options_set_axis_link: bandwidth must be a positive number");
  }
  for (double lat : {nan, -1e-9, inf}) {
    EXPECT_EQ(cfp_options_set_axis_link(o.get(), 0, 1e9, lat), CFP_ERR_INVALID_ARGUMENT) << lat;
    EXPECT_MESSAGE("latency must be a non-negative number");
  }
  for (double v : {nan, -1.0}) {
    EXPECT_EQ(cfp_options_set_device_memory_bandwidth(o.get(), v), CFP_ERR_INVALID_ARGUMENT);
    EXPECT_MESSAGE("memory bandwidth must be a positive number");
    EXPECT_EQ(cfp_options_set_device_peak_flops(o.get(), CFP_F32, v), CFP_ERR_INVALID_ARGUMENT);
    EXPECT_MESSAGE("peak FLOP/s must be a positive number");
  }
  Plan after;
  ASSERT_EQ(cfp_optimize(g.get(), o.get(), after.out()), CFP_OK);
  double t0 = 0, t1 = 0;
  cfp_plan_step_time(before.get(), &t0);
  cfp_plan_step_time(after.get(), &t1);
  EXPECT_EQ(t0, t1);
  EXPECT_TRUE(std::isfinite(t1));
}

// --- shapes the mesh does not divide, budgets, limits ----------------------------------

TEST(HostileOptimize, NonDividingShapesAreNeverSplit) {
  // Batch 6 and hidden 10 divide by neither 4 nor 8: every tensor stays whole.
  Graph g;
  TinyMlp(g, 6, 10);
  for (uint32_t devices : {4u, 8u}) {
    Options o;
  MeshOptions(o, {devices});
    Plan p;
    ASSERT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_OK) << LastError();
    for (uint32_t t = 0; t < 10; ++t) {
      char buf[64];
      ASSERT_EQ(cfp_plan_tensor_sharding(p.get(), t, buf, sizeof buf, nullptr), CFP_OK);
      EXPECT_EQ(std::string(buf).find_first_of("0123456789"), std::string::npos) << "tensor " << t << ": " << buf;
    }
  }
  // On [2, 3] the batch of 6 may take both axes.
  Options o;
  MeshOptions(o, {2, 3});
  Plan p;
  ASSERT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_OK) << LastError();
}

TEST(HostileOptimize, AContractionWithNoValidStrategyIsNamed) {
  // Without replicated contractions a dot whose dims 4 does not divide has no strategy at
  // all; the answer names it instead of blaming the memory budget.
  Graph g;
  TinyMlp(g, 6, 10);
  Options o;
  MeshOptions(o, {4});
  ASSERT_EQ(cfp_options_set_allow_replicated_contractions(o.get(), 0), CFP_OK);
  uint32_t n = 9;
  ASSERT_EQ(cfp_op_strategy_count(g.get(), o.get(), 0, &n), CFP_OK);
  EXPECT_EQ(n, 0u);
  Plan p;
  EXPECT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_ERR_INFEASIBLE);
  EXPECT_MESSAGE("cfp_optimize: op 0 'dot1' (dot) has no valid strategy on mesh 4");
  EXPECT_MESSAGE("replicated contractions are disallowed");
  uint64_t bytes = 9;
  EXPECT_EQ(cfp_min_memory(g.get(), o.get(), &bytes), CFP_ERR_INFEASIBLE);
  EXPECT_MESSAGE("cfp_min_memory: op 0 'dot1' (dot) has no valid strategy on mesh 4");
}

TEST(HostileOptimize, OneByteBudgetIsInfeasibleAndNamesTheSmallestPlan) {
  Graph g;
  TinyMlp(g, 64, 128);
  Options o;
  MeshOptions(o, {4});
  uint64_t need = 0;
  ASSERT_EQ(cfp_min_memory(g.get(), o.get(), &need), CFP_OK);
  ASSERT_GT(need, 1u);
  ASSERT_EQ(cfp_options_set_memory_budget(o.get(), 1), CFP_OK);
  Plan p;
  EXPECT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_ERR_INFEASIBLE);
  EXPECT_EQ(p.get(), nullptr);
  EXPECT_MESSAGE("no plan fits the memory budget of 1 bytes per device; the smallest plan needs " + std::to_string(need) +
                 " bytes");
}

// What the search limits do where the exact search would outlive them: on a 2x2 mesh the
// densely connected graph's exact search runs for minutes (8 layers: 20 s). Each limit returns
// its own status with the best plan found: a narrow search's, within the budget and not
// proven optimal.
TEST(HostileOptimize, SearchLimitsStopTheSearchWithTheirOwnStatus) {
  Graph g = DenselyConnected(10);
  ASSERT_NE(g.get(), nullptr);
  Options o;
  MeshOptions(o, {2, 2});
  ASSERT_EQ(cfp_options_set_threads(o.get(), 1), CFP_OK);
  // A time limit that strikes in the search: twice what blocks, costs and edges take here
  // (a sanitizer slows them down), measured by cancelling at the search's start, plus 0.2 s.
  auto cancel_at_search = [](void *, const char *phase, uint64_t, uint64_t) { return std::strcmp(phase, "search") == 0 ? 1 : 0; };
  ASSERT_EQ(cfp_options_set_progress_callback(o.get(), cancel_at_search, nullptr), CFP_OK);
  const auto t_reach = std::chrono::steady_clock::now();
  Plan unsearched;
  ASSERT_EQ(cfp_optimize(g.get(), o.get(), unsearched.out()), CFP_ERR_CANCELLED) << LastError();
  const double to_search = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_reach).count();
  ASSERT_EQ(cfp_options_set_progress_callback(o.get(), nullptr, nullptr), CFP_OK);
  const double limit = std::round((2 * to_search + 0.2) * 10) / 10;
  char limit_text[32];
  std::snprintf(limit_text, sizeof limit_text, "%g", limit);
  struct Limit {
    double seconds;
    uint64_t bytes;
    cfp_status status;
    std::string message;
  };
  for (const Limit &l :
       {Limit{limit, 0, CFP_ERR_TIME_LIMIT, "cfp_optimize: the time limit of " + std::string(limit_text) + " s passed during search"},
        Limit{0, 1, CFP_ERR_MEMORY_LIMIT, "cfp_optimize: the search exceeded its memory limit (1 bytes)"}}) {
    ASSERT_EQ(cfp_options_set_time_limit(o.get(), l.seconds), CFP_OK);
    ASSERT_EQ(cfp_options_set_search_memory_limit(o.get(), l.bytes), CFP_OK);
    Plan p;
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(cfp_optimize(g.get(), o.get(), p.out()), l.status) << LastError();
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_MESSAGE(l.message);
    std::printf("limit %g s / %llu bytes: %s after %.3f s, plan %s\n", l.seconds, static_cast<unsigned long long>(l.bytes),
                cfp_status_string(l.status), took, p.get() ? "returned" : "not returned");
    EXPECT_LT(took, 30.0);  // the limit bounds the search; unbounded, it runs for minutes
    ASSERT_NE(p.get(), nullptr) << "a limit returns the best plan found so far";
    double t = 0;
    EXPECT_EQ(cfp_plan_step_time(p.get(), &t), CFP_OK);
    EXPECT_GT(t, 0);
    int optimal = 1;
    EXPECT_EQ(cfp_plan_is_optimal(p.get(), &optimal), CFP_OK);
    EXPECT_EQ(optimal, 0);
    uint64_t peak = 0;
    EXPECT_EQ(cfp_plan_peak_memory(p.get(), &peak), CFP_OK);
    EXPECT_LE(peak, uint64_t{80} * 1000 * 1000 * 1000);  // the default budget: an H100's memory
  }
  // A limit that passes before the search starts leaves no plan to return.
  ASSERT_EQ(cfp_options_set_time_limit(o.get(), 1e-6), CFP_OK);
  ASSERT_EQ(cfp_options_set_search_memory_limit(o.get(), 0), CFP_OK);
  Plan none;
  EXPECT_EQ(cfp_optimize(g.get(), o.get(), none.out()), CFP_ERR_TIME_LIMIT);
  EXPECT_MESSAGE("cfp_optimize: the time limit of 1e-06 s passed during ");
  EXPECT_EQ(none.get(), nullptr);
  // Without limits, four such layers are searched exactly.
  ASSERT_EQ(cfp_options_set_time_limit(o.get(), 0), CFP_OK);
  ASSERT_EQ(cfp_options_set_search_memory_limit(o.get(), 0), CFP_OK);
  Graph small = DenselyConnected(4);
  Plan p;
  ASSERT_EQ(cfp_optimize(small.get(), o.get(), p.out()), CFP_OK) << LastError();
  int optimal = 0;
  EXPECT_EQ(cfp_plan_is_optimal(p.get(), &optimal), CFP_OK);
  EXPECT_EQ(optimal, 1);
}

// --- plan buffers ----------------------------------------------------------------------

std::vector<uint8_t> PlanBytes() {
  Graph g;
  TinyMlp(g, 64, 128);
  Options o;
  MeshOptions(o, {2, 2});
  Plan p;
  EXPECT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_OK);
  Bytes b;
  EXPECT_EQ(cfp_plan_to_buffer(p.get(), b.out()), CFP_OK);
  const auto *d = static_cast<const uint8_t *>(cfp_bytes_data(b.get()));
  return {d, d + cfp_bytes_size(b.get())};
}

void ExpectPlanRejected(const std::vector<uint8_t> &bytes, const std::string &needle) {
  Plan p;
  EXPECT_EQ(cfp_plan_from_buffer(bytes.data(), bytes.size(), p.out()), CFP_ERR_INVALID_DATA) << LastError();
  EXPECT_EQ(p.get(), nullptr);
  EXPECT_MESSAGE("cfp_plan_from_buffer: " + needle);
}

struct ForgedCollective {
  int kind = 0;
  uint32_t tensor = 0;
  std::vector<uint8_t> axes;
};

// A plan buffer with one op, one rank-1 tensor split as `dim_axes`, and `collectives`.
std::vector<uint8_t> ForgePlan(std::vector<uint32_t> mesh, std::vector<uint8_t> dim_axes,
                               std::vector<ForgedCollective> collectives, uint32_t version = 1) {
  flatbuffers::FlatBufferBuilder b;
  std::vector<int32_t> assignment(mesh.size(), -1);
  std::vector<flatbuffers::Offset<fb::OpStrategy>> ops{fb::CreateOpStrategy(b, 0, b.CreateVector(assignment), 0)};
  std::vector<flatbuffers::Offset<fb::ShardingDim>> dims{fb::CreateShardingDim(b, b.CreateVector(dim_axes))};
  std::vector<flatbuffers::Offset<fb::Sharding>> tensors{fb::CreateSharding(b, b.CreateVector(dims))};
  std::vector<flatbuffers::Offset<fb::Collective>> colls;
  for (const ForgedCollective &c : collectives)
    colls.push_back(fb::CreateCollective(b, static_cast<fb::CollectiveKind>(c.kind), c.tensor, b.CreateVector(c.axes), 64));
  b.Finish(fb::CreatePlan(b, version, b.CreateString("forged"), b.CreateVector(mesh), b.CreateString("analytic"), 1, 1, 0, 0,
                          0, false, b.CreateVector(ops), b.CreateVector(tensors), b.CreateVector(colls)),
           fb::PlanIdentifier());
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

TEST(HostilePlan, EmptyTruncatedRandomAndForeignBuffersAreInvalidData) {
  ExpectPlanRejected({}, "plan buffer is empty");
  const auto whole = PlanBytes();
  for (size_t n = 1; n + 8 <= whole.size(); ++n) {
    Plan p;
    ASSERT_EQ(cfp_plan_from_buffer(whole.data(), n, p.out()), CFP_ERR_INVALID_DATA) << n;
    ASSERT_NE(LastError().find(n < 8 ? "plan buffer is truncated" : "plan buffer failed verification"), std::string::npos)
        << LastError();
  }
  std::mt19937 rng(8);
  for (int i = 0; i < 1000; ++i) {
    std::vector<uint8_t> junk(8 + rng() % 1024);
    for (auto &c : junk) c = static_cast<uint8_t>(rng());
    std::memcpy(junk.data() + 4, "CFPP", 4);
    ExpectPlanRejected(junk, "plan buffer failed verification");
  }
  ExpectPlanRejected(cfp_test::TinyMlpBuffer(), "not a libcfp plan: the file identifier is not 'CFPP'");
}

TEST(HostilePlan, NewerSchemaVersionIsRefused) {
  ExpectPlanRejected(ForgePlan({2}, {}, {}, 2), "plan uses schema version 2, this library reads 1 to 1");
  ExpectPlanRejected(ForgePlan({2}, {}, {}, 0), "plan uses schema version 0");
  Plan p;
  auto ok = ForgePlan({2}, {0}, {{0, 0, {0}}});
  EXPECT_EQ(cfp_plan_from_buffer(ok.data(), ok.size(), p.out()), CFP_OK) << LastError();
}

TEST(HostilePlan, MeshesAndAxesThatCannotExistAreNamed) {
  ExpectPlanRejected(ForgePlan({2, 2, 2, 2}, {}, {}), "plan has a mesh of more than 3 axes");
  ExpectPlanRejected(ForgePlan({2, 0}, {}, {}), "plan mesh axis 1 has size 0");
  ExpectPlanRejected(ForgePlan({2}, {5}, {}), "a tensor is split over mesh axis 5, which does not exist");
  ExpectPlanRejected(ForgePlan({2, 2}, {1, 1}, {}), "a tensor dim is split over mesh axis 1 twice");
  ExpectPlanRejected(ForgePlan({2}, {0, 0}, {}), "a tensor dim is split over more mesh axes than exist");
}

TEST(HostilePlan, CollectivesThatCannotExistAreNamed) {
  ExpectPlanRejected(ForgePlan({2}, {}, {{-1, 0, {0}}}), "unknown collective kind -1");
  ExpectPlanRejected(ForgePlan({2}, {}, {{4, 0, {0}}}), "unknown collective kind 4");
  ExpectPlanRejected(ForgePlan({2}, {}, {{0, 1, {0}}}), "a collective names a tensor that does not exist");
  ExpectPlanRejected(ForgePlan({2}, {}, {{0, 0, {3}}}), "a collective uses a mesh axis that does not exist");
}

// --- files -----------------------------------------------------------------------------

TEST(HostileFiles, SpecialFilesAreRefusedWithoutBlocking) {
  const std::string dir = ::testing::TempDir() + "/cfp_hostile_files";
  mkdir(dir.c_str(), 0755);
  const std::string fifo = dir + "/pipe.cfpg";
  unlink(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  // Opening a FIFO for reading blocks until a writer appears; the loader must not wait.
  Graph g;
  EXPECT_EQ(cfp_graph_from_file(fifo.c_str(), g.out()), CFP_ERR_IO);
  EXPECT_MESSAGE("cannot read '" + fifo + "': not a regular file");
  EXPECT_EQ(cfp_graph_from_file(dir.c_str(), g.out()), CFP_ERR_IO);
  EXPECT_MESSAGE("not a regular file");
  EXPECT_EQ(cfp_graph_from_file("/dev/zero", g.out()), CFP_ERR_IO);
  EXPECT_MESSAGE("cannot read '/dev/zero': not a regular file");
  unlink(fifo.c_str());
}

TEST(HostileFiles, AFailedWriteLeavesNoTemporaryFileBehind) {
  const std::string dir = ::testing::TempDir() + "/cfp_hostile_write";
  const std::string target = dir + "/is_a_directory";
  mkdir(dir.c_str(), 0755);
  mkdir(target.c_str(), 0755);
  Graph g;
  TinyMlp(g, 8, 16);
  EXPECT_EQ(cfp_graph_to_file(g.get(), target.c_str()), CFP_ERR_IO);
  EXPECT_MESSAGE("cfp_graph_to_file: cannot write '" + target + "': it is a directory");
  DIR *d = opendir(dir.c_str());
  ASSERT_NE(d, nullptr);
  std::vector<std::string> left;
  while (dirent *e = readdir(d))
    if (std::strstr(e->d_name, ".tmp.")) left.push_back(e->d_name);
  closedir(d);
  EXPECT_EQ(left, std::vector<std::string>{});
  // A plan file is not a graph file.
  const std::string plan_path = dir + "/plan.cfpp";
  const auto plan = PlanBytes();
  FILE *f = std::fopen(plan_path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(plan.data(), 1, plan.size(), f);
  std::fclose(f);
  EXPECT_EQ(cfp_graph_from_file(plan_path.c_str(), g.out()), CFP_ERR_INVALID_GRAPH);
  EXPECT_MESSAGE(plan_path + ": not a libcfp graph: file identifier is 'CFPP'");
}

// The bytes of a regular file, or "" when it cannot be read.
std::string FileText(const std::string &path) {
  std::string text;
  if (FILE *f = std::fopen(path.c_str(), "rb")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
  }
  return text;
}

std::string GraphText(const Graph &g) {
  Bytes b;
  EXPECT_EQ(cfp_graph_to_buffer(g.get(), b.out()), CFP_OK);
  return {static_cast<const char *>(cfp_bytes_data(b.get())), cfp_bytes_size(b.get())};
}

// Names in `dir` that look like a writer's temporary files.
std::vector<std::string> TemporaryFilesIn(const std::string &dir) {
  std::vector<std::string> left;
  if (DIR *d = opendir(dir.c_str())) {
    while (dirent *e = readdir(d))
      if (std::strstr(e->d_name, ".tmp.")) left.push_back(e->d_name);
    closedir(d);
  }
  return left;
}

std::string FreshDir(const std::string &name) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  mkdir(dir.c_str(), 0755);
  return dir;
}

TEST(HostileFiles, WritingThroughASymlinkReplacesItsTargetAndKeepsTheLink) {
  const std::string dir = FreshDir("cfp_write_symlink");
  const std::string target = dir + "/target.cfpg", link = dir + "/link.cfpg";
  unlink(link.c_str());
  FILE *f = std::fopen(target.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("old contents", f);
  std::fclose(f);
  ASSERT_EQ(chmod(target.c_str(), 0600), 0);
  ASSERT_EQ(symlink("target.cfpg", link.c_str()), 0);  // relative, as users make them
  Graph g;
  TinyMlp(g, 8, 16);
  ASSERT_EQ(cfp_graph_to_file(g.get(), link.c_str()), CFP_OK) << LastError();
  struct stat st {};
  ASSERT_EQ(lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode)) << "the link was replaced by a file";
  ASSERT_EQ(lstat(target.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u) << "the replacement keeps the file's permission bits";
  EXPECT_EQ(FileText(target), GraphText(g));
  EXPECT_EQ(TemporaryFilesIn(dir), std::vector<std::string>{});
  // A dangling link creates the file it names.
  const std::string dangling = dir + "/dangling.cfpg", named = dir + "/named.cfpg";
  unlink(dangling.c_str());
  unlink(named.c_str());
  ASSERT_EQ(symlink(named.c_str(), dangling.c_str()), 0);
  ASSERT_EQ(cfp_graph_to_file(g.get(), dangling.c_str()), CFP_OK) << LastError();
  ASSERT_EQ(lstat(dangling.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(FileText(named), GraphText(g));
}

TEST(HostileFiles, AFifoIsWrittenThroughAndStaysAFifo) {
  const std::string dir = FreshDir("cfp_write_fifo");
  const std::string fifo = dir + "/out.cfpg";
  unlink(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  Graph g;
  TinyMlp(g, 8, 16);
  std::string received;
  std::thread reader([&] { received = FileText(fifo); });
  EXPECT_EQ(cfp_graph_to_file(g.get(), fifo.c_str()), CFP_OK) << LastError();
  reader.join();
  EXPECT_EQ(received, GraphText(g));
  struct stat st {};
  ASSERT_EQ(lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced";
  EXPECT_EQ(TemporaryFilesIn(dir), std::vector<std::string>{});
  unlink(fifo.c_str());
}

TEST(HostileFiles, AFifoWhoseReaderLeavesIsAnErrorNotASignal) {
  const std::string dir = FreshDir("cfp_write_fifo_gone");
  const std::string fifo = dir + "/out.cfpg";
  unlink(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  // A graph larger than a pipe's buffer, and a reader that closes after the first byte: the
  // write fails with EPIPE, and SIGPIPE does not end the process.
  Graph g;
  ASSERT_EQ(cfp_model_build("gpt:layers=24", g.out()), CFP_OK) << LastError();
  ASSERT_GT(GraphText(g).size(), size_t{1} << 20);
  std::thread reader([&] {
    FILE *f = std::fopen(fifo.c_str(), "rb");
    if (f) {
      std::fgetc(f);
      std::fclose(f);
    }
  });
  EXPECT_EQ(cfp_graph_to_file(g.get(), fifo.c_str()), CFP_ERR_IO);
  reader.join();
  EXPECT_MESSAGE("cfp_graph_to_file: cannot write '" + fifo + "': Broken pipe");
  unlink(fifo.c_str());
}

TEST(HostileFiles, DevicesAreWrittenNotReplaced) {
  Graph g;
  TinyMlp(g, 8, 16);
  EXPECT_EQ(cfp_graph_to_file(g.get(), "/dev/null"), CFP_OK) << LastError();
  struct stat st {};
  ASSERT_EQ(lstat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null is no longer a character device";
  // A device that refuses the bytes is an I/O error naming it.
  if (access("/dev/full", W_OK) == 0) {
    EXPECT_EQ(cfp_graph_to_file(g.get(), "/dev/full"), CFP_ERR_IO);
    EXPECT_MESSAGE("cfp_graph_to_file: cannot write '/dev/full': No space left on device");
    ASSERT_EQ(lstat("/dev/full", &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
  }
}

TEST(HostileFiles, PathsThatCannotHoldAFileAreRefusedAndNamed) {
  Graph g;
  TinyMlp(g, 8, 16);
  const std::string dir = FreshDir("cfp_write_refused");
  EXPECT_EQ(cfp_graph_to_file(g.get(), dir.c_str()), CFP_ERR_IO);
  EXPECT_MESSAGE("cfp_graph_to_file: cannot write '" + dir + "': it is a directory");
  EXPECT_EQ(cfp_graph_to_file(g.get(), (dir + "/no/such/dir/g.cfpg").c_str()), CFP_ERR_IO);
  EXPECT_MESSAGE("cannot create a temporary file beside '" + dir + "/no/such/dir/g.cfpg': No such file or directory");
  // A symbolic link to a directory is refused the same way, and stays.
  const std::string link = dir + "/to_dir";
  unlink(link.c_str());
  ASSERT_EQ(symlink(dir.c_str(), link.c_str()), 0);
  EXPECT_EQ(cfp_graph_to_file(g.get(), link.c_str()), CFP_ERR_IO);
  EXPECT_MESSAGE("it is a directory");
  struct stat st {};
  ASSERT_EQ(lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(TemporaryFilesIn(dir), std::vector<std::string>{});
}

// --- plans: out-params and counts ------------------------------------------------------

TEST(HostileRequests, AFailedCollectiveQuerySetsEveryOutParam) {
  const auto buf = PlanBytes();
  Plan p;
  ASSERT_EQ(cfp_plan_from_buffer(buf.data(), buf.size(), p.out()), CFP_OK) << LastError();
  uint32_t n = 0;
  ASSERT_EQ(cfp_plan_collective_count(p.get(), &n), CFP_OK);
  for (const cfp_plan *plan : {static_cast<const cfp_plan *>(p.get()), static_cast<const cfp_plan *>(nullptr)}) {
    auto kind = static_cast<cfp_collective_kind>(77);
    uint32_t tensor = 77, mask = 77;
    uint64_t bytes = 77;
    int64_t before = 77;
    double time = 77;
    const cfp_status s = cfp_plan_collective(plan, n, &kind, &tensor, &mask, &bytes, &before, &time);
    EXPECT_EQ(s, plan ? CFP_ERR_OUT_OF_RANGE : CFP_ERR_INVALID_ARGUMENT) << LastError();
    EXPECT_EQ(kind, CFP_ALL_REDUCE);
    EXPECT_EQ(tensor, 0u);
    EXPECT_EQ(mask, 0u);
    EXPECT_EQ(bytes, 0u);
    EXPECT_EQ(before, 0);
    EXPECT_EQ(time, 0.0);
  }
}

TEST(HostileRequests, EvaluateChecksTheCountBeforeReadingTheChoices) {
  Graph g;
  TinyMlp(g, 64, 128);
  Options o;
  MeshOptions(o, {2});
  uint32_t ops = 0;
  ASSERT_EQ(cfp_graph_op_count(g.get(), &ops), CFP_OK);
  // One element, a count of a million: nothing past the first element may be read (ASan
  // would report it).
  const uint32_t one[1] = {0};
  Plan p;
  EXPECT_EQ(cfp_evaluate(g.get(), o.get(), one, 1u << 20, p.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(p.get(), nullptr);
  EXPECT_MESSAGE("cfp_evaluate: expected one choice per op (" + std::to_string(ops) + "), got 1048576");
  EXPECT_EQ(cfp_evaluate(g.get(), o.get(), nullptr, 0, p.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_MESSAGE("expected one choice per op (" + std::to_string(ops) + "), got 0");
  EXPECT_EQ(cfp_evaluate(g.get(), o.get(), nullptr, ops, p.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_MESSAGE("choice_per_op must not be NULL");
  const std::vector<uint32_t> first(ops, 0);
  EXPECT_EQ(cfp_evaluate(g.get(), o.get(), first.data(), first.size(), p.out()), CFP_OK) << LastError();
}

}  // namespace
