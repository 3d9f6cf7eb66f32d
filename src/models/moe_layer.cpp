#include "models/moe_layer.h"

#include "models/feed_forward.h"

namespace cfp {

uint32_t MoeLayer(ModelContext &m, uint32_t x) {
  OpEmitter &e = m.e();
  const ModelSpec &s = m.spec();
  const int64_t B = s.batch, S = s.seq, H = s.hidden, F = s.ffn, E = s.experts, K = s.top_k;
  const int64_t Sg = s.group, G = B * S / Sg, C = s.capacity();
  const uint32_t xg = Sg == S ? x : e.Reshape(x, {G, Sg, H});  // [G,Sg,H]

  // Gating in f32: gates[g,s,e] = softmax_e(x · w_gate).
  const uint32_t w_gate = e.Parameter(m.scope() + ".w_gate", {H, E}, DType::F32);
  const uint32_t gates = m.SoftmaxF32(e.MatMul(m.Cast(xg, DType::F32), w_gate));
  const std::vector<int64_t> gse = {G, Sg, E}, gsec = {G, Sg, E, C};
  const uint32_t one = m.Const(1.0, DType::F32), zero = m.Const(0.0, DType::F32);

  // chosen[g,s,e] = 1 for the top-k experts of each token.
  uint32_t chosen = kNoId, remaining = gates;
  for (int64_t round = 0; round < K; ++round) {
    const uint32_t best = m.BroadcastTo(e.Reduce(OpKind::ReduceMax, remaining, {2}), gse, {0, 1});
    const uint32_t is_best = e.Compare(remaining, best, Comparison::GE);
    const uint32_t pick = e.Select(is_best, one, zero);
    chosen = chosen == kNoId ? pick : e.Add(chosen, pick);
    // Gates lie in [0, 1], so -1 takes a chosen expert out of the next round.
    if (round + 1 < K) {
      const uint32_t out_of_play = m.Const(-1.0, DType::F32);
      remaining = e.Select(is_best, out_of_play, remaining);
    }
  }
  // Combine weights: the chosen gates renormalized to sum to one per token.
  const uint32_t chosen_gates = e.Mul(gates, chosen);
  const uint32_t norm = m.BroadcastTo(e.Reduce(OpKind::ReduceSum, chosen_gates, {2}), gse, {0, 1});
  const uint32_t weights = e.Div(chosen_gates, norm);

  // Slot of each token in its expert's buffer: the number of earlier tokens of the group
  // routed to the same expert, an exclusive cumulative sum written as a dot with a
  // strictly lower-triangular matrix earlier[t,s] = (s < t).
  const uint32_t row = e.Iota({Sg, Sg}, DType::I32, 0);
  const uint32_t col = e.Iota({Sg, Sg}, DType::I32, 1);
  const uint32_t earlier = e.Select(e.Compare(row, col, Comparison::GT), one, zero);
  const uint32_t slot = e.Transpose(e.Dot(earlier, chosen, {}, {}, {1}, {1}), {1, 0, 2});  // [G,Sg,E]
  // dispatch[g,s,e,c] = chosen[g,s,e] and slot[g,s,e] == c; no slot past the capacity.
  const uint32_t slot_b = m.BroadcastTo(slot, gsec, {0, 1, 2});
  const uint32_t in_slot = e.Compare(slot_b, e.Iota(gsec, DType::F32, 3), Comparison::EQ);
  const uint32_t dispatch = e.Select(in_slot, m.BroadcastTo(chosen, gsec, {0, 1, 2}), zero);
  const uint32_t combine = e.Mul(dispatch, m.BroadcastTo(weights, gsec, {0, 1, 2}));

  // Dispatch: GSEC,GSH->GECH, experts first: EGCH.
  const uint32_t expert_in = e.Transpose(e.Dot(m.Cast(dispatch, m.compute()), xg, {0}, {0}, {1}, {1}), {1, 0, 2, 3});
  // Experts: EGCH,EHF->EGCF, gelu, EGCF,EFH->EGCH, each with its own bias.
  const std::vector<int64_t> egcf = {E, G, C, F}, egch = {E, G, C, H};
  uint32_t h = e.Dot(expert_in, m.Weight("experts.w_in", {E, H, F}), {0}, {0}, {3}, {1});
  const uint32_t b_in = m.Weight("experts.b_in", {E, F});
  h = Gelu(m, e.Add(h, m.BroadcastTo(b_in, egcf, {0, 3})));
  uint32_t y = e.Dot(h, m.Weight("experts.w_out", {E, F, H}), {0}, {0}, {3}, {1});
  const uint32_t b_out = m.Weight("experts.b_out", {E, H});
  y = e.Add(y, m.BroadcastTo(b_out, egch, {0, 3}));
  // Combine: GSEC,EGCH->GSH.
  const uint32_t out = e.Dot(m.Cast(combine, m.compute()), y, {0}, {1}, {2, 3}, {0, 2});
  return Sg == S ? out : e.Reshape(out, {B, S, H});
}

}  // namespace cfp
