// Graph::Create rejects every inconsistency with a message naming the op or tensor.
#include <gtest/gtest.h>

#include "graph/emitter.h"
#include "graph/graph_io.h"

namespace cfp {
namespace {

void ExpectInvalid(const Result<Graph> &g, const std::string &fragment) {
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), Code::kInvalidGraph);
  EXPECT_NE(g.status().message().find(fragment), std::string::npos) << g.status().message();
}

TEST(GraphValidation, AcceptsAnEmptyGraph) {
  auto g = Graph::Create("empty", {}, {});
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->num_ops(), 0u);
}

TEST(GraphValidation, RejectsCycle) {
  GraphBuilder b;
  auto x = b.AddTensor("x", DType::F32, {4}, TensorRole::Activation);
  auto y = b.AddTensor("y", DType::F32, {4}, TensorRole::Activation);
  ASSERT_TRUE(b.AddOp("first", OpKind::Exp, {y}, {x}).ok());
  ASSERT_TRUE(b.AddOp("second", OpKind::Exp, {x}, {y}).ok());
  ExpectInvalid(b.Finish(), "cycle through op 0 'first'");
}

TEST(GraphValidation, RejectsSelfLoop) {
  GraphBuilder b;
  auto x = b.AddTensor("x", DType::F32, {4}, TensorRole::Activation);
  ASSERT_TRUE(b.AddOp("loop", OpKind::Exp, {x}, {x}).ok());
  ExpectInvalid(b.Finish(), "cycle");
}

TEST(GraphValidation, RejectsShapeMismatchNamingTheOp) {
  GraphBuilder b;
  OpEmitter e(b);
  auto x = e.Input("x", {8, 16}, DType::F32);
  auto w = e.Parameter("w", {32, 4});
  e.set_scope("layers.0.mlp");
  e.MatMul(x, w);
  ExpectInvalid(b.Finish(), "'layers.0.mlp.dot.0' (dot): contracting dim 0 is 16 on lhs [8,16] but 32 on rhs [32,4]");
}

TEST(GraphValidation, RejectsDTypeMismatch) {
  GraphBuilder b;
  OpEmitter e(b);
  auto x = e.Input("x", {4}, DType::F32);
  auto y = e.Input("y", {4}, DType::BF16);
  e.Add(x, y);
  ExpectInvalid(b.Finish(), "dtype bf16 differs from f32");
}

TEST(GraphValidation, RejectsUnknownTensorId) {
  std::vector<Tensor> tensors(1);
  tensors[0].shape = {4};
  Op op;
  op.name = "bad";
  op.kind = OpKind::Exp;
  op.inputs = {7};
  op.outputs = {0};
  ExpectInvalid(Graph::Create("g", tensors, {op}), "op 0 'bad' (exp) reads tensor 7, which does not exist");
}

TEST(GraphValidation, RejectsTwoProducers) {
  GraphBuilder b;
  auto x = b.AddTensor("x", DType::F32, {4}, TensorRole::DataInput);
  auto y = b.AddTensor("y", DType::F32, {4}, TensorRole::Activation);
  ASSERT_TRUE(b.AddOp("a", OpKind::Exp, {x}, {y}).ok());
  ASSERT_TRUE(b.AddOp("b", OpKind::Log, {x}, {y}).ok());
  ExpectInvalid(b.Finish(), "which op 0 'a' (exp) already writes");
}

TEST(GraphValidation, RejectsZeroNegativeAndOverflowingDims) {
  for (auto shape : std::vector<std::vector<int64_t>>{{0}, {4, -2}, {INT64_MAX / 2, 4}, {1 << 30, 1 << 30, 1 << 30}}) {
    GraphBuilder b;
    b.AddTensor("x", DType::F32, shape, TensorRole::DataInput);
    auto g = b.Finish();
    ASSERT_FALSE(g.ok()) << ShapeString(shape);
    EXPECT_NE(g.status().message().find("tensor 0 'x'"), std::string::npos) << g.status().message();
  }
}

TEST(GraphValidation, RejectsCustomOpWithoutIterationSpace) {
  GraphBuilder b;
  auto x = b.AddTensor("x", DType::F32, {4}, TensorRole::DataInput);
  auto y = b.AddTensor("y", DType::F32, {4}, TensorRole::Activation);
  ASSERT_TRUE(b.AddOp("mystery", OpKind::Custom, {x}, {y}).ok());
  ExpectInvalid(b.Finish(), "custom op needs an explicit iteration space");
}

TEST(GraphValidation, RejectsStatedSpaceThatDisagreesWithKind) {
  GraphBuilder b;
  OpEmitter e(b);
  auto x = e.Input("x", {4, 4}, DType::F32);
  e.Unary(OpKind::Exp, x);
  ASSERT_TRUE(b.SetEinsum(e.last_op(), "ab->ab").ok());
  ASSERT_TRUE(b.Finish().ok());
  ASSERT_TRUE(b.SetEinsum(e.last_op(), "ab->ba").ok());
  ExpectInvalid(b.Finish(), "stated iteration space ab->ba differs from the derived ab->ab");
}

TEST(GraphValidation, DerivesProducersConsumersAndTopologicalOrder) {
  GraphBuilder b;
  OpEmitter e(b);
  auto x = e.Input("x", {4}, DType::F32);
  auto a = e.Unary(OpKind::Exp, x);
  auto c = e.Add(a, x);
  auto g = b.Finish().value();
  EXPECT_EQ(g.producer(x), kNoId);
  EXPECT_EQ(g.producer(c), 1u);
  ASSERT_EQ(g.consumers(x).size(), 2u);
  EXPECT_EQ(g.consumers(x)[0], 0u);
  EXPECT_EQ(g.consumers(x)[1], 1u);
  EXPECT_EQ(g.topo_order(), (std::vector<uint32_t>{0, 1}));
}

TEST(GraphValidation, OrdersOpsTopologicallyWhateverTheirIds) {
  GraphBuilder b;
  auto x = b.AddTensor("x", DType::F32, {4}, TensorRole::DataInput);
  auto y = b.AddTensor("y", DType::F32, {4}, TensorRole::Activation);
  auto z = b.AddTensor("z", DType::F32, {4}, TensorRole::Activation);
  ASSERT_TRUE(b.AddOp("second", OpKind::Exp, {y}, {z}).ok());
  ASSERT_TRUE(b.AddOp("first", OpKind::Exp, {x}, {y}).ok());
  auto g = b.Finish().value();
  EXPECT_EQ(g.topo_order(), (std::vector<uint32_t>{1, 0}));
}

TEST(GraphSerialization, RoundTripsEveryField) {
  GraphBuilder b("roundtrip");
  OpEmitter e(b);
  e.set_scope("layers.0");
  auto x = e.Input("x", {8, 16}, DType::BF16);
  auto w = e.Parameter("w", {16, 4}, DType::F32);
  auto wc = e.Convert(w, DType::BF16);
  auto y = e.MatMul(x, wc);
  e.set_phase(Phase::Backward);
  e.set_grad_of(1);
  auto s = e.Reduce(OpKind::ReduceMax, y, {1});
  b.tensor(s).gradient_of = static_cast<int32_t>(y);
  e.Custom("c", {x}, {{{8, 16}, DType::BF16}}, "ab->ab", 2.5);
  auto g = b.Finish().value();
  auto buf = GraphToBuffer(g);
  auto g2 = GraphFromBuffer(buf.data(), buf.size());
  ASSERT_TRUE(g2.ok()) << g2.status().message();
  EXPECT_EQ(g2->name(), "roundtrip");
  ASSERT_EQ(g2->num_ops(), g.num_ops());
  ASSERT_EQ(g2->num_tensors(), g.num_tensors());
  for (uint32_t o = 0; o < g.num_ops(); ++o) {
    EXPECT_EQ(g2->op(o).name, g.op(o).name);
    EXPECT_EQ(g2->op(o).kind, g.op(o).kind);
    EXPECT_EQ(g2->op(o).inputs, g.op(o).inputs);
    EXPECT_EQ(g2->op(o).attrs, g.op(o).attrs);
    EXPECT_EQ(g2->op(o).scope, g.op(o).scope);
    EXPECT_EQ(g2->op(o).phase, g.op(o).phase);
    EXPECT_EQ(g2->op(o).grad_of, g.op(o).grad_of);
    EXPECT_EQ(g2->space(o), g.space(o));
  }
  for (uint32_t t = 0; t < g.num_tensors(); ++t) {
    EXPECT_EQ(g2->tensor(t).name, g.tensor(t).name);
    EXPECT_EQ(g2->tensor(t).shape, g.tensor(t).shape);
    EXPECT_EQ(g2->tensor(t).dtype, g.tensor(t).dtype);
    EXPECT_EQ(g2->tensor(t).role, g.tensor(t).role);
    EXPECT_EQ(g2->tensor(t).gradient_of, g.tensor(t).gradient_of);
  }
  // Serialization is deterministic.
  EXPECT_EQ(GraphToBuffer(*g2), buf);
}

TEST(GraphSerialization, RejectsEmptyTruncatedAndForeignBuffers) {
  GraphBuilder b("g");
  OpEmitter e(b);
  e.Unary(OpKind::Exp, e.Input("x", {4}, DType::F32));
  auto buf = GraphToBuffer(b.Finish().value());
  EXPECT_EQ(GraphFromBuffer(buf.data(), 0).status().code(), Code::kInvalidGraph);
  for (size_t n : {size_t{3}, size_t{12}, buf.size() / 2}) {
    auto g = GraphFromBuffer(buf.data(), n);
    ASSERT_FALSE(g.ok()) << n;
    EXPECT_EQ(g.status().code(), Code::kInvalidGraph);
  }
  // The builder pads; cutting only padding leaves the same graph, anything more fails.
  for (size_t n = 1; n < buf.size(); ++n) {
    auto g = GraphFromBuffer(buf.data(), n);
    if (g.ok()) EXPECT_EQ(GraphToBuffer(*g), buf) << n;
  }
  auto foreign = buf;
  foreign[4] = 'X';
  auto g = GraphFromBuffer(foreign.data(), foreign.size());
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("file identifier is 'XFPG', expected 'CFPG'"), std::string::npos)
      << g.status().message();
}

}  // namespace
}  // namespace cfp
