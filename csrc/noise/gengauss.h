// Fused generalized-Gaussian noise: out[i, j, :] = x[i, :] + ρ · n/‖n‖, with n a vector of d
// standard normals (a uniform direction) and ρ = L sqrt(G), G ~ Gamma(d/2 − k), L = sqrt(2) σ',
// σ' = σ sqrt(d/(d − 2k)) (Li et al., ICML 2022: the generalized Gaussian in polar form). The
// thresholded variant keeps G <= g_max (the ball ‖x‖ <= T, by rejection on G).
//
// The direction's normals come from Philox blocks (element block b, sample j, input i) exactly as
// the Gaussian kernel's; the radius from an ElementStream on the reserved element block
// kRadiusBlock. The CPU loop and the CUDA kernel call the same functions below; they differ only
// in the summation order of ‖n‖² (rounding).
#pragma once
#include <cstdint>

#include "noise/iid.h"
#include "smoothcert/philox.h"
#include "smoothcert/sampling.h"

namespace smoothcert::noise {

struct GenGaussShape {
  double a;      // Gamma shape d/2 − k
  double scale;  // L = sqrt(2) σ'
  double g_max;  // threshold on G (+inf: no threshold)
};

constexpr uint32_t kRadiusBlock = 0xFFFFFFFFu;

// Normals of one Philox block: 4 (float) or 2 (double).
template <class T>
struct DirectionGen {
  static constexpr int kPerBlock = sizeof(T) == 4 ? 4 : 2;
  SC_HD static void fill(const philox::Block& b, T out[kPerBlock]) {
    if constexpr (sizeof(T) == 4) {
      sampling::normal4_f(b, out);
    } else {
      sampling::normal2_d(b, out);
    }
  }
};

// ρ for (sample, input): Marsaglia–Tsang Gamma, rejected while above g_max.
SC_HD double gengauss_radius(const philox::Key& key, uint64_t sample, uint32_t input, const GenGaussShape& s) {
  sampling::ElementStream rng(key, kRadiusBlock, sample, input);
  double g = sampling::gamma(rng, s.a);
  while (g > s.g_max) g = sampling::gamma(rng, s.a);
  return s.scale * sqrt(g);
}

// x: [B, D], out: [B, m, D], contiguous, host.
template <class T>
void gengauss_sample_cpu(const T* x, T* out, const IidProblem& pb, const GenGaussShape& s);

#if defined(SMOOTHCERT_WITH_CUDA)
void gengauss_sample_cuda_f32(const float* x, float* out, const IidProblem& pb, const GenGaussShape& s,
                              uintptr_t stream);
void gengauss_sample_cuda_f64(const double* x, double* out, const IidProblem& pb, const GenGaussShape& s,
                              uintptr_t stream);
#endif

}  // namespace smoothcert::noise
