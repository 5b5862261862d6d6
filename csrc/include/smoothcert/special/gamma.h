// The regularised incomplete gamma function P(a, x), Q(a, x) = 1 - P(a, x), in long double: one
// series and one continued fraction, assembled either linearly (P, Q) or in log space (log P,
// log Q, for tails far below the double range); their inverses and the Gamma densities.
//
// The prefactor x^a e^(-x) / Gamma(a) is formed as one exponential of a log so that a and x up to
// ~1e6 neither overflow nor underflow prematurely. Series (DLMF 8.11.4 form of 8.7.1) below
// x = a + 1, Legendre continued fraction (DLMF 8.9.2, modified Lentz) above.
#pragma once
#include <algorithm>
#include <cmath>
#include <limits>

#include "smoothcert/special/normal.h"

namespace smoothcert {
namespace special {

// log of x^a e^(-x) / Gamma(a).
inline real gamma_log_prefactor(real a, real x) { return a * std::log(x) - x - std::lgamma(a); }

// P(a, x) / prefactor by the power series, for x < a + 1.
inline real gamma_series(real a, real x) {
  real term = 1.0L / a, sum = term;
  for (int n = 1; n < 1000000; ++n) {
    term *= x / (a + n);
    sum += term;
    if (term < sum * 1e-21L) break;
  }
  return sum;
}

// Q(a, x) / prefactor by the continued fraction, for x >= a + 1.
inline real gamma_continued_fraction(real a, real x) {
  constexpr real tiny = 1e-4000L;
  real b = x + 1.0L - a, c = 1.0L / tiny, d = 1.0L / b, h = d;
  for (int i = 1; i < 1000000; ++i) {
    const real an = -i * (i - a);
    b += 2.0L;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0L / d;
    const real delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0L) < 1e-21L) break;
  }
  return h;
}

// P(a, x) and Q(a, x) together.
inline void gamma_pq(real a, real x, real& p, real& q) {
  if (!(x > 0)) {
    p = 0;
    q = 1;
    return;
  }
  if (x == std::numeric_limits<real>::infinity()) {
    p = 1;
    q = 0;
    return;
  }
  const real log_front = gamma_log_prefactor(a, x);
  if (x < a + 1.0L) {
    p = std::exp(log_front) * gamma_series(a, x);
    q = 1 - p;
  } else {
    q = std::exp(log_front) * gamma_continued_fraction(a, x);
    p = 1 - q;
  }
}
inline real gamma_p(real a, real x) {
  real p, q;
  gamma_pq(a, x, p, q);
  return p;
}
inline real gamma_q(real a, real x) {
  real p, q;
  gamma_pq(a, x, p, q);
  return q;
}

// log P(a, x) and log Q(a, x) together.
inline void gamma_log_pq(real a, real x, real& log_p, real& log_q) {
  if (!(x > 0)) {
    log_p = -std::numeric_limits<real>::infinity();
    log_q = 0;
    return;
  }
  const real log_front = gamma_log_prefactor(a, x);
  if (x < a + 1.0L) {
    log_p = log_front + std::log(gamma_series(a, x));
    log_q = std::log1p(-std::exp(log_p));
  } else {
    log_q = log_front + std::log(gamma_continued_fraction(a, x));
    log_p = std::log1p(-std::exp(log_q));
  }
}

// log of the Gamma(a) density at x > 0.
inline real log_gamma_pdf(real a, real x) { return (a - 1.0L) * std::log(x) - x - std::lgamma(a); }

// Log density of ln g for g ~ Gamma(a): a ln g − g − ln Γ(a).
inline real gamma_log_density_of_log(real a, real x) { return a * x - std::exp(x) - std::lgamma(a); }

// x with P(a, x) = p, by bisection on ln x (P is increasing); exact to long-double resolution.
inline real gamma_p_inv(real a, real p) {
  if (!(p > 0)) return 0;
  if (!(p < 1)) return std::numeric_limits<real>::infinity();
  real lo = -60, hi = std::log(a + 50 + 50 * std::sqrt(a));
  while (gamma_p(a, std::exp(lo)) > p) lo -= 60;
  while (gamma_p(a, std::exp(hi)) < p) hi += 1;
  for (int it = 0; it < 200 && hi - lo > 1e-18L * (1 + std::fabs(hi)); ++it) {
    const real mid = 0.5L * (lo + hi);
    if (gamma_p(a, std::exp(mid)) < p) lo = mid;
    else hi = mid;
  }
  return std::exp(0.5L * (lo + hi));
}

// x with P(a, x) = q, given q and its complement qc = 1 - q (both exact, so neither tail loses
// digits): safeguarded Newton on log P (or log Q for the upper half) inside a shrinking bracket,
// from the Wilson-Hilferty start; the root to ~1e-18 relative. For the all-shapes radii, which
// need the tails; gamma_p_inv (bisection) serves the generalized Gaussian's percentiles.
inline real gamma_p_inv_newton(real a, real q, real qc) {
  if (!(q > 0)) return 0;
  if (!(qc > 0)) return std::numeric_limits<real>::infinity();
  const bool lower = q <= 0.5L;
  const real log_target = lower ? std::log(q) : std::log(qc);
  // Wilson-Hilferty start.
  const real z = norm_ppf(q);
  real x = a * std::pow(std::max(1.0L - 1.0L / (9.0L * a) + z / (3.0L * std::sqrt(a)), 1e-3L), 3);
  real lo = 0, hi = std::numeric_limits<real>::infinity();
  for (int it = 0; it < 200; ++it) {
    real lp, lq;
    gamma_log_pq(a, x, lp, lq);
    // h(x) increasing in x: log P - log q for the lower half, log qc - log Q for the upper.
    const real h = lower ? lp - log_target : log_target - lq;
    if (h <= 0) lo = x;
    else hi = x;
    const real ldens = log_gamma_pdf(a, x);
    const real slope = lower ? std::exp(ldens - lp) : std::exp(ldens - lq);
    real next = x - h / slope;
    if (!(next > lo && next < hi) || !std::isfinite(next)) next = std::isfinite(hi) ? 0.5L * (lo + hi) : 2.0L * x + 1.0L;
    if (std::fabs(next - x) <= 1e-19L * x) return next;
    x = next;
  }
  return x;
}

// ln of the density of x = ln g, g ~ Gamma(a), at x = ln a + y, written as a (y − expm1(y)) + c0
// (c0 = a ln a − a − ln Γ(a)) so that the large terms a·x and e^x cancel exactly; y − expm1(y) by
// its series −y² Σ y^n/(n + 2)! near 0, where the direct difference would lose digits.
inline real gamma_log_density_centred(real a, real c0, double y) {
  double dy;
  if (std::fabs(y) < 0.25) {
    double s = 0;
    static constexpr double kInvFact[16] = {1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040,
                                            1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800,
                                            1.0 / 479001600, 1.0 / 6227020800.0, 1.0 / 87178291200.0,
                                            1.0 / 1307674368000.0, 1.0 / 20922789888000.0,
                                            1.0 / 355687428096000.0};
    for (int n = 15; n >= 0; --n) s = s * y + kInvFact[n];
    dy = -y * y * s;
  } else {
    dy = y - std::expm1(y);
  }
  return a * static_cast<real>(dy) + c0;
}

}  // namespace special
}  // namespace smoothcert
