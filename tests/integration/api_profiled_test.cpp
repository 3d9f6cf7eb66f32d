// The "cuda" cost model through the C API on a machine without a GPU: a clear
// CFP_ERR_DEVICE when the module is there but no device is, and the whole path (profile,
// reuse, evaluate) with the fake device of $CFP_FAKE_DEVICE.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/c_graphs.h"
#include "support/scratch_dir.h"

namespace {

using cfp_test::Graph;
using cfp_test::Owned;
using Options = Owned<cfp_options, cfp_options_destroy>;
using Plan = Owned<cfp_plan, cfp_plan_destroy>;

// Sets environment variables for one test and restores them after.
class ScopedEnv {
 public:
  void Set(const char *name, const char *value) {
    const char *old = std::getenv(name);
    saved_.push_back({name, old ? std::optional<std::string>(old) : std::nullopt});
    if (value) setenv(name, value, 1);
    else unsetenv(name);
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) setenv(it->first.c_str(), it->second->c_str(), 1);
      else unsetenv(it->first.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

struct Fixture {
  Graph g;
  Options o;
  cfp_test::ScratchDir scratch{"api_profiled"};
  const std::string &dir = scratch.path();
  Fixture() {
    auto buf = cfp_test::TinyMlpBuffer(512, 1024);
    EXPECT_EQ(cfp_graph_from_buffer(buf.data(), buf.size(), g.out()), CFP_OK);
    EXPECT_EQ(cfp_options_create(o.out()), CFP_OK);
    uint32_t mesh[] = {2};
    EXPECT_EQ(cfp_options_set_mesh(o.get(), mesh, 1), CFP_OK);
    EXPECT_EQ(cfp_options_set_cost_model(o.get(), "cuda"), CFP_OK);
    EXPECT_EQ(cfp_options_set_profile_db(o.get(), (dir + "/db.cfpdb").c_str()), CFP_OK);
  }
};

double Stat(const cfp_plan *p, cfp_stat s) {
  double v = -1;
  EXPECT_EQ(cfp_plan_stat(p, s, &v), CFP_OK);
  return v;
}

std::string Notes(const cfp_plan *p) {
  size_t needed = 0;
  cfp_plan_cost_notes(p, nullptr, 0, &needed);
  std::string text(needed, '\0');
  EXPECT_EQ(cfp_plan_cost_notes(p, text.data(), text.size(), &needed), CFP_OK);
  text.resize(needed ? needed - 1 : 0);
  return text;
}

TEST(ApiProfiled, ModuleWithoutGpuIsADeviceError) {
  ScopedEnv env;
  env.Set("CFP_FAKE_DEVICE", nullptr);
  env.Set("CFP_CUDA_MODULE", CFP_TEST_FAKE_PLUGIN);
  env.Set("CFP_FAKE_PLUGIN_MODE", "no-device");
  Fixture f;
  cfp_plan *p = reinterpret_cast<cfp_plan *>(uintptr_t{0x10});
  EXPECT_EQ(cfp_optimize(f.g.get(), f.o.get(), &p), CFP_ERR_DEVICE);
  EXPECT_EQ(p, nullptr);
  std::string message = cfp_last_error_message();
  EXPECT_NE(message.find("\"cuda\" cost model needs a device"), std::string::npos) << message;
  EXPECT_NE(message.find("no CUDA-capable device"), std::string::npos) << message;
  EXPECT_FALSE(std::filesystem::exists(f.dir + "/db.cfpdb"));
}

TEST(ApiProfiled, FakeDeviceProfilesOnceAndEvaluatesAlike) {
  ScopedEnv env;
  env.Set("CFP_FAKE_DEVICE", "name=demo-gpu,devices=1");
  Fixture f;
  Plan first;
  ASSERT_EQ(cfp_optimize(f.g.get(), f.o.get(), first.out()), CFP_OK) << cfp_last_error_message();
  const double profiled = Stat(first.get(), CFP_STAT_CONFIGURATIONS_PROFILED);
  EXPECT_GT(profiled, 0);
  EXPECT_EQ(Stat(first.get(), CFP_STAT_CONFIGURATIONS_REUSED), 0);
  EXPECT_NE(Notes(first.get()).find("profiled on demo-gpu"), std::string::npos) << Notes(first.get());
  EXPECT_TRUE(std::filesystem::exists(f.dir + "/db.cfpdb"));

  Plan second;
  ASSERT_EQ(cfp_optimize(f.g.get(), f.o.get(), second.out()), CFP_OK) << cfp_last_error_message();
  EXPECT_EQ(Stat(second.get(), CFP_STAT_CONFIGURATIONS_PROFILED), 0);
  EXPECT_EQ(Stat(second.get(), CFP_STAT_CONFIGURATIONS_REUSED), profiled);

  uint32_t ops = 0;
  ASSERT_EQ(cfp_graph_op_count(f.g.get(), &ops), CFP_OK);
  std::vector<uint32_t> choice(ops);
  for (uint32_t op = 0; op < ops; ++op) {
    ASSERT_EQ(cfp_plan_op_strategy(first.get(), op, &choice[op]), CFP_OK);
    uint32_t again = 0;
    ASSERT_EQ(cfp_plan_op_strategy(second.get(), op, &again), CFP_OK);
    EXPECT_EQ(again, choice[op]);
  }
  Plan evaluated;
  ASSERT_EQ(cfp_evaluate(f.g.get(), f.o.get(), choice.data(), choice.size(), evaluated.out()), CFP_OK)
      << cfp_last_error_message();
  double optimized_time = 0, evaluated_time = 0;
  ASSERT_EQ(cfp_plan_step_time(first.get(), &optimized_time), CFP_OK);
  ASSERT_EQ(cfp_plan_step_time(evaluated.get(), &evaluated_time), CFP_OK);
  EXPECT_DOUBLE_EQ(evaluated_time, optimized_time);
}

// Several threads profile different models into one profile DB at once (each through its
// own handles). Writers merge under the DB's lock, so nothing measured is lost: afterwards
// every model is planned from the DB alone. (Also run under ThreadSanitizer.)
TEST(ApiProfiled, ConcurrentProfilersShareOneDatabase) {
  ScopedEnv env;
  env.Set("CFP_FAKE_DEVICE", "name=demo-gpu,devices=1");
  Fixture shared;
  constexpr int kThreads = 4;
  std::vector<Graph> graphs(kThreads);
  std::vector<Options> options(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    auto buf = cfp_test::TinyMlpBuffer(64 * (i + 1), 128 * (i + 1));
    ASSERT_EQ(cfp_graph_from_buffer(buf.data(), buf.size(), graphs[i].out()), CFP_OK);
    ASSERT_EQ(cfp_options_create(options[i].out()), CFP_OK);
    uint32_t mesh[] = {2};
    ASSERT_EQ(cfp_options_set_mesh(options[i].get(), mesh, 1), CFP_OK);
    ASSERT_EQ(cfp_options_set_cost_model(options[i].get(), "cuda"), CFP_OK);
    ASSERT_EQ(cfp_options_set_threads(options[i].get(), cfp_test::TestThreads(0)), CFP_OK);
    ASSERT_EQ(cfp_options_set_profile_db(options[i].get(), (shared.dir + "/db.cfpdb").c_str()), CFP_OK);
  }
  std::vector<cfp_status> status(kThreads, CFP_ERR_INTERNAL);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      cfp_bytes *report = nullptr;
      status[i] = cfp_profile(graphs[i].get(), options[i].get(), &report);
      cfp_bytes_destroy(report);
    });
  for (auto &t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(status[i], CFP_OK) << "thread " << i;
    Plan p;
    ASSERT_EQ(cfp_optimize(graphs[i].get(), options[i].get(), p.out()), CFP_OK) << cfp_last_error_message();
    EXPECT_EQ(Stat(p.get(), CFP_STAT_CONFIGURATIONS_PROFILED), 0) << "model " << i << " lost measurements";
    EXPECT_GT(Stat(p.get(), CFP_STAT_CONFIGURATIONS_REUSED), 0) << "model " << i;
  }
}

TEST(ApiProfiled, AnalyticPlansHaveNoCostNotes) {
  Fixture f;
  ASSERT_EQ(cfp_options_set_cost_model(f.o.get(), "analytic"), CFP_OK);
  Plan p;
  ASSERT_EQ(cfp_optimize(f.g.get(), f.o.get(), p.out()), CFP_OK);
  EXPECT_EQ(Notes(p.get()), "");
  EXPECT_EQ(Stat(p.get(), CFP_STAT_CONFIGURATIONS_PROFILED), 0);
}

}  // namespace
