// Conversions and sums that report a result their type cannot hold, instead of wrapping
// or being undefined: graphs may hold tensors of up to 2^63 bytes each, so totals of
// sizes, bytes and FLOPs can pass 2^64.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace cfp {

// 2^64 as a double: the least value a uint64_t cannot hold.
inline constexpr double kTwoToThe64 = 18446744073709551616.0;

// `v` rounded to the nearest integer (halves away from zero) if it is finite and the
// result fits a uint64_t; nullopt otherwise. The only double to uint64_t conversion the
// C API layer uses.
inline std::optional<uint64_t> RoundToUint64(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  const double r = std::round(v);
  if (!(r > -1) || r >= kTwoToThe64) return std::nullopt;
  return r <= 0 ? uint64_t{0} : static_cast<uint64_t>(r);
}

// The least integer >= `v` as a uint64_t, under the same conditions.
inline std::optional<uint64_t> CeilToUint64(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  return RoundToUint64(std::ceil(v));
}

inline std::optional<uint64_t> CheckedAdd(uint64_t a, uint64_t b) {
  uint64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return std::nullopt;
  return sum;
}

inline std::optional<uint64_t> CheckedMul(uint64_t a, uint64_t b) {
  uint64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
  return product;
}

// "3.6893e+19" for a message: a double too large for an integer still prints.
inline std::string ShortNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.5g", v);
  return buf;
}

// RoundToUint64 or ceil as a Result: `quantity` ("the peak memory per device") names what
// did not fit, `unit` ("bytes") what it counts.
inline Result<uint64_t> ToUint64(double v, std::string_view quantity, std::string_view unit, bool round_up = false) {
  if (const std::optional<uint64_t> r = round_up ? CeilToUint64(v) : RoundToUint64(v)) return *r;
  const std::string what = std::string(quantity) + " (" + ShortNumber(v) + (unit.empty() ? "" : " ") + std::string(unit) + ")";
  if (!std::isfinite(v) || v < 0) return InvalidArgument(what + " is not a finite non-negative number");
  return OutOfRange(what + " does not fit in 64 bits (at most 18446744073709551615)");
}

}  // namespace cfp
