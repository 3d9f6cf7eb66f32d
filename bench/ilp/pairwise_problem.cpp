#include "ilp/pairwise_problem.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "graph/graph.h"

namespace cfp_bench {

using cfp::CostModel;
using cfp::Graph;
using cfp::kNoId;
using cfp::ShardingSpec;
using cfp::Strategy;

namespace {

// The distinct values of a per-strategy list of layouts, and which one each strategy has.
struct DistinctSpecs {
  std::vector<ShardingSpec> values;
  std::vector<uint32_t> index;  // per strategy
};

uint64_t HashSpecs(const std::vector<ShardingSpec> &specs) {
  uint64_t h = 1469598103934665603ull;
  for (const ShardingSpec &s : specs) h = (h ^ s.Hash()) * 1099511628211ull;
  return h;
}

template <class Key>
struct Deduper {
  std::unordered_multimap<uint64_t, uint32_t> by_hash;
  std::vector<Key> values;
  uint32_t Add(Key key, uint64_t hash) {
    auto [lo, hi] = by_hash.equal_range(hash);
    for (auto it = lo; it != hi; ++it)
      if (values[it->second] == key) return it->second;
    auto id = static_cast<uint32_t>(values.size());
    values.push_back(std::move(key));
    by_hash.emplace(hash, id);
    return id;
  }
};

class Builder {
 public:
  Builder(const CostModel &model, const PairwiseProblemOptions &options)
      : model_(model), g_(model.graph()), options_(options) {}

  PairwiseProblem Build() {
    AssignVariables();
    AddNodeTerms();
    AddTransferTerms();
    FinishPairs();
    return std::move(p_);
  }

 private:
  // The op that decides a tensor's layout: its producer, or for a graph input the op it is
  // stored for (CostModel's rule); kNoId for a graph input nobody reads.
  uint32_t Decider(uint32_t t) const {
    uint32_t prod = g_.producer(t);
    return prod != kNoId ? prod : model_.storage_op(t);
  }

  ShardingSpec DecidedSpec(uint32_t t, uint32_t op_strategy) const {
    uint32_t d = Decider(t);
    const Strategy &s = model_.strategies(d)[op_strategy];
    if (g_.producer(t) == d) {
      const auto &outs = g_.op(d).outputs;
      auto slot = static_cast<uint32_t>(std::find(outs.begin(), outs.end(), t) - outs.begin());
      return model_.OutputSpec(d, slot, s);
    }
    return model_.InputSpec(d, model_.storage_slot(t), s);
  }

  // The tensor's layout for each strategy of its decider's variable.
  DistinctSpecs DecidedSpecsPerVarStrategy(uint32_t t) const {
    uint32_t d = Decider(t);
    DistinctSpecs out;
    Deduper<ShardingSpec> dedupe;
    for (uint32_t x : p_.op_strategy[d]) {
      ShardingSpec s = DecidedSpec(t, x);
      uint64_t h = s.Hash();
      out.index.push_back(dedupe.Add(std::move(s), h));
    }
    out.values = std::move(dedupe.values);
    return out;
  }

  // Alpa's following: op `v` takes its single producer's variable when there is a one-to-one
  // correspondence of strategies under which nothing between them is resharded.
  bool TryFollow(uint32_t v) {
    const auto &in = g_.op(v).inputs;
    uint32_t u = kNoId;
    for (uint32_t t : in) {
      uint32_t prod = g_.producer(t);
      if (prod == kNoId) continue;
      if (u != kNoId && prod != u) return false;
      u = prod;
    }
    if (u == kNoId) return false;
    const auto &su = model_.strategies(u);
    const auto &sv = model_.strategies(v);
    if (su.size() != sv.size() || su.size() < 2) return false;
    std::vector<uint32_t> slots, out_slot;
    for (uint32_t i = 0; i < in.size(); ++i)
      if (g_.producer(in[i]) == u) {
        const auto &outs = g_.op(u).outputs;
        slots.push_back(i);
        out_slot.push_back(static_cast<uint32_t>(std::find(outs.begin(), outs.end(), in[i]) - outs.begin()));
      }
    // Key of each strategy of v: the layouts it needs of u's results.
    Deduper<std::vector<ShardingSpec>> keys;
    std::vector<uint32_t> b_of_key;
    for (uint32_t b = 0; b < sv.size(); ++b) {
      std::vector<ShardingSpec> key;
      for (uint32_t i : slots) key.push_back(model_.InputSpec(v, i, sv[b]));
      uint64_t h = HashSpecs(key);
      uint32_t id = keys.Add(std::move(key), h);
      if (id != b_of_key.size()) return false;  // two strategies need the same: not one-to-one
      b_of_key.push_back(b);
    }
    std::vector<uint32_t> map(su.size());
    std::vector<uint8_t> taken(sv.size(), 0);
    for (uint32_t a = 0; a < su.size(); ++a) {
      std::vector<ShardingSpec> key;
      for (size_t j = 0; j < slots.size(); ++j) key.push_back(model_.OutputSpec(u, out_slot[j], su[a]));
      uint64_t h = HashSpecs(key);
      auto [lo, hi] = keys.by_hash.equal_range(h);
      uint32_t found = kNoId;
      for (auto it = lo; it != hi; ++it)
        if (keys.values[it->second] == key) found = b_of_key[it->second];
      if (found == kNoId || taken[found]) return false;
      taken[found] = 1;
      map[a] = found;
    }
    uint32_t var = p_.var_of_op[u];
    p_.var_of_op[v] = var;
    p_.op_strategy[v].resize(p_.op_strategy[u].size());
    for (size_t x = 0; x < p_.op_strategy[u].size(); ++x) p_.op_strategy[v][x] = map[p_.op_strategy[u][x]];
    ++p_.followers;
    return true;
  }

  void AssignVariables() {
    const uint32_t n = g_.num_ops();
    p_.var_of_op.assign(n, kNoId);
    p_.op_strategy.resize(n);
    for (uint32_t op : g_.topo_order()) {
      if (options_.follow && TryFollow(op)) continue;
      auto var = static_cast<uint32_t>(p_.node_time.size());
      const uint32_t k = static_cast<uint32_t>(model_.strategies(op).size());
      p_.var_of_op[op] = var;
      p_.op_strategy[op].resize(k);
      for (uint32_t x = 0; x < k; ++x) p_.op_strategy[op][x] = x;
      p_.node_time.emplace_back(k, 0.0);
      p_.node_memory.emplace_back(k, 0.0);
    }
  }

  // Compute of every op, memory of every resident tensor and penalties of stored inputs:
  // each depends on the one op that decides it.
  void AddNodeTerms() {
    for (uint32_t op = 0; op < g_.num_ops(); ++op) {
      uint32_t var = p_.var_of_op[op];
      const auto &strategies = model_.strategies(op);
      for (uint32_t x = 0; x < p_.K(var); ++x) p_.node_time[var][x] += model_.ComputeTime(op, strategies[p_.op_strategy[op][x]]);
    }
    for (uint32_t t = 0; t < g_.num_tensors(); ++t) {
      uint32_t d = Decider(t);
      bool is_input = g_.producer(t) == kNoId;
      if (d == kNoId) {
        ShardingSpec rep = ShardingSpec::Replicated(g_.tensor(t).shape.size());
        p_.constant_memory += model_.ResidentBytes(t, rep);
        if (is_input) p_.constant_time += model_.ParameterPenalty(t, rep);
        continue;
      }
      if (!model_.resident(t) && !is_input) continue;
      uint32_t var = p_.var_of_op[d];
      DistinctSpecs specs = DecidedSpecsPerVarStrategy(t);
      std::vector<double> mem(specs.values.size()), pen(specs.values.size());
      for (size_t i = 0; i < specs.values.size(); ++i) {
        mem[i] = model_.ResidentBytes(t, specs.values[i]);
        pen[i] = is_input ? model_.ParameterPenalty(t, specs.values[i]) : 0.0;
      }
      for (uint32_t x = 0; x < p_.K(var); ++x) {
        p_.node_memory[var][x] += mem[specs.index[x]];
        p_.node_time[var][x] += pen[specs.index[x]];
      }
    }
  }

  // Adds `cost(x_from, x_to)` over the variables of the deciding op and the reading op.
  template <class F>
  void AddTransfer(uint32_t from_var, uint32_t to_var, F &&cost) {
    if (from_var == to_var) {
      for (uint32_t x = 0; x < p_.K(from_var); ++x) p_.node_time[from_var][x] += cost(x, x);
      return;
    }
    bool flip = from_var > to_var;
    uint32_t u = flip ? to_var : from_var, v = flip ? from_var : to_var;
    auto [it, inserted] = pair_index_.try_emplace({u, v}, static_cast<uint32_t>(p_.pairs.size()));
    if (inserted) p_.pairs.push_back({u, v, std::vector<double>(static_cast<size_t>(p_.K(u)) * p_.K(v), 0.0)});
    auto &m = p_.pairs[it->second].cost;
    const uint32_t kv = p_.K(v);
    for (uint32_t a = 0; a < p_.K(u); ++a)
      for (uint32_t b = 0; b < kv; ++b) m[static_cast<size_t>(a) * kv + b] += flip ? cost(b, a) : cost(a, b);
  }

  // Every layout change CostModel::VisitTransfers charges for, as a function of the two
  // variables involved.
  void AddTransferTerms() {
    for (uint32_t op = 0; op < g_.num_ops(); ++op) {
      const auto &in = g_.op(op).inputs;
      const auto &strategies = model_.strategies(op);
      const uint32_t var = p_.var_of_op[op];
      for (uint32_t i = 0; i < in.size(); ++i) {
        const uint32_t t = in[i];
        bool first = std::find(in.begin(), in.begin() + i, t) == in.begin() + i;
        if (!first) continue;  // all slots reading t are handled together
        std::vector<uint32_t> slots;
        for (uint32_t j = i; j < in.size(); ++j)
          if (in[j] == t) slots.push_back(j);
        // The distinct sets of layouts the op needs of t, per strategy of its variable.
        Deduper<std::vector<ShardingSpec>> need_sets;
        std::vector<uint32_t> need_of(p_.K(var));
        for (uint32_t x = 0; x < p_.K(var); ++x) {
          std::vector<ShardingSpec> needs;
          for (uint32_t j : slots) {
            ShardingSpec need = model_.InputSpec(op, j, strategies[p_.op_strategy[op][x]]);
            if (std::find(needs.begin(), needs.end(), need) == needs.end()) needs.push_back(std::move(need));
          }
          uint64_t h = HashSpecs(needs);
          need_of[x] = need_sets.Add(std::move(needs), h);
        }
        const uint32_t d = Decider(t);
        DistinctSpecs from = DecidedSpecsPerVarStrategy(t);
        // Per step: a transfer runs as often as the op it feeds (micro-batches).
        const double repeats = model_.TransferRepeats(t, op);
        std::vector<double> cost(from.values.size() * need_sets.values.size());
        for (size_t f = 0; f < from.values.size(); ++f)
          for (size_t n = 0; n < need_sets.values.size(); ++n) {
            double c = 0;
            for (const ShardingSpec &need : need_sets.values[n]) c += model_.ReshardTime(t, from.values[f], need);
            cost[f * need_sets.values.size() + n] = repeats * c;
          }
        const size_t nn = need_sets.values.size();
        AddTransfer(p_.var_of_op[d], var,
                    [&](uint32_t xd, uint32_t xo) { return cost[from.index[xd] * nn + need_of[xo]]; });
      }
    }
    for (uint32_t t = 0; t < g_.num_tensors(); ++t) {
      const uint32_t prod = g_.producer(t);
      if (prod == kNoId) continue;
      DistinctSpecs mine;
      bool have_mine = false;
      auto own = [&]() -> const DistinctSpecs & {
        if (!have_mine) mine = DecidedSpecsPerVarStrategy(t), have_mine = true;
        return mine;
      };
      const double repeats = model_.TransferRepeats(t, -1);
      if (model_.final_result(t)) {
        const DistinctSpecs &s = own();
        uint32_t var = p_.var_of_op[prod];
        for (uint32_t x = 0; x < p_.K(var); ++x) {
          const ShardingSpec &spec = s.values[s.index[x]];
          if (spec.partial) p_.node_time[var][x] += repeats * model_.ReshardTime(t, spec, cfp::Summed(spec));
        }
      }
      const int32_t target = model_.loop_target(t);
      if (target < 0) continue;
      const auto g = static_cast<uint32_t>(target);
      const DistinctSpecs &s = own();
      const uint32_t store = Decider(g);
      if (store == kNoId) {
        ShardingSpec rep = ShardingSpec::Replicated(g_.tensor(g).shape.size());
        uint32_t var = p_.var_of_op[prod];
        for (uint32_t x = 0; x < p_.K(var); ++x) p_.node_time[var][x] += repeats * model_.ReshardTime(t, s.values[s.index[x]], rep);
        continue;
      }
      DistinctSpecs to = DecidedSpecsPerVarStrategy(g);
      std::vector<double> cost(s.values.size() * to.values.size());
      for (size_t f = 0; f < s.values.size(); ++f)
        for (size_t k = 0; k < to.values.size(); ++k)
          cost[f * to.values.size() + k] = repeats * model_.ReshardTime(t, s.values[f], to.values[k]);
      const size_t nt = to.values.size();
      AddTransfer(p_.var_of_op[prod], p_.var_of_op[store],
                  [&](uint32_t xp, uint32_t xs) { return cost[s.index[xp] * nt + to.index[xs]]; });
    }
  }

  // Pairs with a single-strategy side become node costs of the other side (Alpa: e = s);
  // matrices that are zero everywhere are dropped.
  void FinishPairs() {
    for (uint32_t var = 0; var < p_.num_vars(); ++var)
      if (p_.K(var) == 1) {
        p_.constant_time += p_.node_time[var][0];
        p_.constant_memory += p_.node_memory[var][0];
      }
    std::vector<PairwiseProblem::Pair> kept;
    for (auto &pair : p_.pairs) {
      const uint32_t ku = p_.K(pair.u), kv = p_.K(pair.v);
      if (std::all_of(pair.cost.begin(), pair.cost.end(), [](double c) { return c == 0; })) continue;
      if (ku == 1 && kv == 1) {
        p_.constant_time += pair.cost[0];
      } else if (ku == 1) {
        for (uint32_t b = 0; b < kv; ++b) p_.node_time[pair.v][b] += pair.cost[b];
      } else if (kv == 1) {
        for (uint32_t a = 0; a < ku; ++a) p_.node_time[pair.u][a] += pair.cost[a];
      } else {
        kept.push_back(std::move(pair));
      }
    }
    p_.pairs = std::move(kept);
    // Single-strategy variables now carry nothing the objective needs beyond the constant.
    for (uint32_t var = 0; var < p_.num_vars(); ++var)
      if (p_.K(var) == 1) p_.node_time[var][0] = p_.node_memory[var][0] = 0;
  }

  const CostModel &model_;
  const Graph &g_;
  PairwiseProblemOptions options_;
  PairwiseProblem p_;
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> pair_index_;
};

}  // namespace

PairwiseProblem BuildPairwiseProblem(const CostModel &model, const PairwiseProblemOptions &options) {
  return Builder(model, options).Build();
}

std::vector<uint32_t> PairwiseProblem::ToOpChoice(const std::vector<uint32_t> &var_choice) const {
  std::vector<uint32_t> choice(var_of_op.size());
  for (size_t op = 0; op < var_of_op.size(); ++op) choice[op] = op_strategy[op][var_choice[var_of_op[op]]];
  return choice;
}

double PairwiseProblem::Objective(const std::vector<uint32_t> &var_choice) const {
  double total = constant_time;
  for (uint32_t v = 0; v < num_vars(); ++v) total += node_time[v][var_choice[v]];
  for (const Pair &p : pairs) total += p.cost[static_cast<size_t>(var_choice[p.u]) * K(p.v) + var_choice[p.v]];
  return total;
}

double PairwiseProblem::Memory(const std::vector<uint32_t> &var_choice) const {
  double total = constant_memory;
  for (uint32_t v = 0; v < num_vars(); ++v) total += node_memory[v][var_choice[v]];
  return total;
}

}  // namespace cfp_bench
