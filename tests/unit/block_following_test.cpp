// How the members of a ParallelBlock follow its entry (docs/design.md §5), checked on the block of a
// GPT layer's second MLP product: its gradient products split as the entry does (Megatron's
// backward), and under the row-parallel strategy the pending sum is reduce-scattered where
// that pays (sequence-parallel style) and all-reduced where the tensor is too small.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "blocks/block.h"
#include "blocks/block_costs.h"
#include "cost/cost_model.h"
#include "models/model_zoo.h"
#include "planner/planner.h"

namespace cfp {
namespace {

struct Fixture {
  Graph g;
  CostModel model;
  BlockPartition blocks;
  uint32_t block = kNoId;  // the second MLP product's
  BlockTable table;

  explicit Fixture(const std::string &spec, uint32_t devices)
      : g(BuildModel(spec).value()),
        model(g, Mesh::Create({devices}, *DevicePreset("h100-sxm"), 8).value(), *DevicePreset("h100-sxm"), {}, {}),
        blocks(BuildBlocks(g)) {
    for (uint32_t b : blocks.order) {
      const Block &blk = blocks.blocks[b];
      if (blk.kind == BlockKind::Contraction && g.op(blk.entry_op).scope.find("mlp") != std::string::npos) block = b;
    }
    if (block != kNoId) table = CostBlock(blocks.blocks[block], blocks, model);
  }
  const Block &Get() const { return blocks.blocks[block]; }
  const Strategy &MemberStrategy(uint32_t k, uint32_t op) const {
    return model.strategies(op)[table.member_choice[k][blocks.index_in_block[op]]];
  }
  // The first row (least compute) or the last (propagation) whose entry strategy makes
  // the product a pending sum: Megatron's row-parallel layer.
  uint32_t RowParallel(bool propagation = false) const {
    const uint32_t entry = Get().entry_op;
    uint32_t found = UINT32_MAX;
    for (uint32_t k = 0; k < table.size(); ++k)
      if (model.OutputSpec(entry, 0, model.strategies(entry)[table.entry_of_row[k]]).partial) {
        if (!propagation) return k;
        found = k;
      }
    return found;
  }
};

uint32_t SlotOf(const std::vector<uint32_t> &v, uint32_t t) {
  return static_cast<uint32_t>(std::find(v.begin(), v.end(), t) - v.begin());
}

TEST(BlockFollowing, GradientProductsSplitAsTheEntry) {
  Fixture f("gpt:layers=1,hidden=256,heads=4,seq=128,batch=8,vocab=1000", 4);
  ASSERT_NE(f.block, kNoId);
  const uint32_t entry = f.Get().entry_op;
  const auto &entry_inputs = f.g.op(entry).inputs;
  int partners = 0;
  for (uint32_t k = 0; k < f.table.size(); ++k) {
    const Strategy &es = f.model.strategies(entry)[f.table.entry_of_row[k]];
    for (uint32_t op : f.Get().members) {
      const Op &o = f.g.op(op);
      if (o.grad_of != static_cast<int32_t>(entry) || !IsContraction(o.kind)) continue;
      ++partners;
      const Strategy &s = f.MemberStrategy(k, op);
      int checked = 0;
      // An operand the entry reads too (dX = dY·Wᵀ reads W) is read in the entry's layout.
      for (uint32_t slot = 0; slot < o.inputs.size(); ++slot) {
        const uint32_t es_slot = SlotOf(entry_inputs, o.inputs[slot]);
        if (es_slot == entry_inputs.size()) continue;
        EXPECT_EQ(f.model.InputSpec(op, slot, s), f.model.InputSpec(entry, es_slot, es)) << o.name << " at " << k;
        ++checked;
      }
      // The gradient of an entry operand (dW = Xᵀ·dY) sums to that operand's layout.
      for (uint32_t j = 0; j < o.outputs.size(); ++j) {
        const int32_t of = f.g.tensor(o.outputs[j]).gradient_of;
        const uint32_t es_slot = of < 0 ? UINT32_MAX : SlotOf(entry_inputs, static_cast<uint32_t>(of));
        if (es_slot >= entry_inputs.size()) continue;
        EXPECT_EQ(Summed(f.model.OutputSpec(op, j, s)), f.model.InputSpec(entry, es_slot, es)) << o.name << " at " << k;
        ++checked;
      }
      EXPECT_GT(checked, 0) << o.name;
    }
  }
  EXPECT_EQ(partners, 2 * static_cast<int>(f.table.size())) << "dX and dW for every strategy";
}

// The consumers in the block of the row-parallel product's pending sum, and the layout each
// receives it in.
std::vector<ShardingSpec> ReceivedSums(const Fixture &f, bool propagation = false) {
  const uint32_t k = f.RowParallel(propagation);
  EXPECT_NE(k, UINT32_MAX);
  std::vector<ShardingSpec> received;
  if (k == UINT32_MAX) return received;
  const uint32_t y = f.g.op(f.Get().entry_op).outputs[0];
  for (uint32_t c : f.g.consumers(y)) {
    if (f.blocks.block_of_op[c] != f.block) continue;
    received.push_back(f.model.InputSpec(c, SlotOf(f.g.op(c).inputs, y), f.MemberStrategy(k, c)));
  }
  return received;
}

TEST(BlockFollowing, LargeRowParallelSumsAreReduceScattered) {
  Fixture f("gpt:layers=1,hidden=2048,heads=16,seq=1024,batch=8,vocab=1000", 8);
  ASSERT_NE(f.block, kNoId);
  const std::vector<ShardingSpec> received = ReceivedSums(f);
  ASSERT_FALSE(received.empty());
  for (const ShardingSpec &s : received) {
    EXPECT_FALSE(s.partial) << s.ToString();
    EXPECT_EQ(s.ShardCount(f.model.mesh()), 8u) << "split over the mesh: " << s.ToString();
  }
}

TEST(BlockFollowing, SmallRowParallelSumsAreAllReduced) {
  Fixture f("gpt:layers=1,hidden=16,heads=2,seq=8,batch=8,vocab=64", 8);
  ASSERT_NE(f.block, kNoId);
  const std::vector<ShardingSpec> received = ReceivedSums(f);
  ASSERT_FALSE(received.empty());
  for (const ShardingSpec &s : received) EXPECT_TRUE(s.IsFullyReplicated()) << s.ToString();
}

// Beside the least-compute row, the row-parallel strategy has a propagation row: its sum
// is all-reduced, not split further, whatever splitting would save locally.
TEST(BlockFollowing, PropagationRowAllReducesLargeSums) {
  Fixture f("gpt:layers=1,hidden=2048,heads=16,seq=1024,batch=8,vocab=1000", 8);
  ASSERT_NE(f.block, kNoId);
  const uint32_t entry = f.Get().entry_op;
  const uint32_t y = f.g.op(entry).outputs[0];
  bool summed = false, scattered = false;
  for (uint32_t k = 0; k < f.table.size(); ++k) {
    if (!f.model.OutputSpec(entry, 0, f.model.strategies(entry)[f.table.entry_of_row[k]]).partial) continue;
    bool all_summed = true, all_split = true;
    for (uint32_t c : f.g.consumers(y)) {
      if (f.blocks.block_of_op[c] != f.block) continue;
      const ShardingSpec s = f.model.InputSpec(c, SlotOf(f.g.op(c).inputs, y), f.MemberStrategy(k, c));
      all_summed &= s.IsFullyReplicated();
      all_split &= !s.partial && s.ShardCount(f.model.mesh()) == 8;
    }
    summed |= all_summed;
    scattered |= all_split;
  }
  EXPECT_TRUE(summed) << "a row all-reduces the row-parallel sum";
  EXPECT_TRUE(scattered) << "a row reduce-scatters it";
}

// Under a replicated entry some row computes every member replicated: the plan without
// collectives inside the block is in the space the search sees.
TEST(BlockFollowing, ReplicatedEntryKeepsItsMembersReplicated) {
  Fixture f("gpt:layers=1,hidden=256,heads=4,seq=128,batch=8,vocab=1000", 4);
  ASSERT_NE(f.block, kNoId);
  const uint32_t entry = f.Get().entry_op;
  bool found = false;
  for (uint32_t k = 0; k < f.table.size() && !found; ++k) {
    if (WorkShards(f.model.strategies(entry)[f.table.entry_of_row[k]], f.model.mesh()) != 1) continue;
    bool all = true;
    for (uint32_t op : f.Get().members) {
      const Strategy &s = f.MemberStrategy(k, op);
      all &= WorkShards(s, f.model.mesh()) == 1 && !s.HasPending();
    }
    found = all;
  }
  EXPECT_TRUE(found);
}

// Two pending sums added are reduced once: the gradients of Q, K and V with respect to
// their shared input, under the column-parallel strategy, are added as pending sums in a
// row of the projection block and all-reduced after the adds.
TEST(BlockFollowing, PendingSumsAreCarriedThroughAdds) {
  Graph g = BuildModel("gpt:layers=1,hidden=256,heads=4,seq=128,batch=8,vocab=1000").value();
  const DeviceSpec device = *DevicePreset("h100-sxm");
  CostModel model(g, Mesh::Create({4}, device, 8).value(), device, {}, {});
  const BlockPartition &blocks = model.blocks();
  bool carried = false;
  for (const Block &b : blocks.blocks) {
    if (b.entries.size() != 3) continue;  // Q, K and V
    const BlockTable table = CostBlock(b, blocks, model);
    for (uint32_t k = 0; k < table.size(); ++k)
      for (uint32_t i = 0; i < b.members.size(); ++i) {
        const Op &o = g.op(b.members[i]);
        if (o.kind != OpKind::Add || o.phase != Phase::Backward) continue;
        const Strategy &s = model.strategies(b.members[i])[table.member_choice[k][i]];
        carried |= s.HasPending() && model.InputSpec(b.members[i], 0, s).partial && model.InputSpec(b.members[i], 1, s).partial;
      }
  }
  EXPECT_TRUE(carried);
}

}  // namespace
}  // namespace cfp
