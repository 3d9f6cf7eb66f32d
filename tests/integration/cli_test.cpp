// The `cfp` tool as a user runs it: help, one-line errors, exit codes, output.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "support/c_graphs.h"

namespace {

struct ToolRun {
  int code;
  std::string out;  // stdout and stderr together
};

ToolRun Cfp(const std::string &args) {
  const char *tool = std::getenv("CFP_TEST_TOOL");
  if (!tool) return {-1, "CFP_TEST_TOOL is not set"};
  std::string cmd = std::string(tool) + " " + args + " 2>&1";
  FILE *p = popen(cmd.c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

size_t Lines(const std::string &s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

std::string WriteTinyMlp() {
  auto buf = cfp_test::TinyMlpBuffer(8, 16);
  std::string path = ::testing::TempDir() + "/cli_tiny.cfpg";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char *>(buf.data()), static_cast<std::streamsize>(buf.size()));
  return path;
}

TEST(Cli, HelpExitsZero) {
  ToolRun r = Cfp("--help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("usage: cfp <command>"), std::string::npos) << r.out;
  r = Cfp("inspect --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("usage: cfp inspect"), std::string::npos) << r.out;
}

TEST(Cli, InspectsABuilderGraph) {
  ToolRun r = Cfp("inspect " + WriteTinyMlp());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("graph       tiny-mlp"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("operators   5"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("parameters  528"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dot                   2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("parameter               3"), std::string::npos) << r.out;
}

TEST(Cli, ErrorsAreOneLineWithNonZeroExit) {
  for (const char *args : {"frobnicate", "inspect", "inspect /no/such/file.cfpg", "inspect --bogus x", "inspect /"}) {
    ToolRun r = Cfp(args);
    EXPECT_NE(r.code, 0) << args;
    EXPECT_EQ(Lines(r.out), 1u) << args << ": " << r.out;
    EXPECT_EQ(r.out.rfind("cfp", 0), 0u) << r.out;
  }
  std::string junk = ::testing::TempDir() + "/junk.cfpg";
  std::ofstream(junk) << "this is not a graph at all";
  ToolRun r = Cfp("inspect " + junk);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(Lines(r.out), 1u) << r.out;
  EXPECT_NE(r.out.find("CFP_ERR_INVALID_GRAPH"), std::string::npos) << r.out;
}

}  // namespace
