// The regularised incomplete beta function I_x(a, b) in long double: the continued fraction of
// DLMF 8.17.22 (modified Lentz) with the symmetry I_x(a, b) = 1 - I_{1-x}(b, a), linear and in log
// space, and its inverses.
#pragma once
#include <algorithm>
#include <cmath>
#include <limits>

#include "smoothcert/special/normal.h"

namespace smoothcert {
namespace special {

inline real log_beta(real a, real b) { return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b); }

// Continued fraction for I_x(a, b) / prefactor, valid (fast) for x < (a + 1)/(a + b + 2).
inline real inc_beta_cf(real a, real b, real x) {
  constexpr real tiny = 1e-4000L;
  constexpr real eps = 1e-21L;
  real c = 1.0L;
  real d = 1.0L - (a + b) * x / (a + 1.0L);
  if (std::fabs(d) < tiny) d = tiny;
  d = 1.0L / d;
  real f = d;
  for (int m = 1; m < 1000000; ++m) {
    const real m2 = 2.0L * m;
    // even step
    real num = m * (b - m) * x / ((a + m2 - 1.0L) * (a + m2));
    d = 1.0L + num * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1.0L + num / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0L / d;
    f *= d * c;
    // odd step
    num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0L));
    d = 1.0L + num * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1.0L + num / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0L / d;
    const real delta = d * c;
    f *= delta;
    if (std::fabs(delta - 1.0L) < eps) break;
  }
  return f;
}

// Regularised incomplete beta I_x(a, b), a, b > 0, x in [0, 1].
inline real inc_beta(real a, real b, real x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const real log_front = a * std::log(x) + b * std::log1p(-x) - log_beta(a, b);
  if (x < (a + 1.0L) / (a + b + 2.0L)) return std::exp(log_front) * inc_beta_cf(a, b, x) / a;
  return 1.0L - std::exp(log_front) * inc_beta_cf(b, a, 1.0L - x) / b;
}

// 1 - I_x(a, b), accurate when I_x(a, b) is close to 1.
inline real inc_beta_complement(real a, real b, real x) {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  const real log_front = a * std::log(x) + b * std::log1p(-x) - log_beta(a, b);
  if (x < (a + 1.0L) / (a + b + 2.0L)) return 1.0L - std::exp(log_front) * inc_beta_cf(a, b, x) / a;
  return std::exp(log_front) * inc_beta_cf(b, a, 1.0L - x) / b;
}

// The x with I_x(a, b) = target, to about long-double precision: Newton steps on log I_x(a, b)
// from a normal approximation, kept inside a bracket (bisection where a step would leave it).
// A starting point for largest_double_below, which decides the rounded answer on its own.
inline real inc_beta_inverse_guess(real a, real b, real target) {
  const real lb = log_beta(a, b);
  const real mean = a / (a + b);
  const real sd = std::sqrt(a * b / ((a + b) * (a + b) * (a + b + 1.0L)));
  real lo = 0.0L, hi = 1.0L;
  real x = mean + norm_ppf(target) * sd;
  if (!(x > 0.0L && x < 1.0L)) x = mean;
  const real log_target = std::log(target);
  for (int it = 0; it < 60; ++it) {
    const real fx = inc_beta(a, b, x);
    if (fx <= target) lo = x;
    else hi = x;
    if (!(fx > 0.0L)) {
      x = 0.5L * (lo + hi);
      continue;
    }
    // d log I / dx = density / I, the density x^(a-1) (1-x)^(b-1) / B(a, b).
    const real log_density = (a - 1.0L) * std::log(x) + (b - 1.0L) * std::log1p(-x) - lb;
    const real step = (std::log(fx) - log_target) * fx / std::exp(log_density);
    // Within a tenth of a double ulp the search finishes in a few evaluations; long-double
    // rounding in I_x would stall a tighter test.
    if (std::fabs(step) <= 1e-17L * x) return x - step;
    x -= step;
    if (!(x > lo && x < hi)) x = 0.5L * (lo + hi);
    if (hi - lo <= 1e-17L * hi) break;
  }
  return x;
}

// log of the Beta(a, b) density at x in (0, 1), given x and 1 - x.
inline real log_beta_pdf(real a, real b, real x, real xc) {
  return (a - 1.0L) * std::log(x) + (b - 1.0L) * std::log(xc) - log_beta(a, b);
}

// log I_x(a, b) and log(1 - I_x(a, b)), given x and xc = 1 - x.
inline void log_inc_beta(real a, real b, real x, real xc, real& log_i, real& log_ic) {
  if (!(x > 0)) {
    log_i = -std::numeric_limits<real>::infinity();
    log_ic = 0;
    return;
  }
  if (!(xc > 0)) {
    log_i = 0;
    log_ic = -std::numeric_limits<real>::infinity();
    return;
  }
  const real log_front = a * std::log(x) + b * std::log(xc) - log_beta(a, b);
  if (x < (a + 1.0L) / (a + b + 2.0L)) {
    log_i = log_front + std::log(inc_beta_cf(a, b, x) / a);
    log_ic = std::log1p(-std::exp(log_i));
  } else {
    log_ic = log_front + std::log(inc_beta_cf(b, a, xc) / b);
    log_i = std::log1p(-std::exp(log_ic));
  }
}

// x with I_x(a, b) = q, given q and qc = 1 - q; also returns xc = 1 - x accurately.
inline real inv_inc_beta(real a, real b, real q, real qc, real& xc_out) {
  if (!(q > 0)) {
    xc_out = 1;
    return 0;
  }
  if (!(qc > 0)) {
    xc_out = 0;
    return 1;
  }
  // Solve on the side whose tail is small: for q > 1/2 use symmetry I_x(a, b) = 1 - I_{1-x}(b, a).
  if (q > 0.5L) {
    real x;
    const real y = inv_inc_beta(b, a, qc, q, x);
    xc_out = y;
    return x;
  }
  const real log_target = std::log(q);
  // Start: normal approximation of the Beta, pulled into (0, 1).
  const real mean = a / (a + b), sd = std::sqrt(a * b / ((a + b) * (a + b) * (a + b + 1.0L)));
  real x = mean + sd * norm_ppf(q);
  if (!(x > 0 && x < 1)) x = std::min(mean, std::exp((std::log(q) + std::log(a) + log_beta(a, b)) / a));
  if (!(x > 0 && x < 1)) x = 0.5L * mean;
  real lo = 0, hi = 1;
  for (int it = 0; it < 300; ++it) {
    const real xc = 1.0L - x;
    real li, lic;
    log_inc_beta(a, b, x, xc, li, lic);
    const real h = li - log_target;
    if (h <= 0) lo = x;
    else hi = x;
    const real slope = std::exp(log_beta_pdf(a, b, x, xc) - li);
    real next = x - h / slope;
    if (!(next > lo && next < hi) || !std::isfinite(next)) next = 0.5L * (lo + hi);
    if (std::fabs(next - x) <= 1e-19L * x || hi - lo <= 1e-19L * hi) {
      x = next;
      break;
    }
    x = next;
  }
  xc_out = 1.0L - x;
  return x;
}

}  // namespace special
}  // namespace smoothcert
