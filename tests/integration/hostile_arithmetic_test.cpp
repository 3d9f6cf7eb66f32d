// Arithmetic past what the results' types hold: totals of tensors of up to 2^63 bytes each
// pass 2^64, and tiny bandwidths or FLOP rates make times infinite. Each result that does
// not fit is an error naming the quantity (never a wrapped count or "0 bytes"), and no plan
// with an infinite step time is handed out.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "plan_generated.h"
#include "support/c_graphs.h"

namespace {

using namespace cfp_test;  // NOLINT(google-build-using-namespace): test support
namespace fb = cfp::fb;

#define EXPECT_MESSAGE(needle) EXPECT_NE(LastError().find(needle), std::string::npos) << "expected '" << (needle) << "' in: " << LastError()

constexpr int64_t kTwoToThe60 = int64_t{1} << 60;

// `n` f32 parameters of 2^60 elements (2^62 bytes) each, summed by a chain of adds: on one
// device the parameters alone need n * 2^62 bytes.
void HugeParameterSum(Graph &g, int n) {
  Builder b;
  ASSERT_EQ(cfp_graph_builder_create("huge-sum", b.out()), CFP_OK);
  std::vector<uint32_t> params;
  for (int i = 0; i < n; ++i)
    params.push_back(AddTensor(b.get(), ("p" + std::to_string(i)).c_str(), {kTwoToThe60}, CFP_ROLE_PARAMETER));
  uint32_t sum = params[0];
  for (int i = 1; i < n; ++i) {
    const uint32_t next = AddTensor(b.get(), ("s" + std::to_string(i)).c_str(), {kTwoToThe60});
    AddOp(b.get(), ("add" + std::to_string(i)).c_str(), CFP_OP_ADD, {sum, params[static_cast<size_t>(i)]}, {next});
    sum = next;
  }
  ASSERT_EQ(cfp_graph_builder_finish(b.get(), g.out()), CFP_OK) << LastError();
}

void OneDevice(Options &o) {
  ASSERT_EQ(cfp_options_create(o.out()), CFP_OK);
  const uint32_t mesh[] = {1};
  ASSERT_EQ(cfp_options_set_mesh(o.get(), mesh, 1), CFP_OK) << LastError();
}

TEST(HostileArithmetic, ParameterCountsPast64BitsAreOutOfRange) {
  // Five parameters of 2^62 one-byte elements: the first four are 2^64 elements already.
  Builder b;
  ASSERT_EQ(cfp_graph_builder_create("many-params", b.out()), CFP_OK);
  const int64_t quarter = int64_t{1} << 62;
  for (const char *name : {"a", "b", "c", "d", "e"}) AddTensor(b.get(), name, {quarter}, CFP_ROLE_PARAMETER, CFP_F8E4M3);
  Graph g;
  ASSERT_EQ(cfp_graph_builder_finish(b.get(), g.out()), CFP_OK) << LastError();
  uint64_t count = 123;
  EXPECT_EQ(cfp_graph_parameter_count(g.get(), &count), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(count, 0u);
  EXPECT_MESSAGE("cfp_graph_parameter_count: the graph's parameter count does not fit in 64 bits: the parameters up to "
                 "tensor 3 'd' hold more than 18446744073709551615 elements");

  // Three of them still fit: 0.75 * 2^64, counted exactly.
  Builder fits;
  ASSERT_EQ(cfp_graph_builder_create("three-params", fits.out()), CFP_OK);
  for (const char *name : {"a", "b", "c"}) AddTensor(fits.get(), name, {quarter}, CFP_ROLE_PARAMETER, CFP_F8E4M3);
  ASSERT_EQ(cfp_graph_builder_finish(fits.get(), g.out()), CFP_OK) << LastError();
  ASSERT_EQ(cfp_graph_parameter_count(g.get(), &count), CFP_OK) << LastError();
  EXPECT_EQ(count, 3 * (uint64_t{1} << 62));
}

TEST(HostileArithmetic, MemoryPast64BitsIsOutOfRangeNotZeroBytes) {
  Graph g;
  HugeParameterSum(g, 5);  // 5 * 2^62 bytes of parameters on one device
  Options o;
  OneDevice(o);
  uint64_t bytes = 123;
  EXPECT_EQ(cfp_min_memory(g.get(), o.get(), &bytes), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(bytes, 0u);
  EXPECT_MESSAGE("cfp_min_memory: the smallest plan's memory per device (2.3058e+19 bytes) does not fit in 64 bits "
                 "(at most 18446744073709551615)");

  uint32_t ops = 0;
  ASSERT_EQ(cfp_graph_op_count(g.get(), &ops), CFP_OK);
  const std::vector<uint32_t> first(ops, 0);
  Plan p;
  EXPECT_EQ(cfp_evaluate(g.get(), o.get(), first.data(), first.size(), p.out()), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(p.get(), nullptr);
  EXPECT_MESSAGE("cfp_evaluate: the peak memory per device does not fit in 64 bits (2^64 bytes or more)");

  // Three of them fit in 64 bits: the exact total is reported.
  HugeParameterSum(g, 3);
  ASSERT_EQ(cfp_min_memory(g.get(), o.get(), &bytes), CFP_OK) << LastError();
  EXPECT_EQ(bytes, 3 * (uint64_t{1} << 62));
}

TEST(HostileArithmetic, NoBudgetHoldsMemoryPast64Bits) {
  Graph g;
  HugeParameterSum(g, 5);
  Options o;
  OneDevice(o);
  ASSERT_EQ(cfp_options_set_memory_budget(o.get(), UINT64_MAX), CFP_OK);
  Plan p;
  EXPECT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_ERR_INFEASIBLE);
  EXPECT_EQ(p.get(), nullptr);
  EXPECT_MESSAGE("no plan fits the memory budget of 18446744073709551615 bytes per device");
}

// A plan's choices on `mesh` with the default links, and whether it has a collective.
std::vector<uint32_t> PlanChoices(const Graph &g, const Options &o, size_t *collectives) {
  Plan p;
  EXPECT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_OK) << LastError();
  uint32_t ops = 0, n = 0;
  cfp_graph_op_count(g.get(), &ops);
  std::vector<uint32_t> choice(ops);
  for (uint32_t op = 0; op < ops; ++op) cfp_plan_op_strategy(p.get(), op, &choice[op]);
  cfp_plan_collective_count(p.get(), &n);
  *collectives = n;
  return choice;
}

TEST(HostileArithmetic, ATinyBandwidthMakesTheStepTimeNotFiniteAndNamesTheLink) {
  Graph g;
  // Wide enough that the best plan on 4 devices moves data between them.
  ASSERT_EQ(cfp_model_build("mlp:layers=2,hidden=4096,batch=1024", g.out()), CFP_OK) << LastError();
  Options o;
  ASSERT_EQ(cfp_options_create(o.out()), CFP_OK);
  const uint32_t mesh[] = {4};
  ASSERT_EQ(cfp_options_set_mesh(o.get(), mesh, 1), CFP_OK);
  size_t collectives = 0;
  const std::vector<uint32_t> choice = PlanChoices(g, o, &collectives);
  ASSERT_GT(collectives, 0u);

  // Every byte takes 2e323 s: more than a double holds.
  const double slowest = std::numeric_limits<double>::denorm_min();
  ASSERT_EQ(cfp_options_set_axis_link(o.get(), 0, slowest, 2e-6), CFP_OK) << LastError();
  Plan p;
  EXPECT_EQ(cfp_evaluate(g.get(), o.get(), choice.data(), choice.size(), p.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(p.get(), nullptr);
  EXPECT_MESSAGE("cfp_evaluate: the step time is not finite: the ");
  EXPECT_MESSAGE("over mesh axis 0 (a link of bandwidth 4.9407e-324 bytes/s, latency 2e-06 s) takes inf s");
  // The search finds the plan that keeps off the link: finite, and a plan.
  ASSERT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_OK) << LastError();
  double step = 0;
  ASSERT_EQ(cfp_plan_step_time(p.get(), &step), CFP_OK);
  EXPECT_TRUE(std::isfinite(step)) << step;
}

TEST(HostileArithmetic, InfiniteFlopsPerPointAreNamed) {
  Builder b;
  ASSERT_EQ(cfp_graph_builder_create("infinite-flops", b.out()), CFP_OK);
  const uint32_t x = AddTensor(b.get(), "x", {64, 64}, CFP_ROLE_DATA_INPUT);
  const uint32_t y = AddTensor(b.get(), "y", {64, 64});
  const uint32_t op = AddOp(b.get(), "forever", CFP_OP_CUSTOM, {x}, {y});
  ASSERT_EQ(cfp_graph_builder_set_op_einsum(b.get(), op, "ab->ab"), CFP_OK) << LastError();
  ASSERT_EQ(cfp_graph_builder_set_op_double(b.get(), op, CFP_ATTR_FLOPS_PER_POINT, std::numeric_limits<double>::infinity()),
            CFP_OK);
  Graph g;
  ASSERT_EQ(cfp_graph_builder_finish(b.get(), g.out()), CFP_OK) << LastError();
  Options o;
  OneDevice(o);
  Plan p;
  EXPECT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(p.get(), nullptr);
  EXPECT_MESSAGE("cfp_optimize: the step time is not finite: op 0 'forever' (custom) does inf FLOPs (inf FLOPs per point)");
  const uint32_t first[] = {0};
  EXPECT_EQ(cfp_evaluate(g.get(), o.get(), first, 1, p.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_MESSAGE("cfp_evaluate: the step time is not finite: op 0 'forever' (custom)");
}

TEST(HostileArithmetic, TinyPeakFlopsOrAHugeComputeScaleAreNamed) {
  Graph g;
  ASSERT_EQ(cfp_model_build("mlp:layers=2,hidden=256,batch=32", g.out()), CFP_OK) << LastError();
  {
    Options o;
    OneDevice(o);
    ASSERT_EQ(cfp_options_set_device_peak_flops(o.get(), CFP_F32, std::numeric_limits<double>::denorm_min()), CFP_OK)
        << LastError();
    Plan p;
    EXPECT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(p.get(), nullptr);
    EXPECT_MESSAGE("cfp_optimize: the step time is not finite: the compute time is inf s (compute scale 1, kernel "
                   "overhead 4e-06 s, the device's least peak FLOP/s 4.9407e-324");
  }
  {
    Options o;
    OneDevice(o);
    // Each kernel takes 1e300 s, scaled by 1e10.
    ASSERT_EQ(cfp_options_set_kernel_overhead(o.get(), 1e300), CFP_OK) << LastError();
    ASSERT_EQ(cfp_options_set_compute_scale(o.get(), 1e10), CFP_OK) << LastError();
    Plan p;
    EXPECT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(p.get(), nullptr);
    EXPECT_MESSAGE("the step time is not finite: the compute time is inf s (compute scale 1e+10, kernel overhead 1e+300 s");
  }
  {
    // Huge peak FLOP/s are harmless: the time only shrinks.
    Options o;
    OneDevice(o);
    ASSERT_EQ(cfp_options_set_device_peak_flops(o.get(), CFP_F32, 1e300), CFP_OK) << LastError();
    Plan p;
    ASSERT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_OK) << LastError();
    double step = -1;
    ASSERT_EQ(cfp_plan_step_time(p.get(), &step), CFP_OK);
    EXPECT_TRUE(std::isfinite(step) && step >= 0) << step;
  }
}

// A plan buffer with one op, one tensor and one all-reduce of `bytes` bytes.
std::vector<uint8_t> PlanWithCollectiveBytes(uint64_t bytes) {
  flatbuffers::FlatBufferBuilder b;
  const std::vector<uint32_t> mesh{2};
  std::vector<int32_t> assignment{-1};
  std::vector<flatbuffers::Offset<fb::OpStrategy>> ops{fb::CreateOpStrategy(b, 0, b.CreateVector(assignment), 0)};
  std::vector<uint8_t> none;
  std::vector<flatbuffers::Offset<fb::ShardingDim>> dims{fb::CreateShardingDim(b, b.CreateVector(none))};
  std::vector<flatbuffers::Offset<fb::Sharding>> tensors{fb::CreateSharding(b, b.CreateVector(dims))};
  std::vector<uint8_t> axes{0};
  std::vector<flatbuffers::Offset<fb::Collective>> colls{
      fb::CreateCollective(b, fb::CollectiveKind::AllReduce, 0, b.CreateVector(axes), bytes, -1, 1.5)};
  b.Finish(fb::CreatePlan(b, 1, b.CreateString("big-collective"), b.CreateVector(mesh), b.CreateString("analytic"), 1.5,
                          0, 1.5, 0, 0, false, b.CreateVector(ops), b.CreateVector(tensors), b.CreateVector(colls)),
           fb::PlanIdentifier());
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

TEST(HostileArithmetic, CollectiveBytesPast2To63ReadBackExactly) {
  for (uint64_t stored : {(uint64_t{1} << 63) + 1, UINT64_MAX, (uint64_t{1} << 53) + 1}) {
    const std::vector<uint8_t> buf = PlanWithCollectiveBytes(stored);
    Plan p;
    ASSERT_EQ(cfp_plan_from_buffer(buf.data(), buf.size(), p.out()), CFP_OK) << LastError();
    uint64_t bytes = 0;
    ASSERT_EQ(cfp_plan_collective(p.get(), 0, nullptr, nullptr, nullptr, &bytes, nullptr, nullptr), CFP_OK) << LastError();
    EXPECT_EQ(bytes, stored);
    Bytes json;
    ASSERT_EQ(cfp_plan_to_json(p.get(), json.out()), CFP_OK);
    const std::string text(static_cast<const char *>(cfp_bytes_data(json.get())), cfp_bytes_size(json.get()));
    EXPECT_NE(text.find("\"bytes\": " + std::to_string(stored)), std::string::npos) << text;
    // Saved and loaded again, the count is the same.
    Bytes again;
    ASSERT_EQ(cfp_plan_to_buffer(p.get(), again.out()), CFP_OK);
    Plan reloaded;
    ASSERT_EQ(cfp_plan_from_buffer(cfp_bytes_data(again.get()), cfp_bytes_size(again.get()), reloaded.out()), CFP_OK)
        << LastError();
    ASSERT_EQ(cfp_plan_collective(reloaded.get(), 0, nullptr, nullptr, nullptr, &bytes, nullptr, nullptr), CFP_OK);
    EXPECT_EQ(bytes, stored);
  }
}

}  // namespace
