// The CUDA module on a real GPU: kernel results against hand-computed values and against
// the CPU executor of the same kernel plan on the same random inputs, cuBLAS layouts and
// dtypes, timing sanity and NCCL collectives. Every test skips when the module was not
// built or no GPU is usable.
#include <gtest/gtest.h>

#include <cmath>

#include "graph/emitter.h"
#include "profile/device_backend.h"
#include "profile/kernel_plan.h"
#include "support/kernel_plan_cpu.h"

namespace cfp {
namespace {

using Values = std::vector<double>;

#ifdef CFP_TEST_CUDA_MODULE
const char *kModule = CFP_TEST_CUDA_MODULE;
#else
const char *kModule = nullptr;
#endif

// The backend, or a skip with the reason.
#define CFP_OPEN_GPU_OR_SKIP(var, options)                                               \
  if (!kModule) GTEST_SKIP() << "the CUDA module is not built (CFP_WITH_CUDA=OFF)";      \
  auto var##_result = OpenCudaBackendFrom({kModule}, options);                           \
  if (!var##_result.ok()) GTEST_SKIP() << "no GPU: " << var##_result.status().message(); \
  DeviceBackend &var = **var##_result

CudaBackendOptions Exact() {
  CudaBackendOptions o;
  o.allow_tf32 = false;  // full-precision f32 GEMMs, so results compare tightly
  o.warmup = 1;
  o.repeats = 3;
  return o;
}

void ExpectClose(const Values &gpu, const Values &cpu, double rel, const std::string &what) {
  ASSERT_EQ(gpu.size(), cpu.size()) << what;
  for (size_t i = 0; i < gpu.size(); ++i)
    ASSERT_NEAR(gpu[i], cpu[i], rel * std::max(1.0, std::abs(cpu[i]))) << what << " element " << i;
}

// Graphs that cover every kernel: maps of each kind, reductions, gathers, scatter-adds,
// GEMMs in several layouts and dtypes.
std::vector<std::pair<std::string, Graph>> KernelCases() {
  std::vector<std::pair<std::string, Graph>> cases;
  auto add = [&](const std::string &name, auto build) {
    GraphBuilder b(name);
    OpEmitter e(b);
    build(e);
    auto g = b.Finish();
    EXPECT_TRUE(g.ok()) << name << ": " << g.status().message();
    if (g.ok()) cases.emplace_back(name, std::move(g).value());
  };
  add("softmax_f32", [](OpEmitter &e) {
    auto x = e.Input("x", {64, 1000}, DType::F32);
    auto m = e.Reduce(OpKind::ReduceMax, x, {1});
    auto d = e.Sub(x, e.Broadcast(m, {64, 1000}, {0}));
    auto ex = e.Unary(OpKind::Exp, d);
    auto s = e.Reduce(OpKind::ReduceSum, ex, {1});
    e.Div(ex, e.Broadcast(s, {64, 1000}, {0}));
  });
  add("layernorm_bf16", [](OpEmitter &e) {
    auto x = e.Input("x", {8, 128, 512}, DType::BF16);
    auto xf = e.Convert(x, DType::F32);
    auto mean = e.Div(e.Reduce(OpKind::ReduceSum, xf, {2}), e.BroadcastScalar(e.Constant(512.0), {8, 128}));
    auto c = e.Sub(xf, e.Broadcast(mean, {8, 128, 512}, {0, 1}));
    auto var = e.Reduce(OpKind::ReduceSum, e.Mul(c, c), {2});
    auto r = e.Unary(OpKind::Rsqrt, e.Add(var, e.BroadcastScalar(e.Constant(1e-5), {8, 128})));
    e.Convert(e.Mul(c, e.Broadcast(r, {8, 128, 512}, {0, 1})), DType::BF16);
  });
  add("gelu_f16", [](OpEmitter &e) {
    auto x = e.Input("x", {4096, 256}, DType::F16);
    auto t = e.Unary(OpKind::Tanh, e.Mul(x, e.BroadcastScalar(e.Constant(0.79788456, DType::F16), {4096, 256})));
    e.Mul(x, e.Add(t, e.BroadcastScalar(e.Constant(1.0, DType::F16), {4096, 256})));
  });
  add("movement", [](OpEmitter &e) {
    auto x = e.Input("x", {6, 7, 8}, DType::F32);
    auto t = e.Transpose(x, {2, 0, 1});
    auto s = e.Slice(t, {1, 2, 3}, {7, 6, 7});
    auto p = e.Pad(s, {0, 1, 2}, {3, 0, 1}, 0.5);
    auto r = e.Reshape(p, {9 * 5 * 7});
    e.Concatenate({r, r}, 0);
    e.Iota({5, 9}, DType::I32, 1);
    e.Select(e.Compare(x, e.Unary(OpKind::Neg, x), Comparison::GT), x, e.Unary(OpKind::Abs, x));
  });
  add("embedding", [](OpEmitter &e) {
    auto table = e.Input("table", {1000, 64}, DType::BF16);
    auto ids = e.Input("ids", {8, 128}, DType::I32);
    auto g = e.Gather(table, ids);
    auto f = e.Reshape(e.Convert(g, DType::F32), {1024, 64});
    auto flat = e.Reshape(ids, {1024});
    e.ScatterAdd(flat, f, 1000);
  });
  add("matmul_f32", [](OpEmitter &e) { e.MatMul(e.Input("x", {96, 80}, DType::F32), e.Parameter("w", {80, 72})); });
  add("matmul_bf16_to_f32", [](OpEmitter &e) {
    e.Dot(e.Input("x", {128, 256}, DType::BF16), e.Parameter("w", {256, 64}, DType::BF16), {}, {}, {1}, {0}, DType::F32);
  });
  add("attention_f16", [](OpEmitter &e) {
    auto q = e.Input("q", {2, 4, 64, 32}, DType::F16);
    auto k = e.Input("k", {2, 4, 48, 32}, DType::F16);
    auto v = e.Input("v", {2, 4, 48, 16}, DType::F16);
    auto s = e.Dot(q, k, {0, 1}, {0, 1}, {3}, {3});   // rhs read transposed
    e.Dot(s, v, {0, 1}, {0, 1}, {3}, {2});            // plain
  });
  add("weight_gradient", [](OpEmitter &e) {
    // dW = X^T dY: the lhs is read transposed.
    e.Dot(e.Input("x", {256, 96}, DType::F32), e.Input("dy", {256, 40}, DType::F32), {}, {}, {0}, {0});
  });
  add("needs_transpose", [](OpEmitter &e) {
    e.Dot(e.Input("l", {16, 3, 24}, DType::F32), e.Input("r", {3, 16, 20}, DType::F32), {1}, {0}, {0}, {1});
  });
  add("integer_dot", [](OpEmitter &e) {
    e.Dot(e.Input("l", {7, 9}, DType::I32), e.Input("r", {9, 5}, DType::I32), {}, {}, {1}, {0});
  });
  return cases;
}

// The GPU cases themselves are checked on every machine: they build, lower and run on the
// CPU, so a GPU run compares meaningful programs.
TEST(CudaBackendCases, EveryCaseLowersAndRunsOnTheCpu) {
  auto cases = KernelCases();
  EXPECT_EQ(cases.size(), 11u);
  for (const auto &[name, g] : cases) {
    auto plan = LowerToKernels(g);
    ASSERT_TRUE(plan.ok()) << name << ": " << plan.status().message();
    auto values = cfp_test::EvaluateWithPlan(g, {});
    for (uint32_t t = 0; t < g.num_tensors(); ++t)
      for (double v : values[t]) ASSERT_TRUE(std::isfinite(v)) << name << " " << g.tensor(t).name;
  }
}

TEST(CudaBackend, KernelsMatchTheCpuExecutorOnRandomInputs) {
  CFP_OPEN_GPU_OR_SKIP(gpu, Exact());
  for (const auto &[name, g] : KernelCases()) {
    auto on_gpu = gpu.EvaluateProgram(g, {});
    ASSERT_TRUE(on_gpu.ok()) << name << ": " << on_gpu.status().message();
    auto on_cpu = cfp_test::EvaluateWithPlan(g, {}, Exact().seed);
    for (uint32_t t = 0; t < g.num_tensors(); ++t) {
      const DType d = g.tensor(t).dtype;
      // One rounding of the stored dtype, plus libm and summation-order differences.
      const double rel = d == DType::F32 ? 1e-4 : d == DType::F16 ? 1e-2 : d == DType::BF16 ? 4e-2 : 0;
      ExpectClose((*on_gpu)[t], on_cpu[t], rel, name + " tensor " + g.tensor(t).name);
    }
  }
}

TEST(CudaBackend, HandComputedResults) {
  CFP_OPEN_GPU_OR_SKIP(gpu, Exact());
  GraphBuilder b("hand");
  OpEmitter e(b);
  auto x = e.Input("x", {2, 3}, DType::F32);
  auto w = e.Input("w", {3, 2}, DType::F32);
  auto y = e.MatMul(x, w);
  auto rows = e.Reduce(OpKind::ReduceSum, x, {1});
  auto table = e.Input("table", {4, 2}, DType::F32);
  auto ids = e.Input("ids", {3}, DType::I64);
  auto g = e.Gather(table, ids);
  auto sc = e.ScatterAdd(ids, g, 4);
  Graph graph = b.Finish().value();
  auto v = gpu.EvaluateProgram(graph, {{x, {1, 2, 3, 4, 5, 6}},
                                       {w, {1, 0, 0, 1, 1, 1}},
                                       {table, {0, 1, 10, 11, 20, 21, 30, 31}},
                                       {ids, {2, 2, 0}}});
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ((*v)[y], (Values{4, 5, 10, 11}));
  EXPECT_EQ((*v)[rows], (Values{6, 15}));
  EXPECT_EQ((*v)[g], (Values{20, 21, 20, 21, 0, 1}));
  EXPECT_EQ((*v)[sc], (Values{0, 1, 0, 0, 40, 42, 0, 0}));
}

TEST(CudaBackend, Tf32GemmStaysNearFullPrecision) {
  CudaBackendOptions o = Exact();
  o.allow_tf32 = true;
  CFP_OPEN_GPU_OR_SKIP(gpu, o);
  GraphBuilder b("tf32");
  OpEmitter e(b);
  auto out = e.MatMul(e.Input("x", {128, 512}, DType::F32), e.Parameter("w", {512, 128}));
  Graph g = b.Finish().value();
  auto v = gpu.EvaluateProgram(g, {});
  ASSERT_TRUE(v.ok()) << v.status().message();
  // TF32 keeps 10 mantissa bits; sums of 512 products of +-[0.25, 1) stay within 1%.
  ExpectClose((*v)[out], cfp_test::EvaluateWithPlan(g, {}, o.seed)[out], 1e-2, "tf32 matmul");
}

TEST(CudaBackend, LargerGemmTakesLonger) {
  CFP_OPEN_GPU_OR_SKIP(gpu, CudaBackendOptions{});
  auto gemm = [](int64_t n) {
    GraphBuilder b("gemm");
    OpEmitter e(b);
    e.MatMul(e.Input("x", {n, n}, DType::BF16), e.Parameter("w", {n, n}, DType::BF16));
    return b.Finish().value();
  };
  auto small = gpu.TimeProgram(gemm(512));
  auto large = gpu.TimeProgram(gemm(4096));
  ASSERT_TRUE(small.ok()) << small.status().message();
  ASSERT_TRUE(large.ok()) << large.status().message();
  EXPECT_GT(*small, 0);
  EXPECT_GT(*large, 4 * *small) << "512x more FLOPs";
  // Below the device's peak: 2 n^3 FLOPs in that time.
  const double tflops = 2.0 * 4096 * 4096 * 4096 / *large / 1e12;
  EXPECT_LT(tflops, 2500) << gpu.DeviceName();
  EXPECT_GT(tflops, 10) << "cuBLAS on tensor cores: " << gpu.DeviceName();
  // Repeated timings agree.
  auto again = gpu.TimeProgram(gemm(4096));
  ASSERT_TRUE(again.ok());
  EXPECT_NEAR(*again / *large, 1.0, 0.25);
}

TEST(CudaBackend, CustomOpsAreUnsupported) {
  CFP_OPEN_GPU_OR_SKIP(gpu, Exact());
  GraphBuilder b("custom");
  OpEmitter e(b);
  e.Custom("fused", {e.Input("x", {4}, DType::F32)}, {{{4}, DType::F32}}, "a->a", 1);
  EXPECT_EQ(gpu.TimeProgram(b.Finish().value()).status().code(), Code::kUnsupported);
}

TEST(CudaBackend, CollectivesOverTheVisibleGpus) {
  CFP_OPEN_GPU_OR_SKIP(gpu, CudaBackendOptions{});
  const int n = gpu.VisibleDevices();
  auto too_many = gpu.TimeCollective(CollectiveKind::AllReduce, 1 << 20, n + 1);
  EXPECT_EQ(too_many.status().code(), Code::kUnsupported) << "the caller falls back to alpha-beta";
  if (n < 2) GTEST_SKIP() << "one GPU: no collective to time";
  for (CollectiveKind k : {CollectiveKind::AllReduce, CollectiveKind::AllGather, CollectiveKind::ReduceScatter,
                           CollectiveKind::AllToAll}) {
    auto small = gpu.TimeCollective(k, 1 << 16, n);
    auto large = gpu.TimeCollective(k, 1 << 28, n);
    ASSERT_TRUE(small.ok()) << small.status().message();
    ASSERT_TRUE(large.ok()) << large.status().message();
    EXPECT_GT(*large, *small) << CollectiveKindName(k);
  }
}

}  // namespace
}  // namespace cfp
