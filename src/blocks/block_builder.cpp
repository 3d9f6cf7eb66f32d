#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <tuple>

#include "blocks/block.h"

namespace cfp {

uint32_t BlockPartition::OpsInKind(BlockKind k) const {
  uint32_t n = 0;
  for (const Block &b : blocks)
    if (b.kind == k) n += static_cast<uint32_t>(b.members.size());
  return n;
}

namespace {

class Builder {
 public:
  explicit Builder(const Graph &g) : g_(g), block_of_(g.num_ops(), kNoId), pos_(g.num_ops()) {
    for (uint32_t i = 0; i < g.num_ops(); ++i) pos_[g.topo_order()[i]] = i;
  }

  BlockPartition Run() {
    ParameterBlocks();
    ContractionEntries();
    ForwardFollowers();
    AbsorbOperands(Phase::Forward);
    LeftoverComponents(Phase::Forward);
    BackwardPartners();
    AbsorbOperands(std::nullopt);
    LeftoverComponents(std::nullopt);
    return Finish();
  }

 private:
  bool Assigned(uint32_t op) const { return block_of_[op] != kNoId; }
  bool IsParamBlock(uint32_t b) const { return blocks_[b].kind == BlockKind::Parameter; }
  bool IsConstant(uint32_t t) const { return g_.tensor(t).role == TensorRole::Constant; }

  uint32_t NewBlock(BlockKind kind, uint32_t entry_op, uint32_t entry_tensor) {
    blocks_.push_back(Block{kind, entry_op, {}, entry_tensor, {}});
    if (entry_op != kNoId) blocks_.back().entries.push_back(entry_op);
    return static_cast<uint32_t>(blocks_.size() - 1);
  }
  void Join(uint32_t op, uint32_t b) { block_of_[op] = b; }

  // 1. A parameter, the same-shape unary ops applied to it (casts), and its optimizer
  //    update: the ops of the update phase connected to it, not through rank-0 tensors
  //    (hyper-parameters, global scalars) and not into another parameter's update.
  void ParameterBlocks() {
    for (uint32_t p = 0; p < g_.num_tensors(); ++p) {
      const Tensor &param = g_.tensor(p);
      if (param.role != TensorRole::Parameter || g_.producer(p) != kNoId) continue;
      uint32_t b = NewBlock(BlockKind::Parameter, kNoId, p);
      std::vector<uint32_t> tensors{p};
      std::vector<uint32_t> updates;
      for (size_t i = 0; i < tensors.size(); ++i)
        for (uint32_t c : g_.consumers(tensors[i])) {
          if (Assigned(c)) continue;
          const Op &op = g_.op(c);
          if (op.phase == Phase::Update) {
            Join(c, b);
            updates.push_back(c);
          } else if (op.phase == Phase::Forward && op.inputs.size() == 1 && op.outputs.size() == 1 &&
                     IsUnaryElementwise(op.kind) && g_.tensor(op.outputs[0]).shape == param.shape) {
            Join(c, b);
            tensors.push_back(op.outputs[0]);
          }
        }
      for (size_t i = 0; i < updates.size(); ++i) {
        const Op &op = g_.op(updates[i]);
        auto visit = [&](uint32_t t) {
          if (g_.tensor(t).shape.empty()) return;
          if (g_.tensor(t).role == TensorRole::Parameter && t != p && g_.producer(t) == kNoId) return;
          uint32_t prod = g_.producer(t);
          if (prod != kNoId && !Assigned(prod) && g_.op(prod).phase == Phase::Update) {
            Join(prod, b);
            updates.push_back(prod);
          }
          for (uint32_t c : g_.consumers(t))
            if (!Assigned(c) && g_.op(c).phase == Phase::Update && !ReadsOtherParameter(c, p)) {
              Join(c, b);
              updates.push_back(c);
            }
        };
        for (uint32_t t : op.inputs) visit(t);
        for (uint32_t t : op.outputs) visit(t);
      }
    }
  }

  bool ReadsOtherParameter(uint32_t op, uint32_t p) const {
    for (uint32_t t : g_.op(op).inputs)
      if (t != p && g_.tensor(t).role == TensorRole::Parameter && g_.producer(t) == kNoId) return true;
    return false;
  }

  // A parameter, or a tensor computed from one by single-input ops (a cast, a transpose).
  bool ParameterDerived(uint32_t t) const {
    for (int depth = 0; depth < 8; ++depth) {
      if (g_.tensor(t).role == TensorRole::Parameter && g_.producer(t) == kNoId) return true;
      uint32_t prod = g_.producer(t);
      if (prod == kNoId || g_.op(prod).inputs.size() != 1) return false;
      t = g_.op(prod).inputs[0];
    }
    return false;
  }

  // 2. Every forward contraction starts a block, except that projections of one activation
  //    by weights with the same iteration space (Q, K and V; a gated MLP's two inputs) share
  //    one: their strategies are searched together, as a fused projection would be.
  void ContractionEntries() {
    std::map<std::tuple<uint32_t, uint32_t, uint64_t>, uint32_t> projection_block;
    for (uint32_t op : g_.topo_order()) {
      const Op &o = g_.op(op);
      if (Assigned(op) || o.phase != Phase::Forward || !IsContraction(o.kind)) continue;
      std::optional<std::tuple<uint32_t, uint32_t, uint64_t>> key;
      if (o.inputs.size() == 2)
        for (uint32_t slot = 0; slot < 2; ++slot)
          if (!ParameterDerived(o.inputs[slot]) && ParameterDerived(o.inputs[1 - slot]))
            key = std::make_tuple(o.inputs[slot], slot, g_.space(op).Hash());
      if (key) {
        auto it = projection_block.find(*key);
        if (it != projection_block.end() && g_.space(blocks_[it->second].entry_op) == g_.space(op)) {
          Join(op, it->second);
          blocks_[it->second].entries.push_back(op);
          continue;
        }
      }
      uint32_t b = NewBlock(BlockKind::Contraction, op, kNoId);
      Join(op, b);
      if (key) projection_block[*key] = b;
    }
  }

  // The block of the latest-produced non-constant input that lies in a non-parameter block.
  uint32_t LatestProducerBlock(uint32_t op) const {
    uint32_t best = kNoId, best_pos = 0;
    for (uint32_t t : g_.op(op).inputs) {
      if (IsConstant(t)) continue;
      uint32_t prod = g_.producer(t);
      if (prod == kNoId || !Assigned(prod) || IsParamBlock(block_of_[prod])) continue;
      if (best == kNoId || pos_[prod] > best_pos) {
        best = block_of_[prod];
        best_pos = pos_[prod];
      }
    }
    return best;
  }

  // 3. Forward ops join the block of their latest-produced input: elementwise ops,
  //    reductions, reshapes... follow the entry until the next entry. A residual add joins
  //    the block that produced its newer operand.
  void ForwardFollowers() {
    for (uint32_t op : g_.topo_order()) {
      if (Assigned(op) || g_.op(op).phase != Phase::Forward) continue;
      uint32_t b = LatestProducerBlock(op);
      if (b != kNoId) Join(op, b);
    }
  }

  // 4. Ops whose results all feed one block join it (a bias broadcast, a mask, a weight's
  //    transpose). Reverse topological order so chains are absorbed from the consumer side.
  void AbsorbOperands(std::optional<Phase> phase) {
    const auto &topo = g_.topo_order();
    for (auto it = topo.rbegin(); it != topo.rend(); ++it) {
      uint32_t op = *it;
      if (Assigned(op) || (phase && g_.op(op).phase != *phase)) continue;
      uint32_t target = kNoId;
      bool single = true, any = false;
      for (uint32_t t : g_.op(op).outputs)
        for (uint32_t c : g_.consumers(t)) {
          if (!Assigned(c)) {
            single = false;
            continue;
          }
          any = true;
          if (target == kNoId) target = block_of_[c];
          else if (target != block_of_[c]) single = false;
        }
      if (single && any && !IsParamBlock(target)) Join(op, target);
    }
  }

  // 5. Backward ops join the block of the forward op they differentiate (the gradient
  //    hint), else the block that produced the forward tensor whose gradient they read,
  //    else the block of their latest-produced input.
  void BackwardPartners() {
    for (uint32_t op : g_.topo_order()) {
      if (Assigned(op) || g_.op(op).phase == Phase::Forward) continue;
      const Op &o = g_.op(op);
      uint32_t b = kNoId;
      if (o.grad_of >= 0 && Assigned(static_cast<uint32_t>(o.grad_of))) b = block_of_[o.grad_of];
      if (b == kNoId)
        for (uint32_t t : o.inputs) {
          int32_t fwd = g_.tensor(t).gradient_of;
          if (fwd < 0) continue;
          uint32_t prod = g_.producer(static_cast<uint32_t>(fwd));
          if (prod != kNoId && Assigned(prod)) {
            b = block_of_[prod];
            break;
          }
        }
      if (b == kNoId) b = LatestProducerBlock(op);
      if (b != kNoId) Join(op, b);
    }
  }

  // 6. What no rule reached: connected groups (through non-constant tensors), each a block
  //    whose entry is its largest op.
  void LeftoverComponents(std::optional<Phase> phase) {
    std::vector<uint32_t> parent(g_.num_ops());
    std::iota(parent.begin(), parent.end(), 0);
    auto find = [&](uint32_t x) {
      while (parent[x] != x) x = parent[x] = parent[parent[x]];
      return x;
    };
    auto eligible = [&](uint32_t op) { return !Assigned(op) && (!phase || g_.op(op).phase == *phase); };
    for (uint32_t t = 0; t < g_.num_tensors(); ++t) {
      if (IsConstant(t)) continue;
      uint32_t prod = g_.producer(t);
      if (prod == kNoId || !eligible(prod)) continue;
      for (uint32_t c : g_.consumers(t))
        if (eligible(c)) parent[find(c)] = find(prod);
    }
    std::vector<uint32_t> block_of_root(g_.num_ops(), kNoId);
    // Entry of each component: most iteration points, then earliest.
    std::vector<uint32_t> entry(g_.num_ops(), kNoId);
    for (uint32_t op : g_.topo_order()) {
      if (!eligible(op)) continue;
      uint32_t r = find(op);
      if (entry[r] == kNoId || g_.space(op).Points() > g_.space(entry[r]).Points()) entry[r] = op;
    }
    for (uint32_t op : g_.topo_order()) {
      if (!eligible(op)) continue;
      uint32_t r = find(op);
      if (block_of_root[r] == kNoId) block_of_root[r] = NewBlock(BlockKind::Other, entry[r], kNoId);
      Join(op, block_of_root[r]);
    }
  }

  BlockPartition Finish() {
    BlockPartition p;
    p.block_of_op = block_of_;
    for (uint32_t op : g_.topo_order()) blocks_[block_of_[op]].members.push_back(op);
    // Drop parameter blocks that got no member (a parameter read only by other blocks);
    // its layout is then its first consumer's.
    std::vector<uint32_t> remap(blocks_.size(), kNoId);
    for (uint32_t b = 0; b < blocks_.size(); ++b) {
      if (blocks_[b].members.empty()) continue;
      remap[b] = static_cast<uint32_t>(p.blocks.size());
      p.blocks.push_back(std::move(blocks_[b]));
    }
    for (uint32_t &b : p.block_of_op) b = remap[b];
    p.index_in_block.assign(g_.num_ops(), 0);
    for (const Block &blk : p.blocks)
      for (uint32_t i = 0; i < blk.members.size(); ++i) p.index_in_block[blk.members[i]] = i;
    // Order: by the topological position of the first forward member (or first member).
    std::vector<uint32_t> key(p.blocks.size(), UINT32_MAX);
    for (uint32_t b = 0; b < p.blocks.size(); ++b) {
      for (uint32_t op : p.blocks[b].members)
        if (g_.op(op).phase == Phase::Forward) {
          key[b] = pos_[op];
          break;
        }
      if (key[b] == UINT32_MAX) key[b] = pos_[p.blocks[b].members.front()];
    }
    p.order.resize(p.blocks.size());
    std::iota(p.order.begin(), p.order.end(), 0);
    std::stable_sort(p.order.begin(), p.order.end(), [&](uint32_t a, uint32_t b) { return key[a] < key[b]; });
    return p;
  }

  const Graph &g_;
  std::vector<uint32_t> block_of_;
  std::vector<uint32_t> pos_;
  std::vector<Block> blocks_;
};

}  // namespace

BlockPartition BuildBlocks(const Graph &graph) { return Builder(graph).Run(); }

}  // namespace cfp
