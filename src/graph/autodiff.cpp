#include "graph/autodiff.h"

#include "graph/gradient_rules.h"
#include "graph/optimizer_update.h"
#include "util/quote.h"

namespace cfp {
namespace {

std::string TensorSummary(const Tensor &t) {
  return Quote(t.name) + " of shape " + ShapeString(t.shape) + " (" + std::string(DTypeName(t.dtype)) + ")";
}

Result<uint32_t> FindLoss(const Graph &g) {
  const std::string rule = "the loss must be the single rank-0 float output of the last op in topological order";
  if (g.num_ops() == 0) return InvalidArgument(rule + ", but the graph has no ops");
  const uint32_t last = g.topo_order().back();
  const Op &op = g.op(last);
  if (op.outputs.size() != 1)
    return InvalidArgument(rule + "; " + DescribeOp(g.ops(), last) + " has " + std::to_string(op.outputs.size()) + " outputs");
  const Tensor &t = g.tensor(op.outputs[0]);
  if (!t.shape.empty() || !IsFloat(t.dtype))
    return InvalidArgument(rule + "; " + DescribeOp(g.ops(), last) + " produces " + TensorSummary(t));
  return op.outputs[0];
}

// Which tensors the transform differentiates: float tensors that depend on a parameter
// and that the loss depends on, both through differentiable edges only.
struct Activity {
  std::vector<bool> active;
};

Activity Analyze(const Graph &g, uint32_t loss) {
  const uint32_t nt = g.num_tensors();
  std::vector<bool> from_param(nt, false), to_loss(nt, false);
  for (uint32_t t = 0; t < nt; ++t) from_param[t] = g.tensor(t).role == TensorRole::Parameter && IsFloat(g.tensor(t).dtype);
  for (uint32_t o : g.topo_order()) {
    const Op &op = g.op(o);
    bool reached = false;
    for (size_t i = 0; i < op.inputs.size(); ++i) reached |= IsDifferentiableInput(op, i) && from_param[op.inputs[i]];
    if (reached)
      for (uint32_t t : op.outputs) from_param[t] = IsFloat(g.tensor(t).dtype);
  }
  to_loss[loss] = true;
  for (auto it = g.topo_order().rbegin(); it != g.topo_order().rend(); ++it) {
    const Op &op = g.op(*it);
    bool reaches = false;
    for (uint32_t t : op.outputs) reaches |= to_loss[t];
    if (!reaches) continue;
    for (size_t i = 0; i < op.inputs.size(); ++i)
      if (IsDifferentiableInput(op, i) && IsFloat(g.tensor(op.inputs[i]).dtype)) to_loss[op.inputs[i]] = true;
  }
  Activity a;
  a.active.resize(nt);
  for (uint32_t t = 0; t < nt; ++t) a.active[t] = from_param[t] && to_loss[t];
  return a;
}

bool OutputActive(const Op &op, const Activity &a) {
  for (uint32_t t : op.outputs)
    if (a.active[t]) return true;
  return false;
}

// A parameter behind active tensor `t`, for messages.
std::string SomeParameterBehind(const Graph &g, const Activity &a, uint32_t t) {
  while (g.producer(t) != kNoId) {
    const Op &op = g.op(g.producer(t));
    uint32_t next = kNoId;
    for (size_t i = 0; i < op.inputs.size() && next == kNoId; ++i)
      if (IsDifferentiableInput(op, i) && a.active[op.inputs[i]]) next = op.inputs[i];
    if (next == kNoId) break;
    t = next;
  }
  return g.tensor(t).name;
}

Status CheckDifferentiable(const Graph &g, const Activity &a) {
  for (uint32_t o = 0; o < g.num_ops(); ++o) {
    const Op &op = g.op(o);
    if (op.kind != OpKind::Custom || !OutputActive(op, a)) continue;
    for (uint32_t t : op.inputs)
      if (a.active[t])
        return Unsupported(DescribeOp(g.ops(), o) + " is not differentiable, but parameter '" +
                           SomeParameterBehind(g, a, t) + "' reaches the loss through it");
  }
  return Status::Ok();
}

// Sums the gradient contributions of each forward tensor as they arrive, in reverse
// topological order, and links the final sum to its forward tensor.
class Backward {
 public:
  Backward(const Graph &g, const Activity &a, GraphBuilder &b) : g_(g), a_(a), b_(b), ge_(b) {
    grad_.assign(g.num_tensors(), kNoId);
    pending_.assign(g.num_tensors(), 0);
    for (uint32_t o = 0; o < g.num_ops(); ++o) {
      const Op &op = g.op(o);
      if (!OutputActive(op, a)) continue;
      for (size_t i = 0; i < op.inputs.size(); ++i)
        if (IsDifferentiableInput(op, i) && a.active[op.inputs[i]]) ++pending_[op.inputs[i]];
    }
    seed_derived_.assign(g.num_tensors(), false);
  }

  Status Run(uint32_t loss) {
    const uint32_t loss_op = g_.producer(loss);
    ge_.BeginOp(loss_op, g_.op(loss_op));
    // d loss / d loss = 1.
    const uint32_t seed = ge_.e().Unary(OpKind::Copy, ge_.Constant(1.0, g_.tensor(loss).dtype));
    grad_[loss] = seed;
    Link(loss);
    MarkSeedDerived(seed);
    std::vector<bool> wanted;
    const auto &topo = g_.topo_order();
    for (auto it = topo.rbegin(); it != topo.rend(); ++it) {
      const uint32_t o = *it;
      const Op &op = g_.op(o);
      if (!OutputActive(op, a_)) continue;
      const uint32_t dy = grad_[op.outputs[0]];
      if (dy == kNoId) return Internal("gradient of " + DescribeTensor(g_.tensors(), op.outputs[0]) + " was never formed");
      wanted.assign(op.inputs.size(), false);
      for (size_t i = 0; i < op.inputs.size(); ++i) wanted[i] = IsDifferentiableInput(op, i) && a_.active[op.inputs[i]];
      ge_.BeginOp(o, op);
      CFP_ASSIGN_OR_RETURN(auto contributions, InputGradients(ge_, g_, o, dy, wanted));
      for (size_t i = 0; i < op.inputs.size(); ++i)
        if (wanted[i]) Accumulate(op.inputs[i], contributions[i]);
    }
    return Status::Ok();
  }

  // Final gradients of the parameters that received one, in parameter id order.
  std::vector<ParameterGradient> ParameterGradients() const {
    std::vector<ParameterGradient> out;
    for (uint32_t t = 0; t < g_.num_tensors(); ++t) {
      if (g_.tensor(t).role != TensorRole::Parameter || grad_[t] == kNoId) continue;
      std::string scope;
      for (uint32_t c : g_.consumers(t))
        if (OutputActive(g_.op(c), a_)) {
          scope = g_.op(c).scope;
          break;
        }
      out.push_back({t, grad_[t], scope});
    }
    return out;
  }

  // Gradient role for everything computed from the seed; masks and other values computed
  // from forward tensors alone stay activations.
  void AssignRoles(uint32_t first_new_op) {
    for (uint32_t o = first_new_op; o < b_.num_ops(); ++o) {
      const Op &op = b_.op(o);
      if (op.phase != Phase::Backward) continue;
      bool derived = false;
      for (uint32_t t : op.inputs) derived |= IsSeedDerived(t);
      if (!derived) continue;
      for (uint32_t t : op.outputs) MarkSeedDerived(t);
    }
    for (uint32_t t = 0; t < b_.num_tensors(); ++t)
      if (IsSeedDerived(t)) b_.tensor(t).role = TensorRole::Gradient;
  }

 private:
  void Accumulate(uint32_t t, uint32_t contribution) {
    grad_[t] = grad_[t] == kNoId ? contribution : ge_.e().Add(grad_[t], contribution);
    if (--pending_[t] == 0) Link(t);
  }

  void Link(uint32_t t) {
    uint32_t g = grad_[t];
    if (b_.tensor(g).gradient_of != -1) {
      // Shared with a tensor downstream (a pass-through); parameters get their own copy
      // so that every parameter's gradient is linked to it.
      if (g_.tensor(t).role != TensorRole::Parameter) return;
      g = grad_[t] = ge_.e().Unary(OpKind::Copy, g);
    }
    b_.tensor(g).gradient_of = static_cast<int32_t>(t);
  }

  bool IsSeedDerived(uint32_t t) const { return t < seed_derived_.size() && seed_derived_[t]; }
  void MarkSeedDerived(uint32_t t) {
    if (t >= seed_derived_.size()) seed_derived_.resize(b_.num_tensors(), false);
    seed_derived_[t] = true;
  }

  const Graph &g_;
  const Activity &a_;
  GraphBuilder &b_;
  GradientEmitter ge_;
  std::vector<uint32_t> grad_, pending_;
  std::vector<bool> seed_derived_;
};

}  // namespace

Result<Graph> MakeTrainingGraph(const Graph &forward, std::string_view optimizer) {
  auto kind = ParseOptimizer(optimizer);
  if (!kind) return InvalidArgument("unknown optimizer " + Quote(optimizer) + " (expected adam or sgd)");
  for (uint32_t o = 0; o < forward.num_ops(); ++o)
    if (forward.op(o).phase != Phase::Forward)
      return InvalidArgument(DescribeOp(forward.ops(), o) + " is in the " + std::string(PhaseName(forward.op(o).phase)) +
                             " phase; the training transform takes a forward graph");
  CFP_ASSIGN_OR_RETURN(uint32_t loss, FindLoss(forward));
  const Activity activity = Analyze(forward, loss);
  CFP_RETURN_IF_ERROR(CheckDifferentiable(forward, activity));
  bool any_parameter = false;
  for (uint32_t t = 0; t < forward.num_tensors(); ++t)
    any_parameter |= forward.tensor(t).role == TensorRole::Parameter && activity.active[t];
  if (!any_parameter) return InvalidArgument("no parameter reaches the loss " + TensorSummary(forward.tensor(loss)));

  GraphBuilder b(forward);
  // The backward pass takes 1.5 to 2.5 times the forward's ops and tensors, the update a
  // dozen of each per parameter; reserving avoids relocating tens of thousands of ops.
  size_t parameters = 0;
  for (const Tensor &t : forward.tensors()) parameters += t.role == TensorRole::Parameter;
  b.Reserve(forward.num_tensors() * 3 + parameters * 16 + 64, forward.num_ops() * 3 + parameters * 14 + 64);
  Backward backward(forward, activity, b);
  CFP_RETURN_IF_ERROR(backward.Run(loss));
  backward.AssignRoles(forward.num_ops());
  EmitOptimizerUpdate(b, *kind, backward.ParameterGradients());
  auto g = b.FinishAndReset();
  if (!g.ok()) return Internal("the training graph failed validation: " + g.status().message());
  return g;
}

}  // namespace cfp
