// Batched generalized-Gaussian certificates (Neyman–Pearson and DSRS), OpenMP over inputs.
#pragma once
#include <cstdint>

namespace smoothcert::certify {

enum class SecondKind { kSigma = 0, kBall = 1 };

struct GenGaussParams {
  int64_t dim;
  double k;
  double sigma;
};

// radius[i] = Neyman–Pearson l2 radius for p_low[i] (NaN where p_low <= 1/2). [n]
void gengauss_np_radius(const GenGaussParams& P, const double* p_low, double* radius, int64_t n);

// radius[i] = DSRS l2 radius with P-bounds [p_low, p_high], Q-bounds [q_low, q_high], Q given by
// kind and q_param[i] (σ_Q, or the Gamma percentile β of the ball); r_start[i] (may be null) a
// radius to start from, typically the Neyman–Pearson one. [n]
void gengauss_dsrs_radius(const GenGaussParams& P, SecondKind kind, const double* q_param, const double* p_low,
                          const double* p_high, const double* q_low, const double* q_high, const double* r_start,
                          double* radius, int64_t n);

}  // namespace smoothcert::certify
