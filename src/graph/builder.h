// Incremental graph construction for the C builder API, the model zoo and autodiff.
// Ids are checked as they are added; semantics are checked by Finish (Graph::Create).
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"

namespace cfp {

class GraphBuilder {
 public:
  explicit GraphBuilder(std::string name = {}) : name_(std::move(name)) {}
  // Starts from an existing graph's tensors and ops (for transforms that extend a graph).
  explicit GraphBuilder(const Graph &g);

  // Capacity hints for builders that know roughly how large the graph will get.
  void Reserve(size_t tensors, size_t ops) {
    tensors_.reserve(tensors);
    ops_.reserve(ops);
  }

  uint32_t AddTensor(std::string name, DType dtype, std::vector<int64_t> shape, TensorRole role);
  Result<uint32_t> AddOp(std::string name, OpKind kind, std::vector<uint32_t> inputs, std::vector<uint32_t> outputs);

  Tensor &tensor(uint32_t id) { return tensors_[id]; }
  Op &op(uint32_t id) { return ops_[id]; }
  const std::vector<Tensor> &tensors() const { return tensors_; }
  const std::vector<Op> &ops() const { return ops_; }
  uint32_t num_tensors() const { return static_cast<uint32_t>(tensors_.size()); }
  uint32_t num_ops() const { return static_cast<uint32_t>(ops_.size()); }
  const std::string &name() const { return name_; }
  void set_name(std::string n) { name_ = std::move(n); }

  Status CheckTensor(uint32_t id) const;
  Status CheckOp(uint32_t id) const;
  // Parses an einsum spec against the op's operands and stores it as its stated space.
  Status SetEinsum(uint32_t op, std::string_view spec);

  Result<Graph> Finish() const { return Graph::Create(name_, tensors_, ops_); }
  // Moves the contents out (cheaper for one-shot builders such as the model zoo).
  Result<Graph> FinishAndReset();

 private:
  std::string name_;
  std::vector<Tensor> tensors_;
  std::vector<Op> ops_;
};

}  // namespace cfp
