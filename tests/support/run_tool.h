// Runs the `cfp` tool under test ($CFP_TEST_TOOL), or any shell command, as a user would,
// capturing its output.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace cfp_test {

struct ToolRun {
  int code;         // exit status; -1 when the tool could not be run
  std::string out;  // stdout and stderr together
};

// Runs a shell command line and captures what it writes (add 2>&1 for stderr too).
inline ToolRun RunShell(const std::string &cmd) {
  FILE *p = popen(cmd.c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// `env`: "NAME=value ..." for the tool's environment ("" for none). The profile DB and the
// simulated device never leak in from the test's own environment.
inline ToolRun RunTool(const std::string &args, const std::string &env = "") {
  const char *tool = std::getenv("CFP_TEST_TOOL");
  if (!tool) return {-1, "CFP_TEST_TOOL is not set"};
  return RunShell("env -u CFP_FAKE_DEVICE -u CFP_PROFILE_DB " + env + " " + tool + " " + args + " 2>&1");
}

}  // namespace cfp_test
