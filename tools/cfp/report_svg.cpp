// cfp optimize --svg: a plan as one picture. Three panels:
//  1. the strategy map: one row per layer (scopes "<name>.<number>.<part>"), one column per
//     forward contraction of a layer, each cell split into one stripe per mesh axis colored
//     by what that axis splits (data/batch, column, row, ...);
//  2. the step-time breakdown: compute and each collective kind;
//  3. memory per device by tensor role, against the budget.
// Everything comes through the C API.
#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "cli.h"
#include "svg.h"

namespace cfp_cli {
namespace {

// What a mesh axis splits in a contraction, in Megatron / data-parallel words.
enum class AxisRole { Replicated, Data, Column, Row, Shared, Lhs, Rhs, Contracted };

const char *RoleLabel(AxisRole r) {
  switch (r) {
    case AxisRole::Replicated: return "replicated";
    case AxisRole::Data: return "data (activation rows)";
    case AxisRole::Column: return "column (weight output)";
    case AxisRole::Row: return "row (weight input, partial sum)";
    case AxisRole::Shared: return "batch / heads / experts";
    case AxisRole::Lhs: return "lhs rows";
    case AxisRole::Rhs: return "rhs columns";
    case AxisRole::Contracted: return "contracted (partial sum)";
  }
  return "?";
}

const char *RoleColor(AxisRole r) {
  switch (r) {
    case AxisRole::Replicated: return "#e4e4e4";
    case AxisRole::Data: return "#1f6fb2";
    case AxisRole::Column: return "#e67e22";
    case AxisRole::Row: return "#27ae60";
    case AxisRole::Shared: return "#8e44ad";
    case AxisRole::Lhs: return "#5dade2";
    case AxisRole::Rhs: return "#f5b041";
    case AxisRole::Contracted: return "#16a085";
  }
  return "#000";
}

uint32_t U32(cfp_status (*fn)(const cfp_graph *, uint32_t, uint32_t *), const cfp_graph *g, uint32_t id) {
  uint32_t v = 0;
  Check(fn(g, id, &v), "graph");
  return v;
}

// The operand of a contraction that is a weight (a parameter, possibly through casts).
int Weight(cfp_graph *g, uint32_t op) {
  uint32_t n = U32(cfp_graph_op_input_count, g, op);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t t = 0;
    Check(cfp_graph_op_input(g, op, i, &t), "input");
    for (int depth = 0; depth < 4; ++depth) {
      cfp_tensor_role role;
      Check(cfp_graph_tensor_role(g, t, &role), "role");
      if (role == CFP_ROLE_PARAMETER) return static_cast<int>(i);
      uint32_t prod = CFP_NO_OP;
      Check(cfp_graph_tensor_producer(g, t, &prod), "producer");
      if (prod == CFP_NO_OP || U32(cfp_graph_op_input_count, g, prod) != 1) break;
      Check(cfp_graph_op_input(g, prod, 0, &t), "input");
    }
  }
  return -1;
}

// Per mesh axis, the role of the iteration axis it splits under `strategy`.
std::vector<AxisRole> Roles(cfp_graph *g, cfp_options *o, uint32_t op, uint32_t strategy, size_t mesh_axes) {
  std::vector<AxisRole> roles(mesh_axes, AxisRole::Replicated);
  char buf[1024];
  size_t needed = 0;
  Check(cfp_op_strategy_describe(g, o, op, strategy, buf, sizeof buf, &needed), "describe strategy");
  std::string text = buf;
  auto sep = text.find(" : ");
  if (sep == std::string::npos) return roles;
  std::string assign = text.substr(0, sep), einsum = text.substr(sep + 3);
  auto arrow = einsum.find("->");
  if (arrow == std::string::npos) return roles;
  std::string ins = einsum.substr(0, arrow), out = einsum.substr(arrow + 2);
  auto comma = ins.find(',');
  if (comma == std::string::npos) return roles;
  std::string lhs = ins.substr(0, comma), rhs = ins.substr(comma + 1);
  const int weight = Weight(g, op);
  static const std::regex item(R"(a(\d+)<-\[(\d+)\])");
  for (std::sregex_iterator it(assign.begin(), assign.end(), item), end; it != end; ++it) {
    int axis = std::stoi((*it)[1]);
    if (axis >= 26) continue;
    char label = static_cast<char>('a' + axis);
    bool l = lhs.find(label) != std::string::npos, r = rhs.find(label) != std::string::npos,
         y = out.find(label) != std::string::npos;
    AxisRole role;
    if (weight >= 0) {
      bool w = weight == 0 ? l : r, act = weight == 0 ? r : l;
      role = w && act && y ? AxisRole::Shared : w && y ? AxisRole::Column : w && act ? AxisRole::Row : AxisRole::Data;
    } else {
      role = l && r && y ? AxisRole::Shared : l && y ? AxisRole::Lhs : r && y ? AxisRole::Rhs : AxisRole::Contracted;
    }
    for (char m : std::string((*it)[2]))
      if (m - '0' < static_cast<int>(mesh_axes)) roles[m - '0'] = role;
  }
  return roles;
}

struct LayerRow {
  std::string label;
  std::vector<std::vector<AxisRole>> cells;  // per contraction, per mesh axis
};

// Rows in order of first appearance: "layers.12" for "layers.12.attn", whole scopes
// otherwise; columns labelled by the scope's tail and the contraction's rank in it.
void StrategyMap(cfp_graph *g, cfp_options *o, cfp_plan *p, size_t mesh_axes, std::vector<LayerRow> &rows,
                 std::vector<std::string> &columns) {
  static const std::regex numbered(R"(^(.*?\.\d+)(\.(.*))?$)");
  std::map<std::string, size_t> row_of;
  uint32_t n = 0;
  Check(cfp_graph_op_count(g, &n), "op count");
  std::map<std::string, int> seen_in_row;
  for (uint32_t op = 0; op < n; ++op) {
    cfp_op_kind kind;
    cfp_phase phase;
    Check(cfp_graph_op_kind(g, op, &kind), "kind");
    Check(cfp_graph_op_phase(g, op, &phase), "phase");
    if (kind != CFP_OP_DOT || phase != CFP_PHASE_FORWARD) continue;
    const char *scope = nullptr;
    Check(cfp_graph_op_scope(g, op, &scope), "scope");
    std::string s = scope && *scope ? scope : "(no scope)";
    std::smatch m;
    std::string row = s, part = "";
    if (std::regex_match(s, m, numbered)) {
      row = m[1];
      part = m[3];
    }
    auto [it, inserted] = row_of.try_emplace(row, rows.size());
    if (inserted) rows.push_back({row, {}});
    LayerRow &lr = rows[it->second];
    int k = seen_in_row[row + "|" + part]++;
    std::string col = (part.empty() ? std::string("dot") : part) + " " + std::to_string(k + 1);
    // Numbered layers share columns; other scopes just append.
    size_t c = lr.cells.size();
    if (!part.empty() || row != s) {
      auto pos = std::find(columns.begin(), columns.end(), col);
      if (pos == columns.end()) columns.push_back(col), pos = columns.end() - 1;
      c = static_cast<size_t>(pos - columns.begin());
    } else if (c >= columns.size()) {
      columns.push_back(col);
    }
    uint32_t strategy = 0;
    Check(cfp_plan_op_strategy(p, op, &strategy), "strategy");
    if (lr.cells.size() <= c) lr.cells.resize(c + 1);
    lr.cells[c] = Roles(g, o, op, strategy, mesh_axes);
  }
}

// Bytes one device holds of a tensor laid out as "[0,-] partial{1}".
double LocalBytes(cfp_graph *g, cfp_plan *p, uint32_t t, const std::vector<uint32_t> &mesh) {
  uint32_t rank = 0;
  cfp_dtype dtype;
  Check(cfp_graph_tensor_rank(g, t, &rank), "rank");
  Check(cfp_graph_tensor_dtype(g, t, &dtype), "dtype");
  static const double kSize[] = {4, 2, 2, 1, 4, 8, 1};
  double bytes = kSize[dtype];
  for (uint32_t d = 0; d < rank; ++d) {
    int64_t dim = 0;
    Check(cfp_graph_tensor_dim(g, t, d, &dim), "dim");
    bytes *= static_cast<double>(dim);
  }
  char buf[256];
  Check(cfp_plan_tensor_sharding(p, t, buf, sizeof buf, nullptr), "sharding");
  std::string spec = buf;
  double shards = 1;
  for (size_t i = 0; i < spec.size() && spec[i] != ']'; ++i)
    if (spec[i] >= '0' && spec[i] <= '9' && static_cast<size_t>(spec[i] - '0') < mesh.size()) shards *= mesh[spec[i] - '0'];
  return bytes / shards;
}

// Memory per device by role, following the cost model's accounting (docs of
// cfp_plan_peak_memory): stored state, weight gradients, activations kept for the backward pass.
std::vector<std::pair<std::string, double>> MemoryByRole(cfp_graph *g, cfp_plan *p, const std::vector<uint32_t> &mesh) {
  uint32_t n_ops = 0, n_t = 0;
  Check(cfp_graph_op_count(g, &n_ops), "ops");
  Check(cfp_graph_tensor_count(g, &n_t), "tensors");
  std::vector<uint8_t> read_in_backward(n_t, 0), read_by_update(n_t, 0), read(n_t, 0);
  for (uint32_t op = 0; op < n_ops; ++op) {
    cfp_phase ph;
    Check(cfp_graph_op_phase(g, op, &ph), "phase");
    uint32_t k = U32(cfp_graph_op_input_count, g, op);
    for (uint32_t i = 0; i < k; ++i) {
      uint32_t t = 0;
      Check(cfp_graph_op_input(g, op, i, &t), "input");
      read[t] = 1;
      read_in_backward[t] |= ph == CFP_PHASE_BACKWARD;
      read_by_update[t] |= ph == CFP_PHASE_UPDATE;
    }
  }
  double params = 0, states = 0, data = 0, grads = 0, acts = 0;
  for (uint32_t t = 0; t < n_t; ++t) {
    cfp_tensor_role role;
    uint32_t prod = CFP_NO_OP;
    Check(cfp_graph_tensor_role(g, t, &role), "role");
    Check(cfp_graph_tensor_producer(g, t, &prod), "producer");
    const bool input = prod == CFP_NO_OP;
    double *bucket = nullptr;
    if (input && role == CFP_ROLE_PARAMETER) bucket = &params;
    else if (input && role == CFP_ROLE_OPTIMIZER_STATE) bucket = &states;
    else if (input && role == CFP_ROLE_DATA_INPUT) bucket = &data;
    else if (role == CFP_ROLE_GRADIENT && read_by_update[t]) bucket = &grads;
    else if (role == CFP_ROLE_ACTIVATION && !input && read_in_backward[t]) {
      cfp_phase ph;
      Check(cfp_graph_op_phase(g, prod, &ph), "phase");
      if (ph == CFP_PHASE_FORWARD) bucket = &acts;
    }
    if (bucket) *bucket += LocalBytes(g, p, t, mesh);
  }
  return {{"parameters", params}, {"optimizer states", states}, {"weight gradients", grads},
          {"activations kept", acts}, {"data inputs", data}};
}

double JsonNumberField(const std::string &json, const std::string &key) {
  auto pos = json.find("\"" + key + "\": ");
  if (pos == std::string::npos) return 0;
  return std::strtod(json.c_str() + pos + key.size() + 4, nullptr);
}

}  // namespace

std::string PlanSvg(cfp_graph *g, cfp_options *o, cfp_plan *p, const std::vector<uint32_t> &mesh, const std::string &title) {
  std::vector<LayerRow> rows;
  std::vector<std::string> columns;
  StrategyMap(g, o, p, mesh.size(), rows, columns);

  double step = 0, compute = 0, comm = 0;
  uint64_t peak = 0;
  Check(cfp_plan_step_time(p, &step), "step time");
  Check(cfp_plan_compute_time(p, &compute), "compute");
  Check(cfp_plan_comm_time(p, &comm), "comm");
  Check(cfp_plan_peak_memory(p, &peak), "memory");
  cfp_bytes *json_raw = nullptr;
  Check(cfp_plan_to_json(p, &json_raw), "json");
  std::string json(static_cast<const char *>(cfp_bytes_data(json_raw)), cfp_bytes_size(json_raw));
  cfp_bytes_destroy(json_raw);
  const double budget = JsonNumberField(json, "memory_budget");

  static const char *kKind[] = {"all-reduce", "all-gather", "reduce-scatter", "all-to-all"};
  static const char *kKindColor[] = {"#c0392b", "#2980b9", "#27ae60", "#8e44ad"};
  double by_kind[4] = {0, 0, 0, 0};
  uint32_t n_coll = 0;
  Check(cfp_plan_collective_count(p, &n_coll), "collectives");
  for (uint32_t i = 0; i < n_coll; ++i) {
    cfp_collective_kind kind;
    double t = 0;
    Check(cfp_plan_collective(p, i, &kind, nullptr, nullptr, nullptr, nullptr, &t), "collective");
    if (const auto k = static_cast<uint32_t>(kind); k < 4) by_kind[k] += t;  // kinds added later are not drawn
  }

  // Layout.
  const double W = 900, margin = 24, label_w = 150;
  const double map_top = 110;
  const double cell_w = std::max(18.0, std::min(70.0, (W - 2 * margin - label_w - 230) / std::max<size_t>(1, columns.size())));
  const double row_h = std::max(4.0, std::min(18.0, 620.0 / std::max<size_t>(1, rows.size())));
  const double map_h = row_h * static_cast<double>(rows.size());
  const double legend_bottom = map_top + 8 * 18;
  const double bars_top = std::max(map_top + map_h, legend_bottom) + 60;
  const double H = bars_top + 300;
  cfp_svg::Svg svg(W, H);

  std::string mesh_text;
  for (size_t i = 0; i < mesh.size(); ++i) mesh_text += (i ? "x" : "") + std::to_string(mesh[i]);
  svg.Text(margin, 30, title + " on a " + mesh_text + " mesh", 17, "start", "font-weight=\"bold\"");
  svg.Text(margin, 52,
           "step " + HumanTime(step) + " (compute " + HumanTime(compute) + ", communication " + HumanTime(comm) +
               "), peak memory " + HumanBytes(static_cast<double>(peak)) + " per device",
           12);

  // 1. Strategy map.
  svg.Text(margin, map_top - 30, "Forward contractions per layer; each cell has one stripe per mesh axis (left = axis 0)",
           12, "start", "font-weight=\"bold\"");
  const double map_left = margin + label_w;
  for (size_t c = 0; c < columns.size(); ++c)
    svg.Text(map_left + (static_cast<double>(c) + 0.5) * cell_w, map_top - 4, columns[c], 9, "middle");
  const int label_every = static_cast<int>(std::ceil(11.0 / row_h));
  for (size_t r = 0; r < rows.size(); ++r) {
    const double y = map_top + static_cast<double>(r) * row_h;
    if (r % static_cast<size_t>(label_every) == 0 || rows.size() < 40)
      svg.Text(map_left - 6, y + std::min(row_h, 11.0) - 1, rows[r].label, std::min(10.0, row_h + 2), "end");
    for (size_t c = 0; c < rows[r].cells.size(); ++c) {
      const auto &roles = rows[r].cells[c];
      if (roles.empty()) continue;
      const double x = map_left + static_cast<double>(c) * cell_w;
      const double stripe = (cell_w - 2) / static_cast<double>(roles.size());
      for (size_t m = 0; m < roles.size(); ++m)
        svg.Rect(x + 1 + static_cast<double>(m) * stripe, y, stripe, std::max(1.0, row_h - 1), RoleColor(roles[m]));
    }
  }
  // Legend.
  const double legend_x = map_left + static_cast<double>(columns.size()) * cell_w + 24;
  double ly = map_top;
  for (AxisRole r : {AxisRole::Data, AxisRole::Column, AxisRole::Row, AxisRole::Shared, AxisRole::Lhs, AxisRole::Rhs,
                     AxisRole::Contracted, AxisRole::Replicated}) {
    svg.Rect(legend_x, ly, 14, 12, RoleColor(r));
    svg.Text(legend_x + 20, ly + 10, RoleLabel(r), 11);
    ly += 18;
  }

  // 2. Step-time breakdown.
  const double bar_w = W - 2 * margin - 200;
  svg.Text(margin, bars_top - 12, "Step time: compute and each collective kind", 12, "start", "font-weight=\"bold\"");
  double x = margin;
  const double total = std::max(step, 1e-30);
  std::vector<std::pair<std::string, std::pair<double, std::string>>> parts = {{"compute", {compute, "#7f8c8d"}}};
  for (int k = 0; k < 4; ++k) parts.push_back({kKind[k], {by_kind[k], kKindColor[k]}});
  for (const auto &[name, v] : parts) {
    double w = v.first / total * bar_w;
    if (w > 0) svg.Rect(x, bars_top, w, 26, v.second);
    x += w;
  }
  double ty = bars_top + 44;
  for (const auto &[name, v] : parts) {
    svg.Rect(margin, ty - 10, 12, 12, v.second);
    svg.Text(margin + 18, ty, name + "  " + HumanTime(v.first) + " (" + cfp_svg::Num(100 * v.first / total) + "%)", 11);
    ty += 16;
  }

  // 3. Memory against the budget: one bar to the budget's scale, one zoomed to the total.
  const double mem_top = bars_top + 155;
  svg.Text(margin, mem_top - 12, "Memory per device by tensor role, against the budget", 12, "start", "font-weight=\"bold\"");
  auto roles = MemoryByRole(g, p, mesh);
  double counted = 0;
  for (const auto &[n, b] : roles) counted += b;
  // Whatever the role buckets miss (should be nothing) stays visible as its own bucket.
  if (static_cast<double>(peak) > counted * (1 + 1e-9)) roles.push_back({"other", static_cast<double>(peak) - counted});
  static const char *kMemColor[] = {"#1f6fb2", "#e67e22", "#27ae60", "#8e44ad", "#95a5a6", "#34495e"};
  auto stacked = [&](double top, double scale_max) {
    double bx = margin;
    for (size_t i = 0; i < roles.size(); ++i) {
      double w = roles[i].second / scale_max * bar_w;
      if (w > 0) svg.Rect(bx, top, w, 22, kMemColor[i]);
      bx += w;
    }
  };
  const double budget_scale = std::max({static_cast<double>(peak), budget, 1.0}) * 1.05;
  stacked(mem_top, budget_scale);
  svg.Rect(margin, mem_top, bar_w, 22, "none", "stroke=\"#999\"");
  if (budget > 0) {
    double bx = margin + budget / budget_scale * bar_w;
    svg.Line(bx, mem_top - 6, bx, mem_top + 28, "#c0392b", 2);
    svg.Text(bx, mem_top - 9, "budget " + HumanBytes(budget), 11, "end", "fill=\"#c0392b\"");
    svg.Text(margin, mem_top + 38,
             HumanBytes(static_cast<double>(peak)) + " = " + cfp_svg::Num(100.0 * static_cast<double>(peak) / budget) +
                 "% of the budget" + (static_cast<double>(peak) > budget ? " (over the budget)" : ""),
             11);
  }
  svg.Text(margin, mem_top + 66, "breakdown of the total:", 11);
  stacked(mem_top + 74, std::max(static_cast<double>(peak), counted) * 1.0001);
  double my = mem_top + 10;
  const double mx = margin + bar_w + 16;
  for (size_t i = 0; i < roles.size(); ++i) {
    svg.Rect(mx, my - 10, 12, 12, kMemColor[i]);
    svg.Text(mx + 18, my, roles[i].first + " " + HumanBytes(roles[i].second), 11);
    my += 16;
  }
  svg.Text(mx, my + 4, "total " + HumanBytes(static_cast<double>(peak)), 11, "start", "font-weight=\"bold\"");
  return svg.Finish();
}

}  // namespace cfp_cli
