#include "bench_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "svg.h"

namespace cfp_bench {
namespace {

const char *kPlans[] = {"dp", "megatron", "zero2", "zero3"};

std::string Fmt(const char *fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// Seconds with three significant digits in a readable unit.
std::string Seconds(std::optional<double> s) {
  if (!s) return "—";
  double v = *s;
  if (v >= 100) return Fmt("%.0f s", v);
  if (v >= 1) return Fmt("%.3g s", v);
  if (v >= 1e-3) return Fmt("%.3g ms", v * 1e3);
  return Fmt("%.3g µs", v * 1e6);
}

std::string Mib(std::optional<double> bytes) { return bytes ? Fmt("%.0f", *bytes / (1024.0 * 1024.0)) : "—"; }
std::string Gib(std::optional<double> bytes) { return bytes ? Fmt("%.1f", *bytes / (1024.0 * 1024.0 * 1024.0)) : "—"; }
// Memory in the unit that keeps two or three digits.
std::string Memory(std::optional<double> bytes) {
  if (!bytes) return "—";
  const double gib = 1024.0 * 1024.0 * 1024.0;
  if (*bytes >= 1024 * gib) return Fmt("%.3g TiB", *bytes / (1024 * gib));
  if (*bytes >= gib) return Fmt("%.3g GiB", *bytes / gib);
  return Fmt("%.3g MiB", *bytes / (1024.0 * 1024.0));
}
std::string Count(std::optional<double> v) { return v ? Fmt("%.0f", *v) : "—"; }
std::string Ratio(std::optional<double> v) {
  if (!v) return "—";
  if (*v >= 100) return Fmt("%.0f×", *v);
  if (*v >= 10) return Fmt("%.1f×", *v);
  return Fmt("%.3f×", *v);
}
std::string Big(double v) {
  if (v < 1e6) return Fmt("%.0f", v);
  int e = static_cast<int>(std::floor(std::log10(v)));
  return Fmt("%.1f", v / std::pow(10.0, e)) + "e" + std::to_string(e);
}

bool IlpSolved(const Record &r) { return r.Text("ilp_status") == "optimal"; }
bool IlpHasPlan(const Record &r) { return r.Has("ilp_step_s"); }

// libcfp's search (without loading the graph), the quantity compared with the ILP's
// build + solve.
std::optional<double> CfpSearch(const Record &r) { return r.Number("cfp_total_s"); }

std::optional<double> Speedup(const Record &r) {
  auto cfp = CfpSearch(r), ilp = r.Number("ilp_total_s");
  if (!cfp || !ilp || *cfp <= 0) return std::nullopt;
  return *ilp / *cfp;
}

std::optional<double> CostRatio(const Record &r) {
  auto cfp = r.Number("cfp_step_s"), ilp = r.Number("ilp_step_s");
  if (!cfp || !ilp || *ilp <= 0) return std::nullopt;
  return *cfp / *ilp;
}

bool Fits(const Record &r, const std::string &plan) {
  auto budget = r.Number("budget_bytes"), mem = r.Number(plan + "_memory_bytes");
  if (!budget || *budget == 0 || !mem) return true;  // no budget: everything fits
  return *mem <= *budget;
}

// The best manual plan that fits the budget, as a multiple of libcfp's step time.
std::optional<double> BestManualRatio(const Record &r, std::string *which) {
  auto cfp = r.Number("cfp_step_s");
  if (!cfp || *cfp <= 0) return std::nullopt;
  std::optional<double> best;
  for (const char *p : kPlans) {
    auto step = r.Number(std::string(p) + "_step_s");
    if (!step || !Fits(r, p)) continue;
    if (!best || *step < *best) {
      best = step;
      if (which) *which = p;
    }
  }
  if (!best) return std::nullopt;
  return *best / *cfp;
}

std::string IlpStatusCell(const Record &r) {
  std::string s = r.Text("ilp_status");
  if (s.empty()) s = r.Has("ilp_error") ? "error" : "not run";
  return s;
}

std::string Label(const CaseRow &row) { return row.label; }

// " (gpt3-175b@1x8: 400 s, ...)" when some cases had their own ILP limit.
std::string LimitOverrides(const ReportContext &ctx) {
  if (ctx.ilp_limit_overrides.empty()) return "";
  std::string s = " by default (";
  for (size_t i = 0; i < ctx.ilp_limit_overrides.size(); ++i)
    s += (i ? ", " : "") + ctx.ilp_limit_overrides[i].first + ": " + Fmt("%.0f", ctx.ilp_limit_overrides[i].second) + " s";
  return s + ")";
}

}  // namespace

std::string MarkdownReport(const std::vector<CaseRow> &rows, const ReportContext &ctx) {
  std::string md;
  md += "Command: `" + ctx.command + "`  \nMachine: " + ctx.machine + "  \nlibcfp " + ctx.library_version +
        ", analytic cost model, device h100-sxm (80 GiB budget per device unless marked), ILP time limit " +
        Fmt("%.0f", ctx.ilp_time_limit) + " s" + LimitOverrides(ctx) + ".\n\n";

  md += "**libcfp: phases and structure.** Times are the library's own statistics; *total* = "
        "load + blocks + segments + costs + search. RSS: peak resident memory of the process "
        "that built, loaded and optimized the graph.\n\n";
  md += "| model | mesh | ops | blocks | segments (unique) | configs costed | load | blocks | segments | costs | search | "
        "total | peak RSS MiB | optimal |\n";
  md += "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|\n";
  for (const CaseRow &row : rows) {
    const Record &r = row.rec;
    std::optional<double> total;
    if (auto s = r.Number("cfp_total_s"); s && r.Number("load_s")) total = *s + *r.Number("load_s");
    std::string status = r.Text("cfp_status");
    std::string optimal = status == "ok" ? (r.Number("cfp_optimal").value_or(0) ? "yes" : "no")
                                         : (status.empty() ? "error" : status);
    md += "| " + Label(row) + " | " + row.mesh + " | " + Count(r.Number("ops")) + " | " + Count(r.Number("blocks")) +
          " | " + Count(r.Number("segments")) + " (" + Count(r.Number("unique_segments")) + ") | " +
          Count(r.Number("configs_costed")) + " | " + Seconds(r.Number("load_s")) + " | " +
          Seconds(r.Number("cfp_blocks_s")) + " | " + Seconds(r.Number("cfp_segments_s")) + " | " +
          Seconds(r.Number("cfp_costs_s")) + " | " + Seconds(r.Number("cfp_search_s")) + " | " + Seconds(total) + " | " +
          Mib(r.Number("rss_bytes")) + " | " + optimal + " |\n";
  }

  md += "\n**Against the Alpa-style ILP** (operator level, same strategies and cost model, CBC). "
        "Times exclude loading the graph: libcfp = blocks + segments + costs + search; ILP = "
        "building its cost matrices + solving. Plan cost = predicted step time of each plan "
        "priced by `cfp_evaluate`; a ratio above 1 means libcfp's plan is slower.\n\n";
  md += "| model | mesh | ILP nodes / edges | ILP columns | ILP status | ILP time | libcfp time | speedup | libcfp step | "
        "ILP step | plan cost libcfp/ILP |\n";
  md += "|---|---|--:|--:|---|--:|--:|--:|--:|--:|--:|\n";
  for (const CaseRow &row : rows) {
    const Record &r = row.rec;
    std::string speed = Ratio(Speedup(r));
    if (!IlpSolved(r) && Speedup(r)) speed = "> " + speed;  // the ILP had not finished
    std::string ilp_time = Seconds(r.Number("ilp_total_s"));
    if (!r.Has("ilp_total_s") && r.Has("ilp_wall_s")) ilp_time = "> " + Seconds(r.Number("ilp_wall_s"));
    md += "| " + Label(row) + " | " + row.mesh + " | " + Count(r.Number("ilp_vars")) + " / " +
          Count(r.Number("ilp_pairs")) + " | " + Count(r.Number("ilp_columns")) + " | " + IlpStatusCell(r) + " | " +
          ilp_time + " | " + Seconds(CfpSearch(r)) + " | " + speed + " | " + Seconds(r.Number("cfp_step_s")) + " | " +
          Seconds(r.Number("ilp_step_s")) + " | " + (IlpHasPlan(r) ? Ratio(CostRatio(r)) : "—") + " |\n";
  }

  md += "\n**Against manual plans**, predicted step time (memory per device); * marks a "
        "plan over the budget. *best manual / libcfp* compares with the fastest manual plan "
        "that fits: at least 1 means libcfp is never worse. Budget \"none\": no plan fits the "
        "device, so every search ran without a memory limit.\n\n";
  md += "| model | mesh | budget GiB | libcfp | dp | megatron | zero2 | zero3 | best manual / libcfp |\n";
  md += "|---|---|--:|--:|--:|--:|--:|--:|--:|\n";
  for (const CaseRow &row : rows) {
    if (row.sweep) continue;
    const Record &r = row.rec;
    auto cell = [&](const std::string &p) {
      auto step = r.Number(p + "_step_s");
      if (!step) return std::string("—");
      return Seconds(step) + " (" + Memory(r.Number(p + "_memory_bytes")) + ")" + (Fits(r, p) ? "" : "*");
    };
    std::string which;
    auto best = BestManualRatio(r, &which);
    std::string budget = r.Number("budget_lifted").value_or(0) ? "none" : Gib(r.Number("budget_bytes"));
    md += "| " + Label(row) + " | " + row.mesh + " | " + budget + " | " + cell("cfp") + " | " + cell("dp") + " | " +
          cell("megatron") + " | " + cell("zero2") + " | " + cell("zero3") + " | " +
          (best ? Ratio(best) + " (" + which + ")" : "—") + " |\n";
  }

  md += "\n**Configurations to cost or profile**: CFP's method profiles every combination of "
        "the block strategies of each unique segment (their product); libcfp costs each "
        "unique block's strategies once (their sum).\n\n";
  md += "| model | mesh | CFP (product per unique segment) | libcfp (sum over unique blocks) | reduction |\n";
  md += "|---|---|--:|--:|--:|\n";
  for (const CaseRow &row : rows) {
    if (row.sweep) continue;
    const Record &r = row.rec;
    auto product = r.Number("configs_cfp_product"), sum = r.Number("configs_costed");
    if (!sum) sum = r.Number("configs_block_sum");
    md += "| " + Label(row) + " | " + row.mesh + " | " + (product ? Big(*product) : "—") + " | " + Count(sum) + " | " +
          (product && sum && *sum > 0 ? (*product / *sum >= 1e6 ? Big(*product / *sum) + "×" : Ratio(*product / *sum)) : "—") + " |\n";
  }
  // Anything that failed, verbatim, so a reader sees why a cell is empty.
  std::string notes;
  for (const CaseRow &row : rows)
    for (const char *key : {"infeasible", "cfp_error", "worker_error", "ilp_error", "child_error"})
      if (row.rec.Has(key)) notes += "- " + row.label + " " + row.mesh + ", " + key + ": " + row.rec.Text(key) + "\n";
  if (!notes.empty()) md += "\nNotes:\n\n" + notes;
  return md;
}

std::string CsvReport(const std::vector<CaseRow> &rows) {
  static const char *kKeys[] = {
      "ops", "tensors", "parameters", "build_s", "load_s", "budget_bytes", "budget_lifted", "infeasible",
      "cfp_status", "cfp_error", "cfp_blocks_s", "cfp_segments_s", "cfp_costs_s", "cfp_search_s", "cfp_total_s",
      "cfp_optimal", "blocks", "segments", "unique_segments", "configs_costed", "ops_outside_blocks", "cfp_step_s",
      "cfp_compute_s", "cfp_comm_s", "cfp_memory_bytes", "rss_bytes", "dp_step_s", "dp_memory_bytes", "dp_fallbacks",
      "megatron_step_s", "megatron_memory_bytes", "megatron_fallbacks", "zero2_step_s", "zero2_memory_bytes",
      "zero2_fallbacks", "zero3_step_s", "zero3_memory_bytes", "zero3_fallbacks", "configs_cfp_product",
      "configs_block_sum", "bench_segments", "bench_unique_segments", "ilp_status", "ilp_vars", "ilp_followers",
      "ilp_pairs", "ilp_columns", "ilp_rows", "ilp_nonzeros", "ilp_build_s", "ilp_solve_s", "ilp_total_s",
      "ilp_bound_s", "ilp_objective_s", "ilp_step_s", "ilp_memory_bytes", "ilp_rss_bytes", "ilp_wall_s",
      "worker_error", "ilp_error", "child_error"};
  auto quote = [](const std::string &s) {
    if (s.find_first_of(",\"") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  std::string csv = "model,spec,mesh,sweep";
  for (const char *k : kKeys) csv += std::string(",") + k;
  csv += ",speedup,cost_ratio,best_manual_ratio\n";
  for (const CaseRow &row : rows) {
    csv += quote(row.label) + "," + quote(row.spec) + "," + row.mesh + "," + (row.sweep ? "1" : "0");
    for (const char *k : kKeys) csv += "," + quote(row.rec.Text(k));
    auto num = [](std::optional<double> v) { return v ? Fmt("%.6g", *v) : std::string(); };
    csv += "," + num(Speedup(row.rec)) + "," + num(CostRatio(row.rec)) + "," + num(BestManualRatio(row.rec, nullptr)) + "\n";
  }
  return csv;
}

std::string ScalingSvg(const std::vector<CaseRow> &rows, const ReportContext &ctx) {
  struct Point {
    double ops, seconds;
    bool finished;
    size_t mesh;  // index into `meshes`: the marker's shape
  };
  std::vector<std::string> meshes;
  auto mesh_index = [&](const std::string &m) {
    auto it = std::find(meshes.begin(), meshes.end(), m);
    if (it != meshes.end()) return static_cast<size_t>(it - meshes.begin());
    meshes.push_back(m);
    return meshes.size() - 1;
  };
  std::vector<Point> cfp, ilp;
  for (const CaseRow &row : rows) {
    const Record &r = row.rec;
    auto ops = r.Number("ops");
    if (!ops) continue;
    const size_t m = mesh_index(row.mesh);
    if (auto s = CfpSearch(r)) cfp.push_back({*ops, *s, r.Text("cfp_status") == "ok", m});
    if (auto s = r.Number("ilp_total_s")) ilp.push_back({*ops, *s, IlpSolved(r), m});
    else if (auto w = r.Number("ilp_wall_s")) ilp.push_back({*ops, *w, false, m});
  }
  const double W = 780, H = 500, left = 80, right = 220, top = 50, bottom = 60;
  const double pw = W - left - right, ph = H - top - bottom;
  double xmin = 1e30, xmax = 0, ymin = 1e30, ymax = 0;
  for (const auto *series : {&cfp, &ilp})
    for (const Point &p : *series) {
      xmin = std::min(xmin, p.ops), xmax = std::max(xmax, p.ops);
      ymin = std::min(ymin, p.seconds), ymax = std::max(ymax, p.seconds);
    }
  if (xmax == 0) xmin = 1, xmax = 10, ymin = 1e-3, ymax = 1;
  if (!ilp.empty() && ctx.ilp_time_limit > 0) ymax = std::max(ymax, ctx.ilp_time_limit);
  for (const CaseRow &row : rows)
    if (auto l = row.rec.Number("ilp_limit_s"); l && !ilp.empty()) ymax = std::max(ymax, *l);
  const double lx0 = std::floor(std::log10(xmin)), lx1 = std::max(lx0 + 1, std::ceil(std::log10(xmax)));
  const double ly0 = std::floor(std::log10(std::max(ymin, 1e-9))), ly1 = std::max(ly0 + 1, std::ceil(std::log10(ymax)));
  auto X = [&](double v) { return left + (std::log10(v) - lx0) / (lx1 - lx0) * pw; };
  auto Y = [&](double v) { return top + ph - (std::log10(std::max(v, 1e-9)) - ly0) / (ly1 - ly0) * ph; };
  auto ops_label = [](double v) {
    if (v >= 1e6) return Fmt("%.0fM", v / 1e6);
    if (v >= 1e3) return Fmt("%.0fk", v / 1e3);
    return Fmt("%.0f", v);
  };

  cfp_svg::Svg svg(W, H);
  svg.Text(left, 28, "Search time vs operators (log-log): libcfp and the Alpa-style ILP", 15, "start", "font-weight=\"bold\"");
  svg.Rect(left, top, pw, ph, "none", "stroke=\"#444\"");
  for (double e = lx0; e <= lx1; ++e)
    for (int k = 1; k < 10 && e + std::log10(k) <= lx1; ++k) {
      double x = X(k * std::pow(10.0, e));
      svg.Line(x, top, x, top + ph, k == 1 ? "#ccc" : "#eee");
      if (k == 1 || k == 2 || k == 5) svg.Text(x, top + ph + 18, ops_label(k * std::pow(10.0, e)), 11, "middle");
    }
  for (double e = ly0; e <= ly1; ++e) {
    double y = Y(std::pow(10.0, e));
    svg.Line(left, y, left + pw, y, "#ccc");
    svg.Text(left - 6, y + 4, Seconds(std::pow(10.0, e)), 11, "end");
  }
  svg.Text(left + pw / 2, H - 18, "operators in the training graph", 12, "middle");
  svg.Text(18, top + ph / 2, "search time", 12, "middle", "transform=\"rotate(-90 18 " + cfp_svg::Num(top + ph / 2) + ")\"");
  if (!ilp.empty() && ctx.ilp_time_limit > 0) {
    svg.Line(left, Y(ctx.ilp_time_limit), left + pw, Y(ctx.ilp_time_limit), "#c0392b", 1, "stroke-dasharray=\"5,4\"");
    svg.Text(left + 6, Y(ctx.ilp_time_limit) - 5, ctx.ilp_limit_overrides.empty() ? "ILP time limit" : "ILP time limit (default)", 11, "start", "fill=\"#c0392b\"");
  }
  // Circle, square, triangle: one shape per mesh.
  auto marker = [&](double x, double y, size_t mesh, const std::string &fill, const std::string &stroke) {
    const double r = 5;
    switch (mesh % 3) {
      case 0: svg.Circle(x, y, r, fill, stroke); break;
      case 1: svg.Rect(x - r, y - r, 2 * r, 2 * r, fill, "stroke=\"" + stroke + "\" stroke-width=\"1.5\""); break;
      default:
        svg.Raw("<polygon points=\"" + cfp_svg::Num(x) + "," + cfp_svg::Num(y - r - 1) + " " + cfp_svg::Num(x - r - 1) + "," +
                cfp_svg::Num(y + r) + " " + cfp_svg::Num(x + r + 1) + "," + cfp_svg::Num(y + r) + "\" fill=\"" + fill +
                "\" stroke=\"" + stroke + "\" stroke-width=\"1.5\"/>");
    }
  };
  const char *kIlp = "#c0392b", *kCfp = "#1f6fb2";
  for (const Point &p : ilp) marker(X(p.ops), Y(p.seconds), p.mesh, p.finished ? kIlp : "white", kIlp);
  for (const Point &p : cfp) marker(X(p.ops), Y(p.seconds), p.mesh, p.finished ? kCfp : "white", kCfp);
  const double lx = left + pw + 16;
  double ly = top + 10;
  auto legend = [&](const std::string &fill, const std::string &stroke, size_t shape, const std::string &text) {
    marker(lx + 6, ly, shape, fill, stroke);
    svg.Text(lx + 18, ly + 4, text, 12);
    ly += 22;
  };
  legend(kCfp, kCfp, 0, "libcfp");
  legend(kIlp, kIlp, 0, "ILP, proven optimal");
  legend("white", kIlp, 0, "ILP, stopped (limit,");
  svg.Text(lx + 18, ly - 4, "memory or crash)", 12);
  ly += 14;
  for (size_t m = 0; m < meshes.size(); ++m) legend("#888", "#888", m, "mesh " + meshes[m]);
  ly += 8;
  for (const char *line : {"libcfp: blocks + segments +", "costs + search; ILP: cost", "matrices + CBC solve."})
    svg.Text(lx, ly, line, 11, "start", "fill=\"#555\""), ly += 15;
  return svg.Finish();
}

}  // namespace cfp_bench
