#include "search/frontier_dp.h"

#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <tuple>
#include <unordered_map>

namespace cfp {
namespace {

constexpr uint64_t kMaxCode = uint64_t{1} << 62;
// Below this many codes a step indexes its states densely.
constexpr uint64_t kDenseCodes = uint64_t{1} << 22;

// A set of DP states over a frontier of variables. A state's code is the mixed-radix number
// of its variables' strategies; its points are a Pareto set (one point in scalar mode).
struct Layer {
  std::vector<uint32_t> vars;    // ascending position
  std::vector<uint32_t> radix;   // strategies per variable
  std::vector<uint64_t> stride;  // code weight per variable
  std::vector<uint64_t> codes;   // per state, ascending
  std::vector<uint32_t> begin{0};
  std::vector<ParetoPoint> pts;  // a, b: previous state and point; c, d: step-specific

  size_t states() const { return codes.size(); }
  uint32_t Digit(uint64_t code, size_t i) const { return static_cast<uint32_t>((code / stride[i]) % radix[i]); }
  size_t Bytes() const {
    return codes.size() * (sizeof(uint64_t) + sizeof(uint32_t)) + pts.size() * sizeof(ParetoPoint);
  }
};

// A step's history: the layer it produced and how to read its points' provenance.
struct Step {
  Layer layer;
  uint32_t var = UINT32_MAX;   // a single variable was added (c: strategy, d: unary point)
  int32_t table = -1;          // or a segment table was applied (c: table state, d: its point)
  uint32_t segment = 0;
};

// Collects candidate points by state code, then forms a layer.
class Accumulator {
 public:
  // `expected`: about how many states will be formed (reserved up front: growing the
  // vectors of a million-state step costs more than filling them).
  Accumulator(uint64_t codes, const ParetoMode &mode, uint64_t expected) : mode_(mode) {
    if (codes <= kDenseCodes) dense_.assign(codes, -1);
    const size_t n = static_cast<size_t>(std::min<uint64_t>({codes, expected, kDenseCodes}));
    codes_.reserve(n);
    if (mode_.scalar) best_.reserve(n);
  }
  void Add(uint64_t code, const ParetoPoint &p) {
    if (p.mem > mode_.budget) return;
    AddTo(SlotOf(code), p);
  }
  uint32_t SlotOf(uint64_t code) {
    uint32_t slot;
    if (!dense_.empty()) {
      int32_t &d = dense_[code];
      if (d < 0) {
        d = static_cast<int32_t>(codes_.size());
        NewSlot(code);
      }
      slot = static_cast<uint32_t>(d);
    } else {
      auto [it, inserted] = sparse_.try_emplace(code, static_cast<uint32_t>(codes_.size()));
      if (inserted) NewSlot(code);
      slot = it->second;
    }
    return slot;
  }
  void AddTo(uint32_t slot, const ParetoPoint &p) {
    if (p.mem > mode_.budget) return;
    if (mode_.scalar) {
      ParetoPoint &best = best_[slot];
      if (p.time < best.time || (p.time == best.time && p.mem < best.mem)) best = p;
    } else {
      auto &v = sets_[slot];
      v.push_back(p);
      ++points_;
      // Prune when the set has doubled since its last pruning: amortized O(log n) a point.
      if (v.size() >= prune_at_[slot]) {
        points_ -= v.size();
        ParetoPrune(v, mode_);
        points_ += v.size();
        prune_at_[slot] = std::max<uint32_t>(64, 2 * static_cast<uint32_t>(v.size()));
      }
    }
  }
  // What the states being formed hold, about (hash nodes counted at 48 bytes).
  size_t Bytes() const {
    return dense_.capacity() * sizeof(int32_t) + sparse_.size() * 48 + codes_.capacity() * sizeof(uint64_t) +
           best_.capacity() * sizeof(ParetoPoint) + sets_.capacity() * sizeof(std::vector<ParetoPoint>) +
           points_ * sizeof(ParetoPoint) + prune_at_.capacity() * sizeof(uint32_t);
  }
  // Set sizes above this are thinned, and the result is no longer proven optimal.
  void set_max_points(size_t n) { max_points_ = n; }
  bool thinned() const { return thinned_; }
  void Into(Layer &out) {
    // Dense indexes are walked in code order; sparse ones are sorted.
    std::vector<uint32_t> order;
    order.reserve(codes_.size());
    if (!dense_.empty()) {
      for (int32_t d : dense_)
        if (d >= 0) order.push_back(static_cast<uint32_t>(d));
    } else {
      for (uint32_t i = 0; i < codes_.size(); ++i) order.push_back(i);
      std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return codes_[a] < codes_[b]; });
    }
    out.codes.clear();
    out.codes.reserve(order.size());
    out.begin.assign(1, 0);
    out.begin.reserve(order.size() + 1);
    out.pts.clear();
    out.pts.reserve(mode_.scalar ? order.size() : 2 * order.size());
    for (uint32_t slot : order) {
      if (mode_.scalar) {
        out.pts.push_back(best_[slot]);
      } else {
        auto &v = sets_[slot];
        ParetoPrune(v, mode_);
        if (v.empty()) continue;
        if (v.size() > max_points_) Thin(v);
        out.pts.insert(out.pts.end(), v.begin(), v.end());
      }
      out.codes.push_back(codes_[slot]);
      out.begin.push_back(static_cast<uint32_t>(out.pts.size()));
    }
  }

 private:
  void NewSlot(uint64_t code) {
    codes_.push_back(code);
    if (mode_.scalar) {
      best_.push_back({std::numeric_limits<double>::infinity(), 0});
    } else {
      sets_.emplace_back();
      prune_at_.push_back(64);
    }
  }
  // Keeps max_points_ points evenly spread over the frontier, both ends included.
  void Thin(std::vector<ParetoPoint> &v) {
    std::vector<ParetoPoint> kept;
    const size_t n = v.size(), m = max_points_;
    for (size_t i = 0; i < m; ++i) kept.push_back(v[i * (n - 1) / (m - 1)]);
    v = std::move(kept);
    thinned_ = true;
  }
  ParetoMode mode_;
  std::vector<int32_t> dense_;
  std::unordered_map<uint64_t, uint32_t> sparse_;
  std::vector<uint64_t> codes_;
  std::vector<ParetoPoint> best_;
  std::vector<std::vector<ParetoPoint>> sets_;
  std::vector<uint32_t> prune_at_;
  size_t points_ = 0;  // in sets_
  size_t max_points_ = SIZE_MAX;
  bool thinned_ = false;
};

// A segment type solved once: from the strategies of the blocks before it that it touches
// (T) to the strategies of the blocks leaving it (out), with each point's internal choices.
struct Table {
  uint32_t seg_begin = 0;        // position of the instance it was solved on
  Layer t_layout;                // vars = T of the first instance (layout only)
  Layer final;                   // over T ∪ out-of-segment vars of the first instance
  std::vector<uint32_t> keep_t;  // for each T var: its index in final.vars, or UINT32_MAX
  std::vector<std::vector<uint32_t>> states_of_t;  // T code -> final states
  std::vector<std::vector<uint32_t>> choices;      // per final point (a): (strategy, unary point) per segment var
};

class Solver {
 public:
  Solver(const BlockProblem &problem, const std::vector<uint32_t> &order, const DPLimits &limits)
      : p_(problem), order_(order), limits_(limits), pos_(problem.num_vars(), UINT32_MAX), last_use_(problem.num_vars(), 0),
        incident_(problem.num_vars()) {
    for (uint32_t i = 0; i < order.size(); ++i) pos_[order[i]] = i;
    for (uint32_t v : order) last_use_[v] = pos_[v];
    for (uint32_t f = 0; f < p_.factors.size(); ++f) {
      const auto &fac = p_.factors[f];
      incident_[fac.u].push_back(f);
      incident_[fac.v].push_back(f);
      uint32_t later = std::max(pos_[fac.u], pos_[fac.v]);
      last_use_[fac.u] = std::max(last_use_[fac.u], later);
      last_use_[fac.v] = std::max(last_use_[fac.v], later);
    }
  }

  Result<DPResult> Run(std::vector<DPSegment> segments) {
    if (segments.empty())
      for (uint32_t i = 0; i < order_.size(); ++i) segments.push_back({i, i + 1, i});
    std::vector<uint32_t> count(order_.size() + 1, 0);
    for (const DPSegment &s : segments) ++count[std::min<size_t>(s.type, order_.size())];
    Layer main;
    main.codes = {0};
    main.begin = {0, 1};
    main.pts = {ParetoPoint{0, 0}};
    std::vector<Step> history;
    CFP_RETURN_IF_ERROR(Tick(0));  // folding may have left nothing to step through
    for (uint32_t si = 0; si < segments.size(); ++si) {
      CFP_RETURN_IF_ERROR(Tick(si));
      const DPSegment &seg = segments[si];
      // The frontier variables this segment touches, and those it does not.
      std::vector<uint32_t> touching;
      for (uint32_t v : main.vars)
        for (uint32_t f : incident_[v]) {
          uint32_t w = p_.factors[f].u == v ? p_.factors[f].v : p_.factors[f].u;
          if (pos_[w] >= seg.begin && pos_[w] < seg.end) {
            touching.push_back(v);
            break;
          }
        }
      uint64_t t_combos = 1;
      bool small = true;
      for (uint32_t v : touching) {
        t_combos *= p_.K(v);
        if (t_combos > (1u << 20)) small = false;
      }
      const bool repeated = count[std::min<size_t>(seg.type, order_.size())] > 1;
      if (limits_.segment_tables && small && (repeated || t_combos < main.states())) {
        CFP_ASSIGN_OR_RETURN(int32_t table, TableFor(seg, touching));
        CFP_ASSIGN_OR_RETURN(Layer next, Apply(main, *tables_[table], seg, touching));
        held_bytes_ += main.Bytes();
        history.push_back(Step{std::move(main), UINT32_MAX, table, si});
        main = std::move(next);
      } else {
        for (uint32_t i = seg.begin; i < seg.end; ++i) {
          CFP_ASSIGN_OR_RETURN(Layer next, Advance(main, order_[i], [&](uint32_t v) { return last_use_[v] > i; }));
          held_bytes_ += main.Bytes();
          history.push_back(Step{std::move(main), order_[i], -1, si});
          main = std::move(next);
        }
      }
      CFP_RETURN_IF_ERROR(CheckMemory(main.Bytes()));
    }
    if (main.states() == 0) return Status(Code::kInfeasible, "no plan fits the memory budget");
    // Every variable has retired: one state; its fastest point wins.
    uint32_t best = 0;
    for (uint32_t i = 1; i < main.pts.size(); ++i)
      if (main.pts[i].time < main.pts[best].time) best = i;
    result_.time = main.pts[best].time;
    result_.mem = main.pts[best].mem;
    result_.strategy.assign(p_.num_vars(), 0);
    // Walk back through the steps.
    uint32_t state = 0, point = best;
    const Layer *layer = &main;
    for (size_t h = history.size(); h-- > 0;) {
      const ParetoPoint &pt = layer->pts[layer->begin[state] + point];
      const Step &step = history[h];
      if (step.table < 0) {
        Choose(step.var, pt.c, pt.d);
      } else {
        const Table &t = *tables_[step.table];
        const ParetoPoint &tp = t.final.pts[t.final.begin[pt.c] + pt.d];
        const auto &choice = t.choices[tp.a];
        const DPSegment &seg = segments[step.segment];
        for (uint32_t i = seg.begin; i < seg.end; ++i)
          Choose(order_[i], choice[2 * (i - seg.begin)], choice[2 * (i - seg.begin) + 1]);
      }
      state = pt.a;
      point = pt.b;
      layer = &step.layer;
    }
    p_.ExpandChains(result_.strategy);
    return result_;
  }

 private:
  void Choose(uint32_t var, uint32_t strategy, uint32_t unary_point) {
    result_.strategy[var] = strategy;
    p_.ExpandFolds(p_.unary[var][strategy][unary_point].a, result_.strategy);
  }

  Result<Layer> Layout(std::vector<uint32_t> vars) const {
    std::sort(vars.begin(), vars.end(), [&](uint32_t a, uint32_t b) { return pos_[a] < pos_[b]; });
    Layer l;
    l.vars = std::move(vars);
    uint64_t stride = 1;
    for (uint32_t v : l.vars) {
      l.radix.push_back(p_.K(v));
      l.stride.push_back(stride);
      if (stride > kMaxCode / std::max<uint32_t>(1, p_.K(v)))
        return Status(Code::kUnsupported, "the block graph is too wide for the exact search (" +
                                              std::to_string(l.vars.size()) + " blocks in its frontier)");
      stride *= p_.K(v);
    }
    l.codes.clear();
    l.begin.assign(1, 0);
    return l;
  }
  static uint64_t Codes(const Layer &l) {
    uint64_t n = 1;
    for (uint32_t r : l.radix) n *= r;
    return n;
  }

  // Every 256th call: the caller's limits and cancellation, this search's own deadline, and
  // its memory with `transient` bytes being formed.
  Status Tick(size_t i, size_t transient = 0) const {
    if ((i & 255) != 0) return Status::Ok();
    if (limits_.control) CFP_RETURN_IF_ERROR(limits_.control->Check());
    if (limits_.deadline && std::chrono::steady_clock::now() > *limits_.deadline)
      return Status(Code::kTimeLimit, "the search exceeded its time limit");
    return CheckMemory(transient);
  }

  Status CheckMemory(size_t transient) const {
    if (limits_.max_bytes && held_bytes_ + transient > limits_.max_bytes)
      return Status(Code::kMemoryLimit, "the search exceeded its memory limit (" + std::to_string(limits_.max_bytes) + " bytes)");
    return Status::Ok();
  }

  // Keeps the states whose fastest point is fastest when there are too many.
  void Beam(Layer &l) {
    if (l.states() <= limits_.max_states) return;
    std::vector<uint32_t> idx(l.states());
    for (uint32_t i = 0; i < idx.size(); ++i) idx[i] = i;
    auto fastest = [&](uint32_t s) {
      double t = std::numeric_limits<double>::infinity();
      for (uint32_t k = l.begin[s]; k < l.begin[s + 1]; ++k) t = std::min(t, l.pts[k].time);
      return t;
    };
    std::vector<double> key(idx.size());
    for (uint32_t s : idx) key[s] = fastest(s);
    std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return key[a] < key[b]; });
    idx.resize(limits_.max_states);
    std::sort(idx.begin(), idx.end());
    Layer out;
    out.vars = l.vars;
    out.radix = l.radix;
    out.stride = l.stride;
    for (uint32_t s : idx) {
      out.codes.push_back(l.codes[s]);
      out.pts.insert(out.pts.end(), l.pts.begin() + l.begin[s], l.pts.begin() + l.begin[s + 1]);
      out.begin.push_back(static_cast<uint32_t>(out.pts.size()));
    }
    l = std::move(out);
    result_.exact = false;
  }

  // Adds variable x; `keep` says which variables stay in the frontier.
  template <class Keep>
  Result<Layer> Advance(const Layer &prev, uint32_t x, Keep keep) {
    std::vector<uint32_t> vars;
    for (uint32_t v : prev.vars)
      if (keep(v)) vars.push_back(v);
    const bool keep_x = keep(x);
    if (keep_x) vars.push_back(x);
    CFP_ASSIGN_OR_RETURN(Layer next, Layout(vars));
    // Where each kept previous variable lands.
    std::vector<std::pair<uint32_t, uint64_t>> carried;  // (index in prev, stride in next)
    for (uint32_t i = 0; i < prev.vars.size(); ++i)
      for (uint32_t j = 0; j < next.vars.size(); ++j)
        if (next.vars[j] == prev.vars[i]) carried.emplace_back(i, next.stride[j]);
    uint64_t x_stride = 0;
    for (uint32_t j = 0; j < next.vars.size(); ++j)
      if (next.vars[j] == x) x_stride = next.stride[j];
    const uint32_t kx = p_.K(x);
    // Factors between x and the frontier, as [frontier strategy][x strategy] tables of
    // time and of memory (empty when no factor carries memory).
    struct Link {
      uint32_t index;  // in prev.vars
      std::vector<double> time, mem;
    };
    std::vector<Link> links;
    for (uint32_t f : incident_[x]) {
      const auto &fac = p_.factors[f];
      uint32_t w = fac.u == x ? fac.v : fac.u;
      auto it = std::find(prev.vars.begin(), prev.vars.end(), w);
      if (it == prev.vars.end()) continue;
      Link link{static_cast<uint32_t>(it - prev.vars.begin()), std::vector<double>(static_cast<size_t>(p_.K(w)) * kx), {}};
      if (!fac.mem.empty()) link.mem.resize(link.time.size());
      for (uint32_t a = 0; a < p_.K(w); ++a)
        for (uint32_t b = 0; b < kx; ++b) {
          link.time[static_cast<size_t>(a) * kx + b] = fac.at(x, b, a);
          if (!fac.mem.empty()) link.mem[static_cast<size_t>(a) * kx + b] = fac.mem_at(x, b, a);
        }
      links.push_back(std::move(link));
    }
    const auto &unary = p_.unary[x];
    Accumulator acc(Codes(next), limits_.mode, prev.states() * kx);
    acc.set_max_points(limits_.max_points);
    std::vector<double> pair(kx), pair_mem(kx);
    for (uint32_t s = 0; s < prev.states(); ++s) {
      CFP_RETURN_IF_ERROR(Tick(s, prev.Bytes() + acc.Bytes()));
      const uint64_t code = prev.codes[s];
      uint64_t base = 0;
      for (const auto &[i, st] : carried) base += prev.Digit(code, i) * st;
      std::fill(pair.begin(), pair.end(), 0.0);
      std::fill(pair_mem.begin(), pair_mem.end(), 0.0);
      for (const Link &link : links) {
        const size_t row = static_cast<size_t>(prev.Digit(code, link.index)) * kx;
        for (uint32_t b = 0; b < kx; ++b) pair[b] += link.time[row + b];
        if (!link.mem.empty())
          for (uint32_t b = 0; b < kx; ++b) pair_mem[b] += link.mem[row + b];
      }
      for (uint32_t b = 0; b < kx; ++b) {
        const uint64_t c = base + (keep_x ? b * x_stride : 0);
        for (uint32_t k = prev.begin[s]; k < prev.begin[s + 1]; ++k) {
          const ParetoPoint &pp = prev.pts[k];
          for (uint32_t u = 0; u < unary[b].size(); ++u)
            acc.Add(c, {pp.time + pair[b] + unary[b][u].time, pp.mem + pair_mem[b] + unary[b][u].mem, s, k - prev.begin[s], b,
                        u});
        }
      }
    }
    acc.Into(next);
    result_.exact &= !acc.thinned();
    if (next.states() == 0) return Status(Code::kInfeasible, "no plan fits the memory budget");
    Beam(next);
    result_.states_visited += next.states();
    return next;
  }

  // The table of a segment type, built on first use.
  Result<int32_t> TableFor(const DPSegment &seg, const std::vector<uint32_t> &touching) {
    // A table is reusable where the touching blocks sit at the same offsets and the same
    // blocks leave the segment.
    std::vector<int64_t> key{static_cast<int64_t>(seg.type), static_cast<int64_t>(seg.end - seg.begin)};
    for (uint32_t v : touching) {
      key.push_back(static_cast<int64_t>(pos_[v]) - seg.begin);
      key.push_back(p_.K(v));
      key.push_back(last_use_[v] >= seg.end);
    }
    key.push_back(-1);
    for (uint32_t i = seg.begin; i < seg.end; ++i) key.push_back(last_use_[order_[i]] >= seg.end);
    auto found = table_of_.find(key);
    if (found != table_of_.end()) {
      ++result_.tables_reused;
      return found->second;
    }
    ++result_.tables_built;
    auto table = std::make_unique<Table>();
    table->seg_begin = seg.begin;
    CFP_ASSIGN_OR_RETURN(table->t_layout, Layout(touching));
    // Start from every strategy combination of the touching blocks.
    Layer start = table->t_layout;
    const uint64_t combos = Codes(start);
    for (uint64_t c = 0; c < combos; ++c) {
      start.codes.push_back(c);
      start.pts.push_back(ParetoPoint{0, 0});
      start.begin.push_back(static_cast<uint32_t>(start.pts.size()));
    }
    std::vector<Layer> steps;
    size_t steps_bytes = start.Bytes();
    steps.push_back(std::move(start));
    held_bytes_ += steps_bytes;
    for (uint32_t i = seg.begin; i < seg.end; ++i) {
      auto pinned = [&](uint32_t v) {
        return std::find(touching.begin(), touching.end(), v) != touching.end() || last_use_[v] > i;
      };
      CFP_ASSIGN_OR_RETURN(Layer next, Advance(steps.back(), order_[i], pinned));
      steps_bytes += next.Bytes();
      held_bytes_ += next.Bytes();
      steps.push_back(std::move(next));
    }
    // Record each final point's internal choices, then index final states by T code.
    Layer &fin = steps.back();
    const uint32_t len = seg.end - seg.begin;
    for (uint32_t s = 0; s < fin.states(); ++s)
      for (uint32_t k = fin.begin[s]; k < fin.begin[s + 1]; ++k) {
        std::vector<uint32_t> choice(2 * len);
        uint32_t state = s, point = k - fin.begin[s];
        for (uint32_t i = len; i-- > 0;) {
          const Layer &l = steps[i + 1];
          const ParetoPoint &pt = l.pts[l.begin[state] + point];
          choice[2 * i] = pt.c;
          choice[2 * i + 1] = pt.d;
          state = pt.a;
          point = pt.b;
        }
        fin.pts[k].a = static_cast<uint32_t>(table->choices.size());
        table->choices.push_back(std::move(choice));
      }
    for (uint32_t v : touching) {
      auto it = std::find(fin.vars.begin(), fin.vars.end(), v);
      table->keep_t.push_back(last_use_[v] >= seg.end ? static_cast<uint32_t>(it - fin.vars.begin()) : UINT32_MAX);
    }
    table->states_of_t.resize(combos);
    for (uint32_t s = 0; s < fin.states(); ++s) {
      uint64_t t_code = 0;
      for (uint32_t j = 0; j < touching.size(); ++j) {
        uint32_t idx = static_cast<uint32_t>(std::find(fin.vars.begin(), fin.vars.end(), table->t_layout.vars[j]) - fin.vars.begin());
        t_code += fin.Digit(fin.codes[s], idx) * table->t_layout.stride[j];
      }
      table->states_of_t[t_code].push_back(s);
    }
    table->final = std::move(fin);
    held_bytes_ -= steps_bytes;
    held_bytes_ += table->final.Bytes() + table->choices.size() * (sizeof(std::vector<uint32_t>) + 2 * len * sizeof(uint32_t));
    tables_.push_back(std::move(table));
    int32_t id = static_cast<int32_t>(tables_.size() - 1);
    table_of_.emplace(std::move(key), id);
    return id;
  }

  // Applies a table to the main layer for one instance of its segment.
  Result<Layer> Apply(const Layer &main, const Table &t, const DPSegment &seg, const std::vector<uint32_t> &touching) {
    // The instance's counterparts of the table's final variables, by relative position.
    std::vector<uint32_t> sorted_touching = touching;
    std::sort(sorted_touching.begin(), sorted_touching.end(), [&](uint32_t a, uint32_t b) { return pos_[a] < pos_[b]; });
    // Final vars of the table: touching ones keep their index in T; segment ones map by offset.
    std::vector<uint32_t> final_vars;
    for (uint32_t j = 0; j < t.final.vars.size(); ++j) {
      uint32_t v = t.final.vars[j];
      auto it = std::find(t.t_layout.vars.begin(), t.t_layout.vars.end(), v);
      if (it != t.t_layout.vars.end()) final_vars.push_back(sorted_touching[it - t.t_layout.vars.begin()]);
      else final_vars.push_back(order_[seg.begin + (pos_[v] - t.seg_begin)]);
    }
    // The new frontier: untouched main variables, touching ones that stay, the segment's out.
    std::vector<uint32_t> vars;
    for (uint32_t v : main.vars)
      if (std::find(sorted_touching.begin(), sorted_touching.end(), v) == sorted_touching.end()) vars.push_back(v);
    for (uint32_t j = 0; j < final_vars.size(); ++j) {
      bool is_t = std::find(sorted_touching.begin(), sorted_touching.end(), final_vars[j]) != sorted_touching.end();
      if (!is_t || last_use_[final_vars[j]] >= seg.end) vars.push_back(final_vars[j]);
    }
    CFP_ASSIGN_OR_RETURN(Layer next, Layout(vars));
    auto stride_of = [&](uint32_t v) -> uint64_t {
      for (uint32_t j = 0; j < next.vars.size(); ++j)
        if (next.vars[j] == v) return next.stride[j];
      return 0;  // retires
    };
    std::vector<std::pair<uint32_t, uint64_t>> main_carried;  // untouched main vars
    std::vector<std::pair<uint32_t, uint32_t>> main_t;       // (index in main, index in T layout)
    for (uint32_t i = 0; i < main.vars.size(); ++i) {
      auto it = std::find(sorted_touching.begin(), sorted_touching.end(), main.vars[i]);
      if (it == sorted_touching.end()) main_carried.emplace_back(i, stride_of(main.vars[i]));
      else main_t.emplace_back(i, static_cast<uint32_t>(it - sorted_touching.begin()));
    }
    std::vector<uint64_t> final_stride(final_vars.size());
    for (uint32_t j = 0; j < final_vars.size(); ++j) final_stride[j] = stride_of(final_vars[j]);
    Accumulator acc(Codes(next), limits_.mode, main.states() * t.final.states());
    acc.set_max_points(limits_.max_points);
    for (uint32_t s = 0; s < main.states(); ++s) {
      CFP_RETURN_IF_ERROR(Tick(s, main.Bytes() + acc.Bytes()));
      const uint64_t code = main.codes[s];
      uint64_t base = 0, t_code = 0;
      for (const auto &[i, st] : main_carried) base += main.Digit(code, i) * st;
      for (const auto &[i, j] : main_t) t_code += main.Digit(code, i) * t.t_layout.stride[j];
      for (uint32_t f : t.states_of_t[t_code]) {
        uint64_t c = base;
        for (uint32_t j = 0; j < final_vars.size(); ++j) c += t.final.Digit(t.final.codes[f], j) * final_stride[j];
        const uint32_t slot = acc.SlotOf(c);
        for (uint32_t k = main.begin[s]; k < main.begin[s + 1]; ++k)
          for (uint32_t q = t.final.begin[f]; q < t.final.begin[f + 1]; ++q) {
            const ParetoPoint &mp = main.pts[k], &tp = t.final.pts[q];
            acc.AddTo(slot, {mp.time + tp.time, mp.mem + tp.mem, s, k - main.begin[s], f, q - t.final.begin[f]});
          }
      }
    }
    acc.Into(next);
    result_.exact &= !acc.thinned();
    if (next.states() == 0) return Status(Code::kInfeasible, "no plan fits the memory budget");
    Beam(next);
    result_.states_visited += next.states();
    return next;
  }

  const BlockProblem &p_;
  const std::vector<uint32_t> &order_;
  const DPLimits &limits_;
  std::vector<uint32_t> pos_, last_use_;
  std::vector<std::vector<uint32_t>> incident_;
  std::vector<std::unique_ptr<Table>> tables_;
  std::map<std::vector<int64_t>, int32_t> table_of_;
  DPResult result_;
  // Bytes of the layers kept for the walk back and of the segment tables.
  size_t held_bytes_ = 0;
};

}  // namespace

Result<DPResult> SolveFrontierDP(const BlockProblem &problem, const std::vector<uint32_t> &order, const DPLimits &limits,
                                 const std::vector<DPSegment> &segments) {
  return Solver(problem, order, limits).Run(segments);
}

}  // namespace cfp
