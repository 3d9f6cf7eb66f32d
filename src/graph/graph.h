// The graph IR: tensors and operators with dense uint32_t ids. A Graph is immutable and
// always valid: the only way to make one is Graph::Create, which validates everything
// (docs/design.md §3) and derives producers, consumers, a topological order and every operator's
// iteration space.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "graph/iteration_space.h"
#include "graph/types.h"
#include "util/status.h"

namespace cfp {

inline constexpr uint32_t kNoId = UINT32_MAX;

struct Tensor {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  TensorRole role = TensorRole::Activation;
  int32_t gradient_of = -1;  // hint: the tensor this is the gradient of
  int32_t updates = -1;      // the parameter/state this replaces in the next step
  double value = 0;          // value of a rank-0 constant

  int64_t NumElements() const;
  int64_t Bytes() const { return NumElements() * DTypeSize(dtype); }
};

struct OpAttrs {
  std::vector<int64_t> dims, lhs_batch, rhs_batch, lhs_contract, rhs_contract;
  std::vector<int64_t> starts, limits, pad_low, pad_high;
  int64_t axis = 0;
  Comparison comparison = Comparison::EQ;
  double pad_value = 0;
  double flops_per_point = 0;
  std::string custom_name;

  bool operator==(const OpAttrs &) const = default;
};

struct Op {
  std::string name;
  OpKind kind = OpKind::Add;
  std::vector<uint32_t> inputs, outputs;
  OpAttrs attrs;
  std::string scope;
  Phase phase = Phase::Forward;
  int32_t grad_of = -1;  // hint: the forward op this op differentiates
  std::optional<IterationSpace> stated_space;
};

class Graph {
 public:
  static Result<Graph> Create(std::string name, std::vector<Tensor> tensors, std::vector<Op> ops);

  const std::string &name() const { return name_; }
  const std::vector<Tensor> &tensors() const { return tensors_; }
  const std::vector<Op> &ops() const { return ops_; }
  const Tensor &tensor(uint32_t id) const { return tensors_[id]; }
  const Op &op(uint32_t id) const { return ops_[id]; }
  uint32_t num_tensors() const { return static_cast<uint32_t>(tensors_.size()); }
  uint32_t num_ops() const { return static_cast<uint32_t>(ops_.size()); }

  // The op producing `tensor`, or kNoId for graph inputs.
  uint32_t producer(uint32_t tensor) const { return producer_[tensor]; }
  // Ops reading `tensor`, ascending, one entry per op even if it reads it twice.
  std::span<const uint32_t> consumers(uint32_t tensor) const {
    return {consumer_ids_.data() + consumer_begin_[tensor], consumer_ids_.data() + consumer_begin_[tensor + 1]};
  }
  const IterationSpace &space(uint32_t op) const { return spaces_[op]; }
  // Every op after the producers of its inputs; ties kept in id order.
  const std::vector<uint32_t> &topo_order() const { return topo_; }

  // Statistics for reports.
  // Elements of all parameters; kOutOfRange past 2^64 - 1.
  Result<uint64_t> ParameterCount() const;
  double Flops() const;

 private:
  std::string name_;
  std::vector<Tensor> tensors_;
  std::vector<Op> ops_;
  std::vector<uint32_t> producer_;
  std::vector<uint32_t> consumer_begin_, consumer_ids_;
  std::vector<IterationSpace> spaces_;
  std::vector<uint32_t> topo_;
};

// "op 12 'layers.0.mlp.dot' (dot)" — how messages name things.
std::string DescribeOp(const std::vector<Op> &ops, uint32_t id);
std::string DescribeTensor(const std::vector<Tensor> &tensors, uint32_t id);
std::string ShapeString(std::span<const int64_t> shape);

}  // namespace cfp
