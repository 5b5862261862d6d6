// Fixed-width vectors (GCC/Clang vector extensions) for the CPU kernels, plus the scalar
// overloads of the same primitives, so that math templated on the lane type (see sampling.h)
// is written once and produces bit-identical results per lane whether a value is computed in a
// vector, in a scalar CPU tail loop or in a CUDA thread. Every primitive is exactly rounded (IEEE
// add/mul/div/sqrt and fused multiply-add), so the results do not depend on the vector width.
#pragma once
#include "smoothcert/common.h"

#if !defined(__CUDACC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#endif

namespace smoothcert {
namespace simd {

// ------------------------------------------------------------------ scalar overloads
SC_HD void mul_wide(uint32_t a, uint32_t m, uint32_t& hi, uint32_t& lo) {
  const uint64_t p = static_cast<uint64_t>(a) * m;
  hi = static_cast<uint32_t>(p >> 32);
  lo = static_cast<uint32_t>(p);
}
SC_HD float fma_(float a, float b, float c) { return fmaf(a, b, c); }
SC_HD float sqrt_(float a) { return sqrtf(a); }
SC_HD uint32_t float_bits(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  uint32_t u;
  __builtin_memcpy(&u, &f, 4);
  return u;
#endif
}
SC_HD float bits_float(uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float f;
  __builtin_memcpy(&f, &u, 4);
  return f;
#endif
}
SC_HD float to_float(int32_t i) { return static_cast<float>(i); }
SC_HD int32_t to_int(float f) { return static_cast<int32_t>(f); }
SC_HD int32_t as_signed(uint32_t u) { return static_cast<int32_t>(u); }
SC_HD uint32_t as_unsigned(int32_t i) { return static_cast<uint32_t>(i); }
template <class C, class T>
SC_HD T select(C cond, T a, T b) { return cond ? a : b; }

#if !defined(__CUDACC__)
// ------------------------------------------------------------------ vector types (host only)
// One native register of 32-bit lanes: wider generic vectors are split by the compiler and, when
// passed between non-inlined functions, go through memory.
#if defined(__AVX512F__)
constexpr int kLanes = 16;
#elif defined(__AVX__)
constexpr int kLanes = 8;
#else
constexpr int kLanes = 4;
#endif
typedef uint32_t u32v __attribute__((vector_size(4 * kLanes)));
typedef int32_t i32v __attribute__((vector_size(4 * kLanes)));
typedef float f32v __attribute__((vector_size(4 * kLanes)));
// The same register seen as 64-bit lanes.
typedef uint64_t u64h __attribute__((vector_size(4 * kLanes)));

// Unsigned 32x32 -> 64-bit products of the low halves of every 64-bit lane (vpmuludq). Written
// with the intrinsic: the compiler does not see that a masked 64-bit multiply needs only one.
SC_HD u64h mul_low_halves(u64h a, u64h b) {
#if defined(__AVX512F__)
  return reinterpret_cast<u64h>(_mm512_mul_epu32(reinterpret_cast<__m512i>(a), reinterpret_cast<__m512i>(b)));
#elif defined(__AVX2__)
  return reinterpret_cast<u64h>(_mm256_mul_epu32(reinterpret_cast<__m256i>(a), reinterpret_cast<__m256i>(b)));
#elif defined(__AVX__)
  return (a & 0xFFFFFFFFull) * (b & 0xFFFFFFFFull);
#elif defined(__SSE2__)
  return reinterpret_cast<u64h>(_mm_mul_epu32(reinterpret_cast<__m128i>(a), reinterpret_cast<__m128i>(b)));
#else
  return (a & 0xFFFFFFFFull) * (b & 0xFFFFFFFFull);
#endif
}

// 32x32 -> 64-bit products of every lane, in the 64-bit view of the same register: even lanes
// are the low halves and odd lanes the high halves, so no lane moves across the vector.
SC_HD void mul_wide(u32v a, uint32_t m, u32v& hi, u32v& lo) {
  const u64h v = reinterpret_cast<u64h&>(a);
  const u64h mm = u64h{} + static_cast<uint64_t>(m);
  const u64h even = mul_low_halves(v, mm);
  const u64h odd = mul_low_halves(v >> 32, mm);
  const u64h h = (even >> 32) | (odd & 0xFFFFFFFF00000000ull);
  const u64h l = (even & 0xFFFFFFFFull) | (odd << 32);
  hi = reinterpret_cast<const u32v&>(h);
  lo = reinterpret_cast<const u32v&>(l);
}
// Lane loops over exactly rounded builtins: the compiler emits vfmadd/vsqrt where available.
SC_HD f32v fma_(f32v a, f32v b, f32v c) {
  f32v r;
  for (int i = 0; i < kLanes; ++i) r[i] = __builtin_fmaf(a[i], b[i], c[i]);
  return r;
}
SC_HD f32v sqrt_(f32v a) {
  f32v r;
  for (int i = 0; i < kLanes; ++i) r[i] = __builtin_sqrtf(a[i]);
  return r;
}
SC_HD u32v float_bits(f32v f) { return reinterpret_cast<u32v&>(f); }
SC_HD f32v bits_float(u32v u) { return reinterpret_cast<f32v&>(u); }
SC_HD f32v to_float(i32v i) { return __builtin_convertvector(i, f32v); }
SC_HD i32v to_int(f32v f) { return __builtin_convertvector(f, i32v); }
SC_HD i32v as_signed(u32v u) { return reinterpret_cast<i32v&>(u); }
SC_HD u32v as_unsigned(i32v i) { return reinterpret_cast<u32v&>(i); }
SC_HD f32v select(i32v cond, f32v a, f32v b) { return cond != 0 ? a : b; }
#endif

}  // namespace simd
}  // namespace smoothcert
