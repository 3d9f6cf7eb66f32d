// Fuzz target: graph buffers that share what FlatBuffers lets them share, with extreme
// dims. The input is a recipe, not the buffer: a few distinct tensor and op tables, each
// referenced up to 2^16 times from the graph's vectors, names that point at one long
// string, attributes that point at one long vector, and dims from the edges of int64
// (0, negative, 2^62, INT64_MAX, products that overflow). Missing bytes read as zero, so
// every byte string is a recipe.
//
// Whatever the recipe, cfp_graph_from_buffer returns OK or INVALID_GRAPH with a message
// naming it; a graph that loads answers every query and round-trips; a buffer whose
// references copy more than the documented bound (64 bytes per buffer byte plus 16 MiB,
// docs/reliability.md) never loads, and is refused quickly; a buffer that shares nothing
// is never refused for its size. libFuzzer's -rss_limit_mb and -timeout (run.sh) bound
// the memory and time of every input.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "fuzz_checks.h"
#include "graph_generated.h"

namespace {

namespace fb = cfp::fb;

constexpr uint64_t kBoundPerBufferByte = 64;
constexpr uint64_t kBoundBase = uint64_t{16} << 20;
constexpr size_t kMaxReferences = size_t{1} << 17;  // per vector, so the builder stays small

class Recipe {
 public:
  Recipe(const uint8_t *data, size_t size) : p_(data), end_(data + size) {}
  uint8_t Byte() { return p_ < end_ ? *p_++ : 0; }
  // How many times a table is referenced: usually once, often a power of two up to 2^16.
  uint32_t Repeat() {
    const uint8_t b = Byte();
    return b < 128 ? 1u : 1u << (b % 17);
  }
  // A dim from the edges of int64, or eight raw bytes.
  int64_t Dim() {
    static constexpr int64_t kDims[] = {1,
                                        2,
                                        3,
                                        4,
                                        8,
                                        1024,
                                        0,
                                        -1,
                                        std::numeric_limits<int64_t>::min(),
                                        std::numeric_limits<int64_t>::max(),
                                        int64_t{1} << 31,
                                        int64_t{1} << 32,
                                        int64_t{1} << 62,
                                        (int64_t{1} << 62) - 1,
                                        3037000499,  // floor(sqrt(INT64_MAX))
                                        int64_t{1} << 40};
    const uint8_t b = Byte();
    if (b < 240) return kDims[b % 16];
    uint64_t raw = 0;
    for (int i = 0; i < 8; ++i) raw = raw << 8 | Byte();
    return static_cast<int64_t>(raw);
  }
  cfp_op_kind Kind() {
    static constexpr cfp_op_kind kKinds[] = {CFP_OP_NEG,       CFP_OP_EXP,     CFP_OP_ADD,     CFP_OP_MULTIPLY,
                                             CFP_OP_RESHAPE,   CFP_OP_BROADCAST, CFP_OP_TRANSPOSE, CFP_OP_REDUCE_SUM,
                                             CFP_OP_DOT,       CFP_OP_CONCATENATE, CFP_OP_PAD,   CFP_OP_SLICE,
                                             CFP_OP_IOTA,      CFP_OP_CUSTOM,  CFP_OP_CONVERT, CFP_OP_SELECT};
    const uint8_t b = Byte();
    return b >= 250 ? static_cast<cfp_op_kind>(150) : kKinds[b % 16];
  }

 private:
  const uint8_t *p_, *end_;
};

// Bytes the loader must copy for one reference to a field: what a buffer that shared
// nothing would have to store once per reference.
template <class T>
uint64_t Payload(const std::vector<T> &v) {
  return v.size() * sizeof(T);
}

// References to add to a vector that holds `held`, at most kMaxReferences in all.
uint64_t References(uint32_t repeat, size_t held) { return std::min<uint64_t>(repeat, kMaxReferences - held); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Recipe in(data, size);
  flatbuffers::FlatBufferBuilder b;
  uint64_t payload = 0;   // bytes every reference copies, summed over references
  bool shares = false;    // some table, string or vector is referenced twice

  // One long string and one long vector that tables may point at.
  const uint8_t string_code = in.Byte(), vector_code = in.Byte();
  const std::string long_string(string_code == 0 ? 0 : size_t{1} << (string_code % 18), 's');
  const std::vector<int64_t> long_vector(vector_code == 0 ? 0 : size_t{1} << (vector_code % 16), in.Dim());
  const auto long_string_fb = b.CreateString(long_string);
  const auto long_vector_fb = b.CreateVector(long_vector);
  uint64_t long_string_uses = 0, long_vector_uses = 0;

  const uint32_t distinct_tensors = 1 + in.Byte() % 8, distinct_ops = in.Byte() % 9;
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
  for (uint32_t t = 0; t < distinct_tensors; ++t) {
    const uint8_t flags = in.Byte();
    const bool long_name = flags & 1;
    const std::string short_name = "t" + std::to_string(t);
    const uint32_t rank = flags >= 0xF8 ? 17 : (flags >> 1) % 5;
    std::vector<int64_t> shape;
    for (uint32_t d = 0; d < rank; ++d) shape.push_back(in.Dim());
    const int dtype = in.Byte() % 8, role = in.Byte() % 7;  // 7 and 6 are out of range
    const int32_t gradient_of = static_cast<int32_t>(in.Byte() % 10) - 1, updates = static_cast<int32_t>(in.Byte() % 10) - 1;
    const auto name = long_name ? long_string_fb : b.CreateString(short_name);
    const auto tensor = fb::CreateTensor(b, name, static_cast<fb::DType>(dtype), b.CreateVector(shape),
                                         static_cast<fb::TensorRole>(role), gradient_of, updates, 1.0);
    const uint64_t refs = References(in.Repeat(), tensors.size());
    shares |= refs > 1;
    long_string_uses += long_name ? refs : 0;
    payload += refs * ((long_name ? long_string.size() : short_name.size()) + Payload(shape));
    tensors.insert(tensors.end(), refs, tensor);
  }

  std::vector<flatbuffers::Offset<fb::Op>> ops;
  for (uint32_t o = 0; o < distinct_ops; ++o) {
    const cfp_op_kind kind = in.Kind();
    std::vector<uint32_t> inputs, outputs;
    for (uint32_t i = in.Byte() % 4; i > 0; --i) inputs.push_back(in.Byte() % 16);
    for (uint32_t i = in.Byte() % 3; i > 0; --i) outputs.push_back(in.Byte() % 16);
    const uint8_t flags = in.Byte();
    const bool long_name = flags & 1, long_dims = flags & 2, long_pads = flags & 4;
    uint64_t op_payload = Payload(inputs) + Payload(outputs) + (long_name ? long_string.size() : 1);
    flatbuffers::Offset<fb::OpAttrs> attrs = 0;
    if (flags & 8) {
      std::vector<int64_t> dims, low, high;
      for (uint32_t i = in.Byte() % 4; i > 0; --i) dims.push_back(in.Dim());
      for (uint32_t i = in.Byte() % 3; i > 0; --i) {
        low.push_back(in.Dim());
        high.push_back(in.Dim());
      }
      const auto dims_fb = long_dims ? long_vector_fb : b.CreateVector(dims);
      const auto low_fb = long_pads ? long_vector_fb : b.CreateVector(low);
      const auto high_fb = long_pads ? long_vector_fb : b.CreateVector(high);
      attrs = fb::CreateOpAttrs(b, dims_fb, 0, 0, 0, 0, 0, 0, low_fb, high_fb, in.Dim() % 4);
      op_payload += long_dims ? Payload(long_vector) : Payload(dims);
      op_payload += long_pads ? 2 * Payload(long_vector) : Payload(low) + Payload(high);
    }
    flatbuffers::Offset<fb::IterationSpace> space = 0;
    if (flags & 16) {
      // An explicit iteration space: extreme axis sizes, each operand dim on one axis.
      std::vector<flatbuffers::Offset<fb::Axis>> axes;
      const uint32_t n_axes = in.Byte() % 4;
      for (uint32_t a = 0; a < n_axes; ++a) {
        const int64_t axis_size = in.Dim();
        const auto axis_kind = static_cast<fb::AxisKind>(in.Byte() % 3);  // 2 is out of range
        axes.push_back(fb::CreateAxis(b, axis_size, axis_kind));
      }
      auto operands = [&](size_t count) {
        std::vector<flatbuffers::Offset<fb::OperandAxes>> v;
        for (size_t i = 0; i < count; ++i) {
          std::vector<flatbuffers::Offset<fb::DimAxes>> dims;
          for (uint32_t d = in.Byte() % 3; d > 0; --d) {
            const std::vector<uint32_t> axis{static_cast<uint32_t>(in.Byte() % 5)};
            dims.push_back(fb::CreateDimAxes(b, b.CreateVector(axis)));
            op_payload += sizeof(uint32_t);
          }
          v.push_back(fb::CreateOperandAxes(b, b.CreateVector(dims)));
        }
        return b.CreateVector(v);
      };
      const auto in_fb = operands(inputs.size());
      const auto out_fb = operands(outputs.size());
      space = fb::CreateIterationSpace(b, b.CreateVector(axes), in_fb, out_fb);
    }
    const auto name = long_name ? long_string_fb : b.CreateString("o");
    const auto op = fb::CreateOp(b, name, static_cast<fb::OpKind>(kind), b.CreateVector(inputs), b.CreateVector(outputs),
                                 attrs, 0, static_cast<fb::Phase>(in.Byte() % 3), -1, space);
    const uint64_t refs = References(in.Repeat(), ops.size());
    shares |= refs > 1;
    long_string_uses += long_name ? refs : 0;
    if (flags & 8) long_vector_uses += refs * ((long_dims ? 1 : 0) + (long_pads ? 2 : 0));
    payload += refs * op_payload;
    ops.insert(ops.end(), refs, op);
  }
  shares |= long_string_uses > 1 || long_vector_uses > 1;
  const auto tensors_fb = b.CreateVector(tensors);
  const auto ops_fb = b.CreateVector(ops);
  b.Finish(fb::CreateGraph(b, 1, b.CreateString("shared"), tensors_fb, ops_fb), fb::GraphIdentifier());

  const auto t0 = std::chrono::steady_clock::now();
  cfp_graph *g = nullptr;
  const cfp_status s = cfp_graph_from_buffer(b.GetBufferPointer(), b.GetSize(), &g);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  cfp_fuzz::RequireCleanFailure(s, "cfp_graph_from_buffer", g);
  cfp_fuzz::Require(s == CFP_OK || s == CFP_ERR_INVALID_GRAPH, "unexpected status for a forged graph");

  const uint64_t bound = kBoundPerBufferByte * b.GetSize() + kBoundBase;
  if (payload > bound) cfp_fuzz::Require(s != CFP_OK, "a buffer that copies past the bound loaded");
  const bool refused_for_size = s != CFP_OK && std::strstr(cfp_last_error_message(), "decodes to more than") != nullptr;
  if (refused_for_size) {
    cfp_fuzz::Require(shares, "a buffer that shares nothing was refused for its size");
    cfp_fuzz::Require(seconds < 3.0, "refusing a buffer for its size took seconds");
  }
  if (s != CFP_OK) return 0;
  cfp_fuzz::QueryGraph(g);
  cfp_fuzz::RequireRoundTrip(g);
  cfp_graph_destroy(g);
  return 0;
}
