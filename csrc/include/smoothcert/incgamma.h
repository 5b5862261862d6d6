// Log-space Gamma and Beta distribution functions in long double, with inverses, for the
// certificate integrals of the all-shapes families.
//
// Regularised incomplete gamma: the power series of DLMF 8.11.4 below x = a + 1, the continued
// fraction of DLMF 8.9.2 (modified Lentz) above. Each function returns the logarithm of P or Q so
// that tails far below the double range stay usable. Inverses are safeguarded Newton iterations on
// log P (or log Q for the upper half), always inside a shrinking bracket.
#pragma once
#include <cmath>
#include <limits>

#include "smoothcert/quadrature.h"
#include "smoothcert/special.h"

namespace smoothcert {
namespace special {

// log of the Gamma(a) density at x > 0.
inline real log_gamma_pdf(real a, real x) { return (a - 1.0L) * std::log(x) - x - std::lgamma(a); }

// log P(a, x) and log Q(a, x) together (regularised lower / upper incomplete gamma).
inline void log_inc_gamma(real a, real x, real& log_p, real& log_q) {
  if (!(x > 0)) {
    log_p = -std::numeric_limits<real>::infinity();
    log_q = 0;
    return;
  }
  const real log_front = a * std::log(x) - x - std::lgamma(a);
  if (x < a + 1.0L) {
    real term = 1.0L / a, sum = term;
    for (int n = 1; n < 1000000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * 1e-21L) break;
    }
    log_p = log_front + std::log(sum);
    log_q = std::log1p(-std::exp(log_p));
  } else {
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
    log_q = log_front + std::log(h);
    log_p = std::log1p(-std::exp(log_q));
  }
}

// x with P(a, x) = q, given q and its complement qc = 1 - q (both exact, so neither tail loses
// digits). Returns the root to ~1e-18 relative.
inline real inv_inc_gamma(real a, real q, real qc) {
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
    log_inc_gamma(a, x, lp, lq);
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
