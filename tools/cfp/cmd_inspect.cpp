// cfp inspect: what a graph holds.
#include <cstdio>
#include <map>
#include <memory>

#include "cli.h"

namespace cfp_cli {

namespace {
const char *kHelp =
    "usage: cfp inspect <graph.cfpg | preset | model spec>\n"
    "\n"
    "Prints operators by kind, tensors by role (count and bytes), the parameter count and\n"
    "the FLOPs of one step. A preset or spec (e.g. gpt3-175b, llama:layers=2) is built\n"
    "first, as 'cfp model' would.\n";
}

int CmdInspect(int argc, char **argv) {
  Args args = ParseArgs(argc, argv, 2, {"help", "h"});
  if (args.Has("help") || args.Has("h")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  for (const auto &[k, v] : args.options) throw UsageError{"unknown option --" + k};
  if (args.positional.size() != 1) throw UsageError{"expects one graph file or model"};
  std::unique_ptr<cfp_graph, decltype(&cfp_graph_destroy)> g(LoadGraphOrModel(args.positional[0]), cfp_graph_destroy);

  const char *name = nullptr;
  uint32_t n_ops = 0, n_tensors = 0;
  uint64_t params = 0;
  double flops = 0;
  Check(cfp_graph_name(g.get(), &name), "graph name");
  Check(cfp_graph_op_count(g.get(), &n_ops), "op count");
  Check(cfp_graph_tensor_count(g.get(), &n_tensors), "tensor count");
  Check(cfp_graph_parameter_count(g.get(), &params), "parameter count");
  Check(cfp_graph_flops(g.get(), &flops), "flops");

  std::map<std::string, uint32_t> by_kind;
  for (uint32_t o = 0; o < n_ops; ++o) {
    cfp_op_kind k;
    Check(cfp_graph_op_kind(g.get(), o, &k), "op kind");
    ++by_kind[cfp_op_kind_name(k)];
  }
  struct RoleStat {
    uint32_t count = 0;
    double bytes = 0;
  };
  std::map<int, RoleStat> by_role;
  for (uint32_t t = 0; t < n_tensors; ++t) {
    cfp_tensor_role role;
    cfp_dtype dtype;
    uint32_t rank = 0;
    Check(cfp_graph_tensor_role(g.get(), t, &role), "tensor role");
    Check(cfp_graph_tensor_dtype(g.get(), t, &dtype), "tensor dtype");
    Check(cfp_graph_tensor_rank(g.get(), t, &rank), "tensor rank");
    double elems = 1;
    for (uint32_t d = 0; d < rank; ++d) {
      int64_t dim = 0;
      Check(cfp_graph_tensor_dim(g.get(), t, d, &dim), "tensor dim");
      elems *= static_cast<double>(dim);
    }
    static const int kSize[] = {4, 2, 2, 1, 4, 8, 1};
    RoleStat &s = by_role[role];
    ++s.count;
    s.bytes += elems * kSize[dtype];
  }

  std::printf("graph       %s\n", name && *name ? name : "(unnamed)");
  std::printf("operators   %u\n", n_ops);
  std::printf("tensors     %u\n", n_tensors);
  std::printf("parameters  %s (%llu)\n", HumanCount(static_cast<double>(params)).c_str(),
              static_cast<unsigned long long>(params));
  std::printf("FLOPs/step  %s (%.4g)\n", HumanCount(flops).c_str(), flops);
  std::printf("\noperators by kind\n");
  for (const auto &[kind, count] : by_kind) std::printf("  %-14s %8u\n", kind.c_str(), count);
  std::printf("\ntensors by role\n");
  for (const auto &[role, s] : by_role)
    std::printf("  %-16s %8u  %12s\n", cfp_tensor_role_name(static_cast<cfp_tensor_role>(role)), s.count,
                HumanBytes(s.bytes).c_str());
  return 0;
}

}  // namespace cfp_cli
