// Emits operators into a GraphBuilder with their result tensors' shapes and dtypes
// inferred, the way a tracer would. Used by the model zoo, autodiff and tests. Shape
// mistakes surface as a precise error when the graph is finished.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "graph/builder.h"

namespace cfp {

class OpEmitter {
 public:
  explicit OpEmitter(GraphBuilder &b) : b_(b) {}

  GraphBuilder &builder() { return b_; }
  const Tensor &tensor(uint32_t id) const { return b_.tensors()[id]; }
  const std::vector<int64_t> &shape(uint32_t id) const { return b_.tensors()[id].shape; }
  DType dtype(uint32_t id) const { return b_.tensors()[id].dtype; }

  // Context stamped on every op emitted from now on.
  void set_scope(std::string scope) { scope_ = std::move(scope); }
  const std::string &scope() const { return scope_; }
  // Names ops "<prefix>.<kind>.<id>" instead of "<scope>.<kind>.<id>" while set (autodiff
  // names backward ops after the forward op they differentiate).
  void set_name_prefix(std::string prefix) { name_prefix_ = std::move(prefix); }
  void set_phase(Phase p) { phase_ = p; }
  void set_grad_of(int32_t op) { grad_of_ = op; }
  // Role given to results (Activation by default; Gradient while emitting a backward pass).
  void set_result_role(TensorRole r) { result_role_ = r; }

  uint32_t Input(const std::string &name, std::vector<int64_t> shape, DType dtype,
                 TensorRole role = TensorRole::DataInput);
  uint32_t Parameter(const std::string &name, std::vector<int64_t> shape, DType dtype = DType::F32) {
    return Input(name, std::move(shape), dtype, TensorRole::Parameter);
  }
  // A rank-0 constant.
  uint32_t Constant(double value, DType dtype = DType::F32);

  uint32_t Unary(OpKind kind, uint32_t x);
  uint32_t Convert(uint32_t x, DType to);
  // Elementwise with operands of equal rank (dims equal or 1) or rank 0.
  uint32_t Binary(OpKind kind, uint32_t a, uint32_t b);
  uint32_t Compare(uint32_t a, uint32_t b, Comparison c);
  uint32_t Select(uint32_t pred, uint32_t on_true, uint32_t on_false);
  uint32_t Add(uint32_t a, uint32_t b) { return Binary(OpKind::Add, a, b); }
  uint32_t Sub(uint32_t a, uint32_t b) { return Binary(OpKind::Subtract, a, b); }
  uint32_t Mul(uint32_t a, uint32_t b) { return Binary(OpKind::Multiply, a, b); }
  uint32_t Div(uint32_t a, uint32_t b) { return Binary(OpKind::Divide, a, b); }
  uint32_t Max(uint32_t a, uint32_t b) { return Binary(OpKind::Maximum, a, b); }

  // dims[i] = result dim of operand dim i.
  uint32_t Broadcast(uint32_t x, std::vector<int64_t> shape, std::vector<int64_t> dims);
  // Broadcasts a rank-0 value (or one of the same rank with size-1 dims) to `shape`.
  uint32_t BroadcastScalar(uint32_t x, std::vector<int64_t> shape);
  uint32_t Reshape(uint32_t x, std::vector<int64_t> shape);
  uint32_t Transpose(uint32_t x, std::vector<int64_t> perm);
  uint32_t Slice(uint32_t x, std::vector<int64_t> starts, std::vector<int64_t> limits);
  uint32_t Pad(uint32_t x, std::vector<int64_t> low, std::vector<int64_t> high, double value = 0);
  uint32_t Concatenate(const std::vector<uint32_t> &xs, int64_t axis);
  uint32_t Iota(std::vector<int64_t> shape, DType dtype, int64_t axis);
  uint32_t Reduce(OpKind kind, uint32_t x, std::vector<int64_t> dims);
  uint32_t Dot(uint32_t lhs, uint32_t rhs, std::vector<int64_t> lhs_batch, std::vector<int64_t> rhs_batch,
               std::vector<int64_t> lhs_contract, std::vector<int64_t> rhs_contract,
               std::optional<DType> out = std::nullopt);  // default: the lhs dtype
  // [.., k] x [k, n] -> [.., n]
  uint32_t MatMul(uint32_t x, uint32_t w);
  uint32_t Gather(uint32_t table, uint32_t ids);
  uint32_t ScatterAdd(uint32_t ids, uint32_t updates, int64_t rows);
  // A custom op with an explicit iteration space; results of the given shapes.
  std::vector<uint32_t> Custom(const std::string &name, const std::vector<uint32_t> &inputs,
                               const std::vector<std::pair<std::vector<int64_t>, DType>> &results,
                               const std::string &einsum, double flops_per_point);

  // The id of the op emitted last.
  uint32_t last_op() const { return last_op_; }

 private:
  uint32_t Emit(OpKind kind, std::vector<uint32_t> inputs, std::vector<int64_t> shape, DType dtype,
                OpAttrs attrs = {});
  std::string NextName(OpKind kind);

  GraphBuilder &b_;
  std::string scope_;
  std::string name_prefix_;
  Phase phase_ = Phase::Forward;
  int32_t grad_of_ = -1;
  TensorRole result_role_ = TensorRole::Activation;
  uint32_t last_op_ = kNoId;
};

}  // namespace cfp
