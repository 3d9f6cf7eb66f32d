// How much decoding a FlatBuffer may copy out of it. The verifier accepts many references
// to one table, string or vector, so a buffer that stores a 100 KB name once and points
// 100,000 tensors at it verifies, and would decode into 10 GB. A buffer written without
// such sharing decodes into a small multiple of its size (every byte is stored once, plus
// the in-memory size of each element), so the loaders charge everything they copy or walk
// against a budget proportional to the buffer and refuse the buffer once it is spent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cfp {

class DecodeBudget {
 public:
  // docs/reliability.md, "Limits on input": decoded bytes <= 64 x buffer bytes + 16 MiB.
  static constexpr uint64_t kBytesPerBufferByte = 64;
  static constexpr uint64_t kBaseBytes = uint64_t{16} << 20;

  explicit DecodeBudget(size_t buffer_bytes)
      : buffer_bytes_(buffer_bytes), limit_(kBytesPerBufferByte * buffer_bytes + kBaseBytes) {}

  // Charges `bytes` about to be copied or walked; false once the total exceeds the limit.
  [[nodiscard]] bool Take(uint64_t bytes) {
    if (exceeded_ || bytes > limit_ - used_) {
      exceeded_ = true;
      return false;
    }
    used_ += bytes;
    return true;
  }
  uint64_t used() const { return used_; }
  bool exceeded() const { return exceeded_; }

  // Why the buffer was refused, for `what` ("graph buffer", "plan buffer").
  std::string Explain(std::string_view what) const {
    return std::string(what) + " of " + std::to_string(buffer_bytes_) + " bytes decodes to more than " +
           std::to_string(limit_) + " bytes (" + std::to_string(kBytesPerBufferByte) +
           " per buffer byte plus 16 MiB): it refers to the same tables, strings or vectors over and over";
  }

 private:
  uint64_t buffer_bytes_;
  uint64_t limit_;
  uint64_t used_ = 0;
  bool exceeded_ = false;
};

}  // namespace cfp
