// Generator structs for the noise families of Yang et al., "Randomized Smoothing of All Shapes
// and Sizes" (ICML 2020) and the split noise of Levine & Feizi (ICML 2021). Written once,
// host+device: the CPU shells and the CUDA kernels call the same code.
//
// Three kinds of generator:
//  * i.i.d. coordinate generators (kPerBlock, fill): for the shell in iid.h;
//  * direction generators (uniform directions on the l1, l2 and l-infinity unit spheres), used by
//    the radius-times-direction shell in shapes_radial.h;
//  * radius laws (one scalar per noisy copy, drawn from a draw-indexed ElementStream).
//
// Float generators take the top 24 bits of a Philox word as the uniform (variates/standard.h) and use the
// lowest bit, which that uniform ignores, as a random sign.
#pragma once
#include "smoothcert/variates/gaussian_gen.h"
#include "smoothcert/common.h"
#include "smoothcert/philox.h"
#include "smoothcert/variates/standard.h"
#include "smoothcert/simd.h"

#include <type_traits>

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

// Split values of SSN (Levine & Feizi 2021, Sec. 3): s ~ U(0, 2 lambda) per coordinate.
template <class T>
struct SplitGen {
  T width;  // 2 lambda
  static constexpr int kPerBlock = sizeof(T) == 4 ? 4 : 2;
  SC_HD void fill(philox::Block b, T out[kPerBlock]) const {
    if constexpr (sizeof(T) == 4) {
      const auto one = [&](uint32_t w) { return width * sampling::uniform_open_f(w); };
      out[0] = one(b.v0); out[1] = one(b.v1); out[2] = one(b.v2); out[3] = one(b.v3);
    } else {
      out[0] = width * sampling::uniform_open_d(b.v0, b.v1);
      out[1] = width * sampling::uniform_open_d(b.v2, b.v3);
    }
  }
#if !defined(__CUDACC__)
  // Vector twin for the CPU rows (float only).
  template <class X = T, class = std::enable_if_t<sizeof(X) == 4>>
  SC_HD void fill_lanes(const simd::u32v w[4], simd::f32v out[4]) const {
    for (int i = 0; i < 4; ++i) out[i] = width * sampling::uniform_open24<simd::f32v>(w[i]);
  }
#endif
};

// The value SSN and DSSN show the base classifier for input coordinate x and split value s with
// bin width w (= 2 lambda): the bin of the lattice s + w Z that contains x is (u - w, u] with
// u = w ceil((x - s) / w) + s; the classifier sees the midpoint of that bin clipped to [0, 1].
// Only the bin matters for the certificate (Levine & Feizi 2021, Thm. 2): the clipping is a
// deterministic function of the bin, so it changes nothing in the guarantee.
template <class T>
SC_HD T split_value(T x, T s, T w) {
  const T u = w * ceil((x - s) / w) + s;
  const T hi = u < T(1) ? u : T(1);
  const T lo = u - w > T(0) ? u - w : T(0);
  return (hi + lo) * T(0.5);
}

// ------------------------------------------------------------------ directions
// Uniform on the l2 unit sphere: a standard normal vector, normalised (Muller 1959).
template <class T>
struct L2Direction {
  struct Row {};
  static constexpr bool kNormalise = true;
  static constexpr int kPerBlock = GaussianGen<T>::kPerBlock;
  SC_HD Row begin(sampling::ElementStream&, int64_t) const { return Row{}; }
  SC_HD void fill(philox::Block b, T out[kPerBlock]) const { GaussianGen<T>{T(1)}.fill(b, out); }
#if !defined(__CUDACC__)
  // Vector twin (float only): the same values as fill, simd::kLanes blocks at once.
  template <class X = T, class = std::enable_if_t<sizeof(X) == 4>>
  SC_HD void fill_lanes(const simd::u32v w[4], simd::f32v out[4]) const {
    GaussianGen<float>{1.0f}.fill_lanes(w, out);
  }
#endif
  SC_HD static double weight(T v) { return static_cast<double>(v) * static_cast<double>(v); }
#if !defined(__CUDACC__)
  template <class D>
  SC_HD static D weight(D v) { return v * v; }  // lanes already in double
#endif
  SC_HD static double finish(double acc) { return sqrt(acc); }
  SC_HD T at(const Row&, int64_t, T z) const { return z; }
};

// Uniform on the l1 unit sphere (cone measure = normalised surface measure, the faces being
// congruent simplices): i.i.d. standard exponentials with random signs, divided by their sum,
// i.e. Dirichlet(1, ..., 1) magnitudes.
template <class T>
struct L1Direction {
  struct Row {};
  static constexpr bool kNormalise = true;
  static constexpr int kPerBlock = sizeof(T) == 4 ? 4 : 2;
  SC_HD Row begin(sampling::ElementStream&, int64_t) const { return Row{}; }
  SC_HD void fill(philox::Block b, T out[kPerBlock]) const {
    if constexpr (sizeof(T) == 4) {
      const auto one = [](uint32_t w) { return -sign_of_word_f(w) * sampling::sc_log<float>(sampling::uniform_open_f(w)); };
      out[0] = one(b.v0); out[1] = one(b.v1); out[2] = one(b.v2); out[3] = one(b.v3);
    } else {
      out[0] = -sign_of_word_d(b.v1) * log(sampling::uniform_open_d(b.v0, b.v1));
      out[1] = -sign_of_word_d(b.v3) * log(sampling::uniform_open_d(b.v2, b.v3));
    }
  }
#if !defined(__CUDACC__)
  // Vector twin (float only): the same operations as fill, simd::kLanes blocks at once.
  template <class X = T, class = std::enable_if_t<sizeof(X) == 4>>
  SC_HD void fill_lanes(const simd::u32v w[4], simd::f32v out[4]) const {
    for (int i = 0; i < 4; ++i)
      out[i] = -random_sign<simd::f32v>(w[i]) * sampling::sc_log(sampling::uniform_open24<simd::f32v>(w[i]));
  }
#endif
  SC_HD static double weight(T v) { return v < T(0) ? -static_cast<double>(v) : static_cast<double>(v); }
#if !defined(__CUDACC__)
  template <class D>
  SC_HD static D weight(D v) { return v < 0.0 ? -v : v; }  // lanes already in double
#endif
  SC_HD static double finish(double acc) { return acc; }
  SC_HD T at(const Row&, int64_t, T z) const { return z; }
};

// Uniform on the l-infinity unit sphere (the surface of the cube [-1, 1]^d, faces of equal area):
// a face is chosen uniformly (coordinate f, sign), coordinate f is set to +-1 and every other
// coordinate is U(-1, 1).
template <class T>
struct LinfDirection {
  struct Row {
    int64_t face;
    T sign;
  };
  static constexpr bool kNormalise = false;
  static constexpr int kPerBlock = sizeof(T) == 4 ? 4 : 2;
  SC_HD Row begin(sampling::ElementStream& rng, int64_t dim) const {
    const uint32_t w = rng.next_word();
    const uint32_t s = rng.next_word();
    // floor(w d / 2^32): uniform on {0, ..., d-1} up to d / 2^32 (d < 2^32 is checked).
    const int64_t face = static_cast<int64_t>((static_cast<uint64_t>(w) * static_cast<uint64_t>(dim)) >> 32);
    return Row{face, (s & 1u) ? T(-1) : T(1)};
  }
  SC_HD void fill(philox::Block b, T out[kPerBlock]) const { UniformGen<T>{T(1)}.fill(b, out); }
#if !defined(__CUDACC__)
  // Vector twin (float only): the same values as fill, simd::kLanes blocks at once.
  template <class X = T, class = std::enable_if_t<sizeof(X) == 4>>
  SC_HD void fill_lanes(const simd::u32v w[4], simd::f32v out[4]) const {
    UniformGen<float>{1.0f}.fill_lanes(w, out);
  }
#endif
  SC_HD static double weight(T) { return 0.0; }
#if !defined(__CUDACC__)
  template <class D>
  SC_HD static D weight(D) { return D{}; }
#endif
  SC_HD static double finish(double) { return 1.0; }
  SC_HD T at(const Row& row, int64_t e, T z) const { return e == row.face ? row.sign : z; }
};

// ------------------------------------------------------------------ radius laws
// R = U^power (uniform in the l2 ball: power = 1/d).
struct PowerUniformRadius {
  double power;
  SC_HD double draw(sampling::ElementStream& rng) const { return pow(rng.uniform(), power); }
};

// R = G^power, G ~ Gamma(shape). With power = 1/k and shape = (d - j)/k, R has density
// proportional to r^(d-1-j) exp(-r^k): the radial law of Exp2, ExpInf (and Exp1 with j = 0).
struct GammaRadius {
  double shape;
  double power;
  SC_HD double draw(sampling::ElementStream& rng) const { return pow(sampling::gamma(rng, shape), power); }
};

// R = G^power, G ~ Gamma(shape) conditioned on G <= g_max (by rejection). With shape = d/2 - k,
// power = 1/2 and scale sqrt(2) sigma', this is the thresholded generalized Gaussian of DSRS (Li et
// al., ICML 2022): the generalized Gaussian restricted to the ball of radius sqrt(2 g_max) sigma'.
struct TruncatedGammaRadius {
  double shape;
  double g_max;
  double power;
  SC_HD double draw(sampling::ElementStream& rng) const {
    double g = sampling::gamma(rng, shape);
    while (g > g_max) g = sampling::gamma(rng, shape);
    return pow(g, power);
  }
};

// R = (G1 / G2)^power, G1 ~ Gamma(shape1), G2 ~ Gamma(shape2): G1/G2 is BetaPrime(shape1, shape2),
// density t^(shape1-1) (1 + t)^-(shape1+shape2); the radial law of Pow2 (t = r^k) and PowInf.
struct BetaPrimeRadius {
  double shape1;
  double shape2;
  double power;
  SC_HD double draw(sampling::ElementStream& rng) const {
    const double g1 = sampling::gamma(rng, shape1);
    const double g2 = sampling::gamma(rng, shape2);
    return pow(g1 / g2, power);
  }
};

}  // namespace smoothcert::noise::shapes
