// Coordinate generators for the i.i.d. noise families of Yang et al., "Randomized Smoothing of All
// Shapes and Sizes" (ICML 2020): uniform, Laplace and symmetric Pareto, with the per-word float
// transforms (random sign, lane exp) that the Expp, split and direction generators reuse. Written
// once, host+device: the CPU loops (noise/rows_cpu.h) and the CUDA kernels (noise/rows_cuda.cuh)
// call the same code.
//
// A coordinate generator has kPerBlock and fill (variates/rows.h states the protocol). Float
// generators take the top 24 bits of a Philox word as the uniform (variates/standard.h) and use
// the lowest bit, which that uniform ignores, as a random sign.
#pragma once
#include <type_traits>

#include "smoothcert/common.h"
#include "smoothcert/philox.h"
#include "smoothcert/simd.h"
#include "smoothcert/variates/standard.h"

namespace smoothcert::noise::shapes {

SC_HD float sign_of_word_f(uint32_t w) { return (w & 1u) ? -1.0f : 1.0f; }
SC_HD double sign_of_word_d(uint32_t w) { return (w & 1u) ? -1.0 : 1.0; }

// Per-word float transforms templated on the lane type (float with U = uint32_t, or simd::f32v
// with U = simd::u32v): the scalar fill and the vector fill_lanes run identical operations.
template <class T, class U>
SC_HD T random_sign(U w) {
  return simd::select(simd::as_signed(w & 1u), T{} - 1.0f, T{} + 1.0f);
}

// exp(y) for |y| <= 87 on any lane type (relative error < 3e-7): y = n ln2 + r with |r| <= ln2/2
// (Cody-Waite split of ln2), degree-7 Taylor polynomial, 2^n through the exponent bits; n is
// clamped to [-126, 128] (2^128's bit pattern is +inf). For y >= 0 (Pareto) the lower clamp never
// acts; Expp's first attempt needs it for negative y.
template <class T>
SC_HD T exp_lanes(T y) {
  T n = (y * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  n = simd::select(n > 128.0f, T{} + 128.0f, n);
  n = simd::select(n < -126.0f, T{} - 126.0f, n);
  const T r = simd::fma_(n, T{} - 1.428606765330187e-06f, simd::fma_(n, T{} - 0.693145751953125f, y));
  T p = simd::fma_(r, T{} + 1.0f / 5040.0f, T{} + 1.0f / 720.0f);
  p = simd::fma_(p, r, T{} + 1.0f / 120.0f);
  p = simd::fma_(p, r, T{} + 1.0f / 24.0f);
  p = simd::fma_(p, r, T{} + 1.0f / 6.0f);
  p = simd::fma_(p, r, T{} + 0.5f);
  p = simd::fma_(p, r, T{} + 1.0f);
  p = simd::fma_(p, r, T{} + 1.0f);
  const T scale = simd::bits_float(simd::as_unsigned((simd::to_int(n) + 127) << 23));
  return simd::select(n > 127.0f, scale, p * scale);
}

template <class T, class U>
SC_HD T uniform_word(U w, float lambd) {
  return lambd * simd::fma_(T{} + 2.0f, sampling::uniform_open24<T>(w), T{} - 1.0f);
}
template <class T, class U>
SC_HD T laplace_word(U w, float lambd) {
  return -lambd * random_sign<T>(w) * sampling::sc_log(sampling::uniform_open24<T>(w));
}
template <class T, class U>
SC_HD T pareto_word(U w, float lambd, float inv_a) {
  const T e = -sampling::sc_log(sampling::uniform_open24<T>(w)) * inv_a;
  return lambd * random_sign<T>(w) * (exp_lanes(e) - 1.0f);
}

// ------------------------------------------------------------------ i.i.d. coordinates
// Uniform on [-lambda, lambda] (Yang et al., Table 1 "Uniform"): lambda (2U - 1).
template <class T>
struct UniformGen {
  T lambd;
  static constexpr int kPerBlock = sizeof(T) == 4 ? 4 : 2;
  SC_HD void fill(philox::Block b, T out[kPerBlock]) const {
    if constexpr (sizeof(T) == 4) {
      out[0] = uniform_word<float>(b.v0, lambd);
      out[1] = uniform_word<float>(b.v1, lambd);
      out[2] = uniform_word<float>(b.v2, lambd);
      out[3] = uniform_word<float>(b.v3, lambd);
    } else {
      out[0] = lambd * (2.0 * sampling::uniform_open_d(b.v0, b.v1) - 1.0);
      out[1] = lambd * (2.0 * sampling::uniform_open_d(b.v2, b.v3) - 1.0);
    }
  }
#if !defined(__CUDACC__)
  // Vector twin for the i.i.d. shell (float only).
  template <class X = T, class = std::enable_if_t<sizeof(X) == 4>>
  SC_HD void fill_lanes(const simd::u32v w[4], simd::f32v out[4]) const {
    for (int i = 0; i < 4; ++i) out[i] = uniform_word<simd::f32v>(w[i], lambd);
  }
#endif
};

// Laplace, density exp(-|x|/lambda) / (2 lambda): |x| = -lambda log U (exponential), random sign.
template <class T>
struct LaplaceGen {
  T lambd;
  static constexpr int kPerBlock = sizeof(T) == 4 ? 4 : 2;
  SC_HD void fill(philox::Block b, T out[kPerBlock]) const {
    if constexpr (sizeof(T) == 4) {
      out[0] = laplace_word<float>(b.v0, lambd);
      out[1] = laplace_word<float>(b.v1, lambd);
      out[2] = laplace_word<float>(b.v2, lambd);
      out[3] = laplace_word<float>(b.v3, lambd);
    } else {
      out[0] = -lambd * sign_of_word_d(b.v1) * log(sampling::uniform_open_d(b.v0, b.v1));
      out[1] = -lambd * sign_of_word_d(b.v3) * log(sampling::uniform_open_d(b.v2, b.v3));
    }
  }
#if !defined(__CUDACC__)
  // Vector twin for the i.i.d. shell (float only).
  template <class X = T, class = std::enable_if_t<sizeof(X) == 4>>
  SC_HD void fill_lanes(const simd::u32v w[4], simd::f32v out[4]) const {
    for (int i = 0; i < 4; ++i) out[i] = laplace_word<simd::f32v>(w[i], lambd);
  }
#endif
};

// Symmetric Pareto, density a / (2 lambda) (1 + |x| / lambda)^-(a + 1) (Yang et al., "Pareto"):
// P(|x| > t) = (1 + t / lambda)^-a, so by inversion |x| = lambda (U^(-1/a) - 1).
template <class T>
struct ParetoGen {
  T lambd;
  T inv_a;
  static constexpr int kPerBlock = sizeof(T) == 4 ? 4 : 2;
  SC_HD void fill(philox::Block b, T out[kPerBlock]) const {
    if constexpr (sizeof(T) == 4) {
      out[0] = pareto_word<float>(b.v0, lambd, inv_a);
      out[1] = pareto_word<float>(b.v1, lambd, inv_a);
      out[2] = pareto_word<float>(b.v2, lambd, inv_a);
      out[3] = pareto_word<float>(b.v3, lambd, inv_a);
    } else {
      out[0] = lambd * sign_of_word_d(b.v1) * expm1(-log(sampling::uniform_open_d(b.v0, b.v1)) * inv_a);
      out[1] = lambd * sign_of_word_d(b.v3) * expm1(-log(sampling::uniform_open_d(b.v2, b.v3)) * inv_a);
    }
  }
#if !defined(__CUDACC__)
  // Vector twin for the i.i.d. shell (float only).
  template <class X = T, class = std::enable_if_t<sizeof(X) == 4>>
  SC_HD void fill_lanes(const simd::u32v w[4], simd::f32v out[4]) const {
    for (int i = 0; i < 4; ++i) out[i] = pareto_word<simd::f32v>(w[i], lambd, inv_a);
  }
#endif
};

}  // namespace smoothcert::noise::shapes
