#include "fewest_microbatches.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

#include "cli.h"

namespace cfp_cli {
namespace {

using Graph = std::unique_ptr<cfp_graph, decltype(&cfp_graph_destroy)>;
using Plan = std::unique_ptr<cfp_plan, decltype(&cfp_plan_destroy)>;

// The leading dimension of the first data input: the zoo's models take [batch, ...] inputs.
int64_t BatchOf(const cfp_graph *g) {
  uint32_t n = 0;
  Check(cfp_graph_tensor_count(g, &n), "tensor count");
  for (uint32_t t = 0; t < n; ++t) {
    cfp_tensor_role role;
    uint32_t rank = 0;
    Check(cfp_graph_tensor_role(g, t, &role), "tensor role");
    Check(cfp_graph_tensor_rank(g, t, &rank), "tensor rank");
    if (role != CFP_ROLE_DATA_INPUT || rank == 0) continue;
    int64_t batch = 0;
    Check(cfp_graph_tensor_dim(g, t, 0, &batch), "tensor dim");
    return batch;
  }
  throw CfpError{"--microbatches auto: the model has no data input with a batch dimension"};
}

}  // namespace

std::string SpecWithBatch(const std::string &spec, int64_t batch) {
  const std::string item = "batch=" + std::to_string(batch);
  const size_t colon = spec.find(':');
  if (colon == std::string::npos) return spec + ":" + item;
  std::string head = spec.substr(0, colon + 1), list = spec.substr(colon + 1), out;
  bool replaced = false;
  size_t begin = 0;
  while (begin <= list.size()) {
    size_t comma = list.find(',', begin);
    if (comma == std::string::npos) comma = list.size();
    std::string entry = list.substr(begin, comma - begin);
    const size_t first = entry.find_first_not_of(' ');
    if (first != std::string::npos && entry.compare(first, 5, "batch") == 0 &&
        entry.find_first_not_of(' ', first + 5) == entry.find('=')) {
      entry = item;
      replaced = true;
    }
    out += (out.empty() ? "" : ",") + entry;
    begin = comma + 1;
  }
  if (!replaced) out += (out.empty() ? "" : ",") + item;
  return head + out;
}

MicrobatchSplit OptimizeWithFewestMicrobatches(const std::string &spec, cfp_options *options) {
  cfp_graph *whole_raw = nullptr;
  Check(cfp_model_build(spec.c_str(), &whole_raw), "--microbatches auto needs a model spec or preset; '" + spec + "'");
  const int64_t batch = BatchOf(Graph(whole_raw, cfp_graph_destroy).get());
  // Divisors of the batch, largest first, each giving at most kMaxCount micro-batches. Found
  // in pairs up to the square root: a spec's batch can be a 12-digit number.
  std::vector<int64_t> sizes;
  for (int64_t d = 1; d <= batch / d; ++d) {
    if (batch % d != 0) continue;
    for (int64_t size : {d, batch / d})
      if (static_cast<uint64_t>(batch / size) <= kMaxCount) sizes.push_back(size);
  }
  std::sort(sizes.begin(), sizes.end(), std::greater<>());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());

  Graph best_graph(nullptr, cfp_graph_destroy);
  Plan best_plan(nullptr, cfp_plan_destroy);
  size_t best = sizes.size();
  std::string last_error;
  // Fitting is monotone in the micro-batch size: bisect for the first size (largest) that fits.
  size_t lo = 0, hi = sizes.size();  // sizes[hi..] fit (hi = size: none known), sizes[..lo) do not
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    cfp_graph *g_raw = nullptr;
    Check(cfp_model_build(SpecWithBatch(spec, sizes[mid]).c_str(), &g_raw), "model");
    Graph g(g_raw, cfp_graph_destroy);
    Check(cfp_options_set_microbatches(options, static_cast<uint32_t>(batch / sizes[mid])), "--microbatches");
    cfp_plan *p_raw = nullptr;
    const cfp_status s = cfp_optimize(g.get(), options, &p_raw);
    Plan p(p_raw, cfp_plan_destroy);  // a search limit may hand back a plan with its status
    if (s == CFP_OK) {
      best_graph = std::move(g);
      best_plan = std::move(p);
      best = mid;
      hi = mid;
    } else if (s == CFP_ERR_INFEASIBLE) {
      last_error = cfp_last_error_message();
      lo = mid + 1;
    } else {
      Check(s, "cannot optimize");
    }
  }
  if (best == sizes.size())
    throw CfpError{"cannot optimize: even one sample per micro-batch does not fit: " + last_error};
  Check(cfp_options_set_microbatches(options, static_cast<uint32_t>(batch / sizes[best])), "--microbatches");
  return {batch, sizes[best], static_cast<uint32_t>(batch / sizes[best]), best_graph.release(), best_plan.release()};
}

}  // namespace cfp_cli
