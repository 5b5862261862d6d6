#include "certify/levelset.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "smoothcert/special/beta.h"
#include "smoothcert/special/gamma.h"
#include "smoothcert/levelset_integrand.h"
#include "smoothcert/quadrature.h"

namespace smoothcert::certify {
namespace {


struct Radial {
  const SphericalFamily& fam;
  real k, beta, half_dm1;
  real alpha, bp_b;  // Gamma(alpha) for Exp2, BetaPrime(alpha, bp_b) for Pow2 (u = r^k)
  real lo, hi;       // integration range of u (mass outside < exp(-800))
  real breaks[7];

  explicit Radial(const SphericalFamily& f) : fam(f) {
    const real d = static_cast<real>(f.dim);
    k = f.k;
    half_dm1 = 0.5L * (d - 1.0L);
    beta = f.is_pow() ? 0 : f.j / k;
    if (!f.is_pow()) {
      alpha = (d - f.j) / k;
      bp_b = 0;
    } else {
      alpha = d / k;
      bp_b = f.a - d / k;
    }
    // Integrate in x = u / (1 + u) for Pow2 (a Beta(alpha, bp_b) variable) and in u for Exp2.
    real mean, sd;
    if (!f.is_pow()) {
      mean = alpha;
      sd = std::sqrt(alpha);
      lo = std::max(0.0L, mean - 40.0L * sd);
      hi = mean + 40.0L * sd + 60.0L;
    } else {
      mean = alpha / (alpha + bp_b);
      sd = std::sqrt(alpha * bp_b / ((alpha + bp_b) * (alpha + bp_b) * (alpha + bp_b + 1.0L)));
      lo = std::max(0.0L, mean - 40.0L * sd);
      real xc;
      hi = special::inv_inc_beta(alpha, bp_b, 1.0L - 1e-30L, 1e-30L, xc);
    }
    const real off[7] = {-40, -8, -3, 0, 3, 8, 40};
    for (int i = 0; i < 7; ++i) breaks[i] = std::clamp(mean + off[i] * sd, lo, hi);
    breaks[0] = lo;
    breaks[6] = hi;
  }

  // E over the radial law of W(r, s_(sign)(r), e); `error` receives the quadrature's error estimate.
  real expect_outside(real e, real signed_t, real& error) const {
    auto integrand = [&](real z) -> real {
      real u, dens;
      if (!fam.is_pow()) {
        if (!(z > 0)) return 0;
        u = z;
        dens = std::exp(special::log_gamma_pdf(alpha, z));
      } else {
        const real zc = 1.0L - z;
        if (!(z > 0) || !(zc > 0)) return 0;
        u = z / zc;
        dens = std::exp(special::log_beta_pdf(alpha, bp_b, z, zc));
      }
      const real r = std::pow(u, 1.0L / k);
      const real lr = fam.is_pow() ? levelset::pow2_log_ratio(u, fam.a, signed_t)
                                 : levelset::exp2_log_ratio(u, beta, signed_t);
      return dens * levelset::outside_probability(r, e, lr, k, half_dm1);
    };
    real total = 0;
    error = 0;
    for (int i = 0; i < 6; ++i) {
      if (!(breaks[i + 1] > breaks[i])) continue;
      const quad::Result piece = quad::integrate(integrand, breaks[i], breaks[i + 1], 1e-14L, 1e-18L);
      total += piece.value;
      error += piece.error;
    }
    // The radial density's normalisation goes through lgamma / log_beta, which for parameters in
    // the thousands carry ~1e-15 relative error (the mpmath twin measures rho 7e-16 low at d = 3072
    // without this term); 1e-13 relative covers it up to d ~ 1e5.
    error += 1e-13L * total;
    return total;
  }
};

}  // namespace

long double levelset_rho(const SphericalFamily& fam, long double e) {
  if (!(e > 0)) return 0.5L;
  const Radial rad(fam);
  // Q(A_t) = 1 - E[W(s_+)] is increasing in t; find t with Q(A_t) = 1/2, on a lower bound of Q
  // (value minus the quadrature's error estimate) so that Q(A_hi) > 1/2 holds for the exact Q.
  auto q_of_t = [&](real t) {
    real err;
    const real w = rad.expect_outside(e, t, err);
    return 1.0L - w - err;
  };
  real lo = -1.0L, hi = 1.0L;
  while (q_of_t(lo) > 0.5L) lo *= 2.0L;
  while (q_of_t(hi) <= 0.5L) hi *= 2.0L;
  quad::bracket_root(q_of_t, 0.5L, lo, hi, 1e-13L, 1e-300L, 200);
  // At t = hi, Q(A_t) > 1/2, so the worst-case set of shifted mass exactly 1/2 is contained in A_hi
  // and rho(e) <= P(A_hi); reporting an upper bound of P(A_hi) errs toward a larger rho, i.e. a
  // smaller radius.
  real err;
  const real p_hi = rad.expect_outside(e, -hi, err);
  return std::min(p_hi + err, 1.0L);
}

void levelset_rho_batch(const SphericalFamily& fam, const double* e, double* rho, int64_t n) {
#if defined(SMOOTHCERT_WITH_OPENMP)
#pragma omp parallel for schedule(dynamic, 1)
#endif
  for (int64_t i = 0; i < n; ++i) rho[i] = special::round_up(levelset_rho(fam, e[i]));
}

void levelset_radius_batch(const SphericalFamily& fam, const double* p, double* out, int64_t n, double rel_tol) {
#if defined(SMOOTHCERT_WITH_OPENMP)
#pragma omp parallel for schedule(dynamic, 1)
#endif
  for (int64_t i = 0; i < n; ++i) {
    const real rho = p[i];
    if (!(rho > 0.5L)) {
      out[i] = 0.0;
      continue;
    }
    if (!(rho < 1.0L)) {
      out[i] = std::numeric_limits<double>::infinity();
      continue;
    }
    auto f = [&](real e) { return levelset_rho(fam, e); };
    real lo = 0, hi = 1e-3L;
    while (f(hi) <= rho) {
      lo = hi;
      hi *= 4.0L;
      if (hi > 1e12L) break;
    }
    quad::bracket_root(f, rho, lo, hi, rel_tol, 0.0L, 200);
    out[i] = special::ulps_down(special::round_down(lo), 2);
  }
}

}  // namespace smoothcert::certify
