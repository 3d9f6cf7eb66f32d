// cfp: inspect graphs, build model-zoo graphs, optimize parallelism plans.
#include <cstdio>
#include <cstring>
#include <string>

#include "cli.h"

namespace {

const char *kUsage =
    "usage: cfp <command> [options]\n"
    "\n"
    "commands:\n"
    "  inspect <graph.cfpg | model>   operators by kind, tensors by role, parameters, FLOPs\n"
    "  model <spec | preset> -o FILE  build a model's training graph (--list: presets)\n"
    "  optimize <graph.cfpg | model>  find a parallelism plan (see cfp optimize --help)\n"
    "  profile <graph.cfpg | model>   measure block costs on the GPU into the profile DB\n"
    "  version                        print the library version\n"
    "\n"
    "Run 'cfp <command> --help' for a command's options.\n";

}  // namespace

int main(int argc, char **argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string cmd = argv[1];
  try {
    if (cmd == "inspect") return cfp_cli::CmdInspect(argc, argv);
    if (cmd == "optimize") return cfp_cli::CmdOptimize(argc, argv);
    if (cmd == "model") return cfp_cli::CmdModel(argc, argv);
    if (cmd == "profile") return cfp_cli::CmdProfile(argc, argv);
    if (cmd == "version" || cmd == "--version") {
      std::printf("cfp %s\n", cfp_version_string());
      return 0;
    }
    std::fprintf(stderr, "cfp: unknown command '%s' (see 'cfp --help')\n", cmd.c_str());
    return 2;
  } catch (const cfp_cli::UsageError &e) {
    std::fprintf(stderr, "cfp %s: %s (see 'cfp %s --help')\n", cmd.c_str(), e.message.c_str(), cmd.c_str());
    return 2;
  } catch (const cfp_cli::CfpError &e) {
    std::fprintf(stderr, "cfp %s: %s\n", cmd.c_str(), e.message.c_str());
    return 1;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "cfp %s: %s\n", cmd.c_str(), e.what());
    return 1;
  }
}
