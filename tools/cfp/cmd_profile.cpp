// cfp profile: fill the profile DB for a model without searching, so that a later
// `cfp optimize --cost cuda` reuses every measurement.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "cancel_on_interrupt.h"
#include "cli.h"
#include "progress_bar.h"

namespace cfp_cli {
namespace {

const char *kHelp =
    "usage: cfp profile <graph.cfpg | model spec | preset> [options]\n"
    "\n"
    "Times every strategy of every unique block type on the GPU (the \"cuda\" cost model;\n"
    "$CFP_FAKE_DEVICE=1 uses a simulated device) and saves the times in the profile DB.\n"
    "Prints the counts and, per block type, the measured and roofline times.\n"
    "Ctrl-C stops after the current measurement; what was measured is kept.\n"
    "\n"
    "options:\n"
    "  --mesh AxB[xC]        logical device mesh, e.g. 8x8 (default 8)\n"
    "  --device NAME         device preset for links the GPUs cannot measure (default h100-sxm)\n"
    "  --devices-per-node N  GPUs per node (default 8)\n"
    "  --links BW:LAT,...    per mesh axis: bandwidth in bytes/s and latency in s (not measured)\n"
    "  --microbatches N      as for cfp optimize (the block strategies depend on it)\n"
    "  --profile-db FILE     profile database (default ~/.cache/cfp/profile.cfpdb;\n"
    "                        $XDG_CACHE_HOME, $CFP_PROFILE_DB)\n"
    "  --threads N           worker threads (default: all)\n";

}  // namespace

int CmdProfile(int argc, char **argv) {
  Args args = ParseArgs(argc, argv, 2, {"help", "h"});
  if (args.Has("help") || args.Has("h")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  static const std::vector<std::string> known = {"mesh", "device", "devices-per-node", "links", "microbatches", "profile-db",
                                                 "threads"};
  for (const auto &[k, v] : args.options)
    if (std::find(known.begin(), known.end(), k) == known.end()) throw UsageError{"unknown option --" + k};
  if (args.positional.size() != 1) throw UsageError{"expects one graph file or model"};
  if (args.Get("microbatches") == "auto") throw UsageError{"--microbatches auto is for cfp optimize; give a count"};

  std::unique_ptr<cfp_graph, decltype(&cfp_graph_destroy)> g(LoadGraphOrModel(args.positional[0]), cfp_graph_destroy);
  Args with_cost = args;
  with_cost.options["cost"] = "cuda";
  std::unique_ptr<cfp_options, decltype(&cfp_options_destroy)> o(OptionsFromArgs(with_cost), cfp_options_destroy);
  ProgressBar bar = ProgressBar::OnStderr();
  Check(cfp_options_set_progress_callback(o.get(), ProgressBar::Callback, &bar), "progress");
  cfp_bytes *raw = nullptr;
  cfp_status status;
  {
    CancelOnInterrupt interrupt(&bar);
    status = cfp_profile(g.get(), o.get(), &raw);
  }
  bar.Finish();
  Check(status, "cannot profile");
  std::unique_ptr<cfp_bytes, decltype(&cfp_bytes_destroy)> report(raw, cfp_bytes_destroy);
  std::fwrite(cfp_bytes_data(raw), 1, cfp_bytes_size(raw), stdout);
  return 0;
}

}  // namespace cfp_cli
