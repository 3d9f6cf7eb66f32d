// Build, serialize and reload times of model-zoo training graphs through the C API.
//
//   graph_bench [--repeats N] [preset ...]      (default: gpt3-175b llama2-70b)
//
// Each phase is timed N times and the median reported. Because the machine may be noisy,
// every number also comes as a ratio to a baseline measured in the same run: building is
// compared with building gpt3-1.3b, serializing and reloading with a plain memcpy of the
// same bytes.
#include <cfp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

double Seconds(const std::function<void()> &f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void Check(cfp_status s, const char *what) {
  if (s != CFP_OK) {
    std::fprintf(stderr, "graph_bench: %s: %s\n", what, cfp_last_error_message());
    std::exit(1);
  }
}

struct Timing {
  uint32_t ops = 0;
  size_t bytes = 0;
  double build = 0, serialize = 0, reload = 0, memcpy = 0;
};

Timing Measure(const std::string &spec, int repeats) {
  Timing t;
  std::vector<double> build, serialize, reload, copy;
  for (int i = 0; i < repeats; ++i) {
    cfp_graph *g = nullptr;
    build.push_back(Seconds([&] { Check(cfp_model_build(spec.c_str(), &g), "build"); }));
    Check(cfp_graph_op_count(g, &t.ops), "op count");
    cfp_bytes *bytes = nullptr;
    serialize.push_back(Seconds([&] { Check(cfp_graph_to_buffer(g, &bytes), "serialize"); }));
    const void *data = cfp_bytes_data(bytes);
    t.bytes = cfp_bytes_size(bytes);
    cfp_graph *back = nullptr;
    reload.push_back(Seconds([&] { Check(cfp_graph_from_buffer(data, t.bytes, &back), "reload"); }));
    std::vector<char> dst(t.bytes);
    copy.push_back(Seconds([&] { std::memcpy(dst.data(), data, t.bytes); }));
    if (dst[t.bytes / 2] != static_cast<const char *>(data)[t.bytes / 2]) std::exit(2);  // keep the copy
    cfp_graph_destroy(back);
    cfp_bytes_destroy(bytes);
    cfp_graph_destroy(g);
  }
  t.build = Median(build);
  t.serialize = Median(serialize);
  t.reload = Median(reload);
  t.memcpy = Median(copy);
  return t;
}

}  // namespace

int main(int argc, char **argv) {
  int repeats = 7;
  std::vector<std::string> models;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = std::max(1, std::atoi(argv[++i]));
    else models.emplace_back(argv[i]);
  }
  if (models.empty()) models = {"gpt3-175b", "llama2-70b"};
  std::printf("libcfp %s, median of %d runs, training graphs with Adam\n\n", cfp_version_string(), repeats);
  const Timing base = Measure("gpt3-1.3b", repeats);
  std::printf("%-12s %7s %9s | %9s %7s | %9s %7s | %9s %7s | %9s\n", "model", "ops", "MiB", "build s", "x1.3b",
              "serial. s", "xmemcpy", "reload s", "xmemcpy", "memcpy s");
  auto row = [&](const std::string &name, const Timing &t) {
    std::printf("%-12s %7u %9.1f | %9.4f %7.2f | %9.4f %7.1f | %9.4f %7.1f | %9.6f\n", name.c_str(), t.ops,
                static_cast<double>(t.bytes) / (1 << 20), t.build, t.build / base.build, t.serialize,
                t.serialize / t.memcpy, t.reload, t.reload / t.memcpy, t.memcpy);
  };
  row("gpt3-1.3b", base);
  for (const std::string &m : models) row(m, Measure(m, repeats));
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("\npeak RSS %.0f MiB\n", static_cast<double>(usage.ru_maxrss) / 1024);
  return 0;
}
