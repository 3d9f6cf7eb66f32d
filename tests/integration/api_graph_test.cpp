// The graph half of the C API, driven the way a user's program drives it.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <thread>

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

TEST(ApiNames, VocabularyNames) {
  EXPECT_STREQ(cfp_op_kind_name(CFP_OP_DOT), "dot");
  EXPECT_STREQ(cfp_op_kind_name(static_cast<cfp_op_kind>(999)), "unknown");
  EXPECT_STREQ(cfp_dtype_name(CFP_BF16), "bf16");
  EXPECT_STREQ(cfp_tensor_role_name(CFP_ROLE_OPTIMIZER_STATE), "optimizer_state");
}

}  // namespace
