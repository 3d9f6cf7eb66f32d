// A caller's byte buffer at an 8-byte-aligned address. FlatBuffers reads scalars in place,
// and its verifier checks their alignment relative to the buffer's start, so the start
// itself must be aligned; the C API takes any pointer, so misaligned input is copied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace cfp {

class AlignedBytes {
 public:
  AlignedBytes(const void *data, size_t size) : data_(static_cast<const uint8_t *>(data)) {
    if (size > 0 && reinterpret_cast<uintptr_t>(data) % alignof(uint64_t) != 0) {
      copy_.resize(size / sizeof(uint64_t) + 1);
      std::memcpy(copy_.data(), data, size);
      data_ = reinterpret_cast<const uint8_t *>(copy_.data());
    }
  }
  const uint8_t *data() const { return data_; }

 private:
  const uint8_t *data_;
  std::vector<uint64_t> copy_;
};

}  // namespace cfp
