// Fuzz target: the C graph builder driven by a byte stream (builder_stream.h). Every call
// either succeeds or fails cleanly; every graph it finishes must answer every query,
// round-trip through FlatBuffers and, when small, optimize and train without a crash.
#include "builder_stream.h"
#include "fuzz_checks.h"

namespace {

using cfp_fuzz::BuilderOp;
using cfp_fuzz::RequireCleanFailure;

constexpr size_t kMaxCount = 64;  // ids per call and values per attribute

void FinishAndCheck(const cfp_graph_builder *b) {
  cfp_graph *g = nullptr;
  cfp_status s = cfp_graph_builder_finish(b, &g);
  RequireCleanFailure(s, "cfp_graph_builder_finish", g);
  if (s != CFP_OK) {
    cfp_fuzz::Require(s == CFP_ERR_INVALID_GRAPH || s == CFP_ERR_OUT_OF_MEMORY, "unexpected status from finish");
    return;
  }
  cfp_fuzz::QueryGraph(g);
  cfp_fuzz::RequireRoundTrip(g);
  cfp_fuzz::OptimizeSmallGraph(g, 32);
  cfp_graph_destroy(g);
}

// The status of a setter must be OK or a clean INVALID_ARGUMENT.
void Setter(cfp_status s, const char *function) {
  RequireCleanFailure(s, function, nullptr);
  cfp_fuzz::Require(s == CFP_OK || s == CFP_ERR_INVALID_ARGUMENT, function);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cfp_fuzz::StreamReader in(data, size);
  cfp_graph_builder *b = nullptr;
  const std::string graph_name = in.String();
  cfp_fuzz::Require(cfp_graph_builder_create(graph_name.c_str(), &b) == CFP_OK, "builder create");
  int finishes = 0;
  while (!in.done()) {
    const auto op = static_cast<BuilderOp>(in.Byte() % static_cast<uint8_t>(BuilderOp::kCount));
    switch (op) {
      case BuilderOp::kAddTensor: {
        std::string name = in.String();
        auto dtype = static_cast<cfp_dtype>(in.Byte());
        auto role = static_cast<cfp_tensor_role>(in.Byte());
        size_t rank = in.Byte();
        std::vector<int64_t> dims;
        for (size_t i = 0; i < rank && i < kMaxCount; ++i) dims.push_back(in.Signed());
        uint32_t id = 77;
        cfp_status s = cfp_graph_builder_add_tensor(b, name.c_str(), dtype, dims.data(), rank > kMaxCount ? kMaxCount : rank,
                                                    role, &id);
        Setter(s, "cfp_graph_builder_add_tensor");
        if (s != CFP_OK) cfp_fuzz::Require(id == 0, "failed add_tensor left an id");
        break;
      }
      case BuilderOp::kAddOp: {
        std::string name = in.String();
        auto kind = static_cast<cfp_op_kind>(in.Unsigned());
        std::vector<uint32_t> inputs, outputs;
        size_t n_in = in.Unsigned();
        for (size_t i = 0; i < n_in && i < kMaxCount; ++i) inputs.push_back(in.Id());
        size_t n_out = in.Unsigned();
        for (size_t i = 0; i < n_out && i < kMaxCount; ++i) outputs.push_back(in.Id());
        uint32_t id = 77;
        cfp_status s = cfp_graph_builder_add_op(b, name.c_str(), kind, inputs.data(), inputs.size(), outputs.data(),
                                                outputs.size(), &id);
        Setter(s, "cfp_graph_builder_add_op");
        if (s != CFP_OK) cfp_fuzz::Require(id == 0, "failed add_op left an id");
        break;
      }
      case BuilderOp::kSetOpInts: {
        uint32_t target = in.Id();
        auto attr = static_cast<cfp_attr>(in.Byte());
        size_t count = in.Unsigned();
        std::vector<int64_t> values;
        for (size_t i = 0; i < count && i < kMaxCount; ++i) values.push_back(in.Signed());
        Setter(cfp_graph_builder_set_op_ints(b, target, attr, values.data(), values.size()), "cfp_graph_builder_set_op_ints");
        break;
      }
      case BuilderOp::kSetOpDouble: {
        uint32_t target = in.Id();
        auto attr = static_cast<cfp_attr>(in.Byte());
        Setter(cfp_graph_builder_set_op_double(b, target, attr, in.Double()), "cfp_graph_builder_set_op_double");
        break;
      }
      case BuilderOp::kSetOpScope: {
        uint32_t target = in.Id();
        Setter(cfp_graph_builder_set_op_scope(b, target, in.String().c_str()), "cfp_graph_builder_set_op_scope");
        break;
      }
      case BuilderOp::kSetOpPhase: {
        uint32_t target = in.Id();
        Setter(cfp_graph_builder_set_op_phase(b, target, static_cast<cfp_phase>(in.Byte())), "cfp_graph_builder_set_op_phase");
        break;
      }
      case BuilderOp::kSetOpGradOf: {
        uint32_t target = in.Id();
        Setter(cfp_graph_builder_set_op_grad_of(b, target, in.Id()), "cfp_graph_builder_set_op_grad_of");
        break;
      }
      case BuilderOp::kSetOpEinsum: {
        uint32_t target = in.Id();
        Setter(cfp_graph_builder_set_op_einsum(b, target, in.String().c_str()), "cfp_graph_builder_set_op_einsum");
        break;
      }
      case BuilderOp::kSetTensorGradientOf: {
        uint32_t target = in.Id();
        Setter(cfp_graph_builder_set_tensor_gradient_of(b, target, in.Id()), "cfp_graph_builder_set_tensor_gradient_of");
        break;
      }
      case BuilderOp::kSetTensorUpdates: {
        uint32_t target = in.Id();
        Setter(cfp_graph_builder_set_tensor_updates(b, target, in.Id()), "cfp_graph_builder_set_tensor_updates");
        break;
      }
      case BuilderOp::kSetTensorValue: {
        uint32_t target = in.Id();
        Setter(cfp_graph_builder_set_tensor_value(b, target, in.Double()), "cfp_graph_builder_set_tensor_value");
        break;
      }
      case BuilderOp::kFinish:
        // Finishing is the expensive step; a few per input keep executions fast.
        if (++finishes <= 4) FinishAndCheck(b);
        break;
      case BuilderOp::kCount:
        break;
    }
  }
  FinishAndCheck(b);
  cfp_graph_builder_destroy(b);
  return 0;
}
