// `cfp profile` and `cfp optimize --cost cuda` as a user runs them, on the simulated
// device of $CFP_FAKE_DEVICE (no GPU needed), and the clear error without a device.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/c_graphs.h"
#include "support/run_tool.h"
#include "support/scratch_dir.h"

namespace {

using cfp_test::ToolRun;

// Runs the tool with `env` ("NAME=value ...") in its environment.
ToolRun Cfp(const std::string &env, const std::string &args) { return cfp_test::RunTool(args, env); }

class CliProfile : public ::testing::Test {
 protected:
  void SetUp() override {
    auto buf = cfp_test::TinyMlpBuffer(512, 1024);
    std::ofstream(graph_, std::ios::binary)
        .write(reinterpret_cast<const char *>(buf.data()), static_cast<std::streamsize>(buf.size()));
  }
  std::string db() const { return dir_.path() + "/db.cfpdb"; }

  cfp_test::ScratchDir dir_{"cli_profile"};
  const std::string graph_ = dir_.path() + "/mlp.cfpg";
};

TEST_F(CliProfile, OptimizeWithTheFakeDeviceProfilesThenReuses) {
  ToolRun first = Cfp("CFP_FAKE_DEVICE=1", "optimize " + graph_ + " --mesh 2 --cost cuda --profile-db " + db());
  ASSERT_EQ(first.code, 0) << first.out;
  EXPECT_NE(first.out.find("(cuda cost model)"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("reused from the profile DB"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find(" 0 reused,"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("profile ["), std::string::npos) << "the progress bar is on stderr: " << first.out;
  EXPECT_NE(first.out.find("links: axis 0 (2): measured"), std::string::npos) << first.out;

  ToolRun second = Cfp("CFP_FAKE_DEVICE=1", "optimize " + graph_ + " --mesh 2 --cost cuda --profile-db " + db());
  ASSERT_EQ(second.code, 0) << second.out;
  EXPECT_NE(second.out.find("profiling     0 configurations profiled"), std::string::npos) << second.out;
}

TEST_F(CliProfile, ProfileFillsTheDatabaseAndReportsBlockTypes) {
  ToolRun r = Cfp("CFP_FAKE_DEVICE=name=demo", "profile " + graph_ + " --mesh 2 --profile-db " + db());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("profiled on demo"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", 0 reused,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("contraction block of"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(db()));

  ToolRun again = Cfp("CFP_FAKE_DEVICE=name=demo", "profile " + graph_ + " --mesh 2 --profile-db " + db());
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_NE(again.out.find(" 0 profiled,"), std::string::npos) << again.out;
}

TEST_F(CliProfile, WithoutADeviceTheErrorSaysSo) {
  ToolRun r = Cfp(std::string("CFP_CUDA_MODULE=") + CFP_TEST_FAKE_PLUGIN + " CFP_FAKE_PLUGIN_MODE=no-device",
                  "optimize " + graph_ + " --mesh 2 --cost cuda --profile-db " + db());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("[CFP_ERR_DEVICE]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the \"cuda\" cost model needs a device"), std::string::npos) << r.out;
  r = Cfp(std::string("CFP_CUDA_MODULE=") + CFP_TEST_FAKE_PLUGIN + " CFP_FAKE_PLUGIN_MODE=no-device",
          "profile " + graph_ + " --mesh 2 --profile-db " + db());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("cannot profile"), std::string::npos) << r.out;
}

TEST_F(CliProfile, InterruptCancelsAndKeepsWhatWasMeasured) {
  const char *tool = std::getenv("CFP_TEST_TOOL");
  ASSERT_NE(tool, nullptr);
  // Each measurement takes 100 ms; the links alone take 12 of them, so SIGINT arrives while the tool runs.
  std::string script = "env -u CFP_PROFILE_DB CFP_FAKE_DEVICE=delay_ms=100 " + std::string(tool) + " profile " + graph_ +
                       " --mesh 2 --profile-db " + db() + " & pid=$!; sleep 0.6; kill -INT $pid; wait $pid; echo exit=$?";
  const std::string out = cfp_test::RunShell("sh -c '" + script + "' 2>&1").out;
  EXPECT_NE(out.find("[CFP_ERR_CANCELLED]"), std::string::npos) << out;
  EXPECT_NE(out.find("exit=1"), std::string::npos) << out;
  EXPECT_TRUE(std::filesystem::exists(db())) << "measurements before the interrupt are saved: " << out;
}

TEST_F(CliProfile, ProfileRejectsUnknownOptions) {
  ToolRun r = Cfp("", "profile " + graph_ + " --cost analytic");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("unknown option --cost"), std::string::npos) << r.out;
}

}  // namespace
