#include "support/exact_optimum.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <random>
#include <utility>

#include "blocks/block_costs.h"

namespace cfp_test {
namespace {

using cfp::CostModel;
using cfp::kNoId;
using cfp::ShardingSpec;

// How the values of a space's variables set ops' choices.
class Space {
 public:
  Space(const CostModel &model, SearchSpace kind) : model_(model), kind_(kind) {
    const cfp::Graph &g = model.graph();
    if (kind == SearchSpace::PerOp) {
      for (uint32_t op = 0; op < g.num_ops(); ++op) {
        domain_.push_back(static_cast<uint32_t>(model.strategies(op).size()));
        var_of_op_.push_back(op);
        ops_of_var_.push_back({op});
      }
      return;
    }
    const cfp::BlockPartition &bp = model.blocks();
    for (const cfp::Block &block : bp.blocks) {
      tables_.push_back(cfp::CostBlock(block, bp, model));
      domain_.push_back(tables_.back().size());
      ops_of_var_.push_back(block.members);
    }
    var_of_op_ = bp.block_of_op;
  }

  uint32_t num_vars() const { return static_cast<uint32_t>(domain_.size()); }
  uint32_t domain(uint32_t v) const { return domain_[v]; }
  uint32_t var_of_op(uint32_t op) const { return var_of_op_[op]; }
  const std::vector<uint32_t> &ops_of(uint32_t v) const { return ops_of_var_[v]; }
  // The strategy index of `op` when its variable takes `value`.
  uint32_t Choice(uint32_t op, uint32_t value) const {
    if (kind_ == SearchSpace::PerOp) return value;
    return tables_[var_of_op_[op]].member_choice[value][model_.blocks().index_in_block[op]];
  }
  std::vector<uint32_t> ChoiceVector(const std::vector<uint32_t> &value) const {
    std::vector<uint32_t> choice(var_of_op_.size(), 0);
    for (uint32_t op = 0; op < choice.size(); ++op) choice[op] = Choice(op, value[var_of_op_[op]]);
    return choice;
  }

 private:
  const CostModel &model_;
  SearchSpace kind_;
  std::vector<uint32_t> domain_, var_of_op_;
  std::vector<std::vector<uint32_t>> ops_of_var_;
  std::vector<cfp::BlockTable> tables_;
};

// A table over classes of the values of its variables.
struct Factor {
  std::vector<uint32_t> vars;              // ascending
  std::vector<std::vector<uint32_t>> cls;  // per var: value -> class
  std::vector<uint32_t> ncls;              // per var: number of classes
  std::vector<double> table;               // row-major over classes, the last var fastest

  double At(const std::vector<uint32_t> &value) const {
    size_t index = 0;
    for (size_t i = 0; i < vars.size(); ++i) index = index * ncls[i] + cls[i][value[vars[i]]];
    return table[index];
  }
};

struct Problem {
  std::vector<Factor> factors;
  double constant = 0;
  uint64_t largest = 0;
  std::string failure;
};

// Dense ids for distinct keys, in order of first appearance.
template <class Key>
uint32_t Intern(std::map<Key, uint32_t> &ids, const Key &key) {
  return ids.try_emplace(key, static_cast<uint32_t>(ids.size())).first->second;
}

// The fields ShardingSpec's == compares, as an ordered key (it has no ordering of its own).
std::string SpecKey(const ShardingSpec &s) {
  std::string key{static_cast<char>(s.partial), static_cast<char>(s.dims.size())};
  for (const cfp::DimSharding &d : s.dims) {
    key += static_cast<char>(d.count);
    for (uint8_t i = 0; i < d.count; ++i) key += static_cast<char>(d.axes[i]);
  }
  return key;
}

// What of one op's strategy a tensor's term can see: the layouts it gives the tensor.
struct Piece {
  uint32_t op = 0;
  bool output = false;
  uint32_t slot = 0;
};

std::vector<Piece> PiecesOf(const CostModel &model, uint32_t t) {
  const cfp::Graph &g = model.graph();
  std::vector<Piece> pieces;
  auto decider = [&](uint32_t u) {
    const uint32_t p = g.producer(u);
    if (p != kNoId) {
      const auto &outs = g.op(p).outputs;
      pieces.push_back({p, true, static_cast<uint32_t>(std::find(outs.begin(), outs.end(), u) - outs.begin())});
    } else if (model.storage_op(u) != kNoId) {
      pieces.push_back({model.storage_op(u), false, model.storage_slot(u)});
    }
  };
  decider(t);
  if (model.loop_target(t) >= 0) decider(static_cast<uint32_t>(model.loop_target(t)));
  for (const CostModel::ReadGroup &group : model.read_groups(t))
    for (const cfp::TensorRead &r : group.reads) pieces.push_back({r.op, false, r.slot});
  return pieces;
}

bool TooLarge(Problem &p, double entries, const ExactOptions &o, const std::string &what) {
  if (entries <= static_cast<double>(o.max_table_entries)) return false;
  p.failure = what + " would need " + std::to_string(entries) + " entries";
  return true;
}

// Merges the classes of each variable whose slices of the table are identical (the
// factor cannot tell those values apart), and drops variables left with one class.
void Compact(Factor &f) {
  for (size_t i = 0; i < f.vars.size();) {
    size_t inner = 1;
    for (size_t j = i + 1; j < f.vars.size(); ++j) inner *= f.ncls[j];
    const size_t n = f.ncls[i], outer = f.table.size() / (n * inner);
    auto slice_equal = [&](size_t a, size_t b) {
      for (size_t o = 0; o < outer; ++o)
        for (size_t k = 0; k < inner; ++k)
          if (f.table[(o * n + a) * inner + k] != f.table[(o * n + b) * inner + k]) return false;
      return true;
    };
    std::vector<uint32_t> merged(n), kept;
    for (size_t c = 0; c < n; ++c) {
      size_t m = 0;
      while (m < kept.size() && !slice_equal(kept[m], c)) ++m;
      if (m == kept.size()) kept.push_back(static_cast<uint32_t>(c));
      merged[c] = static_cast<uint32_t>(m);
    }
    if (kept.size() == n) {
      ++i;
      continue;
    }
    std::vector<double> table(outer * kept.size() * inner);
    for (size_t o = 0; o < outer; ++o)
      for (size_t m = 0; m < kept.size(); ++m)
        for (size_t k = 0; k < inner; ++k)
          table[(o * kept.size() + m) * inner + k] = f.table[(o * n + kept[m]) * inner + k];
    f.table = std::move(table);
    for (uint32_t &c : f.cls[i]) c = merged[c];
    if (kept.size() == 1) {
      f.vars.erase(f.vars.begin() + static_cast<std::ptrdiff_t>(i));
      f.cls.erase(f.cls.begin() + static_cast<std::ptrdiff_t>(i));
      f.ncls.erase(f.ncls.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    f.ncls[i] = static_cast<uint32_t>(kept.size());
    ++i;
  }
}

// A tensor's factor before its table is filled: the scope and a representative value of
// each class of each variable.
struct PendingTensor {
  uint32_t tensor = 0;
  std::vector<uint32_t> scope;
  std::vector<std::vector<uint32_t>> rep;  // per factor variable, per class
  size_t factor = 0;                       // index into Problem::factors
};

// One factor per variable (compute, filled at once) and one per tensor (its classes only:
// TensorCost is called by FillTensorFactors). False when a factor would be too large.
bool BuildFactors(const CostModel &model, const Space &space, const ExactOptions &o, Problem &p,
                  std::vector<PendingTensor> &pending) {
  const cfp::Graph &g = model.graph();
  for (uint32_t v = 0; v < space.num_vars(); ++v) {
    std::map<double, uint32_t> ids;
    Factor f;
    f.vars = {v};
    f.cls.emplace_back(space.domain(v));
    std::vector<double> values;
    for (uint32_t k = 0; k < space.domain(v); ++k) {
      double c = 0;
      for (uint32_t op : space.ops_of(v)) c += model.ComputeTime(op, model.strategies(op)[space.Choice(op, k)]);
      const uint32_t id = Intern(ids, c);
      if (id == values.size()) values.push_back(c);
      f.cls[0][k] = id;
    }
    if (values.size() <= 1) {
      if (!values.empty()) p.constant += values[0];
      continue;
    }
    f.ncls = {static_cast<uint32_t>(values.size())};
    f.table = std::move(values);
    p.factors.push_back(std::move(f));
  }

  double priced = 0;
  for (uint32_t t = 0; t < g.num_tensors(); ++t) {
    PendingTensor pt;
    pt.tensor = t;
    pt.scope = model.TensorScope(t);
    const std::vector<Piece> pieces = PiecesOf(model, t);
    std::vector<uint32_t> vars;
    for (uint32_t op : pt.scope) vars.push_back(space.var_of_op(op));
    std::sort(vars.begin(), vars.end());
    vars.erase(std::unique(vars.begin(), vars.end()), vars.end());

    // Per variable: classes of values that give the tensor the same layouts, and a
    // representative value of each.
    Factor f;
    for (uint32_t v : vars) {
      std::map<std::pair<std::vector<std::string>, std::vector<uint32_t>>, uint32_t> ids;
      std::vector<uint32_t> cls(space.domain(v)), reps;
      for (uint32_t k = 0; k < space.domain(v); ++k) {
        std::pair<std::vector<std::string>, std::vector<uint32_t>> key;
        for (uint32_t op : pt.scope) {
          if (space.var_of_op(op) != v) continue;
          const cfp::Strategy &s = model.strategies(op)[space.Choice(op, k)];
          bool seen = false;
          for (const Piece &pc : pieces)
            if (pc.op == op) {
              seen = true;
              key.first.push_back(
                  SpecKey(pc.output ? model.OutputSpec(op, pc.slot, s) : model.InputSpec(op, pc.slot, s)));
            }
          // A scope op the term reads in some other way: no merging of its strategies.
          if (!seen) key.second.push_back(space.Choice(op, k));
        }
        cls[k] = Intern(ids, key);
        if (cls[k] == reps.size()) reps.push_back(k);
      }
      if (reps.size() <= 1) continue;  // the term does not depend on this variable
      f.vars.push_back(v);
      f.cls.push_back(std::move(cls));
      f.ncls.push_back(static_cast<uint32_t>(reps.size()));
      pt.rep.push_back(std::move(reps));
    }
    double entries = 1;
    for (uint32_t n : f.ncls) entries *= n;
    if (TooLarge(p, entries, o, "the factor of " + cfp::DescribeTensor(g.tensors(), t))) return false;
    priced += entries;
    if (priced > static_cast<double>(o.max_priced_entries)) {
      p.failure =
          "the tensor factors would need more than " + std::to_string(o.max_priced_entries) + " TensorCost calls";
      return false;
    }
    pt.factor = p.factors.size();
    p.factors.push_back(std::move(f));
    pending.push_back(std::move(pt));
  }
  return true;
}

// Fills the tensor factors' tables through TensorCost (one call per combination of
// classes), then compacts them; factors left without variables join the constant.
void FillTensorFactors(const CostModel &model, const Space &space, Problem &p,
                       const std::vector<PendingTensor> &pending) {
  std::vector<uint32_t> scratch(model.graph().num_ops(), 0);
  for (const PendingTensor &pt : pending) {
    Factor &f = p.factors[pt.factor];
    double entries = 1;
    for (uint32_t n : f.ncls) entries *= n;
    f.table.resize(static_cast<size_t>(entries));
    // Variables the term ignores stay at their first value (the first class's).
    for (uint32_t op : pt.scope) scratch[op] = space.Choice(op, 0);
    std::vector<uint32_t> at(f.vars.size(), 0);
    for (size_t index = 0; index < f.table.size(); ++index) {
      for (size_t i = 0; i < f.vars.size(); ++i)
        for (uint32_t op : pt.scope)
          if (space.var_of_op(op) == f.vars[i]) scratch[op] = space.Choice(op, pt.rep[i][at[i]]);
      f.table[index] = model.TensorCost(pt.tensor, scratch).Objective();
      for (size_t i = f.vars.size(); i-- > 0;) {
        if (++at[i] < f.ncls[i]) break;
        at[i] = 0;
      }
    }
    p.largest = std::max<uint64_t>(p.largest, f.table.size());
    Compact(f);
  }
  std::vector<Factor> kept;
  for (Factor &f : p.factors) {
    if (f.vars.empty())
      p.constant += f.table[0];
    else
      kept.push_back(std::move(f));
  }
  p.factors = std::move(kept);
}

// Whether some op has no strategy (or some block no configuration): then no plan exists.
bool NoPlanExists(const CostModel &model) {
  for (uint32_t op = 0; op < model.graph().num_ops(); ++op)
    if (model.strategies(op).empty()) return true;
  return false;
}

// An elimination order. Greedy orders are simulated on the interaction graph (a variable
// weighs the most classes it can have: its domain, or fewer when every factor sees few)
// under three rules (least table, least fill-in, least weighted fill-in), and the one with
// the smallest largest table wins, then the least total work.
std::vector<uint32_t> ChooseOrder(const Problem &p, const Space &space, double *largest) {
  const uint32_t nv = space.num_vars();
  const size_t words = (nv + 63) / 64;
  std::vector<double> bound(nv, 1);
  std::vector<uint64_t> adjacency(nv * words, 0);
  for (const Factor &f : p.factors)
    for (size_t i = 0; i < f.vars.size(); ++i) {
      bound[f.vars[i]] *= f.ncls[i];
      for (uint32_t u : f.vars)
        if (u != f.vars[i]) adjacency[f.vars[i] * words + u / 64] |= uint64_t{1} << (u % 64);
    }
  std::vector<double> logw(nv);
  for (uint32_t v = 0; v < nv; ++v)
    logw[v] = std::log(std::min(bound[v], static_cast<double>(std::max(space.domain(v), 1u))));

  std::vector<uint32_t> best_order;
  double best_max = 0, best_work = 0;
  std::vector<uint32_t> nb;
  for (int rule = 0; rule < 3; ++rule) {
    std::vector<uint64_t> adj = adjacency;
    std::vector<uint8_t> done(nv, 0);
    std::vector<uint32_t> order;
    double max_log = 0, work = 0;
    auto neighbours = [&](uint32_t x, std::vector<uint32_t> &out) {
      out.clear();
      for (size_t w = 0; w < words; ++w)
        for (uint64_t bits = adj[x * words + w]; bits; bits &= bits - 1) {
          const uint32_t v = static_cast<uint32_t>(w * 64 + static_cast<size_t>(std::countr_zero(bits)));
          if (!done[v]) out.push_back(v);
        }
    };
    auto adjacent = [&](uint32_t a, uint32_t b) { return (adj[a * words + b / 64] >> (b % 64)) & 1; };
    for (uint32_t step = 0; step < nv; ++step) {
      uint32_t pick = kNoId;
      double pick_primary = 0, pick_log = 0;
      for (uint32_t x = 0; x < nv; ++x) {
        if (done[x]) continue;
        neighbours(x, nb);
        double log_size = 0, fill = 0;
        for (size_t i = 0; i < nb.size(); ++i) {
          log_size += logw[nb[i]];
          if (rule == 0) continue;
          for (size_t j = i + 1; j < nb.size(); ++j)
            if (!adjacent(nb[i], nb[j])) fill += rule == 1 ? 1.0 : std::exp(logw[nb[i]] + logw[nb[j]]);
        }
        const double primary = rule == 0 ? log_size : fill;
        if (pick == kNoId || primary < pick_primary || (primary == pick_primary && log_size < pick_log)) {
          pick = x;
          pick_primary = primary;
          pick_log = log_size;
        }
      }
      neighbours(pick, nb);
      for (uint32_t a : nb)
        for (uint32_t b : nb)
          if (a != b) adj[a * words + b / 64] |= uint64_t{1} << (b % 64);
      done[pick] = 1;
      order.push_back(pick);
      max_log = std::max(max_log, pick_log);
      work += std::exp(pick_log + logw[pick]);
    }
    if (best_order.empty() || max_log < best_max - 1e-9 || (max_log < best_max + 1e-9 && work < best_work)) {
      best_order = std::move(order);
      best_max = max_log;
      best_work = work;
    }
  }
  *largest = std::exp(best_max);
  return best_order;
}

class Eliminator {
 public:
  Eliminator(const Space &space, Problem &p, const ExactOptions &o) : space_(space), p_(p), o_(o) {
    const uint32_t nv = space.num_vars();
    var_factors_.resize(nv);
    alive_.assign(p.factors.size(), 1);
    for (uint32_t fi = 0; fi < p.factors.size(); ++fi)
      for (uint32_t v : p.factors[fi].vars) var_factors_[v].push_back(fi);
  }

  // Eliminates the variables in `order`; false when a table would be too large.
  bool Run(const std::vector<uint32_t> &order) {
    for (uint32_t x : order)
      if (!Eliminate(x)) return false;
    return true;
  }

  // The assignment attaining the minimum, chosen in reverse elimination order.
  std::vector<uint32_t> Assignment() const {
    std::vector<uint32_t> value(space_.num_vars(), 0);
    for (size_t s = steps_.size(); s-- > 0;) {
      const auto &[x, factors] = steps_[s];
      double best = std::numeric_limits<double>::infinity();
      uint32_t arg = 0;
      for (uint32_t d = 0; d < space_.domain(x); ++d) {
        value[x] = d;
        double sum = 0;
        for (uint32_t fi : factors) sum += p_.factors[fi].At(value);
        if (sum < best) {
          best = sum;
          arg = d;
        }
      }
      value[x] = arg;
    }
    return value;
  }

 private:
  void Prune(uint32_t x) {
    auto &list = var_factors_[x];
    list.erase(std::remove_if(list.begin(), list.end(), [&](uint32_t fi) { return !alive_[fi]; }), list.end());
  }

  bool Eliminate(uint32_t x) {
    Prune(x);
    const std::vector<uint32_t> fs = var_factors_[x];
    for (uint32_t fi : fs) alive_[fi] = 0;
    steps_.emplace_back(x, fs);
    if (fs.empty()) return true;

    // Joint classes of each variable over the factors combined: values every factor
    // treats alike.
    std::vector<uint32_t> uvars;
    for (uint32_t fi : fs) uvars.insert(uvars.end(), p_.factors[fi].vars.begin(), p_.factors[fi].vars.end());
    std::sort(uvars.begin(), uvars.end());
    uvars.erase(std::unique(uvars.begin(), uvars.end()), uvars.end());
    const size_t nu = uvars.size();
    std::vector<std::vector<uint32_t>> joint(nu), rep(nu);
    for (size_t u = 0; u < nu; ++u) {
      const uint32_t v = uvars[u];
      std::vector<std::pair<uint32_t, size_t>> at;  // (factor, position of v)
      for (uint32_t fi : fs) {
        const auto &vs = p_.factors[fi].vars;
        auto it = std::find(vs.begin(), vs.end(), v);
        if (it != vs.end()) at.emplace_back(fi, static_cast<size_t>(it - vs.begin()));
      }
      std::map<std::vector<uint32_t>, uint32_t> ids;
      joint[u].resize(space_.domain(v));
      std::vector<uint32_t> key(at.size());
      for (uint32_t d = 0; d < space_.domain(v); ++d) {
        for (size_t j = 0; j < at.size(); ++j) key[j] = p_.factors[at[j].first].cls[at[j].second][d];
        joint[u][d] = Intern(ids, key);
        if (joint[u][d] == rep[u].size()) rep[u].push_back(d);
      }
    }
    const size_t ux = static_cast<size_t>(std::find(uvars.begin(), uvars.end(), x) - uvars.begin());

    // For each factor and each of its variables: offset into its table per joint class.
    struct Part {
      const Factor *f;
      std::vector<std::pair<size_t, std::vector<size_t>>> offsets;  // (joint var, offset per class)
      std::vector<size_t> x_offset;
    };
    std::vector<Part> parts;
    for (uint32_t fi : fs) {
      const Factor &f = p_.factors[fi];
      Part part{&f, {}, {}};
      size_t stride = 1;
      for (size_t i = f.vars.size(); i-- > 0;) {
        const size_t u = static_cast<size_t>(std::find(uvars.begin(), uvars.end(), f.vars[i]) - uvars.begin());
        std::vector<size_t> off(rep[u].size());
        for (size_t j = 0; j < rep[u].size(); ++j) off[j] = f.cls[i][rep[u][j]] * stride;
        if (u == ux)
          part.x_offset = std::move(off);
        else
          part.offsets.emplace_back(u, std::move(off));
        stride *= f.ncls[i];
      }
      parts.push_back(std::move(part));
    }

    Factor out;
    double entries = 1;
    for (size_t u = 0; u < nu; ++u) {
      if (u == ux || rep[u].size() <= 1) continue;  // a single class: the result ignores it
      out.vars.push_back(uvars[u]);
      out.cls.push_back(joint[u]);
      out.ncls.push_back(static_cast<uint32_t>(rep[u].size()));
      entries *= static_cast<double>(rep[u].size());
    }
    if (TooLarge(p_, entries, o_, "eliminating variable " + std::to_string(x))) return false;
    out.table.resize(static_cast<size_t>(entries));
    p_.largest = std::max<uint64_t>(p_.largest, out.table.size());

    // Odometer over the joint classes of every variable but x (single-class ones stay 0).
    std::vector<uint32_t> at(nu, 0);
    std::vector<size_t> kept;
    for (size_t u = 0; u < nu; ++u)
      if (u != ux && rep[u].size() > 1) kept.push_back(u);
    std::vector<size_t> base(parts.size());
    for (size_t index = 0; index < out.table.size(); ++index) {
      for (size_t j = 0; j < parts.size(); ++j) {
        size_t b = 0;
        for (const auto &[u, off] : parts[j].offsets) b += off[at[u]];
        base[j] = b;
      }
      double best = std::numeric_limits<double>::infinity();
      for (size_t c = 0; c < rep[ux].size(); ++c) {
        double sum = 0;
        for (size_t j = 0; j < parts.size(); ++j) sum += parts[j].f->table[base[j] + parts[j].x_offset[c]];
        best = std::min(best, sum);
      }
      out.table[index] = best;
      for (size_t k = kept.size(); k-- > 0;) {
        if (++at[kept[k]] < rep[kept[k]].size()) break;
        at[kept[k]] = 0;
      }
    }
    Compact(out);
    if (out.vars.empty()) {
      p_.constant += out.table[0];
      return true;
    }
    const auto fi = static_cast<uint32_t>(p_.factors.size());
    for (uint32_t v : out.vars) var_factors_[v].push_back(fi);
    p_.factors.push_back(std::move(out));
    alive_.push_back(1);
    return true;
  }

  const Space &space_;
  Problem &p_;
  const ExactOptions &o_;
  std::vector<std::vector<uint32_t>> var_factors_;
  std::vector<uint8_t> alive_;
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> steps_;  // (variable, factors combined)
};

}  // namespace

ExactOptimum ExactOptimumOf(const CostModel &model, SearchSpace kind, const ExactOptions &options) {
  ExactOptimum r;
  if (NoPlanExists(model)) {
    r.solved = true;
    return r;
  }
  const Space space(model, kind);
  r.variables = space.num_vars();
  for (uint32_t v = 0; v < space.num_vars(); ++v)
    if (space.domain(v) == 0) {
      r.solved = true;
      return r;
    }
  Problem p;
  std::vector<PendingTensor> pending;
  if (!BuildFactors(model, space, options, p, pending)) {
    r.failure = p.failure;
    return r;
  }
  // The order's largest table bounds every table elimination builds: give up before
  // pricing anything when it is beyond the limit.
  double largest = 0;
  const std::vector<uint32_t> order = ChooseOrder(p, space, &largest);
  if (TooLarge(p, largest, options, "the elimination order")) {
    r.failure = p.failure;
    return r;
  }
  FillTensorFactors(model, space, p, pending);
  Eliminator elim(space, p, options);
  const bool ok = elim.Run(order);
  r.largest_table = p.largest;
  if (!ok) {
    r.failure = p.failure;
    return r;
  }
  r.solved = true;
  r.objective = p.constant;
  r.choice = space.ChoiceVector(elim.Assignment());
  return r;
}

double MaxDecompositionError(const CostModel &model, SearchSpace kind, uint64_t seed, int samples,
                             const ExactOptions &options) {
  if (NoPlanExists(model)) return 0;
  const Space space(model, kind);
  Problem p;
  std::vector<PendingTensor> pending;
  if (!BuildFactors(model, space, options, p, pending)) return -1;
  FillTensorFactors(model, space, p, pending);
  std::mt19937_64 rng(seed);
  double worst = 0;
  std::vector<uint32_t> value(space.num_vars());
  for (int s = 0; s < samples; ++s) {
    for (uint32_t v = 0; v < space.num_vars(); ++v) {
      if (space.domain(v) == 0) return 0;
      value[v] = std::uniform_int_distribution<uint32_t>(0, space.domain(v) - 1)(rng);
    }
    double sum = p.constant;
    for (const Factor &f : p.factors) sum += f.At(value);
    const double expect = model.Evaluate(space.ChoiceVector(value)).Objective();
    const double scale = std::max(std::abs(expect), std::abs(sum));
    if (scale > 0) worst = std::max(worst, std::abs(sum - expect) / scale);
  }
  return worst;
}

}  // namespace cfp_test
