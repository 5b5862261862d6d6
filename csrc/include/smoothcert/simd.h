// Fixed-width vectors (GCC/Clang vector extensions) for the CPU kernels, plus the scalar
// overloads of the same primitives, so that math templated on the lane type (see variates/standard.h)
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

// Even 32-bit lanes of a, odd lanes of b (one vpblendd).
SC_HD u32v even_odd(u32v a, u32v b) {
#if defined(__AVX512F__)
  return __builtin_shufflevector(a, b, 0, 17, 2, 19, 4, 21, 6, 23, 8, 25, 10, 27, 12, 29, 14, 31);
#elif defined(__AVX__)
  return __builtin_shufflevector(a, b, 0, 9, 2, 11, 4, 13, 6, 15);
#else
  return __builtin_shufflevector(a, b, 0, 5, 2, 7);
#endif
}

// 32x32 -> 64-bit products of every lane, in the 64-bit view of the same register: even lanes
// are the low halves and odd lanes the high halves, so no lane moves across the vector; each
// half is put back in place by a blend (masking and or-ing took one more operation per half).
SC_HD void mul_wide(u32v a, uint32_t m, u32v& hi, u32v& lo) {
  const u64h v = reinterpret_cast<u64h&>(a);
  const u64h mm = u64h{} + static_cast<uint64_t>(m);
  const u64h even = mul_low_halves(v, mm);
  const u64h odd = mul_low_halves(v >> 32, mm);
  const u64h even_hi = even >> 32;
  const u64h odd_lo = odd << 32;
  hi = even_odd(reinterpret_cast<const u32v&>(even_hi), reinterpret_cast<const u32v&>(odd));
  lo = even_odd(reinterpret_cast<const u32v&>(even), reinterpret_cast<const u32v&>(odd_lo));
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

// Element order of K vectors whose lane l holds block l's value q: out[l K + q] = v[q][l], for
// K L consecutive floats (unaligned). Four 8-lane vectors are a 4x8 transpose in twelve shuffles;
// other shapes go lane by lane.
template <int K>
SC_HD void interleave_lanes(const f32v (&v)[K], float* out) {
#if defined(__AVX__) && !defined(__AVX512F__)
  if constexpr (K == 4) {
    // t0 = a0 b0 a1 b1 | a4 b4 a5 b5, t1 = a2 b2 a3 b3 | a6 b6 a7 b7 (and c, d in t2, t3)
    const f32v t0 = __builtin_shufflevector(v[0], v[1], 0, 8, 1, 9, 4, 12, 5, 13);
    const f32v t1 = __builtin_shufflevector(v[0], v[1], 2, 10, 3, 11, 6, 14, 7, 15);
    const f32v t2 = __builtin_shufflevector(v[2], v[3], 0, 8, 1, 9, 4, 12, 5, 13);
    const f32v t3 = __builtin_shufflevector(v[2], v[3], 2, 10, 3, 11, 6, 14, 7, 15);
    // u_j = block j | block j + 4, each as a b c d
    const f32v u0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
    const f32v u1 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
    const f32v u2 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
    const f32v u3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
    _mm256_storeu_ps(out, reinterpret_cast<__m256>(__builtin_shufflevector(u0, u1, 0, 1, 2, 3, 8, 9, 10, 11)));
    _mm256_storeu_ps(out + 8, reinterpret_cast<__m256>(__builtin_shufflevector(u2, u3, 0, 1, 2, 3, 8, 9, 10, 11)));
    _mm256_storeu_ps(out + 16, reinterpret_cast<__m256>(__builtin_shufflevector(u0, u1, 4, 5, 6, 7, 12, 13, 14, 15)));
    _mm256_storeu_ps(out + 24, reinterpret_cast<__m256>(__builtin_shufflevector(u2, u3, 4, 5, 6, 7, 12, 13, 14, 15)));
    return;
  }
#elif defined(__AVX512F__)
  if constexpr (K == 4) {
    // Four 16-lane vectors: pairs (a, b) and (c, d) interleaved by one two-source permute per
    // half, then the pairs of pairs (eight permutes in all, vpermt2ps).
    const f32v ab0 = __builtin_shufflevector(v[0], v[1], 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const f32v ab1 = __builtin_shufflevector(v[0], v[1], 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const f32v cd0 = __builtin_shufflevector(v[2], v[3], 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const f32v cd1 = __builtin_shufflevector(v[2], v[3], 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const f32v o0 = __builtin_shufflevector(ab0, cd0, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
    const f32v o1 = __builtin_shufflevector(ab0, cd0, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
    const f32v o2 = __builtin_shufflevector(ab1, cd1, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
    const f32v o3 = __builtin_shufflevector(ab1, cd1, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
    _mm512_storeu_ps(out, reinterpret_cast<__m512>(o0));
    _mm512_storeu_ps(out + 16, reinterpret_cast<__m512>(o1));
    _mm512_storeu_ps(out + 32, reinterpret_cast<__m512>(o2));
    _mm512_storeu_ps(out + 48, reinterpret_cast<__m512>(o3));
    return;
  }
#endif
  for (int l = 0; l < kLanes; ++l)
    for (int q = 0; q < K; ++q) out[l * K + q] = v[q][l];
}
#endif

}  // namespace simd
}  // namespace smoothcert
