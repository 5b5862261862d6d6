// Batched generalized-Gaussian certificates (Neyman–Pearson and DSRS), OpenMP over inputs.
#pragma once
#include <cstdint>

#include "smoothcert/dsrs_dual.h"

namespace smoothcert::certify {

// DSRS's second distribution Q: none (Neyman-Pearson with P only), a generalized Gaussian with
// another sigma (q_param = sigma_Q), or P restricted to the ball of Gamma percentile q_param.
enum class DsrsQ { kNone = 0, kSigma = 1, kBall = 2 };

struct GeneralizedGaussianParams {
  int64_t dim;
  double k;
  double sigma;
};

// radius[i] = Neyman–Pearson l2 radius for p_low[i] (NaN where p_low <= 1/2). [n]
void generalized_gaussian_np_radius(const GeneralizedGaussianParams& P, const double* p_low, double* radius, int64_t n);

// radius[i] = DSRS l2 radius with P-bounds [p_low, p_high], Q-bounds [q_low, q_high], Q given by
// kind and q_param[i] (σ_Q, or the Gamma percentile β of the ball); r_start[i] (may be null) a
// radius to start from, typically the Neyman–Pearson one. [n]
void generalized_gaussian_dsrs_radius(const GeneralizedGaussianParams& P, DsrsQ kind, const double* q_param, const double* p_low,
                          const double* p_high, const double* q_low, const double* q_high, const double* r_start,
                          double* radius, int64_t n);

// The QSpec of a DsrsQ with its parameter, for model m.
dsrs::QSpec dsrs_q(const dsrs::Model& m, DsrsQ kind, double q_param);

}  // namespace smoothcert::certify
