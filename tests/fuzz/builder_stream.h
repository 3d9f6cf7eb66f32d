// A byte stream that drives the C graph builder: each instruction is an opcode byte and
// its operands, so libFuzzer's mutations become sequences of builder calls (bad ids, bad
// enums, odd shapes, einsum text, finishing half-built graphs). The writer is what the
// seed tool uses to turn zoo graphs into seeds; reader and writer share this one format.
//
//   ids, counts      unsigned LEB128
//   int64 values     zigzag LEB128
//   doubles          8 bytes, little-endian
//   strings          a length byte, then that many bytes (NULs dropped)
//   missing bytes    read as zero, so every byte string is a valid program
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace cfp_fuzz {

enum class BuilderOp : uint8_t {
  kAddTensor = 0,        // name, dtype u8, role u8, rank u8, dims (int64)
  kAddOp = 1,            // name, kind (id), n_in, inputs, n_out, outputs
  kSetOpInts = 2,        // op, attr u8, count, values (int64)
  kSetOpDouble = 3,      // op, attr u8, double
  kSetOpScope = 4,       // op, string
  kSetOpPhase = 5,       // op, phase u8
  kSetOpGradOf = 6,      // op, forward op
  kSetOpEinsum = 7,      // op, string
  kSetTensorGradientOf = 8,  // tensor, of
  kSetTensorUpdates = 9,     // tensor, replaces
  kSetTensorValue = 10,      // tensor, double
  kFinish = 11,          // finish now (the program goes on)
  kCount = 12,
};

class StreamReader {
 public:
  StreamReader(const uint8_t *data, size_t size) : p_(data), end_(data + size) {}
  bool done() const { return p_ >= end_; }
  uint8_t Byte() { return p_ < end_ ? *p_++ : 0; }
  uint64_t Unsigned() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = Byte();
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    return v;
  }
  uint32_t Id() { return static_cast<uint32_t>(Unsigned()); }
  int64_t Signed() {
    uint64_t z = Unsigned();
    return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  }
  double Double() {
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(Byte()) << (8 * i);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  std::string String() {
    size_t n = Byte();
    std::string s;
    for (size_t i = 0; i < n; ++i)
      if (uint8_t c = Byte()) s.push_back(static_cast<char>(c));
    return s;
  }

 private:
  const uint8_t *p_;
  const uint8_t *end_;
};

class StreamWriter {
 public:
  void Op(BuilderOp op) { Byte(static_cast<uint8_t>(op)); }
  void Byte(uint8_t b) { out_.push_back(b); }
  void Unsigned(uint64_t v) {
    do {
      uint8_t b = v & 0x7f;
      v >>= 7;
      Byte(v ? (b | 0x80) : b);
    } while (v);
  }
  void Signed(int64_t v) { Unsigned((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void Double(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof d);
    for (int i = 0; i < 8; ++i) Byte(static_cast<uint8_t>(bits >> (8 * i)));
  }
  void String(const std::string &s) {
    size_t n = s.size() < 255 ? s.size() : 255;
    Byte(static_cast<uint8_t>(n));
    for (size_t i = 0; i < n; ++i) Byte(static_cast<uint8_t>(s[i]));
  }
  const std::vector<uint8_t> &bytes() const { return out_; }

 private:
  std::vector<uint8_t> out_;
};

}  // namespace cfp_fuzz
