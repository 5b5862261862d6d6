// Expp noise of Yang et al. (2020), density proportional to exp(-sum_e |x_e / lambda|^p): i.i.d.
// generalised normal coordinates, |x_e| / lambda = G^(1/p) with G ~ Gamma(1/p) and a random sign.
#pragma once
#include <cstdint>

#include "noise/iid.h"
#include "noise/shapes_gen.h"

namespace smoothcert::noise::shapes {

// Per-coordinate Gamma variates (Expp: |x_e| / lambda = G_e^(1/p), G_e ~ Gamma(1/p)), one
// draw-indexed stream per element so the rejection sampler stays a pure function of the element.
template <class T>
SC_HD T expp_value(const philox::Key& key, int64_t e, uint64_t sample, uint32_t input, double shape,
                   double power, double lambd) {
  sampling::ElementStream rng(key, static_cast<uint32_t>(e), sample, input);
  const double sign = sign_of_word_d(rng.next_word());
  return static_cast<T>(sign * lambd * pow(sampling::gamma(rng, shape), power));
}

template <class T>
void add_expp_noise_cpu(const T* x, T* out, const IidProblem& pb, double shape, double power, double lambd) {
  const int64_t rows = pb.inputs * pb.samples;
  const philox::Key key = philox::make_key(pb.seed, pb.role);
#pragma omp parallel for schedule(static)
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t i = row / pb.samples;
    const int64_t j = row % pb.samples;
    const uint64_t sample = static_cast<uint64_t>(pb.sample0 + j);
    const uint32_t input = static_cast<uint32_t>(pb.index0 + i);
    for (int64_t e = 0; e < pb.dim; ++e)
      out[row * pb.dim + e] = x[i * pb.dim + e] + expp_value<T>(key, e, sample, input, shape, power, lambd);
  }
}

}  // namespace smoothcert::noise::shapes
