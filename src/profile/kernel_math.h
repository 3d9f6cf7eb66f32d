// Element storage, arithmetic, indexing and random values shared by the CUDA profiler's
// kernels (compiled by nvcc) and the CPU executor of kernel plans used in tests (compiled
// by the host compiler), so the index and conversion logic the GPU runs is tested
// without one. Header-only; no CUDA dependency outside __CUDACC__.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "graph/types.h"

#if defined(__CUDACC__)
#include <cuda_fp16.h>
#define CFP_HD __host__ __device__ __forceinline__
#else
#define CFP_HD inline
#endif

namespace cfp::kernel {

// ---- Storage conversions (round to nearest even; f8e4m3 saturates to +-448) ----------

CFP_HD uint32_t FloatBits(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
#endif
}
CFP_HD float BitsFloat(uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, 4);
  return f;
#endif
}

CFP_HD bool IsFloatDType(DType d) {
  return d == DType::F32 || d == DType::BF16 || d == DType::F16 || d == DType::F8E4M3;
}

CFP_HD int DTypeBytes(DType d) {
  switch (d) {
    case DType::F32: case DType::I32: return 4;
    case DType::BF16: case DType::F16: return 2;
    case DType::F8E4M3: case DType::Bool: return 1;
    case DType::I64: return 8;
  }
  return 1;
}

CFP_HD float Bf16ToFloat(uint16_t h) { return BitsFloat(static_cast<uint32_t>(h) << 16); }
CFP_HD uint16_t FloatToBf16(float f) {
  uint32_t u = FloatBits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40);  // quiet NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

CFP_HD float F16ToFloat(uint16_t h) {
#if defined(__CUDA_ARCH__)
  return __half2float(__ushort_as_half(h));
#else
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t man = h & 0x3ffu;
  if (exp == 0x1f) return BitsFloat(sign | 0x7f800000u | (man << 13));  // inf / NaN
  if (exp == 0) {
    if (man == 0) return BitsFloat(sign);
    // Subnormal: normalize.
    exp = 1;
    while ((man & 0x400u) == 0) {
      man <<= 1;
      --exp;
    }
    man &= 0x3ffu;
    return BitsFloat(sign | ((exp + 112) << 23) | (man << 13));
  }
  return BitsFloat(sign | ((exp + 112) << 23) | (man << 13));
#endif
}

CFP_HD uint16_t FloatToF16(float f) {
#if defined(__CUDA_ARCH__)
  return __half_as_ushort(__float2half_rn(f));
#else
  const uint32_t u = FloatBits(f);
  const uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  const uint32_t abs = u & 0x7fffffffu;
  if (abs > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u);  // NaN
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u); // rounds past 65504: inf
  if (abs < 0x38800000u) {
    // Result is subnormal (or zero): value / 2^-24, rounded to nearest even.
    if (abs < 0x33000000u) return sign;  // below half of the smallest subnormal
    const uint32_t exp = abs >> 23;
    const uint32_t man = (abs & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - exp;  // value / 2^-24 = man * 2^(exp - 126)
    uint32_t q = man >> shift;
    const uint32_t rem = man & ((1u << shift) - 1);
    const uint32_t half = 1u << (shift - 1);
    if (rem > half || (rem == half && (q & 1u))) ++q;
    return static_cast<uint16_t>(sign | q);
  }
  uint32_t v = abs - 0x38000000u;  // rebias exponent 127 -> 15
  v += 0xfffu + ((v >> 13) & 1u);
  return static_cast<uint16_t>(sign | (v >> 13));
#endif
}

// OCP FP8 E4M3 ("E4M3FN"): bias 7, no infinities, 0x7f is NaN, largest finite 448.
CFP_HD float F8e4m3ToFloat(uint8_t b) {
  const uint32_t sign = static_cast<uint32_t>(b & 0x80u) << 24;
  const uint32_t exp = (b >> 3) & 0xfu;
  const uint32_t man = b & 0x7u;
  if (exp == 0xf && man == 0x7) return BitsFloat(sign | 0x7fc00000u);
  if (exp == 0) {
    const float v = static_cast<float>(man) * 0.001953125f;  // man / 8 * 2^-6
    return sign ? -v : v;
  }
  return BitsFloat(sign | ((exp + 120) << 23) | (man << 20));
}

CFP_HD uint8_t FloatToF8e4m3(float f) {
  const uint32_t u = FloatBits(f);
  const uint8_t sign = static_cast<uint8_t>((u >> 24) & 0x80u);
  const uint32_t abs = u & 0x7fffffffu;
  if (abs > 0x7f800000u) return static_cast<uint8_t>(sign | 0x7fu);
  if (abs >= 0x43e00000u) return static_cast<uint8_t>(sign | 0x7eu);  // >= 448: saturate
  if (abs < 0x3c800000u) {
    // Below 2^-6: subnormal steps of 2^-9, rounded to nearest even.
    const float a = BitsFloat(abs) * 512.0f;
    uint32_t q = static_cast<uint32_t>(a);
    const float rem = a - static_cast<float>(q);
    if (rem > 0.5f || (rem == 0.5f && (q & 1u))) ++q;
    return static_cast<uint8_t>(sign | q);  // q == 8 is the smallest normal, encoded alike
  }
  uint32_t v = abs - 0x3c000000u;  // rebias exponent 127 -> 7
  v += 0x7ffffu + ((v >> 20) & 1u);
  uint32_t r = v >> 20;
  if (r > 0x7eu) r = 0x7eu;
  return static_cast<uint8_t>(sign | r);
}

// ---- Typed loads and stores in a compute type (float or int64_t) --------------------

template <class C>
CFP_HD C LoadAs(const void *base, DType dtype, int64_t i) {
  switch (dtype) {
    case DType::F32: return static_cast<C>(static_cast<const float *>(base)[i]);
    case DType::BF16: return static_cast<C>(Bf16ToFloat(static_cast<const uint16_t *>(base)[i]));
    case DType::F16: return static_cast<C>(F16ToFloat(static_cast<const uint16_t *>(base)[i]));
    case DType::F8E4M3: return static_cast<C>(F8e4m3ToFloat(static_cast<const uint8_t *>(base)[i]));
    case DType::I32: return static_cast<C>(static_cast<const int32_t *>(base)[i]);
    case DType::I64: return static_cast<C>(static_cast<const int64_t *>(base)[i]);
    case DType::Bool: return static_cast<C>(static_cast<const uint8_t *>(base)[i] != 0);
  }
  return C(0);
}

template <class C>
CFP_HD void StoreFrom(void *base, DType dtype, int64_t i, C v) {
  switch (dtype) {
    case DType::F32: static_cast<float *>(base)[i] = static_cast<float>(v); return;
    case DType::BF16: static_cast<uint16_t *>(base)[i] = FloatToBf16(static_cast<float>(v)); return;
    case DType::F16: static_cast<uint16_t *>(base)[i] = FloatToF16(static_cast<float>(v)); return;
    case DType::F8E4M3: static_cast<uint8_t *>(base)[i] = FloatToF8e4m3(static_cast<float>(v)); return;
    case DType::I32: static_cast<int32_t *>(base)[i] = static_cast<int32_t>(v); return;
    case DType::I64: static_cast<int64_t *>(base)[i] = static_cast<int64_t>(v); return;
    case DType::Bool: static_cast<uint8_t *>(base)[i] = v != C(0) ? 1 : 0; return;
  }
}

// Copies one element of `size` bytes (gathers move data without converting it).
CFP_HD void CopyElement(void *dst, int64_t di, const void *src, int64_t si, int size) {
  switch (size) {
    case 1: static_cast<uint8_t *>(dst)[di] = static_cast<const uint8_t *>(src)[si]; return;
    case 2: static_cast<uint16_t *>(dst)[di] = static_cast<const uint16_t *>(src)[si]; return;
    case 4: static_cast<uint32_t *>(dst)[di] = static_cast<const uint32_t *>(src)[si]; return;
    default: static_cast<uint64_t *>(dst)[di] = static_cast<const uint64_t *>(src)[si]; return;
  }
}

// ---- Elementwise arithmetic ----------------------------------------------------------

template <class C>
CFP_HD C ApplyUnary(OpKind kind, C x) {
  if constexpr (std::is_floating_point_v<C>) {
    switch (kind) {
      case OpKind::Abs: return ::fabsf(x);
      case OpKind::Neg: return -x;
      case OpKind::Exp: return ::expf(x);
      case OpKind::Log: return ::logf(x);
      case OpKind::Sqrt: return ::sqrtf(x);
      case OpKind::Rsqrt: return 1.0f / ::sqrtf(x);
      case OpKind::Tanh: return ::tanhf(x);
      case OpKind::Logistic: return 1.0f / (1.0f + ::expf(-x));
      case OpKind::Sin: return ::sinf(x);
      case OpKind::Cos: return ::cosf(x);
      default: return x;  // Convert, Copy: the store converts
    }
  } else {
    switch (kind) {
      case OpKind::Abs: return x < 0 ? -x : x;
      case OpKind::Neg: return -x;
      default: return x;
    }
  }
}

template <class C>
CFP_HD bool Compare(Comparison cmp, C a, C b) {
  switch (cmp) {
    case Comparison::EQ: return a == b;
    case Comparison::NE: return a != b;
    case Comparison::LT: return a < b;
    case Comparison::LE: return a <= b;
    case Comparison::GT: return a > b;
    case Comparison::GE: return a >= b;
  }
  return false;
}

template <class C>
CFP_HD C ApplyBinary(OpKind kind, C a, C b) {
  switch (kind) {
    case OpKind::Add: return a + b;
    case OpKind::Subtract: return a - b;
    case OpKind::Multiply: return a * b;
    case OpKind::Divide:
      if constexpr (std::is_floating_point_v<C>) return a / b;
      else return b == 0 ? C(0) : a / b;  // never trap on a random integer divisor
    case OpKind::Maximum: return a > b ? a : b;
    case OpKind::Minimum: return a < b ? a : b;
    case OpKind::Power:
      if constexpr (std::is_floating_point_v<C>) return ::powf(a, b);
      else return a;
    default: return a;
  }
}

// ---- Reductions -----------------------------------------------------------------------

template <class C>
CFP_HD C ReduceInit(OpKind kind) {
  if constexpr (std::is_floating_point_v<C>) {
    if (kind == OpKind::ReduceMax) return -INFINITY;
    if (kind == OpKind::ReduceMin) return INFINITY;
  } else {
    if (kind == OpKind::ReduceMax) return INT64_MIN;
    if (kind == OpKind::ReduceMin) return INT64_MAX;
  }
  return C(0);
}

template <class C>
CFP_HD C ReduceCombine(OpKind kind, C acc, C v) {
  if (kind == OpKind::ReduceMax) return v > acc ? v : acc;
  if (kind == OpKind::ReduceMin) return v < acc ? v : acc;
  return acc + v;
}

// ---- Indexing -------------------------------------------------------------------------

// Offset of element `linear` (row-major over `shape`) in a view with `stride`s.
CFP_HD int64_t StridedOffset(int64_t linear, int rank, const int64_t *shape, const int64_t *stride, int64_t base) {
  int64_t off = base;
  for (int d = rank - 1; d >= 0; --d) {
    const int64_t i = linear % shape[d];
    linear /= shape[d];
    off += i * stride[d];
  }
  return off;
}

// ---- Random inputs -------------------------------------------------------------------

// SplitMix64 (Steele, Lea, Flood 2014): a counter-based generator, so every element's
// value depends only on (seed, index) and any thread can make any element.
CFP_HD uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Uniform in [0, 1).
CFP_HD double RandomUnit(uint64_t seed, int64_t i) {
  return static_cast<double>(SplitMix64(seed ^ SplitMix64(static_cast<uint64_t>(i))) >> 11) * (1.0 / 9007199254740992.0);
}

// The seed of graph input `tensor`'s random values.
CFP_HD uint64_t InputSeed(uint64_t seed, uint32_t tensor) { return SplitMix64(seed) + tensor; }

// Random input values: floats in +-[0.25, 1) (never zero, also after rounding to f8);
// integers in [lo, hi); bools 0 or 1.
CFP_HD void StoreRandom(void *base, DType dtype, int64_t i, uint64_t seed, int64_t lo, int64_t hi) {
  const double u = RandomUnit(seed, i);
  if (dtype == DType::Bool) {
    StoreFrom<int64_t>(base, dtype, i, u < 0.5 ? 0 : 1);
  } else if (IsFloatDType(dtype)) {
    const double magnitude = 0.25 + 0.75 * RandomUnit(seed + 0x51ed, i);
    StoreFrom<float>(base, dtype, i, static_cast<float>(u < 0.5 ? -magnitude : magnitude));
  } else {
    int64_t v = lo + static_cast<int64_t>(u * static_cast<double>(hi - lo));
    if (v >= hi) v = hi - 1;
    StoreFrom<int64_t>(base, dtype, i, v);
  }
}

}  // namespace cfp::kernel
