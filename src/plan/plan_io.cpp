#include "plan/plan_io.h"

#include <cmath>
#include <cstdio>

#include "plan_generated.h"
#include "util/aligned_bytes.h"
#include "util/decode_budget.h"
#include "util/flatbuffers_verify.h"

namespace cfp {

std::vector<uint8_t> PlanToBuffer(const Plan &plan) {
  flatbuffers::FlatBufferBuilder b(1024 + plan.op_strategy.size() * 32 + plan.tensor_spec.size() * 48);
  std::vector<flatbuffers::Offset<fb::OpStrategy>> ops;
  ops.reserve(plan.op_strategy.size());
  for (size_t op = 0; op < plan.op_strategy.size(); ++op) {
    std::vector<int32_t> assignment;
    for (size_t m = 0; m < plan.mesh_shape.size(); ++m) assignment.push_back(plan.op_assignment[op].axis_of[m]);
    ops.push_back(fb::CreateOpStrategy(b, plan.op_strategy[op], b.CreateVector(assignment), plan.op_block[op]));
  }
  std::vector<flatbuffers::Offset<fb::Sharding>> tensors;
  tensors.reserve(plan.tensor_spec.size());
  for (const ShardingSpec &s : plan.tensor_spec) {
    std::vector<flatbuffers::Offset<fb::ShardingDim>> dims;
    for (const DimSharding &d : s.dims) dims.push_back(fb::CreateShardingDim(b, b.CreateVector(d.axes.data(), d.count)));
    std::vector<uint8_t> partial;
    for (uint8_t m = 0; m < 8; ++m)
      if (s.IsPartial(m)) partial.push_back(m);
    tensors.push_back(fb::CreateSharding(b, b.CreateVector(dims), b.CreateVector(partial)));
  }
  std::vector<flatbuffers::Offset<fb::Collective>> colls;
  for (const PlanCollective &c : plan.collectives) {
    std::vector<uint8_t> axes;
    for (uint8_t m = 0; m < 8; ++m)
      if ((c.mesh_axes >> m) & 1) axes.push_back(m);
    colls.push_back(fb::CreateCollective(b, static_cast<fb::CollectiveKind>(c.kind), c.tensor, b.CreateVector(axes),
                                         c.bytes, static_cast<int32_t>(c.before_op),
                                         c.time));
  }
  const SearchStats &st = plan.stats;
  auto stats = fb::CreateSearchStats(b, st.time_load, st.time_blocks, st.time_segments, st.time_costs, st.time_search, st.ops,
                                     st.blocks, st.segments, st.unique_segments, st.configurations_costed,
                                     st.configurations_profiled, st.configurations_reused, st.ops_outside_blocks);
  auto name = b.CreateString(plan.graph_name);
  auto mesh = b.CreateVector(plan.mesh_shape);
  auto cost_model = b.CreateString(plan.cost_model);
  auto ops_v = b.CreateVector(ops);
  auto tensors_v = b.CreateVector(tensors);
  auto colls_v = b.CreateVector(colls);
  auto device = b.CreateString(plan.device);
  auto notes = plan.cost_notes.empty() ? flatbuffers::Offset<flatbuffers::String>() : b.CreateString(plan.cost_notes);
  b.Finish(fb::CreatePlan(b, kPlanSchemaVersion, name, mesh, cost_model, plan.step_time, plan.compute_time, plan.comm_time,
                          plan.peak_memory, plan.memory_budget, plan.is_optimal, ops_v, tensors_v, colls_v, stats, device,
                          notes, plan.objective),
           fb::PlanIdentifier());
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

Result<Plan> PlanFromBuffer(const void *data, size_t size) {
  if (data == nullptr || size == 0) return InvalidData("plan buffer is empty");
  if (size < 8) return InvalidData("plan buffer is truncated: " + std::to_string(size) + " bytes");
  if (!flatbuffers::BufferHasIdentifier(data, fb::PlanIdentifier()))
    return InvalidData("not a libcfp plan: the file identifier is not 'CFPP'");
  if (size >= FLATBUFFERS_MAX_BUFFER_SIZE) return InvalidData("plan buffer exceeds 2 GiB");
  const AlignedBytes aligned(data, size);
  const uint8_t *bytes = aligned.data();
  flatbuffers::Verifier verifier(bytes, size, VerifierOptions(size));
  if (!fb::VerifyPlanBuffer(verifier)) return InvalidData("plan buffer failed verification (truncated or corrupted)");
  const fb::Plan *fp = fb::GetPlan(bytes);
  if (fp->schema_version() == 0 || fp->schema_version() > kPlanSchemaVersion)
    return InvalidData("plan uses schema version " + std::to_string(fp->schema_version()) + ", this library reads 1 to " +
                       std::to_string(kPlanSchemaVersion));
  // Everything copied or walked is charged first: a buffer whose tables share one long
  // vector would otherwise cost time or memory far beyond its size.
  DecodeBudget budget(size);
  auto over_budget = [&] { return InvalidData(budget.Explain("plan buffer")); };
  auto count = [](const auto *v) -> uint64_t { return v ? uint64_t{v->size()} : 0; };  // elements of a vector or string
  const uint64_t op_count = count(fp->ops()), tensor_count = count(fp->tensors()), coll_count = count(fp->collectives());
  if (!budget.Take(count(fp->graph_name()) + count(fp->device()) + count(fp->cost_model()) + count(fp->cost_notes()) +
                   count(fp->mesh_shape()) * sizeof(uint32_t) +
                   op_count * (sizeof(uint32_t) + sizeof(uint32_t) + sizeof(Strategy)) +
                   tensor_count * sizeof(ShardingSpec) + coll_count * sizeof(PlanCollective)))
    return over_budget();
  Plan plan;
  if (fp->graph_name()) plan.graph_name = fp->graph_name()->str();
  if (fp->device()) plan.device = fp->device()->str();
  if (fp->cost_model()) plan.cost_model = fp->cost_model()->str();
  if (fp->cost_notes()) plan.cost_notes = fp->cost_notes()->str();
  if (fp->mesh_shape()) plan.mesh_shape.assign(fp->mesh_shape()->begin(), fp->mesh_shape()->end());
  if (plan.mesh_shape.size() > kMaxMeshAxes) return InvalidData("plan has a mesh of more than 3 axes");
  for (size_t m = 0; m < plan.mesh_shape.size(); ++m)
    if (plan.mesh_shape[m] == 0) return InvalidData("plan mesh axis " + std::to_string(m) + " has size 0");
  const size_t nm = plan.mesh_shape.size();
  plan.step_time = fp->step_time();
  plan.compute_time = fp->compute_time();
  plan.comm_time = fp->comm_time();
  // Plans written before the objective was stored read it as NaN: their step time is the
  // best stand-in (exact whenever no tie-breaking penalty was set).
  plan.objective = std::isnan(fp->objective()) ? plan.step_time : fp->objective();
  plan.peak_memory = fp->peak_memory();
  plan.memory_budget = fp->memory_budget();
  plan.is_optimal = fp->is_optimal();
  if (fp->ops())
    for (const fb::OpStrategy *o : *fp->ops()) {
      if (!budget.Take(count(o->assignment()) * sizeof(int32_t))) return over_budget();
      plan.op_strategy.push_back(o->index());
      plan.op_block.push_back(o->block());
      Strategy s;
      if (o->assignment()) {
        if (o->assignment()->size() != nm) return InvalidData("an op strategy does not match the mesh");
        for (size_t m = 0; m < nm; ++m) {
          int32_t a = o->assignment()->Get(static_cast<flatbuffers::uoffset_t>(m));
          if (a < Strategy::kPending || a > INT16_MAX) return InvalidData("an op strategy names axis " + std::to_string(a));
          s.axis_of[m] = static_cast<int16_t>(a);
        }
      }
      plan.op_assignment.push_back(s);
    }
  if (fp->tensors())
    for (const fb::Sharding *t : *fp->tensors()) {
      if (!budget.Take(count(t->dims()) * sizeof(DimSharding) + count(t->partial()))) return over_budget();
      ShardingSpec spec;
      if (t->dims())
        for (const fb::ShardingDim *d : *t->dims()) {
          if (!budget.Take(count(d->mesh_axes()))) return over_budget();
          DimSharding ds;
          if (d->mesh_axes()) {
            if (d->mesh_axes()->size() > nm) return InvalidData("a tensor dim is split over more mesh axes than exist");
            for (uint8_t m : *d->mesh_axes()) {
              if (m >= nm) return InvalidData("a tensor is split over mesh axis " + std::to_string(m) + ", which does not exist");
              if (ds.Has(m)) return InvalidData("a tensor dim is split over mesh axis " + std::to_string(m) + " twice");
              ds.Push(m);
            }
          }
          spec.dims.push_back(ds);
        }
      if (t->partial())
        for (uint8_t m : *t->partial()) {
          if (m >= nm) return InvalidData("a tensor is partial over mesh axis " + std::to_string(m) + ", which does not exist");
          spec.partial |= static_cast<uint8_t>(1u << m);
        }
      plan.tensor_spec.push_back(std::move(spec));
    }
  if (fp->collectives())
    for (const fb::Collective *c : *fp->collectives()) {
      if (!budget.Take(count(c->mesh_axes()))) return over_budget();
      PlanCollective pc;
      // The schema's byte enum reads back whatever byte was stored, negative ones included.
      const int kind = static_cast<int>(c->kind());
      if (kind < 0 || kind > 3) return InvalidData("unknown collective kind " + std::to_string(kind));
      pc.kind = static_cast<CollectiveKind>(c->kind());
      pc.tensor = c->tensor();
      if (pc.tensor >= plan.tensor_spec.size()) return InvalidData("a collective names a tensor that does not exist");
      if (c->mesh_axes())
        for (uint8_t m : *c->mesh_axes()) {
          if (m >= nm) return InvalidData("a collective uses a mesh axis that does not exist");
          pc.mesh_axes |= static_cast<uint8_t>(1u << m);
        }
      pc.bytes = c->bytes();
      pc.before_op = c->before_op();
      pc.time = c->time();
      plan.collectives.push_back(pc);
    }
  if (const fb::SearchStats *st = fp->stats()) {
    plan.stats.time_load = st->time_load();
    plan.stats.time_blocks = st->time_blocks();
    plan.stats.time_segments = st->time_segments();
    plan.stats.time_costs = st->time_costs();
    plan.stats.time_search = st->time_search();
    plan.stats.ops = st->ops();
    plan.stats.blocks = st->blocks();
    plan.stats.segments = st->segments();
    plan.stats.unique_segments = st->unique_segments();
    plan.stats.configurations_costed = st->configurations_costed();
    plan.stats.configurations_profiled = st->configurations_profiled();
    plan.stats.configurations_reused = st->configurations_reused();
    plan.stats.ops_outside_blocks = st->ops_outside_blocks();
  }
  return plan;
}

namespace {

// Length of the well-formed UTF-8 sequence at s[i] (The Unicode Standard, table 3-7: no
// overlong forms, no surrogates, nothing past U+10FFFF), or 0 if none starts there.
size_t Utf8SequenceLength(const std::string &s, size_t i) {
  auto at = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  auto in = [](unsigned c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; };
  const unsigned b0 = at(0), b1 = at(1), b2 = at(2), b3 = at(3);
  if (b0 < 0x80) return 1;
  if (in(b0, 0xC2, 0xDF)) return in(b1, 0x80, 0xBF) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
    return in(b1, lo, hi) && in(b2, 0x80, 0xBF) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const unsigned lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
    return in(b1, lo, hi) && in(b2, 0x80, 0xBF) && in(b3, 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

// A JSON string that is valid UTF-8 whatever `s` holds: names come from graphs and plans
// written by anyone. Quotes, backslashes and control characters are escaped; well-formed
// UTF-8 is kept; each byte that does not start a well-formed sequence becomes U+FFFD,
// written as the escape \ufffd.
void JsonString(std::string &out, const std::string &s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else if (const size_t n = Utf8SequenceLength(s, i); n > 0) {
          out.append(s, i, n);
          i += n;
          continue;
        } else {
          out += "\\ufffd";
        }
    }
    ++i;
  }
  out += '"';
}

void JsonNumber(std::string &out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  out += buf;
}

}  // namespace

std::string PlanToJson(const Plan &plan) {
  std::string o = "{\n  \"graph\": ";
  JsonString(o, plan.graph_name);
  o += ",\n  \"device\": ";
  JsonString(o, plan.device);
  o += ",\n  \"cost_model\": ";
  JsonString(o, plan.cost_model);
  if (!plan.cost_notes.empty()) {
    o += ",\n  \"cost_notes\": ";
    JsonString(o, plan.cost_notes);
  }
  o += ",\n  \"mesh\": [";
  for (size_t i = 0; i < plan.mesh_shape.size(); ++i) o += (i ? ", " : "") + std::to_string(plan.mesh_shape[i]);
  o += "],\n  \"step_time\": ";
  JsonNumber(o, plan.step_time);
  o += ",\n  \"compute_time\": ";
  JsonNumber(o, plan.compute_time);
  o += ",\n  \"comm_time\": ";
  JsonNumber(o, plan.comm_time);
  o += ",\n  \"objective\": ";
  JsonNumber(o, plan.objective);
  o += ",\n  \"peak_memory\": " + std::to_string(plan.peak_memory);
  o += ",\n  \"memory_budget\": " + std::to_string(plan.memory_budget);
  o += ",\n  \"is_optimal\": ";
  o += plan.is_optimal ? "true" : "false";
  const SearchStats &s = plan.stats;
  o += ",\n  \"stats\": {\"time_load\": ";
  JsonNumber(o, s.time_load);
  o += ", \"time_blocks\": ";
  JsonNumber(o, s.time_blocks);
  o += ", \"time_segments\": ";
  JsonNumber(o, s.time_segments);
  o += ", \"time_costs\": ";
  JsonNumber(o, s.time_costs);
  o += ", \"time_search\": ";
  JsonNumber(o, s.time_search);
  o += ", \"ops\": " + std::to_string(s.ops) + ", \"blocks\": " + std::to_string(s.blocks) +
       ", \"segments\": " + std::to_string(s.segments) + ", \"unique_segments\": " + std::to_string(s.unique_segments) +
       ", \"configurations_costed\": " + std::to_string(s.configurations_costed) +
       ", \"configurations_profiled\": " + std::to_string(s.configurations_profiled) +
       ", \"configurations_reused\": " + std::to_string(s.configurations_reused) +
       ", \"ops_outside_blocks\": " + std::to_string(s.ops_outside_blocks) + "}";
  o += ",\n  \"ops\": [";
  for (size_t i = 0; i < plan.op_strategy.size(); ++i) {
    o += i ? ",\n    " : "\n    ";
    o += "{\"strategy\": " + std::to_string(plan.op_strategy[i]) + ", \"assignment\": [";
    for (size_t m = 0; m < plan.mesh_shape.size(); ++m) o += (m ? ", " : "") + std::to_string(plan.op_assignment[i].axis_of[m]);
    o += "], \"block\": ";
    o += plan.op_block[i] == UINT32_MAX ? std::string("null") : std::to_string(plan.op_block[i]);
    o += "}";
  }
  o += "\n  ],\n  \"tensors\": [";
  for (size_t i = 0; i < plan.tensor_spec.size(); ++i) {
    o += i ? ",\n    " : "\n    ";
    JsonString(o, plan.tensor_spec[i].ToString());
  }
  o += "\n  ],\n  \"collectives\": [";
  for (size_t i = 0; i < plan.collectives.size(); ++i) {
    const PlanCollective &c = plan.collectives[i];
    o += i ? ",\n    " : "\n    ";
    o += "{\"kind\": \"" + std::string(CollectiveKindName(c.kind)) + "\", \"tensor\": " + std::to_string(c.tensor) +
         ", \"mesh_axes\": [";
    bool first = true;
    for (int m = 0; m < 8; ++m)
      if ((c.mesh_axes >> m) & 1) {
        o += (first ? "" : ", ") + std::to_string(m);
        first = false;
      }
    o += "], \"bytes\": " + std::to_string(c.bytes);
    o += ", \"before_op\": " + std::to_string(c.before_op) + ", \"time\": ";
    JsonNumber(o, c.time);
    o += "}";
  }
  o += "\n  ]\n}\n";
  return o;
}

}  // namespace cfp
