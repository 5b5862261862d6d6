#include "certify/generalized_gaussian.h"

#include "smoothcert/dsrs_dual.h"

namespace smoothcert::certify {

dsrs::QSpec dsrs_q(const dsrs::Model& m, DsrsQ kind, double q_param) {
  switch (kind) {
    case DsrsQ::kSigma: return dsrs::QSpec::sigma_q(m, q_param);
    case DsrsQ::kBall: return dsrs::QSpec::ball(m, q_param);
    case DsrsQ::kNone: break;
  }
  return dsrs::QSpec::none();
}

void generalized_gaussian_np_radius(const GeneralizedGaussianParams& P, const double* p_low, double* radius, int64_t n) {
  const auto cdf = spherical::cosine_cdf_for(P.dim);
  const dsrs::Model m(P.dim, P.k, P.sigma, cdf.get());
  const dsrs::QSpec q = dsrs::QSpec::none();
#pragma omp parallel for schedule(dynamic, 1) if (n > 1)
  for (int64_t i = 0; i < n; ++i) radius[i] = dsrs::certified_radius(m, q, p_low[i], p_low[i], 0, 1);
}

void generalized_gaussian_dsrs_radius(const GeneralizedGaussianParams& P, DsrsQ kind, const double* q_param, const double* p_low,
                          const double* p_high, const double* q_low, const double* q_high, const double* r_start,
                          double* radius, int64_t n) {
  const auto cdf = spherical::cosine_cdf_for(P.dim);
  const dsrs::Model m(P.dim, P.k, P.sigma, cdf.get());
#pragma omp parallel for schedule(dynamic, 1) if (n > 1)
  for (int64_t i = 0; i < n; ++i) {
    const dsrs::QSpec q = dsrs_q(m, kind, q_param[i]);
    radius[i] = dsrs::certified_radius(m, q, p_low[i], p_high[i], q_low[i], q_high[i], r_start ? r_start[i] : 0.0);
  }
}

}  // namespace smoothcert::certify
