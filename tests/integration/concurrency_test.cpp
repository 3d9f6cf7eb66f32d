// The thread-safety promises of cfp.h, exercised the way a trainer would: separate handles
// optimized from several threads at once, and one graph, options object and plan shared
// read-only by several threads. Run under ThreadSanitizer by tests/sanitizers/tsan.sh
// (these test names match its filter); the results must also agree bit for bit.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "support/c_graphs.h"

namespace {

using namespace cfp_test;  // NOLINT(google-build-using-namespace): test support

constexpr const char *kModel = "gpt:layers=2,hidden=64,heads=4,seq=32,batch=8,vocab=128";
constexpr int kThreads = 4;

std::string AsString(const cfp_bytes *b) {
  return {static_cast<const char *>(cfp_bytes_data(b)), cfp_bytes_size(b)};
}

// A plan's JSON without its timing statistics, which differ from run to run.
std::string PlanJsonWithoutTimes(const cfp_plan *p) {
  Bytes json;
  if (cfp_plan_to_json(p, json.out()) != CFP_OK) return "error: " + std::string(cfp_last_error_message());
  std::string s = AsString(json.get());
  const size_t from = s.find("\"stats\""), to = s.find("\"ops\": [");
  if (from != std::string::npos && to != std::string::npos && to > from) s.erase(from, to - from);
  return s;
}

void RunThreads(const std::function<void(int)> &body) {
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back(body, i);
  for (auto &t : threads) t.join();
}

TEST(Concurrency, SeparateHandlesOptimizeAtOnceAndAgree) {
  // Each thread owns its graph, options and plan; thread counts differ, plans may not.
  std::vector<std::string> plans(kThreads);
  RunThreads([&](int i) {
    Graph g;
    Options o;
    Plan p;
    const uint32_t mesh[] = {4};
    if (cfp_model_build(kModel, g.out()) != CFP_OK || cfp_options_create(o.out()) != CFP_OK ||
        cfp_options_set_mesh(o.get(), mesh, 1) != CFP_OK || cfp_options_set_threads(o.get(), TestThreads(1 + i % 2)) != CFP_OK ||
        cfp_optimize(g.get(), o.get(), p.out()) != CFP_OK) {
      plans[i] = std::string("error: ") + cfp_last_error_message();
      return;
    }
    plans[i] = PlanJsonWithoutTimes(p.get());
  });
  for (int i = 0; i < kThreads; ++i) EXPECT_EQ(plans[i], plans[0]) << "thread " << i;
  EXPECT_EQ(plans[0].rfind("{", 0), 0u) << plans[0];
}

TEST(Concurrency, OneGraphAndOneOptionsObjectAreSharedReadOnly) {
  // cfp.h: functions taking only const handles may run concurrently on the same handle.
  Graph g;
  ASSERT_EQ(cfp_model_build(kModel, g.out()), CFP_OK);
  Options o;
  ASSERT_EQ(cfp_options_create(o.out()), CFP_OK);
  const uint32_t mesh[] = {4};
  ASSERT_EQ(cfp_options_set_mesh(o.get(), mesh, 1), CFP_OK);
  ASSERT_EQ(cfp_options_set_threads(o.get(), TestThreads(2)), CFP_OK);
  uint32_t ops = 0;
  ASSERT_EQ(cfp_graph_op_count(g.get(), &ops), CFP_OK);
  std::vector<std::string> plans(kThreads), graphs(kThreads);
  std::vector<uint64_t> min_memory(kThreads);
  std::vector<uint32_t> strategies(kThreads);
  RunThreads([&](int i) {
    Plan p;
    if (cfp_optimize(g.get(), o.get(), p.out()) != CFP_OK) return;
    plans[i] = PlanJsonWithoutTimes(p.get());
    cfp_min_memory(g.get(), o.get(), &min_memory[i]);
    for (uint32_t op = 0; op < ops; op += 7) {
      uint32_t n = 0;
      cfp_op_strategy_count(g.get(), o.get(), op, &n);
      strategies[i] += n;
    }
    std::vector<uint32_t> first(ops, 0);
    Plan evaluated;
    cfp_evaluate(g.get(), o.get(), first.data(), first.size(), evaluated.out());
    Bytes b;
    cfp_graph_to_buffer(g.get(), b.out());
    graphs[i] = AsString(b.get());
  });
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(plans[i], plans[0]) << "thread " << i;
    EXPECT_EQ(graphs[i], graphs[0]) << "thread " << i;
    EXPECT_EQ(min_memory[i], min_memory[0]);
    EXPECT_EQ(strategies[i], strategies[0]);
  }
  EXPECT_FALSE(plans[0].empty());
  EXPECT_GT(min_memory[0], 0u);
}

TEST(Concurrency, OnePlanIsReadByManyThreads) {
  // A 2-D mesh, so collectives span one or both axes.
  const auto buf = cfp_test::TinyMlpBuffer(64, 128);
  Graph g;
  ASSERT_EQ(cfp_graph_from_buffer(buf.data(), buf.size(), g.out()), CFP_OK);
  Options o;
  ASSERT_EQ(cfp_options_create(o.out()), CFP_OK);
  const uint32_t mesh[] = {2, 2};
  ASSERT_EQ(cfp_options_set_mesh(o.get(), mesh, 2), CFP_OK);
  ASSERT_EQ(cfp_options_set_threads(o.get(), TestThreads(0)), CFP_OK);
  Plan p;
  ASSERT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_OK) << cfp_last_error_message();
  uint32_t tensors = 0, collectives = 0;
  cfp_graph_tensor_count(g.get(), &tensors);
  cfp_plan_collective_count(p.get(), &collectives);
  std::vector<std::string> seen(kThreads);
  RunThreads([&](int i) {
    std::string s;
    char buf[64];
    for (uint32_t t = 0; t < tensors; ++t)
      if (cfp_plan_tensor_sharding(p.get(), t, buf, sizeof buf, nullptr) == CFP_OK) s += buf;
    for (uint32_t c = 0; c < collectives; ++c) {
      uint64_t bytes = 0;
      cfp_plan_collective(p.get(), c, nullptr, nullptr, nullptr, &bytes, nullptr, nullptr);
      s += std::to_string(bytes);
    }
    Bytes fb;
    cfp_plan_to_buffer(p.get(), fb.out());
    Plan again;
    if (cfp_plan_from_buffer(cfp_bytes_data(fb.get()), cfp_bytes_size(fb.get()), again.out()) == CFP_OK)
      s += PlanJsonWithoutTimes(again.get());
    seen[i] = s;
  });
  for (int i = 0; i < kThreads; ++i) EXPECT_EQ(seen[i], seen[0]);
  EXPECT_NE(seen[0].find("\"collectives\""), std::string::npos);
}

TEST(Concurrency, ErrorMessagesStayWithTheirThread) {
  // Every thread fails with its own op id and must read back its own message.
  Graph g;
  ASSERT_EQ(cfp_model_build(kModel, g.out()), CFP_OK);
  std::atomic<int> wrong{0};
  RunThreads([&](int i) {
    for (int round = 0; round < 200; ++round) {
      const uint32_t bad = 1000000 + static_cast<uint32_t>(i);
      const char *name = nullptr;
      if (cfp_graph_op_name(g.get(), bad, &name) != CFP_ERR_OUT_OF_RANGE) ++wrong;
      const std::string m = cfp_last_error_message();
      if (m.find("op " + std::to_string(bad) + " is out of range") == std::string::npos) ++wrong;
    }
  });
  EXPECT_EQ(wrong.load(), 0);
}

TEST(Concurrency, WritersOfOneFileNeverLeaveATornFile) {
  // Several threads write different graphs to one path at once. Writes are atomic
  // (temporary file + rename), so the file is always one whole graph.
  const std::string path = ::testing::TempDir() + "/cfp_concurrent_" + std::to_string(getpid()) + ".cfpg";
  std::vector<Graph> graphs(kThreads);
  for (int i = 0; i < kThreads; ++i)
    ASSERT_EQ(cfp_model_build(("mlp:layers=" + std::to_string(i + 1) + ",hidden=8,batch=4").c_str(), graphs[i].out()), CFP_OK);
  std::atomic<int> failures{0};
  RunThreads([&](int i) {
    for (int round = 0; round < 20; ++round) {
      if (cfp_graph_to_file(graphs[i].get(), path.c_str()) != CFP_OK) ++failures;
      Graph back;
      if (cfp_graph_from_file(path.c_str(), back.out()) != CFP_OK) ++failures;
    }
  });
  EXPECT_EQ(failures.load(), 0);
  unlink(path.c_str());
}

}  // namespace
