// Deterministic 64-bit hashing for structural fingerprints (independent of the standard
// library's std::hash, so fingerprints are stable across runs and builds).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace cfp {

inline uint64_t Mix64(uint64_t x) {
  // splitmix64 finalizer
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

class Hasher {
 public:
  Hasher &Add(uint64_t v) {
    h_ = Mix64(h_ ^ Mix64(v + n_++));
    return *this;
  }
  Hasher &AddDouble(double d) {
    uint64_t v;
    std::memcpy(&v, &d, sizeof v);
    return Add(v);
  }
  Hasher &AddString(std::string_view s) {
    Add(s.size());
    for (char c : s) Add(static_cast<unsigned char>(c));
    return *this;
  }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 0x6a09e667f3bcc909ull;
  uint64_t n_ = 0;
};

}  // namespace cfp
