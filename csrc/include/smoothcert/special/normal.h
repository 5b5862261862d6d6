// The normal distribution in long double: CDF, density and quantile (Abramowitz & Stegun 26.2.23
// polished by Newton steps on log Q(x), central form by Newton on erf), with directed doubles.
#pragma once
#include <cmath>
#include <limits>

#include "smoothcert/special/rounding.h"

namespace smoothcert {
namespace special {

constexpr real kSqrt2 = 1.414213562373095048801688724209698079L;
constexpr real kInvSqrt2Pi = 0.398942280401432677939946059934381868L;

inline real norm_cdf(real x) { return 0.5L * std::erfc(-x / kSqrt2); }
inline real norm_sf(real x) { return 0.5L * std::erfc(x / kSqrt2); }
inline real norm_pdf(real x) { return kInvSqrt2Pi * std::exp(-0.5L * x * x); }

// Upper-tail quantile: the x with Q(x) = q, q in (0, 1/2].
inline real norm_isf_tail(real q) {
  const real t = std::sqrt(-2.0L * std::log(q));
  real x = t - (2.515517L + t * (0.802853L + t * 0.010328L)) /
                   (1.0L + t * (1.432788L + t * (0.189269L + t * 0.001308L)));
  if (x < 0) x = 0;
  const real log_q = std::log(q);
  for (int it = 0; it < 50; ++it) {
    // Newton on g(x) = log Q(x) - log q, g'(x) = -phi(x)/Q(x).
    const real qx = norm_sf(x);
    const real step = (std::log(qx) - log_q) * qx / norm_pdf(x);
    x += step;
    if (std::fabs(step) <= 1e-19L * (1.0L + std::fabs(x))) break;
  }
  return x;
}

// The x with Phi(x) - 1/2 = d for |d| <= 1/4: Newton on erf(x / sqrt 2) / 2 = d keeps full
// relative precision for tiny d, where the tail form (log Q(x) - log q with q ~ 1/2) would lose
// digits to cancellation.
inline real norm_ppf_central(real d) {
  real x = 2.5066282746310002L * d;  // sqrt(2 pi) d: Phi^{-1}(1/2 + d) to first order
  for (int it = 0; it < 50; ++it) {
    const real step = (0.5L * std::erf(x / kSqrt2) - d) / norm_pdf(x);
    x -= step;
    if (std::fabs(step) <= 1e-20L * std::fabs(x)) break;
  }
  return x;
}

// Phi^{-1}(p) for p in (0, 1); +-inf at the ends.
inline real norm_ppf(real p) {
  if (!(p > 0)) return -std::numeric_limits<real>::infinity();
  if (!(p < 1)) return std::numeric_limits<real>::infinity();
  if (p == 0.5L) return 0;
  if (std::fabs(p - 0.5L) <= 0.25L) return norm_ppf_central(p - 0.5L);
  return p > 0.5L ? norm_isf_tail(1.0L - p) : -norm_isf_tail(p);
}

// Directed double quantiles and CDF: one more ulp outward than the rounding of the long-double
// value, whose ~1e-19 relative error can straddle the double nearest the exact value.
inline double norm_ppf_down(double p) { return ulps_down(round_down(norm_ppf(p)), 1); }  // <= Phi^{-1}(p)
inline double norm_ppf_up(double p) { return ulps_up(round_up(norm_ppf(p)), 1); }        // >= Phi^{-1}(p)
inline double norm_cdf_down(double x) { return ulps_down(round_down(norm_cdf(x)), 1); }  // <= Phi(x)

}  // namespace special
}  // namespace smoothcert
