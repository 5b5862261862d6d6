#include "certify/dsrs.h"

#include "smoothcert/dsrs.h"

namespace smoothcert::certify {

void gengauss_np_radius(const GenGaussParams& P, const double* p_low, double* radius, int64_t n) {
  const auto cdf = gengauss::cosine_cdf_for(P.dim);
  const dsrs::Model m(P.dim, P.k, P.sigma, cdf.get());
  const dsrs::QSpec q = dsrs::QSpec::none();
#pragma omp parallel for schedule(dynamic, 1) if (n > 1)
  for (int64_t i = 0; i < n; ++i) radius[i] = dsrs::certified_radius(m, q, p_low[i], p_low[i], 0, 1);
}

void gengauss_dsrs_radius(const GenGaussParams& P, SecondKind kind, const double* q_param, const double* p_low,
                          const double* p_high, const double* q_low, const double* q_high, const double* r_start,
                          double* radius, int64_t n) {
  const auto cdf = gengauss::cosine_cdf_for(P.dim);
  const dsrs::Model m(P.dim, P.k, P.sigma, cdf.get());
#pragma omp parallel for schedule(dynamic, 1) if (n > 1)
  for (int64_t i = 0; i < n; ++i) {
    const dsrs::QSpec q = kind == SecondKind::kSigma ? dsrs::QSpec::sigma_q(m, q_param[i])
                                                     : dsrs::QSpec::ball(m, q_param[i]);
    radius[i] = dsrs::certified_radius(m, q, p_low[i], p_high[i], q_low[i], q_high[i], r_start ? r_start[i] : 0.0);
  }
}

}  // namespace smoothcert::certify
