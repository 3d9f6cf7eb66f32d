#include "cli.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

namespace cfp_cli {

Args ParseArgs(int argc, char **argv, int first, const std::vector<std::string> &flags) {
  Args a;
  for (int i = first; i < argc; ++i) {
    std::string s = argv[i];
    if (s.size() > 1 && s[0] == '-' && !(s.size() > 1 && std::isdigit(static_cast<unsigned char>(s[1])))) {
      std::string key = s.substr(s[1] == '-' ? 2 : 1);
      auto eq = key.find('=');
      if (eq != std::string::npos) {
        a.options[key.substr(0, eq)] = key.substr(eq + 1);
      } else if (std::find(flags.begin(), flags.end(), key) != flags.end()) {
        a.options[key] = "1";
      } else {
        if (i + 1 >= argc) throw UsageError{"option " + s + " needs a value"};
        a.options[key] = argv[++i];
      }
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

void Check(cfp_status status, const std::string &what) {
  if (status != CFP_OK) throw CfpError{what + ": " + cfp_last_error_message() + " [" + cfp_status_string(status) + "]"};
}

cfp_graph *LoadGraphOrModel(const std::string &arg) {
  cfp_graph *g = nullptr;
  struct stat st {};
  if (::stat(arg.c_str(), &st) == 0) {
    Check(cfp_graph_from_file(arg.c_str(), &g), "cannot load graph");
    return g;
  }
  // Model specs contain no '/' and do not end in the graph extension.
  const bool path_like = arg.find('/') != std::string::npos ||
                         (arg.size() > 5 && arg.compare(arg.size() - 5, 5, ".cfpg") == 0);
  if (path_like) throw CfpError{"cannot load graph: '" + arg + "' does not exist"};
  Check(cfp_model_build(arg.c_str(), &g), "'" + arg + "' is neither a graph file nor a model");
  return g;
}

std::string HumanCount(double v) {
  const char *units[] = {"", "K", "M", "B", "T", "P", "E"};
  int u = 0;
  while (v >= 1000 && u < 6) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.2f%s", v, units[u]);
  return buf;
}

std::string HumanBytes(double v) {
  const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.2f %s", v, units[u]);
  return buf;
}

std::string HumanTime(double s) {
  char buf[32];
  if (s >= 1) std::snprintf(buf, sizeof buf, "%.3f s", s);
  else if (s >= 1e-3) std::snprintf(buf, sizeof buf, "%.3f ms", s * 1e3);
  else std::snprintf(buf, sizeof buf, "%.3f us", s * 1e6);
  return buf;
}

}  // namespace cfp_cli
