// The `cfp` tool as a user runs it: help, one-line errors, exit codes, output.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/c_graphs.h"
#include "support/run_tool.h"
#include "support/scratch_dir.h"

namespace {

using cfp_test::ToolRun;

ToolRun Cfp(const std::string &args) { return cfp_test::RunTool(args); }

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

// "parameters  124.44M (124439808)" -> 124439808; "FLOPs/step  1.23P (1.234e+15)" -> 1.234e15.
double Field(const std::string &out, const std::string &label) {
  size_t at = out.find(label);
  if (at == std::string::npos) return -1;
  size_t open = out.find('(', at);
  return open == std::string::npos ? -1 : std::stod(out.substr(open + 1));
}

TEST(CliModel, WritesAGraphThatInspectReads) {
  std::string path = ::testing::TempDir() + "/cli_gpt2.cfpg";
  ToolRun r = Cfp("model gpt2-small -o " + path);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(Lines(r.out), 1u) << r.out;
  EXPECT_NE(r.out.find("124.44M parameters"), std::string::npos) << r.out;
  r = Cfp("inspect " + path);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("graph       gpt2-small"), std::string::npos) << r.out;
  EXPECT_EQ(Field(r.out, "parameters"), 124439808.0) << r.out;
  EXPECT_NE(r.out.find("optimizer_state"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("gradient"), std::string::npos) << r.out;
}

TEST(CliModel, InspectBuildsPresetsAndSpecs) {
  ToolRun r = Cfp("inspect gpt3-175b");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("parameters  174.60B (174604259328)"), std::string::npos) << r.out;
  size_t ops_at = r.out.find("operators   ");
  ASSERT_NE(ops_at, std::string::npos);
  EXPECT_GT(std::stoul(r.out.substr(ops_at + 12)), 30000u) << r.out;
  r = Cfp("inspect moe:layers=2,hidden=32,heads=2,seq=8,batch=2,vocab=10,experts=4,top_k=2");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("dot"), std::string::npos) << r.out;
}

// FLOPs per step against 6·N·tokens. The rule counts the matmuls that parameters take
// part in; attention's dots add 12·L·S·H per token (so up to S/(6H) more), an untied
// input embedding does no matmul (so up to V·H/N less), and elementwise ops add < 2%.
TEST(CliModel, FlopsPerStepAreSixNTokensWithinTheAttentionBand) {
  struct Case {
    const char *spec;
    double seq, hidden, vocab;
    bool tied;
  } cases[] = {
      {"gpt3-125m", 2048, 768, 50257, true},
      {"gpt3-6.7b", 2048, 4096, 50257, true},
      {"gpt2-xl", 1024, 1600, 50257, true},
      {"llama2-7b", 4096, 4096, 32000, false},
      {"llama3-70b", 8192, 8192, 128256, false},
  };
  for (const Case &c : cases) {
    std::string spec = std::string(c.spec) + ":batch=4";
    ToolRun r = Cfp("inspect " + spec);
    ASSERT_EQ(r.code, 0) << r.out;
    const double n = Field(r.out, "parameters"), flops = Field(r.out, "FLOPs/step");
    const double ratio = flops / (6 * n * 4 * c.seq);
    const double idle = c.tied ? 0 : c.vocab * c.hidden / n;
    EXPECT_GE(ratio, 1.0 - idle) << spec << ": " << ratio;
    EXPECT_LE(ratio, 1.0 + c.seq / (6 * c.hidden) + 0.02) << spec << ": " << ratio;
  }
}

TEST(CliModel, ListsPresets) {
  ToolRun r = Cfp("model --list");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_GE(Lines(r.out), 20u);
  EXPECT_NE(r.out.find("gpt3-175b"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("174.60B parameters"), std::string::npos) << r.out;
  r = Cfp("--help");
  EXPECT_NE(r.out.find("model <spec | preset> -o FILE"), std::string::npos) << r.out;
  r = Cfp("model --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("usage: cfp model"), std::string::npos) << r.out;
}

TEST(CliModel, ErrorsAreOneLine) {
  std::string out = " -o " + ::testing::TempDir() + "/never.cfpg";
  struct Case {
    std::string args, fragment;
    int code;
  } cases[] = {
      {"model", "expects one model spec or preset", 2},
      {"model gpt2-small", "needs -o", 2},
      {"model gpt2-small --frobnicate 1" + out, "unknown option --frobnicate", 2},
      {"model gpt:layers=0" + out, "layers must be an integer from 1", 1},
      {"model gpt3-175b:colour=red" + out, "unknown key 'colour'", 1},
      {"model gpt2-small -o /no/such/dir/g.cfpg", "cannot write", 1},
      {"inspect gpt:heads=7", "hidden (768) must be divisible by heads (7)", 1},
      {"inspect no/such/graph.cfpg", "does not exist", 1},
      {"inspect graph.cfpg", "does not exist", 1},
  };
  for (const Case &c : cases) {
    ToolRun r = Cfp(c.args);
    EXPECT_EQ(r.code, c.code) << c.args << ": " << r.out;
    EXPECT_EQ(Lines(r.out), 1u) << c.args << ": " << r.out;
    EXPECT_NE(r.out.find(c.fragment), std::string::npos) << c.args << ": " << r.out;
  }
}

}  // namespace

namespace {

const char *kSmallGpt = "gpt:layers=2,hidden=256,heads=4,seq=128,batch=32,vocab=1024";

// The number after `key` in the tool's output.
double NumberAfter(const std::string &out, const std::string &key) {
  size_t at = out.find(key);
  if (at == std::string::npos) return -1;
  return std::strtod(out.c_str() + at + key.size(), nullptr);
}

TEST(CliOptimize, PrintsThePlanAndWritesJson) {
  const std::string json = ::testing::TempDir() + "/cli_plan.json";
  ToolRun r = Cfp(std::string("optimize ") + kSmallGpt + " --mesh 2x2 --json " + json);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("on a 2x2 mesh (analytic cost model)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("proven optimal"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("strategies of the forward contractions"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("layers.0-1.attn"), std::string::npos) << r.out;  // identical layers merged
  EXPECT_NE(r.out.find("collectives per step"), std::string::npos) << r.out;
  std::ifstream in(json);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"step_time\""), std::string::npos) << text.substr(0, 200);
}

// GPT-3 175B on 8 nodes of 8 GPUs (axis 1 inside a node, the fast one) where memory does
// not bind, with 4 micro-batches of 8 sequences per step: every layer is tensor parallel
// inside the node (weights split on axis 1 as Megatron's column / row parallel layers) and
// data parallel across nodes (axis 0). (With a single micro-batch the weight gradients'
// all-reduce across nodes outweighs the activations, and the MLP is better split across
// nodes instead.)
TEST(CliOptimize, LargeModelIsTensorParallelInsideNodesAndDataParallelAcross) {
  ToolRun r = Cfp("optimize gpt3-175b:batch=8 --mesh 8x8 --budget 1TiB --microbatches 4");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("proven optimal"), std::string::npos) << r.out;
  int layer_rows = 0, tensor_parallel = 0;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  layers.", 0) != 0) continue;
    ++layer_rows;
    std::istringstream parts(line.substr(line.find_first_of(' ', 2)));
    for (std::string part; std::getline(parts, part, '|');) {
      if (part.find("row(") == std::string::npos && part.find("column(") == std::string::npos) continue;
      ++tensor_parallel;
      EXPECT_NE(part.find("data(0)"), std::string::npos) << "batch across nodes: " << line;
      EXPECT_EQ(part.find("row(0)"), std::string::npos) << "weights split inside nodes: " << line;
      EXPECT_EQ(part.find("column(0)"), std::string::npos) << "weights split inside nodes: " << line;
    }
  }
  EXPECT_EQ(layer_rows, 2) << "96 identical layers, attention and MLP: " << r.out;
  EXPECT_EQ(tensor_parallel, 6) << "Q, K, V, output and both MLP projections: " << r.out;
}

// Under Alpa's convention times are in its units, and the CLI says so; Alpa's MLP
// expectation (Megatron: 3 forward and 2 backward all-reduces of a 32x256 f32 activation,
// each 1 + 1.5 * 32768 units on 4 devices) comes out whole.
TEST(CliOptimize, AlpaConventionStatesItsUnits) {
  ToolRun r = Cfp("optimize mlp:layers=6,hidden=256,batch=32 --mesh 4 --alpa");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("units         Alpa's test convention"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("step time     245765.000 s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("collectives per step: 5"), std::string::npos) << r.out;
  EXPECT_EQ(Cfp("optimize mlp:layers=6,hidden=256,batch=32 --mesh 4").out.find("units "), std::string::npos);
}

// A search stopped by its time limit still prints a plan: the best one found. (Blocks and
// costs of this graph take milliseconds; its exact search, minutes.)
TEST(CliOptimize, TimeLimitPrintsTheBestPlanFound) {
  cfp_test::Graph g = cfp_test::DenselyConnected(10);
  ASSERT_NE(g.get(), nullptr);
  const std::string path = ::testing::TempDir() + "/cli_dense.cfpg";
  ASSERT_EQ(cfp_graph_to_file(g.get(), path.c_str()), CFP_OK) << cfp_last_error_message();
  ToolRun r = Cfp("optimize " + path + " --mesh 2x2 --time-limit 2");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("the time limit of 2 s passed during search; showing the best plan found (not proven optimal)"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("step time "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("best found (not proven optimal)"), std::string::npos) << r.out;
}

// --microbatches auto splits the spec's batch into more micro-batches as the budget shrinks,
// and every plan fits its budget.
TEST(CliOptimize, AutoMicrobatchesFitTheBudget) {
  double previous = 0;
  for (const char *budget : {"1GiB", "80MiB", "40MiB", "20MiB"}) {
    ToolRun r = Cfp(std::string("optimize ") + kSmallGpt + " --mesh 4 --microbatches auto --budget " + budget);
    ASSERT_EQ(r.code, 0) << budget << ": " << r.out;
    const double n = NumberAfter(r.out, "micro-batches ");
    const double per = NumberAfter(r.out, "micro-batches " + std::to_string(static_cast<int>(n)) + " of ");
    EXPECT_EQ(n * per, 32) << r.out;
    EXPECT_GE(n, previous) << r.out;
    previous = n;
    const double mib = NumberAfter(r.out, "peak memory   ");
    const double limit = std::strtod(budget, nullptr) * (std::string(budget).find("GiB") != std::string::npos ? 1024 : 1);
    if (r.out.find("MiB per device") != std::string::npos) EXPECT_LE(mib, limit) << r.out;
  }
  EXPECT_GT(previous, 1);  // the smallest budget needs micro-batches
  ToolRun r = Cfp(std::string("optimize ") + kSmallGpt + " --mesh 4 --microbatches auto --budget 1MiB");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("even one sample per micro-batch does not fit"), std::string::npos) << r.out;
  EXPECT_EQ(Lines(r.out), 1u) << r.out;
  r = Cfp("optimize " + WriteTinyMlp() + " --microbatches auto");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("needs a model spec or preset"), std::string::npos) << r.out;
}

TEST(CliOptimize, InfeasibleBudgetIsOneLine) {
  ToolRun r = Cfp(std::string("optimize ") + kSmallGpt + " --mesh 4 --budget 1MiB");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("the smallest plan needs"), std::string::npos) << r.out;
  EXPECT_EQ(Lines(r.out), 1u) << r.out;
}

}  // namespace

// --- numbers on the command line ---------------------------------------------------------

namespace {

const char *kTinySpec = "mlp:layers=1,hidden=64,batch=8";

// Every numeric option refuses values its type cannot hold, or that would mean something
// else once converted (-1 micro-batches were 4294967295, 0.5 threads were "all"), with a
// usage error (exit 2) that names the option and the value.
TEST(CliNumbers, OutOfRangeNumbersAreUsageErrorsNamingTheOptionAndValue) {
  struct Case {
    std::string args, option, value;
  } cases[] = {
      {"--microbatches -1", "--microbatches", "-1"},
      {"--microbatches 0", "--microbatches", "0"},
      {"--microbatches 2147483649", "--microbatches", "2147483649"},
      {"--microbatches 1.5", "--microbatches", "1.5"},
      {"--microbatches 99999999999999999999999", "--microbatches", "99999999999999999999999"},
      {"--devices-per-node -1", "--devices-per-node", "-1"},
      {"--devices-per-node 0", "--devices-per-node", "0"},
      {"--threads 0.5", "--threads", "0.5"},
      {"--threads 0", "--threads", "0"},
      {"--threads 4097", "--threads", "4097"},
      {"--threads +2", "--threads", "+2"},
      {"--budget 0.5", "--budget", "0.5"},
      {"--budget 0.5B", "--budget", "0.5B"},
      {"--budget 1e30", "--budget", "1e30"},
      {"--budget 16EiB", "--budget", "16EiB"},
      {"--budget 16777216TiB", "--budget", "16777216TiB"},
      {"--budget 0GiB", "--budget", "0GiB"},
      {"--budget -1GiB", "--budget", "-1GiB"},
      {"--budget inf", "--budget", "inf"},
      {"--budget nan", "--budget", "nan"},
      {"--budget 0x10", "--budget", "0x10"},
      {"--budget 20000000TB", "--budget", "20000000TB"},
      {"--budget 18446744073709551616", "--budget", "18446744073709551616"},
      {"--budget 16777216.5TiB", "--budget", "16777216.5TiB"},
      {"--budget 1.0001KB", "--budget", "1.0001KB"},
      {"--time-limit -1", "--time-limit", "-1"},
      {"--time-limit inf", "--time-limit", "inf"},
      {"--time-limit nan", "--time-limit", "nan"},
      {"--time-limit 1e400", "--time-limit", "1e400"},
      {"--links 0:1e-6", "--links", "0"},
      {"--links 1e400:1e-6", "--links", "1e400"},
      {"--links 1e9:-1", "--links", "-1"},
      {"--links 1e9:inf", "--links", "inf"},
      {"--links 1e9", "--links", "1e9"},
      {"--mesh 2 --links 1e9:0,1e9:0", "--links", "1e9:0,1e9:0"},
      {"--mesh 8x", "--mesh", "8x"},
      {"--mesh 0x8", "--mesh", "0x8"},
      {"--mesh -1", "--mesh", "-1"},
      {"--mesh 2x2x2x2", "--mesh", "2x2x2x2"},
      {"--mesh 1048577", "--mesh", "1048577"},
  };
  for (const Case &c : cases)
    for (const char *command : {"optimize", "profile"}) {
      // cfp profile reads every number option but --budget and --time-limit.
      if (std::string(command) == "profile" && (c.option == "--budget" || c.option == "--time-limit")) continue;
      ToolRun r = Cfp(std::string(command) + " " + kTinySpec + " " + c.args);
      EXPECT_EQ(r.code, 2) << command << " " << c.args << ": " << r.out;
      EXPECT_EQ(Lines(r.out), 1u) << c.args << ": " << r.out;
      EXPECT_NE(r.out.find(std::string("cfp ") + command + ": " + c.option + ": '" + c.value + "'"), std::string::npos)
          << c.args << ": " << r.out;
    }
}

TEST(CliNumbers, NumbersInRangeAreTaken) {
  ToolRun r = Cfp(std::string("optimize ") + kTinySpec +
                  " --mesh 2 --budget 1.5GiB --threads 1 --microbatches 2 --time-limit 0 --links 50e9:5e-6 "
                  "--devices-per-node 4");
  EXPECT_EQ(r.code, 0) << r.out;
  // A size is a whole number of bytes in any unit, including the largest.
  for (const char *budget : {"65536", "65536B", "1.5MiB", "0.25GB", "18446744073709551615", "1e3KB", "16777215TiB"}) {
    r = Cfp(std::string("optimize ") + kTinySpec + " --mesh 2 --budget " + budget);
    EXPECT_EQ(r.code, 0) << budget << ": " << r.out;
  }
}

TEST(CliNumbers, AutoMicrobatchesSplitsTheLargestBatchIntoAsManyAsItHas) {
  // 2^31 - 1 is prime: its divisors are found in 46341 steps, not two billion, and its
  // count of micro-batches is not truncated on the way to the library.
  ToolRun r = Cfp("optimize mlp:layers=1,hidden=8,batch=2147483647 --mesh 2 --microbatches auto --budget 1MiB");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("micro-batches 2147483647 of 1 samples per step (batch 2147483647)"), std::string::npos) << r.out;
}

}  // namespace

// --- output files ------------------------------------------------------------------------

namespace {

std::string ReadAll(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void WriteText(const std::string &path, const std::string &text) { std::ofstream(path, std::ios::binary) << text; }

std::vector<std::string> TemporaryFilesIn(const std::string &dir) {
  std::vector<std::string> left;
  for (const auto &e : std::filesystem::directory_iterator(dir))
    if (e.path().filename().string().find(".tmp.") != std::string::npos) left.push_back(e.path().filename());
  return left;
}

TEST(CliFiles, AnOutputThatCannotBeWrittenFailsBeforeAnyIsTouched) {
  cfp_test::ScratchDir dir("cli_unwritable");
  const std::string keep = dir.path() + "/keep.json";
  // A missing directory cannot be written even by root; a read-only one only by others.
  std::vector<std::string> unwritable = {dir.path() + "/no/such/dir"};
  if (geteuid() != 0) {
    const std::string read_only = dir.path() + "/read_only";
    std::filesystem::create_directory(read_only);
    std::filesystem::permissions(read_only, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    unwritable.push_back(read_only);
  }
  for (const std::string &bad_dir : unwritable)
    for (const char *option : {"plan", "svg", "json"}) {
      WriteText(keep, "the previous plan");
      const std::string other = std::string(option) == "json" ? "--plan " : "--json ";
      ToolRun r = Cfp(std::string("optimize ") + kTinySpec + " --mesh 2 " + other + keep + " --" + option + " " + bad_dir +
                      "/out");
      EXPECT_EQ(r.code, 1) << option << ": " << r.out;
      EXPECT_EQ(Lines(r.out), 1u) << r.out;
      EXPECT_NE(r.out.find(std::string("cfp optimize: --") + option + ": cannot write '" + bad_dir + "/out'"),
                std::string::npos)
          << r.out;
      EXPECT_EQ(ReadAll(keep), "the previous plan") << option;
    }
  ToolRun r = Cfp(std::string("optimize ") + kTinySpec + " --mesh 2 --svg " + dir.path());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("--svg: cannot write '" + dir.path() + "': it is a directory"), std::string::npos) << r.out;
}

TEST(CliFiles, AnExistingOutputIsReplacedAtomicallyKeepingItsModeAndLinks) {
  cfp_test::ScratchDir dir("cli_replace");
  const std::string json = dir.path() + "/plan.json", svg = dir.path() + "/plan.svg", link = dir.path() + "/link.cfpp",
                    target = dir.path() + "/target.cfpp";
  WriteText(json, std::string(100000, 'x'));  // longer than the plan: no old bytes may remain
  std::filesystem::permissions(json, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  WriteText(target, "old plan");
  std::filesystem::create_symlink("target.cfpp", link);
  ToolRun r = Cfp(std::string("optimize ") + kTinySpec + " --mesh 2 --json " + json + " --svg " + svg + " --plan " + link);
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string text = ReadAll(json);
  EXPECT_EQ(text.find('x'), std::string::npos);
  EXPECT_NE(text.find("\"step_time\""), std::string::npos) << text.substr(0, 200);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(std::filesystem::status(json).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_NE(ReadAll(svg).find("</svg>"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(ReadAll(target).substr(4, 4), "CFPP");  // the plan went to the link's target
  EXPECT_EQ(TemporaryFilesIn(dir.path()), std::vector<std::string>{});
}

TEST(CliFiles, DevicesAndPipesAreWrittenNotReplaced) {
  ToolRun r = Cfp(std::string("model ") + kTinySpec + " -o /dev/null");
  EXPECT_EQ(r.code, 0) << r.out;
  r = Cfp(std::string("optimize ") + kTinySpec + " --mesh 2 --json /dev/null --plan /dev/null --svg /dev/null");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
  // The report comes first, then the picture, both on standard output.
  r = Cfp(std::string("optimize ") + kTinySpec + " --mesh 2 --svg /dev/stdout");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_LT(r.out.find("collectives per step"), r.out.find("<svg"));
  EXPECT_EQ(r.out.substr(r.out.size() - 7), "</svg>\n");

  cfp_test::ScratchDir dir("cli_fifo");
  const std::string fifo = dir.path() + "/graph.cfpg";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  std::string received;
  std::thread reader([&] { received = ReadAll(fifo); });
  r = Cfp(std::string("model ") + kTinySpec + " -o " + fifo);
  reader.join();
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(received.substr(4, 4), "CFPG");
  EXPECT_TRUE(std::filesystem::is_fifo(fifo));
}

}  // namespace
