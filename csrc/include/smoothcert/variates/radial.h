// Radius-times-direction variates for the spherical and cubical families of Yang et al. (2020):
// a density f(||x / lambda||) with ||.|| the l1, l2 or l-infinity norm factorises (polar
// decomposition for the cone measure of that norm) into an independent radius R, whose law is
// r^(d-1) f(r) dr, and a direction uniform on the unit sphere of the norm. One noisy copy is
//   out[e] = x[e] + lambda * R * z[e] / ||z||,
// z from a direction generator (kPerBlock values per Philox element block) and R from a radius
// law drawn on the row's own stream (element block kRowBlock, never used by element blocks).
//
// The norm of z is reduced in a fixed order shared by the CPU loop (noise/radial_noise_cpu.cpp)
// and the CUDA kernel (noise/radial_noise_cuda.cu): element block b adds to lane b mod kLanes in
// increasing b, then the lanes are summed in order; so the result does not depend on threads or
// devices.
#pragma once
#include <cstdint>
#include <type_traits>

#include "smoothcert/common.h"
#include "smoothcert/philox.h"
#include "smoothcert/simd.h"
#include "smoothcert/variates/gaussian_gen.h"
#include "smoothcert/variates/iid.h"
#include "smoothcert/variates/standard.h"

namespace smoothcert::noise::shapes {

// Partial sums of the squared (or absolute) direction values: one per lane, 32 = one CUDA warp.
constexpr int kLanes = 32;
// Element block of the row's own stream (radius and row scalars).
constexpr uint32_t kRowBlock = 0xFFFFFFFFu;

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
