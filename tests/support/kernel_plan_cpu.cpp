#include "support/kernel_plan_cpu.h"

#include <stdexcept>

#include "profile/kernel_steps.h"

namespace cfp_test {

using namespace cfp;
using namespace cfp::kernel;

CpuPlanExecutor::CpuPlanExecutor(KernelPlan plan) : plan_(std::move(plan)) {
  for (const KernelBuffer &b : plan_.buffers)
    buffers_.emplace_back(static_cast<size_t>(b.elements) * static_cast<size_t>(DTypeBytes(b.dtype)));
}

void CpuPlanExecutor::FillInputs(const std::map<uint32_t, std::vector<double>> &given, uint64_t seed) {
  for (const InputFill &f : plan_.inputs) {
    const KernelBuffer &b = plan_.buffers[f.tensor];
    void *data = buffers_[f.tensor].data();
    if (auto it = given.find(f.tensor); it != given.end()) {
      if (it->second.size() != static_cast<size_t>(b.elements)) throw std::invalid_argument("input size mismatch");
      for (int64_t i = 0; i < b.elements; ++i) {
        const double v = it->second[static_cast<size_t>(i)];
        if (IsFloatDType(b.dtype)) StoreFrom<float>(data, b.dtype, i, static_cast<float>(v));
        else StoreFrom<int64_t>(data, b.dtype, i, static_cast<int64_t>(v));
      }
      continue;
    }
    for (int64_t i = 0; i < b.elements; ++i) {
      if (f.kind == InputFill::Kind::Value) {
        if (IsFloatDType(b.dtype)) StoreFrom<float>(data, b.dtype, i, static_cast<float>(f.value));
        else StoreFrom<int64_t>(data, b.dtype, i, static_cast<int64_t>(f.value));
      } else {
        StoreRandom(data, b.dtype, i, InputSeed(seed, f.tensor), f.index_lo, f.index_hi);
      }
    }
  }
}

void CpuPlanExecutor::Run() {
  auto ptr = [&](int32_t b) -> void * { return buffers_[static_cast<size_t>(b)].data(); };
  for (const KernelStep &ks : plan_.steps) {
    if (const auto *m = std::get_if<MapStep>(&ks.step)) {
      const void *in[3] = {nullptr, nullptr, nullptr};
      for (int j = 0; j < m->num_inputs; ++j) in[j] = ptr(m->in[j].buffer);
      for (int64_t i = 0; i < m->count; ++i) {
        if (m->compute == ComputeType::Float) MapElement<float>(*m, ptr(m->out.buffer), in, i);
        else MapElement<int64_t>(*m, ptr(m->out.buffer), in, i);
      }
    } else if (const auto *r = std::get_if<ReduceStep>(&ks.step)) {
      for (int64_t o = 0; o < r->out_count; ++o) {
        const int64_t base = ReduceBase(*r, o);
        const int64_t dst = StridedOffset(o, r->out_rank, r->out_shape, r->out.stride, r->out.offset);
        if (r->compute == ComputeType::Float) {
          float acc = ReducePartial<float>(*r, ptr(r->in.buffer), base, 0, r->red_count, 1, ReduceInit<float>(r->kind));
          StoreFrom<float>(ptr(r->out.buffer), r->out.dtype, dst, acc);
        } else {
          int64_t acc = ReducePartial<int64_t>(*r, ptr(r->in.buffer), base, 0, r->red_count, 1, ReduceInit<int64_t>(r->kind));
          StoreFrom<int64_t>(ptr(r->out.buffer), r->out.dtype, dst, acc);
        }
      }
    } else if (const auto *g = std::get_if<GatherStep>(&ks.step)) {
      for (int64_t i = 0; i < g->num_ids * g->row_len; ++i) GatherElement(*g, ptr(g->out), ptr(g->table), ptr(g->ids), i);
    } else if (const auto *s = std::get_if<ScatterAddStep>(&ks.step)) {
      for (int64_t i = 0; i < s->num_ids * s->row_len; ++i) {
        const int64_t t = ScatterTarget(*s, ptr(s->ids), i);
        if (t < 0) continue;
        if (IsFloatDType(s->dtype)) {
          float v = LoadAs<float>(ptr(s->out), s->dtype, t) + LoadAs<float>(ptr(s->updates), s->dtype, i);
          StoreFrom<float>(ptr(s->out), s->dtype, t, v);
        } else {
          int64_t v = LoadAs<int64_t>(ptr(s->out), s->dtype, t) + LoadAs<int64_t>(ptr(s->updates), s->dtype, i);
          StoreFrom<int64_t>(ptr(s->out), s->dtype, t, v);
        }
      }
    } else if (const auto *gm = std::get_if<GemmStep>(&ks.step)) {
      for (int64_t b = 0; b < gm->batch; ++b)
        for (int64_t i = 0; i < gm->m; ++i)
          for (int64_t j = 0; j < gm->n; ++j) {
            if (IsFloatDType(gm->out_dtype)) GemmElement<float>(*gm, ptr(gm->out), ptr(gm->lhs), ptr(gm->rhs), b, i, j);
            else GemmElement<int64_t>(*gm, ptr(gm->out), ptr(gm->lhs), ptr(gm->rhs), b, i, j);
          }
    }
  }
}

std::vector<double> CpuPlanExecutor::Values(int32_t b) const {
  const KernelBuffer &kb = plan_.buffers[static_cast<size_t>(b)];
  std::vector<double> v(static_cast<size_t>(kb.elements));
  const void *data = buffers_[static_cast<size_t>(b)].data();
  for (int64_t i = 0; i < kb.elements; ++i)
    v[static_cast<size_t>(i)] = IsFloatDType(kb.dtype) ? LoadAs<float>(data, kb.dtype, i)
                                                       : static_cast<double>(LoadAs<int64_t>(data, kb.dtype, i));
  return v;
}

std::vector<std::vector<double>> EvaluateWithPlan(const Graph &graph, const std::map<uint32_t, std::vector<double>> &inputs,
                                                  uint64_t seed) {
  auto plan = LowerToKernels(graph);
  if (!plan.ok()) throw std::runtime_error(plan.status().message());
  CpuPlanExecutor exec(std::move(plan).value());
  exec.FillInputs(inputs, seed);
  exec.Run();
  std::vector<std::vector<double>> out;
  for (uint32_t t = 0; t < graph.num_tensors(); ++t) out.push_back(exec.Values(static_cast<int32_t>(t)));
  return out;
}

}  // namespace cfp_test
