// `cfp optimize --svg`: the plan drawn as one SVG file.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace {

int RunTool(const std::string &args, std::string *out) {
  const char *tool = std::getenv("CFP_TEST_TOOL");
  if (!tool) {
    *out = "CFP_TEST_TOOL is not set";
    return -1;
  }
  FILE *p = popen((std::string(tool) + " " + args + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

size_t Count(const std::string &s, const std::string &what) {
  size_t n = 0;
  for (size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + 1)) ++n;
  return n;
}

TEST(CliSvg, DrawsStrategyMapBreakdownAndMemory) {
  const std::string path = ::testing::TempDir() + "/cli_plan.svg";
  std::remove(path.c_str());
  std::string out;
  ASSERT_EQ(RunTool("optimize \"mlp:layers=3,hidden=64,batch=16\" --mesh 2x2 --budget 1MiB --svg " + path, &out), 0) << out;
  std::ifstream f(path);
  ASSERT_TRUE(f) << "no SVG written";
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string svg = ss.str();
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  // Every element it opens is closed.
  EXPECT_EQ(Count(svg, "<text"), Count(svg, "</text>"));
  // One row per layer, the step-time parts, the budget the plan was searched under.
  for (const char *s : {">layers.0<", ">layers.1<", ">layers.2<", "compute ", "all-reduce ", "budget 1.00 MiB",
                        "parameters ", "activations kept "})
    EXPECT_NE(svg.find(s), std::string::npos) << s;
  // The plan's peak memory is what the memory panel adds up to.
  auto pos = out.find("peak memory");
  ASSERT_NE(pos, std::string::npos) << out;
  std::string peak = out.substr(pos + 14, out.find(" per device", pos) - pos - 14);
  EXPECT_NE(svg.find("total " + peak), std::string::npos) << peak;
  EXPECT_EQ(svg.find(">other "), std::string::npos) << "memory the role breakdown does not explain";
}

TEST(CliSvg, UnwritablePathIsAnError) {
  std::string out;
  EXPECT_EQ(RunTool("optimize \"mlp:layers=1,hidden=16,batch=8\" --mesh 2 --svg /nonexistent-dir/plan.svg", &out), 1);
  EXPECT_NE(out.find("cannot write '/nonexistent-dir/plan.svg'"), std::string::npos) << out;
}

}  // namespace
