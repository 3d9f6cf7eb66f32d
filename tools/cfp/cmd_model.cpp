// cfp model: build a model-zoo graph and write it to a file.
#include <cstdio>
#include <memory>

#include "cli.h"

namespace cfp_cli {

namespace {
const char *kHelp =
    "usage: cfp model <preset | family:key=value,... | preset:key=value,...> -o <graph.cfpg>\n"
    "       cfp model --list\n"
    "\n"
    "Builds the training step (forward, backward, optimizer update) of a model and writes it\n"
    "as a FlatBuffers graph. Families: mlp, gpt, llama, moe. Keys: layers, hidden, heads,\n"
    "kv_heads, ffn, seq, batch, vocab, experts, top_k, group, dtype (f32|bf16|f16), tied,\n"
    "rope_theta, optimizer (adam|sgd|none: none writes the forward graph only).\n"
    "Example: cfp model gpt3-175b:batch=8 -o gpt3.cfpg (see docs/models.md)\n"
    "\n"
    "options:\n"
    "  -o, --output FILE   where to write the graph (required)\n"
    "  --list              list the presets with their parameter counts\n";

using GraphPtr = std::unique_ptr<cfp_graph, decltype(&cfp_graph_destroy)>;

int ListPresets() {
  uint32_t n = 0;
  Check(cfp_model_preset_count(&n), "preset count");
  for (uint32_t i = 0; i < n; ++i) {
    const char *name = nullptr;
    Check(cfp_model_preset_name(i, &name), "preset name");
    cfp_graph *raw = nullptr;
    Check(cfp_model_build((std::string(name) + ":optimizer=none").c_str(), &raw), name);
    GraphPtr g(raw, cfp_graph_destroy);
    uint64_t params = 0;
    Check(cfp_graph_parameter_count(g.get(), &params), "parameter count");
    std::printf("%-18s %10s parameters\n", name, HumanCount(static_cast<double>(params)).c_str());
  }
  return 0;
}

}  // namespace

int CmdModel(int argc, char **argv) {
  Args args = ParseArgs(argc, argv, 2, {"help", "h", "list"});
  if (args.Has("help") || args.Has("h")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  std::string output;
  for (const auto &[k, v] : args.options) {
    if (k == "o" || k == "output") output = v;
    else if (k != "list") throw UsageError{"unknown option --" + k};
  }
  if (args.Has("list")) {
    if (!args.positional.empty() || !output.empty()) throw UsageError{"--list takes no other arguments"};
    return ListPresets();
  }
  if (args.positional.size() != 1) throw UsageError{"expects one model spec or preset"};
  if (output.empty()) throw UsageError{"needs -o <graph.cfpg>"};
  const std::string &spec = args.positional[0];
  cfp_graph *raw = nullptr;
  Check(cfp_model_build(spec.c_str(), &raw), "cannot build model");
  GraphPtr g(raw, cfp_graph_destroy);
  Check(cfp_graph_to_file(g.get(), output.c_str()), "cannot write " + output);
  uint32_t ops = 0;
  uint64_t params = 0;
  double flops = 0;
  Check(cfp_graph_op_count(g.get(), &ops), "op count");
  Check(cfp_graph_parameter_count(g.get(), &params), "parameter count");
  Check(cfp_graph_flops(g.get(), &flops), "flops");
  std::printf("wrote %s: %s, %u operators, %s parameters, %s FLOPs/step\n", output.c_str(), spec.c_str(), ops,
              HumanCount(static_cast<double>(params)).c_str(), HumanCount(flops).c_str());
  return 0;
}

}  // namespace cfp_cli
