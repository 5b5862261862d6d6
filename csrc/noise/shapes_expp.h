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
// sign from word 3) in vectorisable float arithmetic; a rejected element continues on its own
// ElementStream from draw 1 in double. double: the ElementStream from draw 0 throughout.
#pragma once
#include <cstdint>

#include "noise/iid.h"
#include "noise/shapes_gen.h"

namespace smoothcert::noise::shapes {

struct ExppParams {
  double alpha;  // 1/p + 1
  double inv_p;  // 1/p
  double lambd;
};

// Marks a rejected first attempt; +inf is never a finite sample, and an overflowing accepted value
// is simply recomputed by the double-precision fallback.
constexpr float kRejected = HUGE_VALF;

// First Marsaglia-Tsang attempt in float: sign * G^(1/p) * U, or kRejected.
SC_HD float expp_attempt_f(philox::Block b, float d, float c, float inv_p) {
  const float r = sqrtf(-2.0f * sampling::sc_log<float>(sampling::uniform_open_f(b.v0)));
  float s, co;
  sampling::sc_sincos2pi<float>(sampling::uniform_open_f(b.v1), s, co);
  const float x = r * co;
  const float v = fmaf(c, x, 1.0f);
  const float v3 = v * v * v;
  const float ua = sampling::uniform_open_f(b.v2);
  const float x2 = x * x;
  const float squeeze = fmaf(-0.0331f * x2, x2, 1.0f);
  const float safe_v3 = v3 > 0.0f ? v3 : 1.0f;
  const float bound = fmaf(0.5f, x2, d * (1.0f - v3 + sampling::sc_log<float>(safe_v3)));
  const float g = d * safe_v3;
  const float mag = sc_expf(sampling::sc_log<float>(g) * inv_p) * sampling::uniform_open_f(b.v3);
  // Accept if v > 0 and (squeeze test or full test).
  const bool accept = v > 0.0f && (ua < squeeze || sampling::sc_log<float>(ua) < bound);
  return accept ? sign_of_word_f(b.v3) * mag : kRejected;
}

// Continuation after a rejected first attempt: the element's own stream from draw 1.
SC_HD float expp_fallback_f(const philox::Key& key, const philox::Block& first, int64_t e, uint64_t sample,
                            uint32_t input, const ExppParams& prm) {
  sampling::ElementStream rng(key, static_cast<uint32_t>(e), sample, input);
  rng.draw = 1;
  const double g = sampling::gamma(rng, prm.alpha);
  const double u = static_cast<double>(sampling::uniform_open_f(first.v3));
  return sign_of_word_f(first.v3) * static_cast<float>(pow(g, prm.inv_p) * u);
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
    const float v = expp_attempt_f(b, d, c, static_cast<float>(prm.inv_p));
    return static_cast<float>(prm.lambd) * (v != kRejected ? v : expp_fallback_f(key, b, e, sample, input, prm));
  } else {
    return prm.lambd * expp_value_d(key, e, sample, input, prm);
  }
}

template <class T>
void add_expp_noise_cpu(const T* x, T* out, const IidProblem& pb, const ExppParams& prm) {
  const int64_t rows = pb.inputs * pb.samples;
  const philox::Key key = philox::make_key(pb.seed, pb.role);
  constexpr int64_t kChunk = 16;
#pragma omp parallel for schedule(static)
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t i = row / pb.samples;
    const int64_t j = row % pb.samples;
    const T* xi = x + i * pb.dim;
    T* o = out + row * pb.dim;
    const uint64_t sample = static_cast<uint64_t>(pb.sample0 + j);
    const uint32_t input = static_cast<uint32_t>(pb.index0 + i);
    if constexpr (sizeof(T) == 4) {
      const float d = static_cast<float>(prm.alpha - 1.0 / 3.0);
      const float c = static_cast<float>(1.0 / sqrt(9.0 * (prm.alpha - 1.0 / 3.0)));
      const float inv_p = static_cast<float>(prm.inv_p);
      const float lambd = static_cast<float>(prm.lambd);
      for (int64_t e0 = 0; e0 < pb.dim; e0 += kChunk) {
        float v[kChunk];
        for (int64_t c0 = 0; c0 < kChunk; ++c0) {
          const philox::Block b =
              philox::philox4x32_10(philox::make_counter(static_cast<uint32_t>(e0 + c0), sample, input), key);
          v[c0] = expp_attempt_f(b, d, c, inv_p);
        }
        const int64_t n = e0 + kChunk <= pb.dim ? kChunk : pb.dim - e0;
        for (int64_t c0 = 0; c0 < n; ++c0) {
          float val = v[c0];
          if (val == kRejected) {
            const philox::Block b =
                philox::philox4x32_10(philox::make_counter(static_cast<uint32_t>(e0 + c0), sample, input), key);
            val = expp_fallback_f(key, b, e0 + c0, sample, input, prm);
          }
          o[e0 + c0] = xi[e0 + c0] + lambd * val;
        }
      }
    } else {
      for (int64_t e = 0; e < pb.dim; ++e) o[e] = xi[e] + expp_value<T>(key, e, sample, input, prm);
    }
  }
}

}  // namespace smoothcert::noise::shapes
