#include "ilp/cbc_ilp.h"

#include <Cbc_C_Interface.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>

namespace cfp_bench {

namespace {

// Seconds to microseconds, and memory as a fraction of the budget, keep the coefficients
// CBC sees within its tolerances.
constexpr double kTimeScale = 1e6;

struct Layout {
  std::vector<int64_t> s_col;    // first column of each variable's s (-1 when K == 1)
  std::vector<int64_t> node_row; // its "sum s = 1" row
  std::vector<int64_t> e_col, pair_row;  // per pair: first e column; its "sum e = 1" row
  std::vector<std::vector<uint32_t>> pairs_of_var;
  std::vector<int64_t> y_col, y_row;  // per group term: its column (-1: left out), first clause row
  int64_t integer_columns = 0;        // s, then e; the y columns after them are continuous
  int64_t clause_row = 0;             // the first of the group terms' rows
  int64_t columns = 0, rows = 0, memory_row = -1;
};

// Whether the ILP needs each group term: it costs time, or memory under a budget, or a
// needed term reads it (terms only read earlier ones).
std::vector<uint8_t> NeededTerms(const PairwiseProblem &p, bool memory) {
  std::vector<uint8_t> needed(p.group_terms.size(), 0);
  for (size_t j = p.group_terms.size(); j-- > 0;) {
    const auto &term = p.group_terms[j];
    needed[j] = needed[j] || term.time != 0 || (memory && term.memory != 0);
    if (!needed[j]) continue;
    for (const auto &clause : term.clauses)
      for (const auto &lit : clause)
        if (lit.term) needed[lit.var] = 1;
  }
  return needed;
}

Layout Lay(const PairwiseProblem &p, bool memory_row) {
  Layout l;
  const uint32_t n = p.num_vars();
  l.s_col.assign(n, -1);
  l.node_row.assign(n, -1);
  l.pairs_of_var.resize(n);
  for (uint32_t v = 0; v < n; ++v) {
    if (p.K(v) < 2) continue;
    l.s_col[v] = l.columns;
    l.columns += p.K(v);
    l.node_row[v] = l.rows++;
  }
  for (uint32_t i = 0; i < p.pairs.size(); ++i) {
    const auto &pr = p.pairs[i];
    l.e_col.push_back(l.columns);
    l.columns += static_cast<int64_t>(p.K(pr.u)) * p.K(pr.v);
    l.pair_row.push_back(l.rows);
    l.rows += 1 + p.K(pr.u) + p.K(pr.v);  // sum e, then row sums (a), then column sums (b)
    l.pairs_of_var[pr.u].push_back(i);
    l.pairs_of_var[pr.v].push_back(i);
  }
  const std::vector<uint8_t> needed = NeededTerms(p, memory_row);
  l.y_col.assign(p.group_terms.size(), -1);
  l.y_row.assign(p.group_terms.size(), -1);
  l.integer_columns = l.columns;
  l.clause_row = l.rows;
  for (size_t j = 0; j < p.group_terms.size(); ++j) {
    if (!needed[j]) continue;
    l.y_col[j] = l.columns++;
    l.y_row[j] = l.rows;
    l.rows += static_cast<int64_t>(p.group_terms[j].clauses.size());  // y >= the clause, each
  }
  if (memory_row) l.memory_row = l.rows++;
  return l;
}

struct CbcDeleter {
  void operator()(Cbc_Model *m) const { Cbc_deleteModel(m); }
};

}  // namespace

const char *IlpStatusName(IlpResult::Status s) {
  switch (s) {
    case IlpResult::Status::Optimal: return "optimal";
    case IlpResult::Status::TimeLimitWithSolution: return "time limit (incumbent)";
    case IlpResult::Status::TimeLimitNoSolution: return "time limit (no solution)";
    case IlpResult::Status::Infeasible: return "infeasible";
    case IlpResult::Status::Failed: return "failed";
  }
  return "?";
}

void IlpSize(const PairwiseProblem &p, uint64_t *columns, uint64_t *nonzeros) {
  uint64_t cols = 0, nz = 0;
  std::vector<uint32_t> degree(p.num_vars(), 0);
  for (const auto &pr : p.pairs) {
    uint64_t k = static_cast<uint64_t>(p.K(pr.u)) * p.K(pr.v);
    cols += k;
    nz += 3 * k;
    ++degree[pr.u];
    ++degree[pr.v];
  }
  for (uint32_t v = 0; v < p.num_vars(); ++v)
    if (p.K(v) > 1) {
      cols += p.K(v);
      nz += static_cast<uint64_t>(p.K(v)) * (2 + degree[v]);
    }
  for (const auto &term : p.group_terms) {
    ++cols;
    for (const auto &clause : term.clauses) {
      ++nz;
      if (clause.size() == 2 && !clause[0].term && !clause[1].term)  // on the pair's e
        nz += clause[0].strategies.size() * clause[1].strategies.size();
      else
        for (const auto &lit : clause) nz += lit.term ? 1 : lit.strategies.size();
    }
  }
  *columns = cols;
  *nonzeros = nz;
}

IlpResult SolveIlp(const PairwiseProblem &p, const IlpOptions &options) {
  using Clock = std::chrono::steady_clock;
  IlpResult result;
  const bool with_memory = options.memory_budget > 0;
  const double memory_scale = with_memory ? 1.0 / options.memory_budget : 0.0;
  Layout l = Lay(p, with_memory);
  if (l.columns == 0) {  // every variable has a single strategy
    result.status = IlpResult::Status::Optimal;
    result.var_choice.assign(p.num_vars(), 0);
    result.objective = result.best_bound = p.Objective(result.var_choice);
    if (with_memory && p.Memory(result.var_choice) > options.memory_budget) result.status = IlpResult::Status::Infeasible;
    return result;
  }
  if (l.columns > std::numeric_limits<int>::max() / 4) throw std::runtime_error("ILP too large for CBC's int indices");

  // Group terms' clause rows (cbc_ilp.h). A clause over two variables is read off their
  // pair's e, y - sum_(a in S_u, b in S_v) e_uv[a,b] >= 0: the product form
  // y >= s_u[S_u] + s_v[S_v] - 1 leaves y at 0 for most fractional s, too weak a relaxation.
  // Others: y - sum(literals) >= 1 - size.
  std::unordered_map<uint64_t, uint32_t> pair_of;
  for (uint32_t i = 0; i < p.pairs.size(); ++i) pair_of.emplace(uint64_t{p.pairs[i].u} << 32 | p.pairs[i].v, i);
  struct Entry {
    int64_t col, row;
    double value;
  };
  std::vector<Entry> clause_entries;
  std::vector<double> clause_lb;
  for (size_t j = 0; j < p.group_terms.size(); ++j) {
    if (l.y_col[j] < 0) continue;
    int64_t row = l.y_row[j];
    for (const auto &clause : p.group_terms[j].clauses) {
      clause_entries.push_back({l.y_col[j], row, 1.0});
      auto pr = pair_of.end();
      if (clause.size() == 2 && !clause[0].term && !clause[1].term)
        pr = pair_of.find(uint64_t{std::min(clause[0].var, clause[1].var)} << 32 | std::max(clause[0].var, clause[1].var));
      if (pr != pair_of.end()) {
        const auto &pair = p.pairs[pr->second];
        const auto &lu = clause[0].var == pair.u ? clause[0] : clause[1], &lv = clause[0].var == pair.u ? clause[1] : clause[0];
        for (uint32_t a : lu.strategies)
          for (uint32_t b : lv.strategies) clause_entries.push_back({l.e_col[pr->second] + a * p.K(pair.v) + b, row, -1.0});
        clause_lb.push_back(0);
      } else {
        for (const auto &lit : clause)
          if (lit.term)
            clause_entries.push_back({l.y_col[lit.var], row, -1.0});
          else
            for (uint32_t k : lit.strategies) clause_entries.push_back({l.s_col[lit.var] + k, row, -1.0});
        clause_lb.push_back(1.0 - static_cast<double>(clause.size()));
      }
      ++row;
    }
  }
  // By column, then row: each column takes its run when it is emitted.
  std::stable_sort(clause_entries.begin(), clause_entries.end(), [](const Entry &a, const Entry &b) { return a.col < b.col; });
  size_t next_entry = 0;
  auto add_clause_entries = [&](int64_t col, std::vector<int> &index, std::vector<double> &value) {
    for (; next_entry < clause_entries.size() && clause_entries[next_entry].col == col; ++next_entry) {
      index.push_back(static_cast<int>(clause_entries[next_entry].row));
      value.push_back(clause_entries[next_entry].value);
    }
  };

  // Column-major matrix; every column's row indices come out ascending by construction.
  std::vector<int> start{0}, index;
  std::vector<double> value, obj, col_lb, col_ub;
  for (uint32_t v = 0; v < p.num_vars(); ++v) {
    if (l.s_col[v] < 0) continue;
    for (uint32_t k = 0; k < p.K(v); ++k) {
      index.push_back(static_cast<int>(l.node_row[v]));
      value.push_back(1);
      for (uint32_t i : l.pairs_of_var[v]) {
        const auto &pr = p.pairs[i];
        int64_t row = pr.u == v ? l.pair_row[i] + 1 + k : l.pair_row[i] + 1 + p.K(pr.u) + k;
        index.push_back(static_cast<int>(row));
        value.push_back(-1);
      }
      add_clause_entries(l.s_col[v] + k, index, value);
      if (with_memory && p.node_memory[v][k] != 0) {
        index.push_back(static_cast<int>(l.memory_row));
        value.push_back(p.node_memory[v][k] * memory_scale);
      }
      start.push_back(static_cast<int>(index.size()));
      obj.push_back(p.node_time[v][k] * kTimeScale);
    }
  }
  for (uint32_t i = 0; i < p.pairs.size(); ++i) {
    const auto &pr = p.pairs[i];
    const uint32_t ku = p.K(pr.u), kv = p.K(pr.v);
    for (uint32_t a = 0; a < ku; ++a)
      for (uint32_t b = 0; b < kv; ++b) {
        index.push_back(static_cast<int>(l.pair_row[i]));
        index.push_back(static_cast<int>(l.pair_row[i] + 1 + a));
        index.push_back(static_cast<int>(l.pair_row[i] + 1 + ku + b));
        value.insert(value.end(), {1.0, 1.0, 1.0});
        const size_t ab = static_cast<size_t>(a) * kv + b;
        add_clause_entries(l.e_col[i] + static_cast<int64_t>(ab), index, value);
        if (with_memory && !pr.memory.empty() && pr.memory[ab] != 0) {
          index.push_back(static_cast<int>(l.memory_row));
          value.push_back(pr.memory[ab] * memory_scale);
        }
        start.push_back(static_cast<int>(index.size()));
        obj.push_back(pr.cost[ab] * kTimeScale);
      }
  }
  // Group terms' y: continuous, since at integer s the least y meeting its rows is 0 or 1.
  for (size_t j = 0; j < p.group_terms.size(); ++j) {
    if (l.y_col[j] < 0) continue;
    add_clause_entries(l.y_col[j], index, value);
    if (with_memory && p.group_terms[j].memory != 0) {
      index.push_back(static_cast<int>(l.memory_row));
      value.push_back(p.group_terms[j].memory * memory_scale);
    }
    start.push_back(static_cast<int>(index.size()));
    obj.push_back(p.group_terms[j].time * kTimeScale);
  }
  col_lb.assign(static_cast<size_t>(l.columns), 0.0);
  col_ub.assign(static_cast<size_t>(l.columns), 1.0);
  std::vector<double> row_lb(static_cast<size_t>(l.rows)), row_ub(static_cast<size_t>(l.rows));
  const double inf = std::numeric_limits<double>::infinity();
  for (uint32_t v = 0; v < p.num_vars(); ++v)
    if (l.node_row[v] >= 0) row_lb[l.node_row[v]] = row_ub[l.node_row[v]] = 1;
  for (uint32_t i = 0; i < p.pairs.size(); ++i) {
    const auto &pr = p.pairs[i];
    row_lb[l.pair_row[i]] = row_ub[l.pair_row[i]] = 1;
    for (uint32_t r = 1; r <= p.K(pr.u) + p.K(pr.v); ++r) {
      row_lb[l.pair_row[i] + r] = -inf;
      row_ub[l.pair_row[i] + r] = 0;
    }
  }
  for (size_t r = 0; r < clause_lb.size(); ++r) {
    row_lb[l.clause_row + r] = clause_lb[r];
    row_ub[l.clause_row + r] = inf;
  }
  if (with_memory) {
    row_lb[l.memory_row] = -inf;
    row_ub[l.memory_row] = (options.memory_budget - p.constant_memory) * memory_scale;
  }
  result.columns = static_cast<uint64_t>(l.columns);
  result.integer_columns = static_cast<uint64_t>(l.integer_columns);
  result.rows = static_cast<uint64_t>(l.rows);
  result.nonzeros = index.size();

  std::unique_ptr<Cbc_Model, CbcDeleter> model(Cbc_newModel());
  Cbc_loadProblem(model.get(), static_cast<int>(l.columns), static_cast<int>(l.rows), start.data(), index.data(),
                  value.data(), col_lb.data(), col_ub.data(), obj.data(), row_lb.data(), row_ub.data());
  // The matrix copy lives in CBC now.
  std::vector<int>().swap(index);
  std::vector<double>().swap(value);
  for (int c = 0; c < static_cast<int>(l.integer_columns); ++c) Cbc_setInteger(model.get(), c);
  Cbc_setObjSense(model.get(), 1);
  Cbc_setMaximumSeconds(model.get(), options.time_limit);
  unsigned threads = options.threads > 0 ? static_cast<unsigned>(options.threads) : std::thread::hardware_concurrency();
  if (threads > 1) Cbc_setParameter(model.get(), "threads", std::to_string(threads).c_str());
  Cbc_setLogLevel(model.get(), options.verbose ? 1 : 0);

  auto t0 = Clock::now();
  Cbc_solve(model.get());
  result.solve_seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  const double *x = Cbc_bestSolution(model.get());
  if (Cbc_isProvenInfeasible(model.get())) {
    result.status = IlpResult::Status::Infeasible;
    return result;
  }
  if (x != nullptr) {
    result.var_choice.assign(p.num_vars(), 0);
    for (uint32_t v = 0; v < p.num_vars(); ++v) {
      if (l.s_col[v] < 0) continue;
      uint32_t best = 0;
      for (uint32_t k = 1; k < p.K(v); ++k)
        if (x[l.s_col[v] + k] > x[l.s_col[v] + best]) best = k;
      result.var_choice[v] = best;
    }
    result.objective = p.Objective(result.var_choice);
  }
  result.best_bound = Cbc_getBestPossibleObjValue(model.get()) / kTimeScale + p.constant_time;
  if (Cbc_isProvenOptimal(model.get()) && x != nullptr)
    result.status = IlpResult::Status::Optimal;
  else if (x != nullptr)
    result.status = IlpResult::Status::TimeLimitWithSolution;
  else if (Cbc_isSecondsLimitReached(model.get()))
    result.status = IlpResult::Status::TimeLimitNoSolution;
  else
    result.status = IlpResult::Status::Failed;
  return result;
}

}  // namespace cfp_bench
