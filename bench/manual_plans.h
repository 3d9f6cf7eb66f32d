// Hand-written parallelism plans, as per-operator choice vectors for cfp_evaluate: the
// baselines libcfp's plans are compared against (docs/design.md §11, §12).
//
// They are built from iteration spaces and tensor roles only, never from op names or
// scopes:
//  - The batch axis. Data inputs are batch-major (dim 0 is the batch). Which dim of every
//    other tensor carries the batch is propagated through the iteration spaces, forwards and
//    backwards until nothing changes: an op's batch axis is the outermost non-unit axis of
//    an operand dim known to carry the batch, and every operand dim whose outermost
//    non-unit axis is that axis carries it too. So the batch is a parallel axis of forward
//    ops and of dX-like backward ops, and a reduction axis of dW-like ones.
//  - The weight of a contraction: the operand that is a parameter, directly or through
//    single-input ops (a cast).
//
// Plans:
//  - DataParallel: every op splits its batch axis over all mesh axes (nothing else split);
//    ops without a batch axis are replicated. Gradients of weights come out as pending
//    sums and are all-reduced before the update.
//  - Megatron (Shoeybi et al. 2019): the last mesh axis of size > 1 is the tensor-parallel
//    axis, the others split the batch. Forward ops in order: a contraction with a weight
//    whose activation is unsplit on the model axis splits the weight's free axis (column
//    parallel: the axis in the weight and the result but not the activation, the largest
//    that divides); one whose activation is split continues that split (row parallel when
//    it is the contracted axis, leaving a pending sum that the next op all-reduces); any
//    other op continues the split of its first input that is split (heads through
//    reshapes, attention, softmax), else is replicated on the model axis. Then the ops that
//    only prepare weights (casts, transposes, bias broadcasts: every input a parameter or
//    such an op's result) take the layout their readers need, so weights are stored split.
//    Backward and update ops keep the batch split and pick, on the model axis, the
//    strategy of least local cost given their inputs' layouts and the layouts their results
//    are wanted in (a gradient in its forward tensor's layout, an update in its state's).
//  - Zero2 (Rajbhandari et al. 2020, stage 2): DataParallel compute; the optimizer update
//    splits its first axis that the device count divides over all mesh axes, so optimizer
//    states are stored sharded, weight gradients are reduce-scattered into it and the
//    updated weights all-gathered back.
//  - Zero3: Zero2, and each parameter is also stored sharded: the op that first reads it,
//    when that op is elementwise (the weight's cast to the compute dtype), splits like the
//    update, so the weight is all-gathered where it is used. A parameter stored in the
//    layout its first reader needs cannot be sharded when that reader is a broadcast (norm
//    gains, biases) without splitting the broadcast's activation-sized result; those small
//    vectors stay replicated.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cost/cost_model.h"

namespace cfp_bench {

enum class ManualPlan { DataParallel, Megatron, Zero2, Zero3 };

inline constexpr ManualPlan kManualPlans[] = {ManualPlan::DataParallel, ManualPlan::Megatron, ManualPlan::Zero2,
                                              ManualPlan::Zero3};

const char *ManualPlanName(ManualPlan plan);  // "dp", "megatron", "zero2", "zero3"

// Per op, the iteration axis that carries the batch, or -1.
std::vector<int32_t> BatchAxes(const cfp::Graph &graph);

// The op's contraction operand that is a weight (a parameter, possibly through single-input
// ops), or -1.
int WeightOperand(const cfp::Graph &graph, uint32_t op);

struct ManualPlanChoice {
  std::vector<uint32_t> choice;  // per op, an index into CostModel::strategies(op)
  // Ops that got a simpler strategy than the plan asks for (an axis the mesh does not
  // divide, say), so a reader knows how faithful the plan is.
  uint32_t fallbacks = 0;
};

ManualPlanChoice BuildManualPlan(const cfp::CostModel &model, ManualPlan plan);

}  // namespace cfp_bench
