// Device backends without a GPU: the module loader's error paths and ABI marshalling
// (through a stand-in plugin), the fake backend, and the real module's behaviour on this
// machine.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cfp.h"
#include "graph/emitter.h"
#include "profile/fake_device_backend.h"
#include "support/kernel_plan_cpu.h"

namespace cfp {
namespace {

// Sets an environment variable for the scope of a test.
class ScopedEnv {
 public:
  ScopedEnv(const char *name, const char *value) : name_(name) {
    if (const char *old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char *name_;
  std::optional<std::string> old_;
};

Graph MatMulGraph(int64_t m, int64_t k, int64_t n, DType dtype = DType::F32) {
  GraphBuilder b("matmul");
  OpEmitter e(b);
  auto x = e.Input("x", {m, k}, dtype);
  auto w = e.Parameter("w", {k, n}, dtype);
  e.MatMul(x, w);
  return b.Finish().value();
}

// Paths the build passes in: the stand-in plugin, and the real module when it is built.
std::string FakePlugin() { return CFP_TEST_FAKE_PLUGIN; }
#ifdef CFP_TEST_CUDA_MODULE
const char *kRealModule = CFP_TEST_CUDA_MODULE;
#else
const char *kRealModule = nullptr;
#endif

// ---- Loader error paths --------------------------------------------------------------

TEST(CudaLoader, AbsentModuleIsUnsupportedAndSaysWhy) {
  auto b = OpenCudaBackendFrom({"/no/such/dir/libcfp_cuda.so", "libcfp_cuda_that_does_not_exist.so"});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), Code::kUnsupported);
  const std::string &m = b.status().message();
  EXPECT_NE(m.find("built without CUDA"), std::string::npos) << m;
  EXPECT_NE(m.find("/no/such/dir/libcfp_cuda.so"), std::string::npos) << m;
  EXPECT_NE(m.find("analytic"), std::string::npos) << m;
}

TEST(CudaLoader, UnloadableModuleIsADeviceError) {
  const std::string path = ::testing::TempDir() + "/garbage_" + std::to_string(::getpid()) + "/libcfp_cuda.so";
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << "not an ELF file";
  auto b = OpenCudaBackendFrom({path});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), Code::kDevice);
  EXPECT_NE(b.status().message().find(path), std::string::npos) << b.status().message();
}

TEST(CudaLoader, ExplicitModulePathIsTheOnlyCandidate) {
  ScopedEnv env("CFP_CUDA_MODULE", "/opt/elsewhere/libcfp_cuda.so");
  EXPECT_EQ(CudaModuleCandidates(), std::vector<std::string>{"/opt/elsewhere/libcfp_cuda.so"});
  auto b = OpenCudaBackend();
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), Code::kUnsupported);
}

TEST(CudaLoader, DefaultCandidatesEndWithTheLoaderPath) {
  ScopedEnv env("CFP_CUDA_MODULE", nullptr);
  auto c = CudaModuleCandidates();
  ASSERT_GE(c.size(), 2u);
  EXPECT_EQ(c.back(), "libcfp_cuda.so");
  EXPECT_EQ(std::filesystem::path(c.front()).filename(), "libcfp_cuda.so");
  EXPECT_TRUE(std::filesystem::path(c.front()).is_absolute());
}

TEST(CudaLoader, ForeignAbiVersionIsUnsupported) {
  ScopedEnv mode("CFP_FAKE_PLUGIN_MODE", "abi");
  auto b = OpenCudaBackendFrom({FakePlugin()});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), Code::kUnsupported);
  EXPECT_NE(b.status().message().find("ABI version 999"), std::string::npos) << b.status().message();
}

TEST(CudaLoader, NoDeviceIsADeviceError) {
  ScopedEnv mode("CFP_FAKE_PLUGIN_MODE", "no-device");
  auto b = OpenCudaBackendFrom({FakePlugin()});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), Code::kDevice);
  EXPECT_NE(b.status().message().find("no CUDA-capable device"), std::string::npos) << b.status().message();
}

TEST(CudaLoader, RejectsZeroRepeats) {
  CudaBackendOptions o;
  o.repeats = 0;
  EXPECT_EQ(OpenCudaBackendFrom({FakePlugin()}, o).status().code(), Code::kInvalidArgument);
}

// ---- The plugin ABI, end to end --------------------------------------------------------

TEST(CudaLoader, PluginAnswersThroughTheAbi) {
  ScopedEnv mode("CFP_FAKE_PLUGIN_MODE", "ok");
  auto b = OpenCudaBackendFrom({"/not/here/libcfp_cuda.so", FakePlugin()});
  ASSERT_TRUE(b.ok()) << b.status().message();
  DeviceBackend &d = **b;
  EXPECT_EQ(d.DeviceName(), "Fake Plugin GPU");
  EXPECT_EQ(d.VisibleDevices(), 2);
  EXPECT_EQ(d.LibraryVersion(), "fake-plugin 1");
  auto t = d.TimeProgram(MatMulGraph(4, 8, 2));
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_DOUBLE_EQ(*t, 1e-6);  // the graph travelled: one op
  auto c = d.TimeCollective(CollectiveKind::AllGather, 1000, 2);
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(*c, 2e-5 + 1e-6);
  auto too_big = d.TimeCollective(CollectiveKind::AllReduce, 1000, 4);
  EXPECT_EQ(too_big.status().code(), Code::kUnsupported);
  EXPECT_NE(too_big.status().message().find("only 2 GPUs"), std::string::npos);
}

TEST(CudaLoader, EvaluateMarshalsInputsAndEveryTensor) {
  ScopedEnv mode("CFP_FAKE_PLUGIN_MODE", "ok");
  auto b = OpenCudaBackendFrom({FakePlugin()});
  ASSERT_TRUE(b.ok()) << b.status().message();
  Graph g = MatMulGraph(2, 3, 2);
  std::map<uint32_t, std::vector<double>> in{{0, {1, 2, 3, 4, 5, 6}}, {1, {1, 0, 0, 1, 1, 1}}};
  auto v = (*b)->EvaluateProgram(g, in);
  ASSERT_TRUE(v.ok()) << v.status().message();
  ASSERT_EQ(v->size(), 3u);
  EXPECT_EQ((*v)[0], in[0]);
  EXPECT_EQ((*v)[2], (std::vector<double>{4, 5, 10, 11}));
  // Only graph inputs, with one value per element.
  EXPECT_EQ((*b)->EvaluateProgram(g, {{0, {1, 2}}}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ((*b)->EvaluateProgram(g, {{2, {0, 0, 0, 0}}}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ((*b)->EvaluateProgram(g, {{7, {0}}}).status().code(), Code::kInvalidArgument);
}

// ---- The real module on this machine ---------------------------------------------------

// With the module built, a machine without a driver or GPU gets kDevice and one with a GPU
// a working backend; without the module (a CPU-only build), kUnsupported.
TEST(CudaLoader, RealModuleIsDeviceErrorOrWorks) {
  const char *module = kRealModule;
  if (!module) {
    ScopedEnv env("CFP_CUDA_MODULE", nullptr);
    auto b = OpenCudaBackend();
    if (b.ok()) GTEST_SKIP() << "a CUDA module is installed on the loader path";
    EXPECT_EQ(b.status().code(), Code::kUnsupported) << b.status().message();
    return;
  }
  auto b = OpenCudaBackendFrom({module});
  if (b.ok()) {
    EXPECT_GE((*b)->VisibleDevices(), 1);
    EXPECT_FALSE((*b)->DeviceName().empty());
    return;
  }
  EXPECT_EQ(b.status().code(), Code::kDevice) << b.status().message();
  EXPECT_NE(b.status().message().find("CUDA"), std::string::npos) << b.status().message();
}

// ---- Fake backends -------------------------------------------------------------------

TEST(FakeDeviceBackend, ReturnsTheCallersTimesAndCountsCalls) {
  FakeDeviceBackend fake(
      "test-gpu", 4, [](const Graph &g) -> Result<double> { return 1e-3 * g.num_ops(); },
      [](CollectiveKind k, uint64_t bytes, int group) -> Result<double> {
        return static_cast<double>(bytes) * group + static_cast<int>(k);
      });
  EXPECT_EQ(fake.DeviceName(), "test-gpu");
  EXPECT_EQ(fake.VisibleDevices(), 4);
  EXPECT_DOUBLE_EQ(*fake.TimeProgram(MatMulGraph(2, 2, 2)), 1e-3);
  EXPECT_DOUBLE_EQ(*fake.TimeCollective(CollectiveKind::AllGather, 10, 4), 41);
  EXPECT_EQ(fake.TimeCollective(CollectiveKind::AllGather, 10, 8).status().code(), Code::kUnsupported);
  EXPECT_EQ(fake.TimeCollective(CollectiveKind::AllGather, 10, 0).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(fake.program_calls(), 1u);
  EXPECT_EQ(fake.collective_calls(), 3u);
  EXPECT_EQ(fake.EvaluateProgram(MatMulGraph(2, 2, 2), {}).status().code(), Code::kUnsupported);
}

TEST(FakeDeviceBackend, InvalidTimesAreErrors) {
  FakeDeviceBackend fake("bad", 1, [](const Graph &) -> Result<double> { return -1.0; });
  EXPECT_EQ(fake.TimeProgram(MatMulGraph(2, 2, 2)).status().code(), Code::kInternal);
  EXPECT_EQ(fake.TimeCollective(CollectiveKind::AllReduce, 8, 1).status().code(), Code::kUnsupported)
      << "no collective function";
}

TEST(FakeDeviceBackend, RooflineTimesFollowTheSpec) {
  auto b = MakeRooflineFakeBackend("name=demo,devices=2,flops=1e12,bandwidth=1e9,link=1e9,latency=1e-5,overhead=0");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ((*b)->DeviceName(), "demo");
  EXPECT_EQ((*b)->VisibleDevices(), 2);
  // [64,128] x [128,32] in f32: 2*64*128*32 FLOPs = 0.52 us at 1e12; bytes
  // (64*128 + 128*32 + 64*32) * 4 = 57344 take 57.3 us at 1e9: memory bound.
  EXPECT_NEAR(*(*b)->TimeProgram(MatMulGraph(64, 128, 32)), 57344 / 1e9, 1e-12);
  // Ring all-reduce over 2: alpha + 2 (n-1)/n B / bw.
  EXPECT_NEAR(*(*b)->TimeCollective(CollectiveKind::AllReduce, 1000000, 2), 1e-5 + 1e-3, 1e-12);
  EXPECT_NEAR(*(*b)->TimeCollective(CollectiveKind::AllToAll, 1000000, 2), 1e-5 + 0.25e-3, 1e-12);
  EXPECT_EQ((*b)->TimeCollective(CollectiveKind::AllReduce, 8, 4).status().code(), Code::kUnsupported);
}

TEST(FakeDeviceBackend, RooflineSpecErrorsNameTheProblem) {
  for (const char *bad : {"flops=-1", "flops=abc", "devices=1.5", "colour=blue", "latency", "name="}) {
    auto b = MakeRooflineFakeBackend(bad);
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_EQ(b.status().code(), Code::kInvalidArgument);
    EXPECT_NE(b.status().message().find("CFP_FAKE_DEVICE"), std::string::npos) << b.status().message();
  }
  EXPECT_TRUE(MakeRooflineFakeBackend("").ok());
  EXPECT_TRUE(MakeRooflineFakeBackend("1").ok());
}

TEST(FakeDeviceBackend, EnvironmentSelectsTheFakeForTheCudaCostModel) {
  {
    ScopedEnv env("CFP_FAKE_DEVICE", "name=env-demo,devices=16");
    auto b = OpenProfilingBackend();
    ASSERT_TRUE(b.ok()) << b.status().message();
    EXPECT_EQ((*b)->DeviceName(), "env-demo");
    EXPECT_EQ((*b)->VisibleDevices(), 16);
  }
  ScopedEnv env("CFP_FAKE_DEVICE", "bogus");
  EXPECT_EQ(OpenProfilingBackend().status().code(), Code::kInvalidArgument);
}

TEST(CollectiveKindNames, MatchThePlanSchema) {
  EXPECT_EQ(CollectiveKindName(CollectiveKind::AllReduce), "all-reduce");
  EXPECT_EQ(CollectiveKindName(CollectiveKind::AllToAll), "all-to-all");
  EXPECT_EQ(static_cast<int>(CollectiveKind::ReduceScatter), CFP_REDUCE_SCATTER);
  EXPECT_TRUE(IsValidCollectiveKind(3));
  EXPECT_FALSE(IsValidCollectiveKind(4));
}

}  // namespace
}  // namespace cfp
