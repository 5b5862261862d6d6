// Expp noise of Yang et al. (2020), density proportional to exp(-sum_e |x_e / lambda|^p): i.i.d.
// generalised normal coordinates with |x_e| / lambda = G^(1/p), G ~ Gamma(1/p), random sign.
//
// Boost identity: Gamma(s) = Gamma(s + 1) U^(1/s) in law (U uniform, independent). With s = 1/p,
// G^(1/p) = Gamma(1/p + 1)^(1/p) * U exactly, so every coordinate needs one Gamma variate of shape
// alpha = 1/p + 1 >= 1, drawn by Marsaglia & Tsang (ACM TOMS 26(3), 2000), whose first attempt
// is accepted with probability > 0.95 for alpha >= 1.
//
// float: the first attempt uses one Philox block per element (counter block = element index,
// draw 0: Box-Muller from words 0-1, acceptance uniform from word 2, the boost uniform and the
// sign from word 3) in float arithmetic on simd::kLanes elements at once; a rejected element
// continues on its own ElementStream from draw 1 in double. double: the ElementStream from draw 0
// throughout.
#pragma once
#include <cmath>
#include <cstdint>

#include "smoothcert/philox.h"
#include "smoothcert/simd.h"
#include "smoothcert/variates/iid.h"
#include "smoothcert/variates/standard.h"

namespace smoothcert::noise::shapes {

struct ExppParams {
  double alpha;  // 1/p + 1
  double inv_p;  // 1/p
  double lambd;
};

// Marks a rejected first attempt; +inf is never a finite sample, and an overflowing accepted value
// is simply recomputed by the double-precision fallback.
constexpr float kRejected = HUGE_VALF;

// First Marsaglia-Tsang attempt in float on any lane type (float with U = uint32_t, or simd::f32v
// with U = simd::u32v: the same operations, so vector and scalar lanes agree bit for bit):
// sign * G^(1/p) * U, or kRejected.
template <class T, class U>
SC_HD T expp_attempt(U w0, U w1, U w2, U w3, float d, float c, float inv_p) {
  const T r = simd::sqrt_(-2.0f * sampling::sc_log(sampling::uniform_open24<T>(w0)));
  T s, co;
  sampling::sc_sincos2pi(sampling::uniform_open24<T>(w1), s, co);
  const T x = r * co;
  const T v = simd::fma_(T{} + c, x, T{} + 1.0f);
  const T v3 = v * v * v;
  const T ua = sampling::uniform_open24<T>(w2);
  const T x2 = x * x;
  const T squeeze = simd::fma_(-0.0331f * x2, x2, T{} + 1.0f);
  const T safe_v3 = simd::select(v3 > 0.0f, v3, T{} + 1.0f);
  const T bound = simd::fma_(T{} + 0.5f, x2, d * (1.0f - v3 + sampling::sc_log(safe_v3)));
  const T mag = exp_lanes(sampling::sc_log(d * safe_v3) * inv_p) * sampling::uniform_open24<T>(w3);
  // Accept if v > 0 and (squeeze test or full test).
  const auto accept = (v > 0.0f) & ((ua < squeeze) | (sampling::sc_log(ua) < bound));
  return simd::select(accept, random_sign<T>(w3) * mag, T{} + kRejected);
}

// Continuation after a rejected first attempt: the element's own stream from draw 1.
SC_HD float expp_fallback_f(const philox::Key& key, const philox::Block& first, int64_t e, uint64_t sample,
                            uint32_t input, const ExppParams& prm) {
  sampling::ElementStream rng(key, static_cast<uint32_t>(e), sample, input);
  rng.draw = 1;
  const double g = sampling::gamma(rng, prm.alpha);
  const double u = static_cast<double>(sampling::uniform_open_f(first.v3));
  return random_sign<float>(first.v3) * static_cast<float>(pow(g, prm.inv_p) * u);
}

SC_HD double expp_value_d(const philox::Key& key, int64_t e, uint64_t sample, uint32_t input,
                          const ExppParams& prm) {
  sampling::ElementStream rng(key, static_cast<uint32_t>(e), sample, input);
  const double sign = sign_of_word_d(rng.next_word());
  const double u = rng.uniform();
  return sign * pow(sampling::gamma(rng, prm.alpha), prm.inv_p) * u;
}

// Noise value (times lambda) of element e; used as is by the CUDA kernel.
template <class T>
SC_HD T expp_value(const philox::Key& key, int64_t e, uint64_t sample, uint32_t input, const ExppParams& prm) {
  if constexpr (sizeof(T) == 4) {
    const float d = static_cast<float>(prm.alpha - 1.0 / 3.0);
    const float c = static_cast<float>(1.0 / sqrt(9.0 * (prm.alpha - 1.0 / 3.0)));
    const philox::Block b = philox::philox4x32_10(philox::make_counter(static_cast<uint32_t>(e), sample, input), key);
    const float v = expp_attempt<float>(b.v0, b.v1, b.v2, b.v3, d, c, static_cast<float>(prm.inv_p));
    return static_cast<float>(prm.lambd) * (v != kRejected ? v : expp_fallback_f(key, b, e, sample, input, prm));
  } else {
    return prm.lambd * expp_value_d(key, e, sample, input, prm);
  }
}

}  // namespace smoothcert::noise::shapes
