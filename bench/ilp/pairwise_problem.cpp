#include "ilp/pairwise_problem.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "graph/graph.h"
#include "sharding/sharding_spec.h"

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

  // The pair matrix of variables u < v, created zero.
  PairwiseProblem::Pair &PairOf(uint32_t u, uint32_t v) {
    auto [it, inserted] = pair_index_.try_emplace({u, v}, static_cast<uint32_t>(p_.pairs.size()));
    if (inserted) p_.pairs.push_back({u, v, std::vector<double>(static_cast<size_t>(p_.K(u)) * p_.K(v), 0.0), {}});
    return p_.pairs[it->second];
  }

  // Adds `cost(x_from, x_to)` seconds and `memory(x_from, x_to)` bytes over two variables.
  template <class F, class M>
  void AddTransfer(uint32_t from_var, uint32_t to_var, F &&cost, M &&memory) {
    if (from_var == to_var) {
      for (uint32_t x = 0; x < p_.K(from_var); ++x) {
        p_.node_time[from_var][x] += cost(x, x);
        p_.node_memory[from_var][x] += memory(x, x);
      }
      return;
    }
    bool flip = from_var > to_var;
    uint32_t u = flip ? to_var : from_var, v = flip ? from_var : to_var;
    auto &pair = PairOf(u, v);
    const uint32_t kv = p_.K(v);
    for (uint32_t a = 0; a < p_.K(u); ++a)
      for (uint32_t b = 0; b < kv; ++b) {
        const size_t i = static_cast<size_t>(a) * kv + b;
        pair.cost[i] += flip ? cost(b, a) : cost(a, b);
        const double m = flip ? memory(b, a) : memory(a, b);
        if (m == 0) continue;
        if (pair.memory.empty()) pair.memory.assign(pair.cost.size(), 0.0);
        pair.memory[i] += m;
      }
  }
  template <class F>
  void AddTransfer(uint32_t from_var, uint32_t to_var, F &&cost) {
    AddTransfer(from_var, to_var, cost, [](uint32_t, uint32_t) { return 0.0; });
  }

  // The layout read `r` needs when its op's variable takes strategy `x`.
  ShardingSpec Need(const cfp::TensorRead &r, uint32_t x) const {
    return model_.InputSpec(r.op, r.slot, model_.strategies(r.op)[p_.op_strategy[r.op][x]]);
  }

  // One read group of `t`: its reshardings (CostModel::ReadTransfers) depend on the decider's
  // variable and the readers' variables. Over at most two variables with a choice they are a
  // node cost or a pair matrix (exact, and no extra columns); over more, group terms.
  void AddReadGroup(uint32_t t, const std::vector<cfp::TensorRead> &reads) {
    const uint32_t dvar = p_.var_of_op[Decider(t)];
    std::vector<uint32_t> open;  // variables with K > 1; the others sit at strategy 0
    auto note = [&](uint32_t var) {
      if (p_.K(var) > 1 && std::find(open.begin(), open.end(), var) == open.end()) open.push_back(var);
    };
    note(dvar);
    for (const cfp::TensorRead &r : reads) note(p_.var_of_op[r.op]);
    if (open.size() > 2) return AddGroupTerms(t, reads);

    // Strategies under which the group sees the same of a variable (t's layout if it decides
    // it, the layouts its reads need) cost the same: price one representative of each.
    std::vector<std::vector<uint32_t>> sig(open.size()), rep(open.size());
    for (size_t i = 0; i < open.size(); ++i) {
      Deduper<std::vector<ShardingSpec>> seen;
      for (uint32_t x = 0; x < p_.K(open[i]); ++x) {
        std::vector<ShardingSpec> key;
        if (open[i] == dvar) key.push_back(DecidedSpec(t, p_.op_strategy[Decider(t)][x]));
        for (const cfp::TensorRead &r : reads)
          if (p_.var_of_op[r.op] == open[i]) key.push_back(Need(r, x));
        uint64_t h = HashSpecs(key);
        sig[i].push_back(seen.Add(std::move(key), h));
        if (sig[i].back() == rep[i].size()) rep[i].push_back(x);
      }
    }
    std::vector<ShardingSpec> needs(reads.size());
    auto price = [&](uint32_t xa, uint32_t xb) {
      auto x = [&](uint32_t var) { return !open.empty() && var == open[0] ? xa : open.size() > 1 && var == open[1] ? xb : 0; };
      const ShardingSpec have = DecidedSpec(t, p_.op_strategy[Decider(t)][x(dvar)]);
      for (size_t i = 0; i < reads.size(); ++i) needs[i] = Need(reads[i], x(p_.var_of_op[reads[i].op]));
      return model_.PriceReadTransfers(t, have, model_.ReadTransfers(t, have, reads, needs));
    };
    if (open.empty()) {
      const cfp::StepCost c = price(0, 0);
      p_.constant_time += c.comm;
      p_.constant_memory += c.memory;
      return;
    }
    const size_t nb = open.size() > 1 ? rep[1].size() : 1;
    std::vector<cfp::StepCost> table(rep[0].size() * nb);
    for (size_t a = 0; a < rep[0].size(); ++a)
      for (size_t b = 0; b < nb; ++b) table[a * nb + b] = price(rep[0][a], open.size() > 1 ? rep[1][b] : 0);
    if (open.size() == 1) {
      for (uint32_t x = 0; x < p_.K(open[0]); ++x) {
        p_.node_time[open[0]][x] += table[sig[0][x]].comm;
        p_.node_memory[open[0]][x] += table[sig[0][x]].memory;
      }
      return;
    }
    AddTransfer(
        open[0], open[1], [&](uint32_t a, uint32_t b) { return table[sig[0][a] * nb + sig[1][b]].comm; },
        [&](uint32_t a, uint32_t b) { return table[sig[0][a] * nb + sig[1][b]].memory; });
  }

  // A read group over three or more variables. With F the decider's strategies that lay t
  // out as f and, per variable V, Q_V its strategies under which a read of V needs layout N,
  // the resharding f -> N runs iff for some V: decider in F and V in Q_V (one clause per V;
  // within a variable, strategies exclude each other, so one literal covers all of Q_V).
  // It runs as often as the most repeating reader needing N, so the indicator is split in
  // levels r_1 < r_2 < ... of its readers' repeats: level k counts only readers repeating
  // at least r_k and costs (r_k - r_{k-1}) x ReshardTime(f, N); the levels on sum to the max.
  // Where only one variable's reads can need N, that is one clause: a pair entry (AddCost).
  void AddGroupTerms(uint32_t t, const std::vector<cfp::TensorRead> &reads) {
    const uint32_t d = Decider(t), dvar = p_.var_of_op[d];
    const DistinctSpecs from = DecidedSpecsPerVarStrategy(t);
    // CostModel::SharesCopyAcrossPasses: a per-micro-batch forward activation's forward and
    // backward readers share one copy (pass 0); otherwise each phase is its own pass.
    const uint32_t prod = g_.producer(t);
    const bool across = prod != kNoId && g_.op(prod).phase == cfp::Phase::Forward && !model_.step_invariant(t);
    const size_t n_reads = reads.size();
    std::vector<uint32_t> var(n_reads), pass(n_reads);
    std::vector<cfp::Phase> phase(n_reads);
    std::vector<double> repeats(n_reads);
    Deduper<ShardingSpec> need_specs;
    std::vector<std::vector<uint32_t>> need(n_reads);  // [read][strategy of its variable]
    for (size_t i = 0; i < n_reads; ++i) {
      const uint32_t op = reads[i].op;
      var[i] = p_.var_of_op[op];
      phase[i] = g_.op(op).phase;
      pass[i] = across && phase[i] != cfp::Phase::Update ? 0 : 1 + static_cast<uint32_t>(phase[i]);
      repeats[i] = model_.TransferRepeats(t, op);
      for (uint32_t x = 0; x < p_.K(var[i]); ++x) {
        ShardingSpec s = Need(reads[i], x);
        uint64_t h = s.Hash();
        need[i].push_back(need_specs.Add(std::move(s), h));
      }
    }
    auto can_need = [&](size_t i, uint32_t n) { return std::find(need[i].begin(), need[i].end(), n) != need[i].end(); };

    // The clauses under which t laid out as f is read as need n by a read that `counts`.
    auto clauses = [&](uint32_t f, uint32_t n, auto &&counts) {
      std::vector<uint32_t> fset, vars;
      for (uint32_t x = 0; x < p_.K(dvar); ++x)
        if (from.index[x] == f) fset.push_back(x);
      for (size_t i = 0; i < n_reads; ++i)
        if (counts(i) && can_need(i, n) && std::find(vars.begin(), vars.end(), var[i]) == vars.end()) vars.push_back(var[i]);
      std::vector<std::vector<PairwiseProblem::Literal>> out;
      for (uint32_t v : vars) {
        std::vector<uint32_t> q;
        for (uint32_t x = 0; x < p_.K(v); ++x) {
          if (v == dvar && from.index[x] != f) continue;  // the decider's own reads: x fixes f too
          for (size_t i = 0; i < n_reads; ++i)
            if (var[i] == v && counts(i) && need[i][x] == n) {
              q.push_back(x);
              break;
            }
        }
        if (q.empty()) continue;
        std::vector<PairwiseProblem::Literal> clause;
        if (v != dvar) AddLiteral(clause, dvar, fset);
        AddLiteral(clause, v, std::move(q));
        out.push_back(std::move(clause));
      }
      return out;
    };

    std::vector<uint32_t> passes(pass);
    std::sort(passes.begin(), passes.end());
    passes.erase(std::unique(passes.begin(), passes.end()), passes.end());
    for (uint32_t p : passes)
      for (uint32_t n = 0; n < need_specs.values.size(); ++n) {
        std::vector<double> levels;
        for (size_t i = 0; i < n_reads; ++i)
          if (pass[i] == p && can_need(i, n)) levels.push_back(repeats[i]);
        std::sort(levels.begin(), levels.end());
        levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
        for (uint32_t f = 0; f < from.values.size(); ++f) {
          if (from.values[f] == need_specs.values[n]) continue;
          const double reshard = model_.ReshardTime(t, from.values[f], need_specs.values[n]);
          double below = 0;
          for (double r : levels) {
            const double time = (r - below) * reshard;
            below = r;
            if (time != 0) AddCost(time, clauses(f, n, [&](size_t i) { return pass[i] == p && repeats[i] >= r; }));
          }
        }
      }

    // A copy read by both a forward and a backward reader is saved for the backward
    // (ReadTransfer::saved): its bytes count when (f, N-by-a-forward-reader) and
    // (f, N-by-a-backward-reader) both hold: the conjunction of two OR terms.
    if (!across || !model_.resident(t)) return;
    const cfp::Tensor &tensor = g_.tensor(t);
    for (uint32_t n = 0; n < need_specs.values.size(); ++n)
      for (uint32_t f = 0; f < from.values.size(); ++f) {
        if (from.values[f] == need_specs.values[n]) continue;
        auto fwd = clauses(f, n, [&](size_t i) { return phase[i] == cfp::Phase::Forward; });
        auto bwd = clauses(f, n, [&](size_t i) { return phase[i] == cfp::Phase::Backward; });
        if (fwd.empty() || bwd.empty()) continue;
        std::vector<PairwiseProblem::Literal> both;
        for (auto *side : {&fwd, &bwd}) {
          const int64_t on = AddTerm(0, 0, std::move(*side));
          if (on >= 0) both.push_back({static_cast<uint32_t>(on), true, {}});
        }
        AddTerm(0, cfp::LocalBytes(tensor.shape, tensor.dtype, need_specs.values[n], model_.mesh()), {std::move(both)});
      }
  }

  // Appends "var takes one of `strategies`" to a clause, leaving out what always holds
  // (a variable without a choice, or all of its strategies); `strategies` is not empty.
  void AddLiteral(std::vector<PairwiseProblem::Literal> &clause, uint32_t var, std::vector<uint32_t> strategies) {
    if (strategies.size() == p_.K(var)) return;
    clause.push_back({var, false, std::move(strategies)});
  }

  // Adds `time` when any of `clauses` holds. With one clause (at most the decider and one
  // reader variable) that is a node cost or a pair entry: exact without a column.
  void AddCost(double time, std::vector<std::vector<PairwiseProblem::Literal>> clauses) {
    if (clauses.size() != 1) {
      AddTerm(time, 0, std::move(clauses));
      return;
    }
    const auto &lits = clauses[0];
    if (lits.empty()) {
      p_.constant_time += time;
    } else if (lits.size() == 1) {
      for (uint32_t x : lits[0].strategies) p_.node_time[lits[0].var][x] += time;
    } else {
      const bool flip = lits[0].var > lits[1].var;
      const auto &lu = lits[flip ? 1 : 0], &lv = lits[flip ? 0 : 1];
      auto &pair = PairOf(lu.var, lv.var);
      for (uint32_t a : lu.strategies)
        for (uint32_t b : lv.strategies) pair.cost[static_cast<size_t>(a) * p_.K(lv.var) + b] += time;
    }
  }

  // Adds a group term on when any of `clauses` holds, and returns its index; one that
  // cannot hold is dropped (-1) and one that always holds goes into the constants (-2).
  int64_t AddTerm(double time, double memory, std::vector<std::vector<PairwiseProblem::Literal>> clauses) {
    if (clauses.empty()) return -1;
    for (const auto &clause : clauses)
      if (clause.empty()) {
        p_.constant_time += time;
        p_.constant_memory += memory;
        return -2;
      }
    for (const auto &clause : clauses)
      if (clause.size() == 2 && !clause[0].term && !clause[1].term)
        PairOf(std::min(clause[0].var, clause[1].var), std::max(clause[0].var, clause[1].var));
    p_.group_terms.push_back({time, memory, std::move(clauses)});
    return static_cast<int64_t>(p_.group_terms.size() - 1);
  }

  // Every layout change CostModel::TensorCost charges for, as a function of the variables
  // involved: each read group's reshardings, then next values stored back and final results.
  void AddTransferTerms() {
    for (uint32_t t = 0; t < g_.num_tensors(); ++t)
      for (const CostModel::ReadGroup &group : model_.read_groups(t)) AddReadGroup(t, group.reads);
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
  // matrices that are zero everywhere are dropped unless a group term's clause reads them.
  void FinishPairs() {
    for (uint32_t var = 0; var < p_.num_vars(); ++var)
      if (p_.K(var) == 1) {
        p_.constant_time += p_.node_time[var][0];
        p_.constant_memory += p_.node_memory[var][0];
      }
    // The ILP reads a two-variable clause off its pair's e (see cbc_ilp.h): keep those pairs.
    std::set<std::pair<uint32_t, uint32_t>> linked;
    for (const auto &term : p_.group_terms)
      for (const auto &clause : term.clauses)
        if (clause.size() == 2 && !clause[0].term && !clause[1].term)
          linked.emplace(std::min(clause[0].var, clause[1].var), std::max(clause[0].var, clause[1].var));
    std::vector<PairwiseProblem::Pair> kept;
    auto zero = [](const std::vector<double> &m) { return std::all_of(m.begin(), m.end(), [](double c) { return c == 0; }); };
    for (auto &pair : p_.pairs) {
      const uint32_t ku = p_.K(pair.u), kv = p_.K(pair.v);
      if (zero(pair.memory)) pair.memory.clear();
      if (zero(pair.cost) && pair.memory.empty() && !linked.contains({pair.u, pair.v})) continue;
      auto mem = [&](size_t i) { return pair.memory.empty() ? 0.0 : pair.memory[i]; };
      if (ku == 1 && kv == 1) {
        p_.constant_time += pair.cost[0];
        p_.constant_memory += mem(0);
      } else if (ku == 1) {
        for (uint32_t b = 0; b < kv; ++b) p_.node_time[pair.v][b] += pair.cost[b], p_.node_memory[pair.v][b] += mem(b);
      } else if (kv == 1) {
        for (uint32_t a = 0; a < ku; ++a) p_.node_time[pair.u][a] += pair.cost[a], p_.node_memory[pair.u][a] += mem(a);
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

std::vector<uint8_t> PairwiseProblem::TermsOn(const std::vector<uint32_t> &var_choice) const {
  std::vector<uint8_t> on(group_terms.size(), 0);
  for (size_t j = 0; j < group_terms.size(); ++j)
    for (const auto &clause : group_terms[j].clauses) {
      bool holds = std::all_of(clause.begin(), clause.end(), [&](const Literal &l) {
        return l.term ? on[l.var] != 0 : std::binary_search(l.strategies.begin(), l.strategies.end(), var_choice[l.var]);
      });
      if (holds) {
        on[j] = 1;
        break;
      }
    }
  return on;
}

double PairwiseProblem::Objective(const std::vector<uint32_t> &var_choice) const {
  double total = constant_time;
  for (uint32_t v = 0; v < num_vars(); ++v) total += node_time[v][var_choice[v]];
  for (const Pair &p : pairs) total += p.cost[static_cast<size_t>(var_choice[p.u]) * K(p.v) + var_choice[p.v]];
  const std::vector<uint8_t> on = TermsOn(var_choice);
  for (size_t j = 0; j < group_terms.size(); ++j)
    if (on[j]) total += group_terms[j].time;
  return total;
}

double PairwiseProblem::Memory(const std::vector<uint32_t> &var_choice) const {
  double total = constant_memory;
  for (uint32_t v = 0; v < num_vars(); ++v) total += node_memory[v][var_choice[v]];
  for (const Pair &p : pairs)
    if (!p.memory.empty()) total += p.memory[static_cast<size_t>(var_choice[p.u]) * K(p.v) + var_choice[p.v]];
  const std::vector<uint8_t> on = TermsOn(var_choice);
  for (size_t j = 0; j < group_terms.size(); ++j)
    if (on[j]) total += group_terms[j].memory;
  return total;
}

}  // namespace cfp_bench
