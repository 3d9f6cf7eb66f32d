// Hostile and edge-case graphs, through the C API: each must be rejected with the exact
// status and a message that names the problem, or load cleanly and quickly. Buffers are
// forged with the generated FlatBuffers code so every field can hold what an attacker or
// a buggy exporter would put there.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "graph_generated.h"
#include "plan_generated.h"
#include "support/c_graphs.h"

namespace {

using namespace cfp_test;  // NOLINT(google-build-using-namespace): test support
namespace fb = cfp::fb;

using cfp_test::LastError;

// Loads `bytes` and expects `status` with `needle` in the message and no graph.
void ExpectRejected(const std::vector<uint8_t> &bytes, cfp_status status, const std::string &needle) {
  Graph g;
  EXPECT_EQ(cfp_graph_from_buffer(bytes.data(), bytes.size(), g.out()), status) << LastError();
  EXPECT_EQ(g.get(), nullptr);
  EXPECT_NE(LastError().find(needle), std::string::npos) << "expected '" << needle << "' in: " << LastError();
}

struct ForgedTensor {
  std::string name;
  std::vector<int64_t> shape;
  int dtype = 0;
  int role = 3;  // activation
  int32_t gradient_of = -1, updates = -1;
};
struct ForgedOp {
  std::string name;
  int kind;
  std::vector<uint32_t> inputs, outputs;
  int32_t grad_of = -1;
  int phase = 0;
  std::vector<int64_t> pad_low, pad_high;
  int64_t axis = 0;
};

// A graph buffer with exactly these fields, whatever they say.
std::vector<uint8_t> Forge(const std::vector<ForgedTensor> &tensors, const std::vector<ForgedOp> &ops,
                           uint32_t version = 1) {
  flatbuffers::FlatBufferBuilder b;
  std::vector<flatbuffers::Offset<fb::Tensor>> ts;
  for (const ForgedTensor &t : tensors)
    ts.push_back(fb::CreateTensor(b, b.CreateString(t.name), static_cast<fb::DType>(t.dtype), b.CreateVector(t.shape),
                                  static_cast<fb::TensorRole>(t.role), t.gradient_of, t.updates));
  std::vector<flatbuffers::Offset<fb::Op>> os;
  for (const ForgedOp &o : ops) {
    flatbuffers::Offset<fb::OpAttrs> attrs = 0;
    if (!o.pad_low.empty() || o.axis != 0)
      attrs = fb::CreateOpAttrs(b, 0, 0, 0, 0, 0, 0, 0, b.CreateVector(o.pad_low), b.CreateVector(o.pad_high), o.axis);
    os.push_back(fb::CreateOp(b, b.CreateString(o.name), static_cast<fb::OpKind>(o.kind), b.CreateVector(o.inputs),
                              b.CreateVector(o.outputs), attrs, 0, static_cast<fb::Phase>(o.phase), o.grad_of));
  }
  b.Finish(fb::CreateGraph(b, version, b.CreateString("forged"), b.CreateVector(ts), b.CreateVector(os)),
           fb::GraphIdentifier());
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

constexpr int kExp = CFP_OP_EXP, kNeg = CFP_OP_NEG, kAdd = CFP_OP_ADD;

// --- buffers ---------------------------------------------------------------------------

TEST(HostileBuffer, EmptyIsInvalidGraph) {
  ExpectRejected({}, CFP_ERR_INVALID_GRAPH, "cfp_graph_from_buffer: graph buffer is empty");
  uint8_t byte = 0;
  Graph g;
  EXPECT_EQ(cfp_graph_from_buffer(&byte, 0, g.out()), CFP_ERR_INVALID_GRAPH);
  EXPECT_NE(LastError().find("graph buffer is empty"), std::string::npos) << LastError();
}

TEST(HostileBuffer, EveryTruncationIsRejected) {
  const auto whole = cfp_test::TinyMlpBuffer();
  for (size_t n = 1; n < whole.size(); ++n) {
    std::vector<uint8_t> cut(whole.begin(), whole.begin() + static_cast<long>(n));
    Graph g;
    const cfp_status s = cfp_graph_from_buffer(cut.data(), cut.size(), g.out());
    // The last bytes of a FlatBuffer may be alignment padding that nothing points into.
    if (s == CFP_OK && n + 8 > whole.size()) continue;
    ASSERT_EQ(s, CFP_ERR_INVALID_GRAPH) << "prefix of " << n << " of " << whole.size() << " bytes";
    const std::string want = n < 8 ? "graph buffer is truncated: " + std::to_string(n) + " bytes"
                                   : "graph buffer failed verification (truncated or corrupted, " + std::to_string(n) + " bytes)";
    ASSERT_NE(LastError().find(want), std::string::npos) << LastError();
  }
}

TEST(HostileBuffer, RandomBytesAreRejected) {
  std::mt19937 rng(20250402);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> junk(8 + rng() % 2048);
    for (auto &c : junk) c = static_cast<uint8_t>(rng());
    const bool with_id = i % 2 == 0;
    if (with_id) std::memcpy(junk.data() + 4, "CFPG", 4);
    ExpectRejected(junk, CFP_ERR_INVALID_GRAPH, with_id ? "graph buffer failed verification" : "not a libcfp graph");
  }
}

TEST(HostileBuffer, FlippedBytesNeverCrash) {
  // Every single-byte corruption of a valid buffer either still describes a valid graph
  // or is rejected as INVALID_GRAPH; none reaches undefined behaviour (run under ASan).
  const auto whole = cfp_test::TinyMlpBuffer();
  int rejected = 0;
  for (size_t i = 0; i < whole.size(); ++i)
    for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
      auto bad = whole;
      bad[i] ^= flip;
      Graph g;
      const cfp_status s = cfp_graph_from_buffer(bad.data(), bad.size(), g.out());
      ASSERT_TRUE(s == CFP_OK || s == CFP_ERR_INVALID_GRAPH) << "byte " << i << ": " << cfp_status_string(s) << " " << LastError();
      ASSERT_EQ(s == CFP_OK, g.get() != nullptr);
      if (s != CFP_OK) ++rejected;
    }
  EXPECT_GT(rejected, static_cast<int>(whole.size()));  // most corruptions are caught
}

TEST(HostileBuffer, WrongFileIdentifierIsNamed) {
  auto bytes = cfp_test::TinyMlpBuffer();
  std::memcpy(bytes.data() + 4, "CFPP", 4);
  ExpectRejected(bytes, CFP_ERR_INVALID_GRAPH, "not a libcfp graph: file identifier is 'CFPP', expected 'CFPG'");
  std::memcpy(bytes.data() + 4, "\x01\x02\x7f\xff", 4);
  ExpectRejected(bytes, CFP_ERR_INVALID_GRAPH, "file identifier is '\?\?\?\?', expected 'CFPG'");
}

TEST(HostileBuffer, NewerOrMissingSchemaVersionIsRefused) {
  ExpectRejected(Forge({{"x", {4}}}, {}, 2), CFP_ERR_INVALID_GRAPH,
                 "graph uses schema version 2, newer than this library reads (1)");
  ExpectRejected(Forge({{"x", {4}}}, {}, UINT32_MAX), CFP_ERR_INVALID_GRAPH, "schema version 4294967295, newer");
  ExpectRejected(Forge({{"x", {4}}}, {}, 0), CFP_ERR_INVALID_GRAPH, "graph buffer has no schema_version");
}

TEST(HostileBuffer, MisalignedStartAndMisalignedVectorsAreReadSafely) {
  // A caller's buffer need not be 8-byte aligned; the loader copies what is not.
  const auto whole = cfp_test::TinyMlpBuffer();
  std::vector<uint8_t> storage(whole.size() + 8);
  for (size_t shift = 1; shift < 8; ++shift) {
    std::memcpy(storage.data() + shift, whole.data(), whole.size());
    Graph g;
    ASSERT_EQ(cfp_graph_from_buffer(storage.data() + shift, whole.size(), g.out()), CFP_OK) << shift << ": " << LastError();
    uint32_t n = 0;
    cfp_graph_op_count(g.get(), &n);
    EXPECT_EQ(n, 5u);
  }
  // The verifier checks a vector's 4-byte length prefix, not its 8-byte elements: this
  // shape vector is written by hand with its elements 4 bytes off an 8-byte boundary.
  // Reading it as int64 in place was undefined behaviour (found by fuzz_graph_load).
  for (int pad = 0; pad < 2; ++pad) {
    flatbuffers::FlatBufferBuilder b;
    b.StartVector(4, sizeof(uint32_t));  // two int64 dims as four 4-byte words
    for (uint32_t word : {0u, 8u, 0u, 4u}) b.PushElement(word);
    const flatbuffers::Offset<flatbuffers::Vector<int64_t>> shape(b.EndVector(2));
    if (pad) b.PushElement<uint32_t>(0);  // shifts the vector 4 bytes away from the start
    auto t = fb::CreateTensor(b, b.CreateString("x"), fb::DType::F32, shape);
    std::vector<flatbuffers::Offset<fb::Tensor>> ts{t};
    b.Finish(fb::CreateGraph(b, 1, b.CreateString("misaligned"), b.CreateVector(ts)), fb::GraphIdentifier());
    const size_t elements_at = b.GetSize() - shape.o + sizeof(uint32_t);
    if (elements_at % 8 == 0) continue;  // this padding kept them aligned; try the other
    Graph g;
    ASSERT_EQ(cfp_graph_from_buffer(b.GetBufferPointer(), b.GetSize(), g.out()), CFP_OK) << LastError();
    int64_t d0 = 0, d1 = 0;
    ASSERT_EQ(cfp_graph_tensor_dim(g.get(), 0, 0, &d0), CFP_OK);
    ASSERT_EQ(cfp_graph_tensor_dim(g.get(), 0, 1, &d1), CFP_OK);
    EXPECT_EQ(d0, 4);
    EXPECT_EQ(d1, 8);
    return;
  }
  FAIL() << "could not place the shape vector off its alignment";
}

// --- graph structure -------------------------------------------------------------------

TEST(HostileGraph, CyclesAreNamed) {
  ExpectRejected(Forge({{"a", {4}}, {"b", {4}}}, {{"f", kExp, {0}, {1}}, {"g", kExp, {1}, {0}}}), CFP_ERR_INVALID_GRAPH,
                 "graph has a cycle through op 0 'f' (exp)");
  ExpectRejected(Forge({{"a", {4}}}, {{"self", kNeg, {0}, {0}}}), CFP_ERR_INVALID_GRAPH,
                 "graph has a cycle through op 0 'self' (neg)");
}

TEST(HostileGraph, DanglingIdsAreNamed) {
  ExpectRejected(Forge({{"x", {4}}, {"y", {4}}}, {{"e", kExp, {9}, {1}}}), CFP_ERR_INVALID_GRAPH,
                 "op 0 'e' (exp) reads tensor 9, which does not exist (graph has 2 tensors)");
  ExpectRejected(Forge({{"x", {4}}}, {{"e", kExp, {0}, {UINT32_MAX}}}), CFP_ERR_INVALID_GRAPH,
                 "op 0 'e' (exp) writes tensor 4294967295, which does not exist");
  ForgedTensor grad{"dx", {4}};
  grad.gradient_of = 7;
  ExpectRejected(Forge({{"x", {4}}, grad}, {}), CFP_ERR_INVALID_GRAPH, "tensor 1 'dx' links to tensor 7, which does not exist");
  ForgedTensor upd{"x2", {4}};
  upd.updates = -2;
  ExpectRejected(Forge({upd}, {}), CFP_ERR_INVALID_GRAPH, "tensor 0 'x2' links to tensor -2, which does not exist");
  ForgedOp op{"e", kExp, {0}, {1}};
  op.grad_of = 3;
  ExpectRejected(Forge({{"x", {4}}, {"y", {4}}}, {op}), CFP_ERR_INVALID_GRAPH,
                 "op 0 'e' (exp) is marked as the gradient of op 3, which does not exist");
}

TEST(HostileGraph, ATensorWrittenTwiceIsNamed) {
  ExpectRejected(Forge({{"x", {4}}, {"y", {4}}}, {{"a", kExp, {0}, {1}}, {"b", kNeg, {0}, {1}}}), CFP_ERR_INVALID_GRAPH,
                 "op 1 'b' (neg) writes tensor 1 'y', which op 0 'a' (exp) already writes");
}

TEST(HostileGraph, UnknownEnumValuesInABufferAreNamed) {
  ForgedTensor t{"x", {4}};
  t.dtype = 9;
  ExpectRejected(Forge({t}, {}), CFP_ERR_INVALID_GRAPH, "tensor 0 'x' has an unknown dtype 9");
  t = {"x", {4}};
  t.role = 77;
  ExpectRejected(Forge({t}, {}), CFP_ERR_INVALID_GRAPH, "tensor 0 'x' has an unknown role 77");
  ExpectRejected(Forge({{"x", {4}}, {"y", {4}}}, {{"op", 150, {0}, {1}}}), CFP_ERR_INVALID_GRAPH,
                 "op 0 'op' (unknown) has an unknown kind 150");
  ForgedOp op{"e", kExp, {0}, {1}};
  op.phase = 5;
  ExpectRejected(Forge({{"x", {4}}, {"y", {4}}}, {op}), CFP_ERR_INVALID_GRAPH, "op 0 'e' (exp) has an unknown phase");
}

TEST(HostileGraph, NegativeAndZeroDimsAreNamed) {
  ExpectRejected(Forge({{"x", {4, -3}}}, {}), CFP_ERR_INVALID_GRAPH, "tensor 0 'x' has dim 1 of size -3 in shape [4,-3]");
  ExpectRejected(Forge({{"x", {0}}}, {}), CFP_ERR_INVALID_GRAPH, "tensor 0 'x' has dim 0 of size 0 in shape [0]");
  ExpectRejected(Forge({{"x", {INT64_MIN}}}, {}), CFP_ERR_INVALID_GRAPH, "has dim 0 of size -9223372036854775808");
  // The builder checks the same rules when the graph is finished.
  Builder b;
  ASSERT_EQ(cfp_graph_builder_create("dims", b.out()), CFP_OK);
  AddTensor(b.get(), "neg", {2, -1});
  Graph g;
  EXPECT_EQ(cfp_graph_builder_finish(b.get(), g.out()), CFP_ERR_INVALID_GRAPH);
  EXPECT_NE(LastError().find("tensor 0 'neg' has dim 1 of size -1 in shape [2,-1]"), std::string::npos) << LastError();
}

TEST(HostileGraph, DimsWhoseProductOverflowsInt64AreNamed) {
  const int64_t big = int64_t{1} << 32;
  ExpectRejected(Forge({{"x", {big, big}}}, {}), CFP_ERR_INVALID_GRAPH,
                 "tensor 0 'x' shape [4294967296,4294967296] overflows 64-bit sizes");
  // Elements fit in int64 but bytes do not: 2^62 f32 elements are 2^64 bytes.
  ExpectRejected(Forge({{"x", {int64_t{1} << 62}}}, {}), CFP_ERR_INVALID_GRAPH, "overflows 64-bit sizes");
  ExpectRejected(Forge({{"x", {INT64_MAX, 2}}}, {}), CFP_ERR_INVALID_GRAPH, "overflows 64-bit sizes");
  ExpectRejected(Forge({{"x", std::vector<int64_t>(17, 1)}}, {}), CFP_ERR_INVALID_GRAPH, "tensor 0 'x' has rank 17 (at most 16)");
}

TEST(HostileGraph, OpsWithoutInputsOrOutputsAreNamed) {
  ExpectRejected(Forge({{"y", {4}}}, {{"nothing_in", kAdd, {}, {0}}}), CFP_ERR_INVALID_GRAPH,
                 "op 0 'nothing_in' (add): takes 2 input(s), got 0");
  ExpectRejected(Forge({{"y", {4}}}, {{"nothing_in", kExp, {}, {0}}}), CFP_ERR_INVALID_GRAPH,
                 "op 0 'nothing_in' (exp): takes 1 input(s), got 0");
  ExpectRejected(Forge({{"y", {4}}}, {{"cat", CFP_OP_CONCATENATE, {}, {0}}}), CFP_ERR_INVALID_GRAPH,
                 "op 0 'cat' (concatenate): needs at least one input");
  ExpectRejected(Forge({{"x", {4}}}, {{"nothing_out", kExp, {0}, {}}}), CFP_ERR_INVALID_GRAPH,
                 "op 0 'nothing_out' (exp): produces 1 output(s), got 0");
  ExpectRejected(Forge({{"x", {4}}}, {{"dot", CFP_OP_DOT, {}, {0}}}), CFP_ERR_INVALID_GRAPH,
                 "op 0 'dot' (dot): takes 2 input(s), got 0");
  // Iota is the one kind that takes no input.
  ForgedOp iota{"iota", CFP_OP_IOTA, {}, {0}};
  ForgedTensor idx{"i", {4}};
  idx.dtype = CFP_I32;
  Graph g;
  auto ok = Forge({idx}, {iota});
  EXPECT_EQ(cfp_graph_from_buffer(ok.data(), ok.size(), g.out()), CFP_OK) << LastError();
}

TEST(HostileGraph, PaddingAndConcatenationThatOverflowAreNamed) {
  // Each number fits in int64; their sum does not.
  const int64_t huge = int64_t{1} << 61;
  ForgedTensor in{"in", {huge}}, out{"out", {4}};
  in.dtype = out.dtype = CFP_BOOL;
  ForgedOp pad{"pad", CFP_OP_PAD, {0}, {1}};
  pad.pad_low = {(int64_t{1} << 62) - 1};
  pad.pad_high = {(int64_t{1} << 62) - 1};
  ExpectRejected(Forge({in, out}, {pad}), CFP_ERR_INVALID_GRAPH, "op 0 'pad' (pad): padding overflows on dim 0");
  ForgedTensor a{"a", {int64_t{1} << 62}}, b{"b", {int64_t{1} << 62}}, c{"c", {4}};
  a.dtype = b.dtype = c.dtype = CFP_BOOL;
  ExpectRejected(Forge({a, b, c}, {{"cat", CFP_OP_CONCATENATE, {0, 1}, {2}}}), CFP_ERR_INVALID_GRAPH,
                 "op 0 'cat' (concatenate): operands overflow 64-bit sizes along axis 0");
}

TEST(HostileGraph, EinsumSizesThatOverflowAreNamed) {
  // Labels a and b are each 2^40; the output dim (ab) would be 2^80.
  Builder b;
  ASSERT_EQ(cfp_graph_builder_create("einsum", b.out()), CFP_OK);
  const int64_t big = int64_t{1} << 40;
  uint32_t x = AddTensor(b.get(), "x", {big}, CFP_ROLE_DATA_INPUT, CFP_BOOL);
  uint32_t y = AddTensor(b.get(), "y", {big}, CFP_ROLE_DATA_INPUT, CFP_BOOL);
  uint32_t z = AddTensor(b.get(), "z", {big}, CFP_ROLE_ACTIVATION, CFP_BOOL);
  uint32_t op = AddOp(b.get(), "outer", CFP_OP_CUSTOM, {x, y}, {z});
  EXPECT_EQ(cfp_graph_builder_set_op_einsum(b.get(), op, "a,b->(ab)"), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("op 0 'outer' (custom): einsum 'a,b->(ab)': dim 0 of shape [1099511627776] overflows 64-bit "
                             "sizes"),
            std::string::npos)
      << LastError();
}

TEST(HostileGraph, EinsumOnNonPositiveDimsIsRefusedBeforeDividing) {
  // Einsum sizes are inferred by division. Label a took size -1 from x, and INT64_MIN / -1
  // for y's dim (ab) trapped with SIGFPE, killing the caller.
  Builder b;
  ASSERT_EQ(cfp_graph_builder_create("einsum", b.out()), CFP_OK);
  uint32_t x = AddTensor(b.get(), "x", {-1});
  uint32_t y = AddTensor(b.get(), "y", {INT64_MIN});
  uint32_t z = AddTensor(b.get(), "z", {2});
  uint32_t op = AddOp(b.get(), "c", CFP_OP_CUSTOM, {x, y}, {z});
  EXPECT_EQ(cfp_graph_builder_set_op_einsum(b.get(), op, "a,(ab)->b"), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("einsum 'a,(ab)->b': tensor of shape [-1] has a dim below 1"), std::string::npos) << LastError();
  uint32_t w = AddTensor(b.get(), "w", {0});
  uint32_t op2 = AddOp(b.get(), "d", CFP_OP_CUSTOM, {w}, {z});
  EXPECT_EQ(cfp_graph_builder_set_op_einsum(b.get(), op2, "a->a"), CFP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("tensor of shape [0] has a dim below 1"), std::string::npos) << LastError();
}

// Found by fuzzing the builder: an integer constant of -3.2e163 was converted to int64 to
// check it is whole, which is undefined behaviour. Values with no int64 (fractions, out of
// range, infinities, NaN) are named; whole values are kept.
TEST(HostileGraph, IntegerConstantsOutsideInt64AreNamed) {
  for (double value : {0.5, -3.21805e163, 1e19, -0x1p63 - 4096.0, std::numeric_limits<double>::infinity(),
                       std::numeric_limits<double>::quiet_NaN()}) {
    Builder b;
    ASSERT_EQ(cfp_graph_builder_create("int-constant", b.out()), CFP_OK);
    const uint32_t c = AddTensor(b.get(), "c", {}, CFP_ROLE_CONSTANT, CFP_I32);
    ASSERT_EQ(cfp_graph_builder_set_tensor_value(b.get(), c, value), CFP_OK);
    Graph g;
    EXPECT_EQ(cfp_graph_builder_finish(b.get(), g.out()), CFP_ERR_INVALID_GRAPH) << value;
    EXPECT_NE(LastError().find("is an integer constant whose value"), std::string::npos) << LastError();
    EXPECT_NE(LastError().find("is not a 64-bit integer"), std::string::npos) << LastError();
  }
  for (double value : {3.0, -0x1p63, 0x1p62}) {
    Builder b;
    ASSERT_EQ(cfp_graph_builder_create("int-constant", b.out()), CFP_OK);
    const uint32_t c = AddTensor(b.get(), "c", {}, CFP_ROLE_CONSTANT, CFP_I64);
    ASSERT_EQ(cfp_graph_builder_set_tensor_value(b.get(), c, value), CFP_OK);
    Graph g;
    EXPECT_EQ(cfp_graph_builder_finish(b.get(), g.out()), CFP_OK) << value << ": " << LastError();
  }
}

// Found by fuzzing the builder: a result declared the next value of a state nothing reads.
// The state is stored replicated, so storing the result back costs a gather; the search
// left that out and then refused its own plan (CFP_ERR_INTERNAL: "search objective
// differs from the plan's"). Now it prices it, and the plan costs what cfp_evaluate says.
TEST(HostileGraph, NextValueOfAStateNothingReadsIsPriced) {
  Builder b;
  ASSERT_EQ(cfp_graph_builder_create("unread-state", b.out()), CFP_OK);
  BuildTinyMlp(b.get(), 8, 16);  // tensor 9 is y [8, 16]
  uint32_t state = AddTensor(b.get(), "state", {8, 16});
  ASSERT_EQ(cfp_graph_builder_set_tensor_updates(b.get(), 9, state), CFP_OK) << LastError();
  Graph g;
  ASSERT_EQ(cfp_graph_builder_finish(b.get(), g.out()), CFP_OK) << LastError();
  Options o;
  ASSERT_EQ(cfp_options_create(o.out()), CFP_OK);
  const uint32_t mesh[] = {2, 2};
  ASSERT_EQ(cfp_options_set_mesh(o.get(), mesh, 2), CFP_OK);
  Plan p;
  ASSERT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_OK) << LastError();
  uint32_t ops = 0;
  ASSERT_EQ(cfp_graph_op_count(g.get(), &ops), CFP_OK);
  std::vector<uint32_t> choice(ops);
  for (uint32_t op = 0; op < ops; ++op) ASSERT_EQ(cfp_plan_op_strategy(p.get(), op, &choice[op]), CFP_OK);
  Plan again;
  ASSERT_EQ(cfp_evaluate(g.get(), o.get(), choice.data(), ops, again.out()), CFP_OK) << LastError();
  double planned = 0, evaluated = 0;
  ASSERT_EQ(cfp_plan_step_time(p.get(), &planned), CFP_OK);
  ASSERT_EQ(cfp_plan_step_time(again.get(), &evaluated), CFP_OK);
  EXPECT_DOUBLE_EQ(planned, evaluated);
}

// --- size ------------------------------------------------------------------------------

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

long PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

TEST(HostileSize, MillionOpGraphLoadsInLinearTime) {
  // 1,000,000 negations in a chain, built with the C builder, serialized and reloaded.
  // The bound is generous (sanitizer builds are several times slower); it is there to
  // catch super-linear work, which at this size would take hours, not to time anything.
  constexpr uint32_t kOps = 1000000;
  auto t0 = std::chrono::steady_clock::now();
  Builder b;
  ASSERT_EQ(cfp_graph_builder_create("chain", b.out()), CFP_OK);
  uint32_t prev = AddTensor(b.get(), "t0", {2}, CFP_ROLE_DATA_INPUT);
  for (uint32_t i = 0; i < kOps; ++i) {
    uint32_t next = AddTensor(b.get(), "t", {2});
    uint32_t in[] = {prev}, out[] = {next};
    uint32_t id;
    ASSERT_EQ(cfp_graph_builder_add_op(b.get(), "neg", CFP_OP_NEG, in, 1, out, 1, &id), CFP_OK);
    prev = next;
  }
  const double build_s = Seconds(t0);
  t0 = std::chrono::steady_clock::now();
  Graph g;
  ASSERT_EQ(cfp_graph_builder_finish(b.get(), g.out()), CFP_OK) << LastError();
  const double finish_s = Seconds(t0);
  Bytes bytes;
  ASSERT_EQ(cfp_graph_to_buffer(g.get(), bytes.out()), CFP_OK);
  g.out();  // frees the graph and the builder before reloading
  b.out();
  t0 = std::chrono::steady_clock::now();
  Graph loaded;
  ASSERT_EQ(cfp_graph_from_buffer(cfp_bytes_data(bytes.get()), cfp_bytes_size(bytes.get()), loaded.out()), CFP_OK)
      << LastError();
  const double load_s = Seconds(t0);
  uint32_t n = 0;
  ASSERT_EQ(cfp_graph_op_count(loaded.get(), &n), CFP_OK);
  EXPECT_EQ(n, kOps);
  std::printf("1M-op chain: builder calls %.2f s, finish %.2f s, buffer %.1f MiB, load %.2f s, peak RSS %ld MiB\n", build_s,
              finish_s, cfp_bytes_size(bytes.get()) / 1048576.0, load_s, PeakRssMiB());
  RecordProperty("load_seconds", std::to_string(load_s));
  RecordProperty("peak_rss_mib", std::to_string(PeakRssMiB()));
  EXPECT_LT(load_s, 120.0);
  EXPECT_LT(finish_s, 120.0);
}

TEST(HostileSize, OpWithHundredThousandInputsLoadsInLinearTime) {
  // One concatenation of 100,000 produced tensors: per-op work must not be quadratic in
  // the number of inputs (it was: 10^10 comparisons).
  constexpr uint32_t kInputs = 100000;
  std::vector<ForgedTensor> tensors;
  std::vector<ForgedOp> ops;
  tensors.push_back({"x", {1}});
  std::vector<uint32_t> parts;
  for (uint32_t i = 0; i < kInputs; ++i) {
    tensors.push_back({"p", {1}});
    ops.push_back({"neg", kNeg, {0}, {i + 1}});
    parts.push_back(i + 1);
  }
  tensors.push_back({"all", {kInputs}});
  ops.push_back({"cat", CFP_OP_CONCATENATE, parts, {kInputs + 1}});
  const auto bytes = Forge(tensors, ops);
  auto t0 = std::chrono::steady_clock::now();
  Graph g;
  ASSERT_EQ(cfp_graph_from_buffer(bytes.data(), bytes.size(), g.out()), CFP_OK) << LastError();
  const double load_s = Seconds(t0);
  std::printf("100k-input concatenate: load %.3f s\n", load_s);
  EXPECT_LT(load_s, 30.0);
}

// --- bounded by the input -------------------------------------------------------------

// Memory a call adds to the process at its peak, in MiB. The peak is reset first
// (/proc/self/clear_refs, Linux 4.0+) so an earlier test's peak cannot hide this one's;
// where that is refused, the growth of the process's peak is what can be measured.
class PeakRssGrowth {
 public:
  PeakRssGrowth() {
    // Memory freed by earlier tests stays resident and would be reused unseen.
    malloc_trim(0);
    std::ofstream reset("/proc/self/clear_refs");
    reset << "5";
    reset.flush();
    reset_ = reset.good() && ReadKiB("VmHWM:") <= ReadKiB("VmRSS:") + 1024;
    start_kib_ = reset_ ? ReadKiB("VmRSS:") : PeakKiB();
  }
  long MiB() const { return (PeakKiB() - start_kib_) / 1024; }

 private:
  static long ReadKiB(const char *field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
      if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field)));
    return -1;
  }
  long PeakKiB() const {
    if (reset_) return ReadKiB("VmHWM:");
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
  }
  bool reset_ = false;
  long start_kib_ = 0;
};

std::vector<uint8_t> Finished(flatbuffers::FlatBufferBuilder &b) { return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()}; }

// Loads a buffer that would decode into gigabytes and expects it refused as `status`
// within `max_mib` of added memory and a few seconds.
void ExpectRefusedCheaply(const std::vector<uint8_t> &bytes, bool plan, long max_mib) {
  const auto t0 = std::chrono::steady_clock::now();
  const PeakRssGrowth rss;
  cfp_status s;
  void *made = nullptr;
  if (plan) {
    Plan p;
    s = cfp_plan_from_buffer(bytes.data(), bytes.size(), p.out());
    made = p.get();
  } else {
    Graph g;
    s = cfp_graph_from_buffer(bytes.data(), bytes.size(), g.out());
    made = g.get();
  }
  const long grew = rss.MiB();
  const double took = Seconds(t0);
  EXPECT_EQ(s, plan ? CFP_ERR_INVALID_DATA : CFP_ERR_INVALID_GRAPH) << LastError();
  EXPECT_EQ(made, nullptr);
  const std::string want = std::string(plan ? "plan" : "graph") + " buffer of " + std::to_string(bytes.size()) +
                           " bytes decodes to more than ";
  EXPECT_NE(LastError().find(want), std::string::npos) << LastError();
  EXPECT_NE(LastError().find("it refers to the same tables, strings or vectors over and over"), std::string::npos)
      << LastError();
  std::printf("%zu-byte buffer refused in %.3f s, peak RSS grew %ld MiB\n", bytes.size(), took, grew);
  EXPECT_LT(grew, max_mib);
  EXPECT_LT(took, 10.0);
}

TEST(HostileSize, SharedTensorTablesAreRefusedBeforeTheyCostMemory) {
  // One tensor with a 100 KB name, referenced 100,000 times: 500 KB that verify, and
  // 10 GB if every reference were copied.
  flatbuffers::FlatBufferBuilder b;
  const std::vector<int64_t> shape{4};
  const auto tensor = fb::CreateTensor(b, b.CreateString(std::string(100000, 'n')), fb::DType::F32, b.CreateVector(shape));
  const std::vector<flatbuffers::Offset<fb::Tensor>> tensors(100000, tensor);
  b.Finish(fb::CreateGraph(b, 1, b.CreateString("shared-tensor"), b.CreateVector(tensors)), fb::GraphIdentifier());
  ExpectRefusedCheaply(Finished(b), false, 100);
}

TEST(HostileSize, SharedOpTablesAreRefusedBeforeTheyCostMemory) {
  // One op referenced 100,000 times, its 100 KB in its input list (25,000 reads of one
  // tensor) or in its name. (An op whose bulk sits in a table of its own, such as its
  // attributes, is refused earlier: the verifier counts every table it visits.)
  for (const bool in_name : {false, true}) {
    flatbuffers::FlatBufferBuilder b;
    const std::vector<int64_t> shape{4};
    const std::vector<uint32_t> in(in_name ? 1 : 25000, 0), out{1};
    std::vector<flatbuffers::Offset<fb::Tensor>> tensors{
        fb::CreateTensor(b, b.CreateString("x"), fb::DType::F32, b.CreateVector(shape)),
        fb::CreateTensor(b, b.CreateString("y"), fb::DType::F32, b.CreateVector(shape))};
    const auto name = b.CreateString(in_name ? std::string(100000, 'o') : std::string("concat"));
    const auto op = fb::CreateOp(b, name, fb::OpKind::Concatenate, b.CreateVector(in), b.CreateVector(out));
    const std::vector<flatbuffers::Offset<fb::Op>> ops(100000, op);
    b.Finish(fb::CreateGraph(b, 1, b.CreateString("shared-op"), b.CreateVector(tensors), b.CreateVector(ops)),
             fb::GraphIdentifier());
    ExpectRefusedCheaply(Finished(b), false, 100);
  }
}

TEST(HostileSize, SharedStringsAreRefusedBeforeTheyCostMemory) {
  // Distinct tensor tables, each small, all naming one 100 KB string: sharing below the
  // table level is charged the same way.
  flatbuffers::FlatBufferBuilder b;
  const std::vector<int64_t> shape{4};
  const auto name = b.CreateString(std::string(100000, 'n'));
  const auto shape_v = b.CreateVector(shape);
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
  for (int i = 0; i < 100000; ++i) tensors.push_back(fb::CreateTensor(b, name, fb::DType::F32, shape_v));
  b.Finish(fb::CreateGraph(b, 1, b.CreateString("shared-name"), b.CreateVector(tensors)), fb::GraphIdentifier());
  const auto bytes = Finished(b);
  // The refusal comes once the documented bound is spent: 64 bytes per buffer byte plus
  // 16 MiB, with room for the allocator.
  ExpectRefusedCheaply(bytes, false, static_cast<long>(64 * bytes.size() / 1048576 + 16 + 40));
}

TEST(HostileSize, SharedPlanTablesAreRefusedBeforeTheyCostTime) {
  // One tensor sharding whose partial list holds 1 MB of mesh axis 0, referenced 100,000
  // times: every reference would be walked, 10^11 steps.
  flatbuffers::FlatBufferBuilder b;
  const std::vector<uint32_t> mesh{2};
  const std::vector<uint8_t> partial(1000000, 0);
  const auto sharding = fb::CreateSharding(b, 0, b.CreateVector(partial));
  const std::vector<flatbuffers::Offset<fb::Sharding>> tensors(100000, sharding);
  b.Finish(fb::CreatePlan(b, 1, b.CreateString("shared"), b.CreateVector(mesh), b.CreateString("analytic"), 1, 1, 0, 0, 0,
                          false, 0, b.CreateVector(tensors)),
           fb::PlanIdentifier());
  ExpectRefusedCheaply(Finished(b), true, 100);
}

TEST(HostileSize, GraphsWithoutSharingStayInsideTheBound) {
  // The most compact graph the schema allows: tensors with no name and one dim, ops with
  // nothing but their kind, one input and one output. Its tables are a few bytes each,
  // far below what each decodes into, and it still loads.
  constexpr uint32_t kOps = 200000;
  flatbuffers::FlatBufferBuilder b;
  const std::vector<int64_t> shape{1};
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
  for (uint32_t i = 0; i <= kOps; ++i) tensors.push_back(fb::CreateTensor(b, 0, fb::DType::F32, b.CreateVector(shape)));
  std::vector<flatbuffers::Offset<fb::Op>> ops;
  for (uint32_t i = 0; i < kOps; ++i) {
    const std::vector<uint32_t> in{i}, out{i + 1};
    ops.push_back(fb::CreateOp(b, 0, fb::OpKind::Neg, b.CreateVector(in), b.CreateVector(out)));
  }
  b.Finish(fb::CreateGraph(b, 1, 0, b.CreateVector(tensors), b.CreateVector(ops)), fb::GraphIdentifier());
  Graph g;
  ASSERT_EQ(cfp_graph_from_buffer(b.GetBufferPointer(), b.GetSize(), g.out()), CFP_OK) << LastError();
  uint32_t n = 0;
  ASSERT_EQ(cfp_graph_op_count(g.get(), &n), CFP_OK);
  EXPECT_EQ(n, kOps);
}

TEST(HostileFile, OversizedFileIsRefusedBeforeItIsRead) {
  // A sparse 3 GiB file takes no disk space; reading it whole would take 3 GiB of memory.
  std::string dir = ::testing::TempDir() + "/cfp-oversized-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr) << std::strerror(errno);
  const std::string path = dir + "/huge.cfpg";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  const int64_t size = int64_t{3} << 30;
  const bool sized = ::ftruncate(fd, size) == 0;
  ::close(fd);
  if (sized) {
    const PeakRssGrowth rss;
    Graph g;
    EXPECT_EQ(cfp_graph_from_file(path.c_str(), g.out()), CFP_ERR_IO) << LastError();
    EXPECT_NE(LastError().find("cannot read '" + path + "': it is 3221225472 bytes, more than the 2 GiB a graph, plan or "
                               "profile DB may have"),
              std::string::npos)
        << LastError();
    EXPECT_LT(rss.MiB(), 64);
  }
  ::unlink(path.c_str());
  ::rmdir(dir.c_str());
  if (!sized) GTEST_SKIP() << "this file system cannot make a 3 GiB sparse file";
}

// --- messages quote a bounded part of the input ----------------------------------------

void ExpectShortMessage(cfp_status got, cfp_status want, const std::vector<std::string> &needles) {
  EXPECT_EQ(got, want) << LastError().substr(0, 400);
  EXPECT_LT(LastError().size(), 1024u) << LastError().substr(0, 400);
  for (const std::string &needle : needles)
    EXPECT_NE(LastError().find(needle), std::string::npos) << "expected '" << needle << "' in: " << LastError().substr(0, 1024);
}

TEST(HostileMessage, TenMegabyteInputsAreQuotedShort) {
  const std::string huge(10 << 20, 'x');
  const std::string size = " (" + std::to_string(huge.size()) + " bytes)";
  Graph g;
  ExpectShortMessage(cfp_model_build(("gpt:" + huge).c_str(), g.out()), CFP_ERR_INVALID_ARGUMENT,
                     {"model spec 'gpt:xxxxxxxx", "...' (" + std::to_string(huge.size() + 4) + " bytes): 'xxxx",
                      "...' (" + std::to_string(huge.size()) + " bytes) is not key=value"});
  ExpectShortMessage(cfp_model_build(huge.c_str(), g.out()), CFP_ERR_INVALID_ARGUMENT,
                     {"unknown model 'xxxx", size, "expected a family (mlp, gpt, llama, moe)"});
  const std::string digits(10 << 20, '7');
  ExpectShortMessage(cfp_model_build(("gpt:layers=" + digits).c_str(), g.out()), CFP_ERR_INVALID_ARGUMENT,
                     {"layers must be an integer from 1 to 4096, got '7777", "...' (" + std::to_string(digits.size()) + " bytes)"});
  ExpectShortMessage(cfp_model_build(("gpt:" + huge + "=1").c_str(), g.out()), CFP_ERR_INVALID_ARGUMENT,
                     {"unknown key 'xxxx", size, "(keys of gpt: layers"});
  // A path, an einsum and names from a builder.
  ExpectShortMessage(cfp_graph_from_file(("/nonexistent/" + huge).c_str(), g.out()), CFP_ERR_IO,
                     {"cannot open '/nonexistent/xxx", "...' (" + std::to_string(huge.size() + 13) + " bytes)"});
  Builder b;
  ASSERT_EQ(cfp_graph_builder_create("names", b.out()), CFP_OK);
  const uint32_t x = AddTensor(b.get(), huge.c_str(), {4}, CFP_ROLE_DATA_INPUT);
  const uint32_t y = AddTensor(b.get(), "y", {4});
  const uint32_t op = AddOp(b.get(), huge.c_str(), CFP_OP_CUSTOM, {x}, {y});
  ExpectShortMessage(cfp_graph_builder_set_op_einsum(b.get(), op, (huge + "->").c_str()), CFP_ERR_INVALID_ARGUMENT,
                     {"einsum 'xxxx", "...' (" + std::to_string(huge.size() + 2) + " bytes)"});
  AddOp(b.get(), huge.c_str(), CFP_OP_NEG, {x}, {x});
  ExpectShortMessage(cfp_graph_builder_finish(b.get(), g.out()), CFP_ERR_INVALID_GRAPH,
                     {"op 1 'xxxx", "writes tensor 0 'xxx", size});
  // Names given to options.
  cfp_options *o = nullptr;
  ASSERT_EQ(cfp_options_create(&o), CFP_OK);
  ExpectShortMessage(cfp_options_set_device(o, huge.c_str()), CFP_ERR_INVALID_ARGUMENT, {"unknown device 'xxxx", size, "(known: "});
  ExpectShortMessage(cfp_options_set_cost_model(o, huge.c_str()), CFP_ERR_INVALID_ARGUMENT,
                     {"unknown cost model 'xxxx", size, "(known: analytic, cuda)"});
  cfp_options_destroy(o);
}

TEST(HostileMessage, AQuoteIsCutBetweenCharacters) {
  // 199 ASCII bytes, then two-byte characters: the cut at 200 bytes would split one.
  const std::string name = std::string(199, 'a') + "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";
  Graph g;
  ExpectShortMessage(cfp_model_build(("gpt:" + name + "=1").c_str(), g.out()), CFP_ERR_INVALID_ARGUMENT,
                     {"unknown key '" + std::string(199, 'a') + "...' (209 bytes)"});
}

// --- JSON is UTF-8 whatever the names ---------------------------------------------------

// Whether `s` is well-formed UTF-8 (RFC 3629: no overlong forms, surrogates, or code
// points past U+10FFFF).
bool IsUtf8(const std::string &s) {
  for (size_t i = 0; i < s.size();) {
    const auto b = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
    const unsigned c = b(0);
    size_t n = 0;
    unsigned cp = 0, min = 0;
    if (c < 0x80) n = 1, cp = c;
    else if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07, min = 0x10000;
    else return false;
    for (size_t k = 1; k < n; ++k) {
      if ((b(k) & 0xC0) != 0x80) return false;
      cp = cp << 6 | (b(k) & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

// A strict JSON reader (RFC 8259) that only says whether the text is one JSON value and
// collects the decoded strings, escapes resolved to UTF-8.
class JsonChecker {
 public:
  explicit JsonChecker(std::string text) : t_(std::move(text)) {}
  bool Valid() {
    Space();
    if (!Value()) return false;
    Space();
    return i_ == t_.size();
  }
  const std::vector<std::string> &strings() const { return strings_; }

 private:
  void Space() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\n' || t_[i_] == '\r' || t_[i_] == '\t')) ++i_;
  }
  bool Eat(char c) {
    Space();
    if (i_ < t_.size() && t_[i_] == c) return ++i_, true;
    return false;
  }
  bool Literal(const char *word) {
    if (t_.compare(i_, std::strlen(word), word) != 0) return false;
    i_ += std::strlen(word);
    return true;
  }
  bool Value() {
    Space();
    if (i_ >= t_.size()) return false;
    const char c = t_[i_];
    if (c == '{') return Members('}', true);
    if (c == '[') return Members(']', false);
    if (c == '"') return String();
    if (c == 't') return Literal("true");
    if (c == 'f') return Literal("false");
    if (c == 'n') return Literal("null");
    return Number();
  }
  bool Members(char close, bool object) {
    ++i_;
    if (Eat(close)) return true;
    do {
      Space();
      if (object && !(i_ < t_.size() && t_[i_] == '"' && String() && Eat(':'))) return false;
      if (!Value()) return false;
    } while (Eat(','));
    return Eat(close);
  }
  bool Number() {
    const size_t start = i_;
    if (i_ < t_.size() && t_[i_] == '-') ++i_;
    while (i_ < t_.size() && t_[i_] != '\0' && (std::isdigit(static_cast<unsigned char>(t_[i_])) || std::strchr(".eE+-", t_[i_])))
      ++i_;
    return i_ > start && std::isdigit(static_cast<unsigned char>(t_[i_ - 1]));
  }
  bool String() {
    std::string out;
    ++i_;
    while (i_ < t_.size() && t_[i_] != '"') {
      const auto c = static_cast<unsigned char>(t_[i_]);
      if (c < 0x20) return false;
      if (c != '\\') {
        out += t_[i_++];
        continue;
      }
      if (++i_ >= t_.size()) return false;
      const char e = t_[i_++];
      if (e == 'u') {
        if (i_ + 4 > t_.size()) return false;
        for (size_t k = 0; k < 4; ++k)
          if (!std::isxdigit(static_cast<unsigned char>(t_[i_ + k]))) return false;
        const unsigned cp = static_cast<unsigned>(std::stoul(t_.substr(i_, 4), nullptr, 16));
        i_ += 4;
        if (cp >= 0xD800 && cp <= 0xDFFF) return false;  // the writer never needs pairs
        if (cp < 0x80) out += static_cast<char>(cp);
        else if (cp < 0x800) out += {static_cast<char>(0xC0 | cp >> 6), static_cast<char>(0x80 | (cp & 0x3F))};
        else out += {static_cast<char>(0xE0 | cp >> 12), static_cast<char>(0x80 | (cp >> 6 & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
      } else if (e != '\0' && std::strchr("\"\\/bfnrt", e)) {
        const char *from = "bfnrt", *to = "\b\f\n\r\t";
        const char *special = std::strchr(from, e);
        out += special ? to[special - from] : e;
      } else {
        return false;
      }
    }
    if (i_ >= t_.size()) return false;
    ++i_;
    strings_.push_back(out);
    return true;
  }
  std::string t_;
  size_t i_ = 0;
  std::vector<std::string> strings_;
};

std::string PlanJson(const cfp_plan *p) {
  Bytes json;
  EXPECT_EQ(cfp_plan_to_json(p, json.out()), CFP_OK) << LastError();
  const auto *d = static_cast<const char *>(cfp_bytes_data(json.get()));
  return {d, d + cfp_bytes_size(json.get())};
}

TEST(HostileJson, PlanJsonIsUtf8WhateverTheGraphIsNamed) {
  // A Latin-1 graph name ("café" with a single byte 0xE9) and Latin-1 op and tensor names.
  Builder b;
  ASSERT_EQ(cfp_graph_builder_create("caf\xe9", b.out()), CFP_OK);
  const uint32_t x = AddTensor(b.get(), "x\xff", {8, 4}, CFP_ROLE_DATA_INPUT);
  const uint32_t y = AddTensor(b.get(), "y\xe9\x01", {8, 4});
  AddOp(b.get(), "n\xe9g", CFP_OP_NEG, {x}, {y});
  Graph g;
  ASSERT_EQ(cfp_graph_builder_finish(b.get(), g.out()), CFP_OK) << LastError();
  Options o;
  ASSERT_EQ(cfp_options_create(o.out()), CFP_OK);
  const uint32_t mesh[] = {2};
  ASSERT_EQ(cfp_options_set_mesh(o.get(), mesh, 1), CFP_OK);
  Plan p;
  ASSERT_EQ(cfp_optimize(g.get(), o.get(), p.out()), CFP_OK) << LastError();
  const std::string json = PlanJson(p.get());
  EXPECT_TRUE(IsUtf8(json)) << json;
  JsonChecker checker(json);
  ASSERT_TRUE(checker.Valid()) << json;
  EXPECT_NE(std::find(checker.strings().begin(), checker.strings().end(), "caf\xef\xbf\xbd"), checker.strings().end())
      << json;
}

TEST(HostileJson, EveryIllFormedSequenceBecomesAReplacementCharacter) {
  struct Case {
    std::string name, decoded;
  };
  const std::string fffd = "\xef\xbf\xbd";
  const std::vector<Case> cases = {
      {"caf\xe9", "caf" + fffd},
      {"\xc0\xaf", fffd + fffd},                  // overlong '/'
      {"\xed\xa0\x80", fffd + fffd + fffd},       // a UTF-16 surrogate
      {"\xf4\x90\x80\x80", fffd + fffd + fffd + fffd},  // past U+10FFFF
      {"\xe2\x82", fffd + fffd},                  // cut short
      {"\x80x", fffd + "x"},                      // a lone continuation byte
      {"\xe2\x82\xac \xf0\x9d\x84\x9e \xc3\xa9", "\xe2\x82\xac \xf0\x9d\x84\x9e \xc3\xa9"},  // kept as they are
      {std::string("q\"b\\c\x01\x1f\x7f\n", 9), std::string("q\"b\\c\x01\x1f\x7f\n", 9)},
  };
  for (const Case &c : cases) {
    flatbuffers::FlatBufferBuilder b;
    const std::vector<uint32_t> mesh{2};
    b.Finish(fb::CreatePlan(b, 1, b.CreateString(c.name), b.CreateVector(mesh), b.CreateString("analytic"), 1, 1, 0, 0, 0,
                            false, 0, 0, 0, 0, b.CreateString(c.name)),
             fb::PlanIdentifier());
    Plan p;
    ASSERT_EQ(cfp_plan_from_buffer(b.GetBufferPointer(), b.GetSize(), p.out()), CFP_OK) << LastError();
    const std::string json = PlanJson(p.get());
    EXPECT_TRUE(IsUtf8(json)) << json;
    JsonChecker checker(json);
    ASSERT_TRUE(checker.Valid()) << json;
    // The graph name and the device, both decoded back.
    EXPECT_EQ(std::count(checker.strings().begin(), checker.strings().end(), c.decoded), 2) << json;
  }
}

// --- what ops may write, and what updates what ------------------------------------------

TEST(HostileGraph, OpsThatWriteParametersOrDataInputsAreNamed) {
  for (cfp_tensor_role role : {CFP_ROLE_PARAMETER, CFP_ROLE_DATA_INPUT}) {
    Builder b;
    ASSERT_EQ(cfp_graph_builder_create("overwrite", b.out()), CFP_OK);
    const uint32_t x = AddTensor(b.get(), "x", {4}, CFP_ROLE_DATA_INPUT);
    const uint32_t w = AddTensor(b.get(), "w", {4}, role);
    AddOp(b.get(), "overwrite", CFP_OP_EXP, {x}, {w});
    Graph g;
    EXPECT_EQ(cfp_graph_builder_finish(b.get(), g.out()), CFP_ERR_INVALID_GRAPH);
    const std::string what = role == CFP_ROLE_PARAMETER ? "a parameter" : "a data input";
    EXPECT_NE(LastError().find("op 0 'overwrite' (exp) writes tensor 1 'w', which is " + what), std::string::npos)
        << LastError();
  }
  // The same from a buffer.
  ForgedTensor w{"w", {4}};
  w.role = CFP_ROLE_PARAMETER;
  ExpectRejected(Forge({{"x", {4}}, w}, {{"e", kExp, {0}, {1}}}), CFP_ERR_INVALID_GRAPH,
                 "op 0 'e' (exp) writes tensor 1 'w', which is a parameter");
}

TEST(HostileGraph, UpdateCyclesAreNamed) {
  auto finish = [](const std::vector<std::pair<uint32_t, uint32_t>> &updates, uint32_t tensors) {
    Builder b;
    cfp_graph_builder_create("updates", b.out());
    for (uint32_t t = 0; t < tensors; ++t) AddTensor(b.get(), ("s" + std::to_string(t)).c_str(), {4}, CFP_ROLE_OPTIMIZER_STATE);
    for (auto [from, to] : updates) EXPECT_EQ(cfp_graph_builder_set_tensor_updates(b.get(), from, to), CFP_OK);
    Graph g;
    return cfp_graph_builder_finish(b.get(), g.out());
  };
  EXPECT_EQ(finish({{1, 1}}, 3), CFP_ERR_INVALID_GRAPH);
  EXPECT_NE(LastError().find("tensor 1 's1' updates itself"), std::string::npos) << LastError();
  EXPECT_EQ(finish({{0, 1}, {1, 0}}, 2), CFP_ERR_INVALID_GRAPH);
  EXPECT_NE(LastError().find("tensor 0 's0' updates tensor 1 's1', which leads back to it: 2 tensors update each other in "
                             "a cycle"),
            std::string::npos)
      << LastError();
  // A chain that runs into a cycle of three further on.
  EXPECT_EQ(finish({{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 2}}, 5), CFP_ERR_INVALID_GRAPH);
  EXPECT_NE(LastError().find("3 tensors update each other in a cycle"), std::string::npos) << LastError();
  // Chains that end are fine, and so are several results updating into one chain.
  EXPECT_EQ(finish({{0, 1}, {1, 2}, {3, 2}, {4, 3}}, 5), CFP_OK) << LastError();
  // The same from a buffer.
  ForgedTensor a{"a", {4}}, b{"b", {4}};
  a.updates = 1;
  b.updates = 0;
  ExpectRejected(Forge({a, b}, {}), CFP_ERR_INVALID_GRAPH, "tensor 0 'a' updates tensor 1 'b', which leads back to it");
}

}  // namespace
