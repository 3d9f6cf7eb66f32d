// plan_bench's outputs: Markdown tables, CSV, and the scaling plot (SVG).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bench_record.h"

namespace cfp_bench {

struct CaseRow {
  std::string label;  // "gpt3-175b"
  std::string spec;   // what cfp_model_build got
  std::string mesh;   // "8x8"
  bool sweep = false; // a scaling-sweep case (plot only)
  Record rec;
};

struct ReportContext {
  std::string command;  // the exact command line
  std::string machine;  // CPU model, cores, memory
  double ilp_time_limit = 600;  // the run's default
  std::vector<std::pair<std::string, double>> ilp_limit_overrides;  // per model, mesh or model@mesh
  std::string library_version;
};

std::string MarkdownReport(const std::vector<CaseRow> &rows, const ReportContext &ctx);
std::string CsvReport(const std::vector<CaseRow> &rows);
// Search time against operator count, libcfp and the ILP, both axes logarithmic.
std::string ScalingSvg(const std::vector<CaseRow> &rows, const ReportContext &ctx);

}  // namespace cfp_bench
