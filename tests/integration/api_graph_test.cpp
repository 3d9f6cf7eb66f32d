// The graph half of the C API, driven the way a user's program drives it.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "graph_generated.h"
#include "support/c_graphs.h"

namespace {

using namespace cfp_test;  // NOLINT(google-build-using-namespace): test support

using cfp_test::LastError;

TEST(ApiVersion, MacrosMatchTheLoadedLibrary) {
  EXPECT_EQ(cfp_version_number(), static_cast<unsigned>(CFP_VERSION_NUMBER));
  std::string expect = std::to_string(CFP_VERSION_MAJOR) + "." + std::to_string(CFP_VERSION_MINOR) + "." +
                       std::to_string(CFP_VERSION_PATCH);
  EXPECT_EQ(expect, cfp_version_string());
}

TEST(ApiStatus, EveryCodeHasAName) {
  for (int c = CFP_OK; c <= CFP_ERR_INTERNAL; ++c)
    EXPECT_STRNE(cfp_status_string(static_cast<cfp_status>(c)), "CFP_ERR_UNKNOWN") << c;
  EXPECT_STREQ(cfp_status_string(static_cast<cfp_status>(999)), "CFP_ERR_UNKNOWN");
  EXPECT_STREQ(cfp_status_string(CFP_ERR_INVALID_GRAPH), "CFP_ERR_INVALID_GRAPH");
}

TEST(ApiBuilder, BuildsSerializesAndReloadsAGraph) {
  auto buf = cfp_test::TinyMlpBuffer(8, 16);
  ASSERT_FALSE(buf.empty()) << LastError();
  Graph g;
  ASSERT_EQ(cfp_graph_from_buffer(buf.data(), buf.size(), g.out()), CFP_OK) << LastError();
  uint32_t ops = 0, tensors = 0;
  uint64_t params = 0;
  double flops = 0;
  ASSERT_EQ(cfp_graph_op_count(g.get(), &ops), CFP_OK);
  ASSERT_EQ(cfp_graph_tensor_count(g.get(), &tensors), CFP_OK);
  ASSERT_EQ(cfp_graph_parameter_count(g.get(), &params), CFP_OK);
  ASSERT_EQ(cfp_graph_flops(g.get(), &flops), CFP_OK);
  EXPECT_EQ(ops, 5u);
  EXPECT_EQ(tensors, 10u);
  EXPECT_EQ(params, 16u * 16 + 16 + 16 * 16);
  EXPECT_DOUBLE_EQ(flops, 2 * (2.0 * 8 * 16 * 16) + 2 * 8 * 16);  // two dots, add, max
  const char *name = nullptr;
  ASSERT_EQ(cfp_graph_name(g.get(), &name), CFP_OK);
  EXPECT_STREQ(name, "tiny-mlp");
  ASSERT_EQ(cfp_graph_op_name(g.get(), 4, &name), CFP_OK);
  EXPECT_STREQ(name, "dot2");
  ASSERT_EQ(cfp_graph_op_scope(g.get(), 4, &name), CFP_OK);
  EXPECT_STREQ(name, "mlp.1");
  cfp_op_kind kind;
  ASSERT_EQ(cfp_graph_op_kind(g.get(), 1, &kind), CFP_OK);
  EXPECT_EQ(kind, CFP_OP_BROADCAST);
  int64_t dim = 0;
  ASSERT_EQ(cfp_graph_tensor_dim(g.get(), 0, 1, &dim), CFP_OK);
  EXPECT_EQ(dim, 16);
  EXPECT_EQ(cfp_graph_tensor_dim(g.get(), 0, 2, &dim), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(dim, 0);
  EXPECT_EQ(cfp_graph_op_name(g.get(), 5, &name), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(name, nullptr);
  EXPECT_NE(LastError().find("op 5 is out of range (graph has 5 ops)"), std::string::npos) << LastError();

  Bytes again;
  ASSERT_EQ(cfp_graph_to_buffer(g.get(), again.out()), CFP_OK);
  ASSERT_EQ(cfp_bytes_size(again.get()), buf.size());
  EXPECT_EQ(std::memcmp(cfp_bytes_data(again.get()), buf.data(), buf.size()), 0);
}

TEST(ApiBuilder, ReportsBadIdsAtOnce) {
  Builder b;
  ASSERT_EQ(cfp_graph_builder_create(nullptr, b.out()), CFP_OK);
  uint32_t x = AddTensor(b.get(), "x", {4});
  uint32_t id = 77;
  uint32_t in[] = {x, 9};
  uint32_t out[] = {x};
  EXPECT_EQ(cfp_graph_builder_add_op(b.get(), "op", CFP_OP_ADD, in, 2, out, 1, &id), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(id, 0u);
  EXPECT_NE(LastError().find("op 'op' reads tensor 9 does not exist"), std::string::npos) << LastError();
  EXPECT_EQ(cfp_graph_builder_add_op(b.get(), "op", static_cast<cfp_op_kind>(1234), in, 1, out, 1, &id),
            CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("unknown op kind 1234"), std::string::npos) << LastError();
  EXPECT_EQ(cfp_graph_builder_add_tensor(b.get(), "t", static_cast<cfp_dtype>(42), nullptr, 0, CFP_ROLE_CONSTANT, &id),
            CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_builder_set_op_scope(b.get(), 3, "s"), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("op 3 does not exist"), std::string::npos) << LastError();
  int64_t two[] = {1, 2};
  uint32_t op = AddOp(b.get(), "cat", CFP_OP_CONCATENATE, {x}, {x});
  EXPECT_EQ(cfp_graph_builder_set_op_ints(b.get(), op, CFP_ATTR_AXIS, two, 2), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("CFP_ATTR_AXIS takes exactly one value"), std::string::npos) << LastError();
  EXPECT_EQ(cfp_graph_builder_set_op_double(b.get(), op, CFP_ATTR_DIMS, 1.0), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_builder_set_op_einsum(b.get(), op, "a->a)"), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("einsum 'a->a)'"), std::string::npos) << LastError();
}

TEST(ApiBuilder, FinishReportsSemanticErrorsNamingTheOp) {
  Builder b;
  ASSERT_EQ(cfp_graph_builder_create("bad", b.out()), CFP_OK);
  uint32_t x = AddTensor(b.get(), "x", {4, 8}, CFP_ROLE_DATA_INPUT);
  uint32_t y = AddTensor(b.get(), "y", {4, 9});
  AddOp(b.get(), "the_exp", CFP_OP_EXP, {x}, {y});
  Graph g;
  EXPECT_EQ(cfp_graph_builder_finish(b.get(), g.out()), CFP_ERR_INVALID_GRAPH);
  EXPECT_EQ(g.get(), nullptr);
  EXPECT_NE(LastError().find("op 0 'the_exp' (exp): operand 0 shape [4,8] does not match result [4,9]"),
            std::string::npos)
      << LastError();
}

TEST(ApiBuilder, FinishRejectsCycles) {
  Builder b;
  ASSERT_EQ(cfp_graph_builder_create("cyclic", b.out()), CFP_OK);
  uint32_t x = AddTensor(b.get(), "x", {4});
  uint32_t y = AddTensor(b.get(), "y", {4});
  AddOp(b.get(), "a", CFP_OP_EXP, {x}, {y});
  AddOp(b.get(), "b", CFP_OP_EXP, {y}, {x});
  Graph g;
  EXPECT_EQ(cfp_graph_builder_finish(b.get(), g.out()), CFP_ERR_INVALID_GRAPH);
  EXPECT_NE(LastError().find("cycle"), std::string::npos) << LastError();
}

TEST(ApiLoad, RejectsEmptyTruncatedRandomAndForeignBuffers) {
  auto buf = cfp_test::TinyMlpBuffer();
  Graph g;
  EXPECT_EQ(cfp_graph_from_buffer(buf.data(), 0, g.out()), CFP_ERR_INVALID_GRAPH);
  EXPECT_NE(LastError().find("empty"), std::string::npos) << LastError();
  // (The last few bytes may be the builder's padding, so cut well inside the data.)
  for (size_t n = 1; n < buf.size() * 3 / 4; n += 7) {
    EXPECT_EQ(cfp_graph_from_buffer(buf.data(), n, g.out()), CFP_ERR_INVALID_GRAPH) << n;
    EXPECT_EQ(g.get(), nullptr);
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::vector<uint8_t> junk(1 + rng() % 512);
    for (auto &c : junk) c = static_cast<uint8_t>(rng());
    if (i % 2 && junk.size() >= 8) std::memcpy(junk.data() + 4, "CFPG", 4);
    cfp_status s = cfp_graph_from_buffer(junk.data(), junk.size(), g.out());
    EXPECT_EQ(s, CFP_ERR_INVALID_GRAPH) << i;
  }
  auto foreign = buf;
  std::memcpy(foreign.data() + 4, "ABCD", 4);
  EXPECT_EQ(cfp_graph_from_buffer(foreign.data(), foreign.size(), g.out()), CFP_ERR_INVALID_GRAPH);
  EXPECT_NE(LastError().find("file identifier is 'ABCD', expected 'CFPG'"), std::string::npos) << LastError();
}

TEST(ApiLoad, RejectsNewerSchemaVersion) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(cfp::fb::CreateGraph(fbb, 99, fbb.CreateString("future")), cfp::fb::GraphIdentifier());
  Graph g;
  EXPECT_EQ(cfp_graph_from_buffer(fbb.GetBufferPointer(), fbb.GetSize(), g.out()), CFP_ERR_INVALID_GRAPH);
  EXPECT_NE(LastError().find("schema version 99, newer than this library reads (1)"), std::string::npos) << LastError();
}

TEST(ApiLoad, RejectsUnknownTensorIdInBuffer) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<int64_t> shape{4};
  auto t = cfp::fb::CreateTensor(fbb, fbb.CreateString("x"), cfp::fb::DType::F32, fbb.CreateVector(shape));
  std::vector<uint32_t> in{5}, out{0};
  auto op = cfp::fb::CreateOp(fbb, fbb.CreateString("exp"), cfp::fb::OpKind::Exp, fbb.CreateVector(in), fbb.CreateVector(out));
  std::vector<flatbuffers::Offset<cfp::fb::Tensor>> ts{t};
  std::vector<flatbuffers::Offset<cfp::fb::Op>> os{op};
  fbb.Finish(cfp::fb::CreateGraph(fbb, 1, fbb.CreateString("g"), fbb.CreateVector(ts), fbb.CreateVector(os)),
             cfp::fb::GraphIdentifier());
  Graph g;
  EXPECT_EQ(cfp_graph_from_buffer(fbb.GetBufferPointer(), fbb.GetSize(), g.out()), CFP_ERR_INVALID_GRAPH);
  EXPECT_NE(LastError().find("op 0 'exp' (exp) reads tensor 5, which does not exist"), std::string::npos) << LastError();
}

TEST(ApiLoad, FileErrorsAreIoErrors) {
  Graph g;
  EXPECT_EQ(cfp_graph_from_file("/nonexistent/g.cfpg", g.out()), CFP_ERR_IO);
  EXPECT_NE(LastError().find("/nonexistent/g.cfpg"), std::string::npos) << LastError();
  EXPECT_EQ(cfp_graph_from_file("/", g.out()), CFP_ERR_IO);
}

TEST(ApiLoad, FileRoundTrip) {
  auto buf = cfp_test::TinyMlpBuffer();
  Graph g;
  ASSERT_EQ(cfp_graph_from_buffer(buf.data(), buf.size(), g.out()), CFP_OK);
  std::string path = ::testing::TempDir() + "/roundtrip.cfpg";
  ASSERT_EQ(cfp_graph_to_file(g.get(), path.c_str()), CFP_OK) << LastError();
  Graph g2;
  ASSERT_EQ(cfp_graph_from_file(path.c_str(), g2.out()), CFP_OK) << LastError();
  uint32_t n = 0;
  cfp_graph_op_count(g2.get(), &n);
  EXPECT_EQ(n, 5u);
  EXPECT_EQ(cfp_graph_to_file(g.get(), "/nonexistent/dir/x.cfpg"), CFP_ERR_IO);
}

TEST(ApiNull, EveryGraphFunctionRejectsNullArguments) {
  Graph g;
  EXPECT_EQ(cfp_graph_from_buffer(nullptr, 10, g.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("data must not be NULL"), std::string::npos);
  uint8_t byte = 0;
  EXPECT_EQ(cfp_graph_from_buffer(&byte, 1, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("out must not be NULL"), std::string::npos);
  EXPECT_EQ(cfp_graph_from_file(nullptr, g.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_to_buffer(nullptr, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_to_file(nullptr, "x"), CFP_ERR_INVALID_ARGUMENT);
  uint32_t n;
  uint64_t u;
  double d;
  const char *s;
  cfp_op_kind k;
  cfp_dtype dt;
  cfp_tensor_role r;
  int64_t i;
  EXPECT_EQ(cfp_graph_op_count(nullptr, &n), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("graph must not be NULL"), std::string::npos);
  EXPECT_EQ(cfp_graph_tensor_count(nullptr, &n), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_name(nullptr, &s), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_op_name(nullptr, 0, &s), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_op_kind(nullptr, 0, &k), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_op_scope(nullptr, 0, &s), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_tensor_name(nullptr, 0, &s), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_tensor_dtype(nullptr, 0, &dt), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_tensor_role(nullptr, 0, &r), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_tensor_rank(nullptr, 0, &n), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_tensor_dim(nullptr, 0, 0, &i), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_parameter_count(nullptr, &u), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_flops(nullptr, &d), CFP_ERR_INVALID_ARGUMENT);

  auto buf = cfp_test::TinyMlpBuffer();
  ASSERT_EQ(cfp_graph_from_buffer(buf.data(), buf.size(), g.out()), CFP_OK);
  EXPECT_EQ(cfp_graph_op_count(g.get(), nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_name(g.get(), nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_tensor_dim(g.get(), 0, 0, nullptr), CFP_ERR_INVALID_ARGUMENT);

  // Builder functions.
  EXPECT_EQ(cfp_graph_builder_create("x", nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_builder_add_tensor(nullptr, "x", CFP_F32, nullptr, 0, CFP_ROLE_CONSTANT, &n),
            CFP_ERR_INVALID_ARGUMENT);
  Builder b;
  ASSERT_EQ(cfp_graph_builder_create("x", b.out()), CFP_OK);
  EXPECT_EQ(cfp_graph_builder_add_tensor(b.get(), "x", CFP_F32, nullptr, 2, CFP_ROLE_CONSTANT, &n),
            CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("shape must not be NULL when its count is non-zero"), std::string::npos);
  EXPECT_EQ(cfp_graph_builder_add_tensor(b.get(), "x", CFP_F32, nullptr, 0, CFP_ROLE_CONSTANT, nullptr),
            CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_builder_add_op(b.get(), "x", CFP_OP_ADD, nullptr, 1, nullptr, 0, &n), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_builder_add_op(nullptr, "x", CFP_OP_ADD, nullptr, 0, nullptr, 0, &n), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_builder_set_op_ints(nullptr, 0, CFP_ATTR_DIMS, nullptr, 0), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_builder_set_op_double(nullptr, 0, CFP_ATTR_PAD_VALUE, 0), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_builder_set_op_scope(nullptr, 0, "s"), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_builder_set_op_phase(nullptr, 0, CFP_PHASE_FORWARD), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_builder_set_op_grad_of(nullptr, 0, 0), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_builder_set_op_einsum(nullptr, 0, "a->a"), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_builder_set_tensor_gradient_of(nullptr, 0, 0), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_builder_set_tensor_updates(nullptr, 0, 0), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_builder_set_tensor_value(nullptr, 0, 0), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_builder_finish(nullptr, g.out()), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_builder_finish(b.get(), nullptr), CFP_ERR_INVALID_ARGUMENT);

  // Destroys accept NULL; byte accessors tolerate it.
  cfp_graph_destroy(nullptr);
  cfp_graph_builder_destroy(nullptr);
  cfp_bytes_destroy(nullptr);
  EXPECT_EQ(cfp_bytes_data(nullptr), nullptr);
  EXPECT_EQ(cfp_bytes_size(nullptr), 0u);
}

TEST(ApiErrors, LastErrorIsPerThreadAndClearedBySuccess) {
  Graph g;
  ASSERT_EQ(cfp_graph_from_buffer(nullptr, 0, g.out()), CFP_ERR_INVALID_GRAPH);
  std::string main_message = LastError();
  EXPECT_FALSE(main_message.empty());
  std::string other;
  std::thread t([&] { other = cfp_last_error_message(); });
  t.join();
  EXPECT_EQ(other, "");
  EXPECT_EQ(LastError(), main_message);
  EXPECT_NE(main_message.find("cfp_graph_from_buffer: "), std::string::npos) << main_message;
  auto buf = cfp_test::TinyMlpBuffer();
  ASSERT_EQ(cfp_graph_from_buffer(buf.data(), buf.size(), g.out()), CFP_OK);
  EXPECT_EQ(LastError(), "");
}

TEST(ApiThreads, ConcurrentLoadsOfOneBufferAgree) {
  auto buf = cfp_test::TinyMlpBuffer(32, 64);
  std::vector<std::thread> threads;
  std::vector<double> flops(8, 0);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      for (int r = 0; r < 50; ++r) {
        cfp_graph *g = nullptr;
        if (cfp_graph_from_buffer(buf.data(), buf.size(), &g) != CFP_OK) return;
        cfp_graph_flops(g, &flops[i]);
        cfp_graph_destroy(g);
      }
    });
  for (auto &t : threads) t.join();
  for (double f : flops) EXPECT_EQ(f, flops[0]);
  EXPECT_GT(flops[0], 0);
}

// The tiny MLP of c_graphs.h, reduced to a scalar loss, made a training step.
Graph TrainedTinyMlp(const char *optimizer) {
  Builder b;
  EXPECT_EQ(cfp_graph_builder_create("trained-mlp", b.out()), CFP_OK);
  cfp_test::BuildTinyMlp(b.get(), 4, 8);  // ends in y [4, 8], tensor 9
  uint32_t loss = AddTensor(b.get(), "loss", {}, CFP_ROLE_ACTIVATION);
  uint32_t sum = AddOp(b.get(), "loss.sum", CFP_OP_REDUCE_SUM, {9}, {loss});
  int64_t dims[] = {0, 1};
  EXPECT_EQ(cfp_graph_builder_set_op_ints(b.get(), sum, CFP_ATTR_DIMS, dims, 2), CFP_OK);
  Graph fwd, train;
  EXPECT_EQ(cfp_graph_builder_finish(b.get(), fwd.out()), CFP_OK) << LastError();
  EXPECT_EQ(cfp_graph_make_training(fwd.get(), optimizer, train.out()), CFP_OK) << LastError();
  return train;
}

std::vector<int64_t> ShapeOf(const cfp_graph *g, uint32_t t) {
  uint32_t rank = 0;
  EXPECT_EQ(cfp_graph_tensor_rank(g, t, &rank), CFP_OK);
  std::vector<int64_t> shape(rank);
  for (uint32_t d = 0; d < rank; ++d) EXPECT_EQ(cfp_graph_tensor_dim(g, t, d, &shape[d]), CFP_OK);
  return shape;
}

cfp_tensor_role RoleOf(const cfp_graph *g, uint32_t t) {
  cfp_tensor_role r = CFP_ROLE_DATA_INPUT;
  EXPECT_EQ(cfp_graph_tensor_role(g, t, &r), CFP_OK);
  return r;
}

cfp_phase PhaseOf(const cfp_graph *g, uint32_t op) {
  cfp_phase p = CFP_PHASE_FORWARD;
  EXPECT_EQ(cfp_graph_op_phase(g, op, &p), CFP_OK);
  return p;
}

TEST(ApiTensorLinks, TrainingLinksEveryGradientToItsForwardTensor) {
  Graph g = TrainedTinyMlp("adam");
  ASSERT_NE(g.get(), nullptr);
  uint32_t tensors = 0;
  ASSERT_EQ(cfp_graph_tensor_count(g.get(), &tensors), CFP_OK);
  std::map<uint32_t, int> gradients_of;  // forward tensor -> gradient tensors linked to it
  for (uint32_t t = 0; t < tensors; ++t) {
    uint32_t of = 7;
    ASSERT_EQ(cfp_graph_tensor_gradient_of(g.get(), t, &of), CFP_OK) << LastError();
    if (of == CFP_NO_TENSOR) continue;
    ASSERT_LT(of, tensors);
    ++gradients_of[of];
    EXPECT_EQ(ShapeOf(g.get(), of), ShapeOf(g.get(), t)) << "tensor " << t << " is the gradient of " << of;
    EXPECT_EQ(RoleOf(g.get(), t), CFP_ROLE_GRADIENT) << t;
    const cfp_tensor_role forward = RoleOf(g.get(), of);
    EXPECT_TRUE(forward == CFP_ROLE_PARAMETER || forward == CFP_ROLE_ACTIVATION) << of << " has role " << forward;
    // A gradient is computed in the backward pass, from a tensor the forward pass has.
    uint32_t producer = CFP_NO_OP;
    ASSERT_EQ(cfp_graph_tensor_producer(g.get(), t, &producer), CFP_OK);
    ASSERT_NE(producer, CFP_NO_OP);
    EXPECT_EQ(PhaseOf(g.get(), producer), CFP_PHASE_BACKWARD);
  }
  // Every parameter (w1, b1, w2: tensors 1 to 3) has exactly one gradient.
  for (uint32_t param : {1u, 2u, 3u}) EXPECT_EQ(gradients_of[param], 1) << "parameter " << param;
  EXPECT_EQ(gradients_of.count(0), 0u);  // the data input x needs none
}

TEST(ApiTensorLinks, UpdatesReplaceGraphInputsOfTheSameShape) {
  Graph g = TrainedTinyMlp("adam");
  ASSERT_NE(g.get(), nullptr);
  uint32_t tensors = 0;
  ASSERT_EQ(cfp_graph_tensor_count(g.get(), &tensors), CFP_OK);
  std::map<uint32_t, int> replaced;
  for (uint32_t t = 0; t < tensors; ++t) {
    uint32_t target = 7;
    ASSERT_EQ(cfp_graph_tensor_updates(g.get(), t, &target), CFP_OK) << LastError();
    if (target == CFP_NO_TENSOR) continue;
    ASSERT_LT(target, tensors);
    ++replaced[target];
    uint32_t producer = 0;
    ASSERT_EQ(cfp_graph_tensor_producer(g.get(), target, &producer), CFP_OK);
    EXPECT_EQ(producer, CFP_NO_OP) << "tensor " << t << " updates tensor " << target << ", which is no graph input";
    EXPECT_EQ(ShapeOf(g.get(), target), ShapeOf(g.get(), t));
    cfp_dtype a = CFP_BOOL, b = CFP_BOOL;
    cfp_graph_tensor_dtype(g.get(), target, &a);
    cfp_graph_tensor_dtype(g.get(), t, &b);
    EXPECT_EQ(a, b);
    const cfp_tensor_role role = RoleOf(g.get(), target);
    EXPECT_TRUE(role == CFP_ROLE_PARAMETER || role == CFP_ROLE_OPTIMIZER_STATE) << target << " has role " << role;
    ASSERT_EQ(cfp_graph_tensor_producer(g.get(), t, &producer), CFP_OK);
    ASSERT_NE(producer, CFP_NO_OP);
    EXPECT_EQ(PhaseOf(g.get(), producer), CFP_PHASE_UPDATE);
  }
  // Adam replaces each parameter and its two moments, each by one tensor.
  for (uint32_t param : {1u, 2u, 3u}) EXPECT_EQ(replaced[param], 1) << "parameter " << param;
  size_t states = 0;
  for (const auto &[target, n] : replaced) {
    EXPECT_EQ(n, 1) << "tensor " << target << " is replaced " << n << " times";
    states += RoleOf(g.get(), target) == CFP_ROLE_OPTIMIZER_STATE;
  }
  EXPECT_GE(states, 6u);
}

TEST(ApiTensorLinks, BackwardOpsNameTheForwardOpTheyDifferentiate) {
  Graph g = TrainedTinyMlp("sgd");
  ASSERT_NE(g.get(), nullptr);
  uint32_t ops = 0;
  ASSERT_EQ(cfp_graph_op_count(g.get(), &ops), CFP_OK);
  std::set<uint32_t> differentiated;
  for (uint32_t op = 0; op < ops; ++op) {
    uint32_t forward = 7;
    ASSERT_EQ(cfp_graph_op_grad_of(g.get(), op, &forward), CFP_OK) << LastError();
    if (PhaseOf(g.get(), op) != CFP_PHASE_BACKWARD) {
      EXPECT_EQ(forward, CFP_NO_OP) << "op " << op;
      continue;
    }
    if (forward == CFP_NO_OP) continue;
    ASSERT_LT(forward, ops);
    EXPECT_EQ(PhaseOf(g.get(), forward), CFP_PHASE_FORWARD) << "op " << op << " differentiates op " << forward;
    differentiated.insert(forward);
  }
  // Both matrix products (ops 0 and 4) are differentiated.
  EXPECT_TRUE(differentiated.count(0));
  EXPECT_TRUE(differentiated.count(4));
}

TEST(ApiTensorLinks, AForwardGraphHasNoLinksAndBuilderLinksReadBack) {
  auto buf = cfp_test::TinyMlpBuffer();
  Graph fwd;
  ASSERT_EQ(cfp_graph_from_buffer(buf.data(), buf.size(), fwd.out()), CFP_OK);
  for (uint32_t t = 0; t < 10; ++t) {
    uint32_t of = 0, target = 0;
    ASSERT_EQ(cfp_graph_tensor_gradient_of(fwd.get(), t, &of), CFP_OK);
    ASSERT_EQ(cfp_graph_tensor_updates(fwd.get(), t, &target), CFP_OK);
    EXPECT_EQ(of, CFP_NO_TENSOR);
    EXPECT_EQ(target, CFP_NO_TENSOR);
  }
  uint32_t forward = 0;
  ASSERT_EQ(cfp_graph_op_grad_of(fwd.get(), 0, &forward), CFP_OK);
  EXPECT_EQ(forward, CFP_NO_OP);

  Builder b;
  ASSERT_EQ(cfp_graph_builder_create("links", b.out()), CFP_OK);
  uint32_t w = AddTensor(b.get(), "w", {4}, CFP_ROLE_PARAMETER);
  uint32_t gw = AddTensor(b.get(), "gw", {4}, CFP_ROLE_GRADIENT);
  uint32_t next = AddTensor(b.get(), "w.next", {4});
  uint32_t fwd_op = AddOp(b.get(), "neg", CFP_OP_NEG, {w}, {gw});
  uint32_t upd = AddOp(b.get(), "sub", CFP_OP_SUBTRACT, {w, gw}, {next});
  ASSERT_EQ(cfp_graph_builder_set_tensor_gradient_of(b.get(), gw, w), CFP_OK);
  ASSERT_EQ(cfp_graph_builder_set_tensor_updates(b.get(), next, w), CFP_OK);
  ASSERT_EQ(cfp_graph_builder_set_op_grad_of(b.get(), upd, fwd_op), CFP_OK);
  Graph g;
  ASSERT_EQ(cfp_graph_builder_finish(b.get(), g.out()), CFP_OK) << LastError();
  // And through the FlatBuffers bytes.
  Bytes bytes;
  ASSERT_EQ(cfp_graph_to_buffer(g.get(), bytes.out()), CFP_OK);
  Graph back;
  ASSERT_EQ(cfp_graph_from_buffer(cfp_bytes_data(bytes.get()), cfp_bytes_size(bytes.get()), back.out()), CFP_OK);
  for (const cfp_graph *h : {g.get(), back.get()}) {
    uint32_t id = 0;
    ASSERT_EQ(cfp_graph_tensor_gradient_of(h, gw, &id), CFP_OK);
    EXPECT_EQ(id, w);
    ASSERT_EQ(cfp_graph_tensor_updates(h, next, &id), CFP_OK);
    EXPECT_EQ(id, w);
    ASSERT_EQ(cfp_graph_tensor_updates(h, gw, &id), CFP_OK);
    EXPECT_EQ(id, CFP_NO_TENSOR);
    ASSERT_EQ(cfp_graph_op_grad_of(h, upd, &id), CFP_OK);
    EXPECT_EQ(id, fwd_op);
  }
}

TEST(ApiTensorLinks, BadIdsAndNullOutsFailCleanly) {
  auto buf = cfp_test::TinyMlpBuffer();
  Graph g;
  ASSERT_EQ(cfp_graph_from_buffer(buf.data(), buf.size(), g.out()), CFP_OK);
  uint32_t id = 7;
  EXPECT_EQ(cfp_graph_tensor_gradient_of(g.get(), 10, &id), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(id, CFP_NO_TENSOR);
  EXPECT_NE(LastError().find("cfp_graph_tensor_gradient_of: tensor 10 is out of range (graph has 10 tensors)"),
            std::string::npos)
      << LastError();
  id = 7;
  EXPECT_EQ(cfp_graph_tensor_updates(g.get(), UINT32_MAX, &id), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(id, CFP_NO_TENSOR);
  EXPECT_NE(LastError().find("cfp_graph_tensor_updates: tensor 4294967295 is out of range"), std::string::npos)
      << LastError();
  id = 7;
  EXPECT_EQ(cfp_graph_op_grad_of(g.get(), 5, &id), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(id, CFP_NO_OP);
  EXPECT_NE(LastError().find("cfp_graph_op_grad_of: op 5 is out of range (graph has 5 ops)"), std::string::npos)
      << LastError();
  EXPECT_EQ(cfp_graph_tensor_gradient_of(g.get(), 0, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("out must not be NULL"), std::string::npos) << LastError();
  EXPECT_EQ(cfp_graph_tensor_updates(nullptr, 0, &id), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("graph must not be NULL"), std::string::npos) << LastError();
  EXPECT_EQ(cfp_graph_op_grad_of(g.get(), 0, nullptr), CFP_ERR_INVALID_ARGUMENT);
}

// An op's iteration space read through the C API.
struct Space {
  struct Axis {
    int64_t size = 0;
    int reduction = -1, splittable = -1;
  };
  std::vector<Axis> axes;
  uint32_t inputs = 0;
  std::vector<std::vector<std::vector<uint32_t>>> operands;  // operand -> dim -> axes

  // Einsum text as the library writes it: labels a, b, c, ... by axis id.
  std::string Text() const {
    auto label = [](uint32_t a) { return a < 26 ? std::string(1, static_cast<char>('a' + a)) : "a" + std::to_string(a); };
    std::string s;
    for (size_t o = 0; o < operands.size(); ++o) {
      if (o == inputs) s += "->";
      else if (o > 0) s += ",";
      for (const auto &dim : operands[o]) {
        if (dim.size() == 1) {
          s += label(dim[0]);
        } else {
          s += "(";
          for (uint32_t a : dim) s += label(a);
          s += ")";
        }
      }
    }
    if (inputs == operands.size()) s += "->";
    return s;
  }
};

Space SpaceOf(const cfp_graph *g, uint32_t op) {
  Space s;
  uint32_t n = 0, outputs = 0;
  EXPECT_EQ(cfp_graph_op_axis_count(g, op, &n), CFP_OK) << LastError();
  s.axes.resize(n);
  for (uint32_t a = 0; a < n; ++a) {
    EXPECT_EQ(cfp_graph_op_axis_size(g, op, a, &s.axes[a].size), CFP_OK) << LastError();
    EXPECT_EQ(cfp_graph_op_axis_is_reduction(g, op, a, &s.axes[a].reduction), CFP_OK) << LastError();
    EXPECT_EQ(cfp_graph_op_axis_splittable(g, op, a, &s.axes[a].splittable), CFP_OK) << LastError();
  }
  EXPECT_EQ(cfp_graph_op_input_count(g, op, &s.inputs), CFP_OK);
  EXPECT_EQ(cfp_graph_op_output_count(g, op, &outputs), CFP_OK);
  for (uint32_t o = 0; o < s.inputs + outputs; ++o) {
    uint32_t t = 0;
    if (o < s.inputs) EXPECT_EQ(cfp_graph_op_input(g, op, o, &t), CFP_OK);
    else EXPECT_EQ(cfp_graph_op_output(g, op, o - s.inputs, &t), CFP_OK);
    std::vector<std::vector<uint32_t>> dims(ShapeOf(g, t).size());
    for (uint32_t d = 0; d < dims.size(); ++d) {
      uint32_t count = 0;
      EXPECT_EQ(cfp_graph_op_operand_dim_axis_count(g, op, o, d, &count), CFP_OK) << LastError();
      dims[d].resize(count);
      for (uint32_t i = 0; i < count; ++i)
        EXPECT_EQ(cfp_graph_op_operand_dim_axis(g, op, o, d, i, &dims[d][i]), CFP_OK) << LastError();
    }
    s.operands.push_back(std::move(dims));
  }
  return s;
}

using Dims = std::vector<std::vector<uint32_t>>;

TEST(ApiIterationSpace, AMatmulHasTwoParallelAxesAndOneReduction) {
  auto buf = cfp_test::TinyMlpBuffer(8, 16);
  Graph g;
  ASSERT_EQ(cfp_graph_from_buffer(buf.data(), buf.size(), g.out()), CFP_OK);
  const Space s = SpaceOf(g.get(), 0);  // dot1: x[8,16] @ w1[16,16] -> h[8,16]
  ASSERT_EQ(s.axes.size(), 3u);
  // Axes: m (lhs free), n (rhs free), then the contracted k.
  EXPECT_EQ(s.axes[0].size, 8);
  EXPECT_EQ(s.axes[1].size, 16);
  EXPECT_EQ(s.axes[2].size, 16);
  EXPECT_EQ(s.axes[0].reduction, 0);
  EXPECT_EQ(s.axes[1].reduction, 0);
  EXPECT_EQ(s.axes[2].reduction, 1);
  for (const auto &a : s.axes) EXPECT_EQ(a.splittable, 1);
  ASSERT_EQ(s.operands.size(), 3u);
  EXPECT_EQ(s.operands[0], (Dims{{0}, {2}}));  // x: m k
  EXPECT_EQ(s.operands[1], (Dims{{2}, {1}}));  // w1: k n
  EXPECT_EQ(s.operands[2], (Dims{{0}, {1}}));  // h: m n
  EXPECT_EQ(s.Text(), "ac,cb->ab");

  // bias.broadcast: b1[16] -> [8,16] along dim 1, and the rank-0 operand of relu.
  const Space bc = SpaceOf(g.get(), 1);
  ASSERT_EQ(bc.axes.size(), 2u);
  EXPECT_EQ(bc.operands[0], (Dims{{1}}));
  EXPECT_EQ(bc.operands[1], (Dims{{0}, {1}}));
  const Space relu = SpaceOf(g.get(), 3);
  ASSERT_EQ(relu.operands.size(), 3u);
  EXPECT_TRUE(relu.operands[1].empty());
  EXPECT_EQ(relu.Text(), "ab,->ab");
}

TEST(ApiIterationSpace, BroadcastReshapeSliceAndReduceDims) {
  Builder b;
  ASSERT_EQ(cfp_graph_builder_create("spaces", b.out()), CFP_OK);
  uint32_t x = AddTensor(b.get(), "x", {4, 8}, CFP_ROLE_DATA_INPUT);
  uint32_t row = AddTensor(b.get(), "row", {1, 8}, CFP_ROLE_PARAMETER);
  uint32_t sum = AddTensor(b.get(), "sum", {4, 8});
  uint32_t flat = AddTensor(b.get(), "flat", {32});
  uint32_t part = AddTensor(b.get(), "part", {4, 3});
  uint32_t total = AddTensor(b.get(), "total", {8});
  uint32_t add = AddOp(b.get(), "add", CFP_OP_ADD, {x, row}, {sum});
  uint32_t reshape = AddOp(b.get(), "reshape", CFP_OP_RESHAPE, {sum}, {flat});
  uint32_t slice = AddOp(b.get(), "slice", CFP_OP_SLICE, {sum}, {part});
  const int64_t starts[] = {0, 2}, limits[] = {4, 5};
  ASSERT_EQ(cfp_graph_builder_set_op_ints(b.get(), slice, CFP_ATTR_STARTS, starts, 2), CFP_OK);
  ASSERT_EQ(cfp_graph_builder_set_op_ints(b.get(), slice, CFP_ATTR_LIMITS, limits, 2), CFP_OK);
  uint32_t reduce = AddOp(b.get(), "reduce", CFP_OP_REDUCE_SUM, {sum}, {total});
  const int64_t reduced[] = {0};
  ASSERT_EQ(cfp_graph_builder_set_op_ints(b.get(), reduce, CFP_ATTR_DIMS, reduced, 1), CFP_OK);
  Graph g;
  ASSERT_EQ(cfp_graph_builder_finish(b.get(), g.out()), CFP_OK) << LastError();

  // The size-1 dim of `row` is broadcast: it maps to no axis.
  const Space a = SpaceOf(g.get(), add);
  ASSERT_EQ(a.axes.size(), 2u);
  EXPECT_EQ(a.operands[0], (Dims{{0}, {1}}));
  EXPECT_EQ(a.operands[1], (Dims{{}, {1}}));
  uint32_t count = 9;
  ASSERT_EQ(cfp_graph_op_operand_dim_axis_count(g.get(), add, 1, 0, &count), CFP_OK);
  EXPECT_EQ(count, 0u);

  // [4,8] -> [32]: the flat dim is made of both axes, outermost first.
  const Space r = SpaceOf(g.get(), reshape);
  ASSERT_EQ(r.axes.size(), 2u);
  EXPECT_EQ(r.axes[0].size, 4);
  EXPECT_EQ(r.axes[1].size, 8);
  EXPECT_EQ(r.operands[1], (Dims{{0, 1}}));
  EXPECT_EQ(r.Text(), "ab->(ab)");

  // The sliced dim is an axis of its own on each side, and never split.
  const Space s = SpaceOf(g.get(), slice);
  ASSERT_EQ(s.operands.size(), 2u);
  EXPECT_EQ(s.operands[0][0], s.operands[1][0]);
  EXPECT_EQ(s.axes[s.operands[0][0][0]].splittable, 1);
  ASSERT_EQ(s.operands[0][1].size(), 1u);
  ASSERT_EQ(s.operands[1][1].size(), 1u);
  EXPECT_NE(s.operands[0][1], s.operands[1][1]);
  EXPECT_EQ(s.axes[s.operands[0][1][0]].size, 8);
  EXPECT_EQ(s.axes[s.operands[1][1][0]].size, 3);
  EXPECT_EQ(s.axes[s.operands[0][1][0]].splittable, 0);
  EXPECT_EQ(s.axes[s.operands[1][1][0]].splittable, 0);

  // A reduce sums over the axis of the dim it removes.
  const Space red = SpaceOf(g.get(), reduce);
  ASSERT_EQ(red.axes.size(), 2u);
  const uint32_t summed = red.operands[0][0].at(0);
  EXPECT_EQ(red.axes[summed].reduction, 1);
  EXPECT_EQ(red.axes[red.operands[1][0].at(0)].reduction, 0);
}

// On a whole model: every dim is the product of its axes (1 for none), axes are in range,
// reduction axes appear in no output, and the text matches the strategies' own einsum.
TEST(ApiIterationSpace, EveryOpOfAModelIsConsistentWithItsShapesAndStrategies) {
  Graph g;
  ASSERT_EQ(cfp_model_build("gpt:layers=1,hidden=64,heads=2,seq=16,batch=2,vocab=50", g.out()), CFP_OK) << LastError();
  Options o;
  ASSERT_EQ(cfp_options_create(o.out()), CFP_OK);
  const uint32_t mesh[] = {2};
  ASSERT_EQ(cfp_options_set_mesh(o.get(), mesh, 1), CFP_OK);
  uint32_t ops = 0;
  ASSERT_EQ(cfp_graph_op_count(g.get(), &ops), CFP_OK);
  size_t reductions = 0, merged = 0;
  for (uint32_t op = 0; op < ops; ++op) {
    const Space s = SpaceOf(g.get(), op);
    std::vector<bool> in_output(s.axes.size(), false);
    for (size_t operand = 0; operand < s.operands.size(); ++operand) {
      uint32_t t = 0;
      if (operand < s.inputs) ASSERT_EQ(cfp_graph_op_input(g.get(), op, static_cast<uint32_t>(operand), &t), CFP_OK);
      else ASSERT_EQ(cfp_graph_op_output(g.get(), op, static_cast<uint32_t>(operand - s.inputs), &t), CFP_OK);
      const auto shape = ShapeOf(g.get(), t);
      for (size_t d = 0; d < shape.size(); ++d) {
        int64_t product = 1;
        for (uint32_t a : s.operands[operand][d]) {
          ASSERT_LT(a, s.axes.size()) << "op " << op;
          product *= s.axes[a].size;
          if (operand >= s.inputs) in_output[a] = true;
        }
        EXPECT_EQ(product, shape[d]) << "op " << op << " operand " << operand << " dim " << d;
        merged += s.operands[operand][d].size() > 1;
      }
    }
    for (size_t a = 0; a < s.axes.size(); ++a) {
      EXPECT_GE(s.axes[a].size, 1);
      if (s.axes[a].reduction) {
        ++reductions;
        EXPECT_FALSE(in_output[a]) << "op " << op << " reduces axis " << a << " but outputs it";
      }
    }
    uint32_t strategies = 0;
    ASSERT_EQ(cfp_op_strategy_count(g.get(), o.get(), op, &strategies), CFP_OK);
    ASSERT_GT(strategies, 0u);
    char text[512];
    ASSERT_EQ(cfp_op_strategy_describe(g.get(), o.get(), op, 0, text, sizeof text, nullptr), CFP_OK) << LastError();
    const std::string described = text, suffix = " : " + s.Text();
    ASSERT_GE(described.size(), suffix.size());
    EXPECT_EQ(described.substr(described.size() - suffix.size()), suffix) << "op " << op;
  }
  EXPECT_GT(reductions, 0u);
  EXPECT_GT(merged, 0u);  // attention heads are reshaped out of the hidden dim
}

TEST(ApiIterationSpace, BadIdsAndNullOutsFailCleanly) {
  auto buf = cfp_test::TinyMlpBuffer();
  Graph g;
  ASSERT_EQ(cfp_graph_from_buffer(buf.data(), buf.size(), g.out()), CFP_OK);
  uint32_t n = 7;
  int64_t size = 7;
  int flag = 7;
  EXPECT_EQ(cfp_graph_op_axis_count(g.get(), 5, &n), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(n, 0u);
  EXPECT_NE(LastError().find("cfp_graph_op_axis_count: op 5 is out of range"), std::string::npos) << LastError();
  EXPECT_EQ(cfp_graph_op_axis_size(g.get(), 0, 3, &size), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(size, 0);
  EXPECT_NE(LastError().find("cfp_graph_op_axis_size: axis 3 of op 0 is out of range (it has 3 axes)"), std::string::npos)
      << LastError();
  EXPECT_EQ(cfp_graph_op_axis_is_reduction(g.get(), 0, 3, &flag), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(flag, 0);
  flag = 7;
  EXPECT_EQ(cfp_graph_op_axis_splittable(g.get(), 0, 3, &flag), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(flag, 0);
  n = 7;
  EXPECT_EQ(cfp_graph_op_operand_dim_axis_count(g.get(), 0, 3, 0, &n), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(n, 0u);
  EXPECT_NE(LastError().find("operand 3 of op 0 is out of range (it has 3: 2 inputs, then 1 outputs)"), std::string::npos)
      << LastError();
  EXPECT_EQ(cfp_graph_op_operand_dim_axis_count(g.get(), 0, 0, 2, &n), CFP_ERR_OUT_OF_RANGE);
  EXPECT_NE(LastError().find("dim 2 of operand 0 of op 0 is out of range (the operand has rank 2)"), std::string::npos)
      << LastError();
  n = 7;
  EXPECT_EQ(cfp_graph_op_operand_dim_axis(g.get(), 0, 0, 0, 1, &n), CFP_ERR_OUT_OF_RANGE);
  EXPECT_EQ(n, 0u);
  EXPECT_NE(LastError().find("axis index 1 of dim 0 of operand 0 of op 0 is out of range"), std::string::npos)
      << LastError();

  EXPECT_EQ(cfp_graph_op_axis_count(nullptr, 0, &n), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("graph must not be NULL"), std::string::npos) << LastError();
  EXPECT_EQ(cfp_graph_op_axis_count(g.get(), 0, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_op_axis_size(g.get(), 0, 0, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_op_axis_is_reduction(g.get(), 0, 0, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_op_axis_splittable(g.get(), 0, 0, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_op_operand_dim_axis_count(g.get(), 0, 0, 0, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cfp_graph_op_operand_dim_axis(g.get(), 0, 0, 0, 0, nullptr), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("cfp_graph_op_operand_dim_axis: out must not be NULL"), std::string::npos) << LastError();
}

TEST(ApiNames, VocabularyNames) {
  EXPECT_STREQ(cfp_op_kind_name(CFP_OP_DOT), "dot");
  EXPECT_STREQ(cfp_op_kind_name(static_cast<cfp_op_kind>(999)), "unknown");
  EXPECT_STREQ(cfp_dtype_name(CFP_BF16), "bf16");
  EXPECT_STREQ(cfp_tensor_role_name(CFP_ROLE_OPTIMIZER_STATE), "optimizer_state");
}

}  // namespace
