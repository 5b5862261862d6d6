#include "certify/shapes_closed.h"

#include <cmath>
#include <limits>

#include "smoothcert/incgamma.h"
#include "smoothcert/quadrature.h"
#include "smoothcert/special.h"

namespace smoothcert::certify {
namespace {

using special::real;
constexpr double kInf = std::numeric_limits<double>::infinity();

// Long double result to double, rounded down, minus a few ulps for the long double error of the
// evaluation (each function here is accurate to well under 2^-60 relative).
double certified(real r) {
  if (!(r > 0)) return 0.0;
  if (std::isinf(r)) return kInf;
  return special::ulps_down(special::round_down(r), 2);
}

// For radii through an inverse incomplete beta/gamma: log B(a, b) and log Gamma(a) for parameters
// in the thousands carry ~1e-15 relative error in long double (measured up to 2.6e-15 at d = 3072),
// and ~1e-13 at d = 150,528; a 1e-11 relative margin covers it.
double certified_inverse(real r) { return certified(r * (1.0L - 1e-11L)); }

}  // namespace

double gaussian_l2(double p) {
  if (!(p > 0.5)) return 0.0;
  real x = special::norm_ppf(static_cast<real>(p));
  if (p < 0.75 && x > 0) {
    // Near p = 1/2 the tail-based quantile loses relative accuracy (x -> 0); polish with Newton on
    // erf(x / sqrt 2) = 2p - 1, whose right side is exact and whose left side is accurate to a
    // relative ulp for small x.
    const real target = 2.0L * static_cast<real>(p) - 1.0L;
    for (int it = 0; it < 8; ++it) {
      const real step = (std::erf(x / special::kSqrt2) - target) / (2.0L * special::norm_pdf(x));
      x -= step;
      if (std::fabs(step) <= 1e-19L * x) break;
    }
  }
  return special::ulps_down(certified(x), 6);
}

double laplace_l1(double p) {
  if (!(p > 0.5)) return 0.0;
  if (p >= 1.0) return kInf;
  return certified(-std::log(2.0L * (1.0L - static_cast<real>(p))));
}

double uniform_l1(double p) {
  if (!(p > 0.5)) return 0.0;
  return certified(2.0L * static_cast<real>(p) - 1.0L);
}

double uniform_linf(double p, int64_t dim) {
  if (!(p > 0.5)) return 0.0;
  // 2 (1 - (3/2 - p)^{1/d}) = -2 expm1(log(3/2 - p) / d); 3/2 - p is exact in long double.
  return certified(-2.0L * std::expm1(std::log(1.5L - static_cast<real>(p)) / static_cast<real>(dim)));
}

double uniform_l2(double p, int64_t dim) {
  if (!(p > 0.5)) return 0.0;
  const real linf = -2.0L * std::expm1(std::log(1.5L - static_cast<real>(p)) / static_cast<real>(dim));
  return certified(std::sqrt(static_cast<real>(dim)) * linf);
}

double pareto_l1(double p, double a) {
  if (!(p > 0.5)) return 0.0;
  if (p >= 1.0) return kInf;
  // With u = 1 - y: int_{u0}^1 du / (1 - (1-u)^c), u0 = 2 - 2p, c = 1 + 1/a. The pole at u = 0
  // is split off exactly: 1/(1 - (1-u)^c) = [1/(1 - (1-u)^c) - 1/(c u)] + 1/(c u); the bracket is
  // bounded ((c-1)/(2c) at u = 0) and integrated numerically.
  const real c = 1.0L + 1.0L / static_cast<real>(a);
  const real u0 = 2.0L - 2.0L * static_cast<real>(p);
  auto smooth = [c](real u) {
    if (u < 1e-5L) {
      // Series of 1 - (1-u)^c = c u S(u): the direct difference would cancel ~1e-19/u.
      const real t1 = (c - 1.0L) / 2.0L, t2 = (c - 1.0L) * (c - 2.0L) / 6.0L,
                 t3 = (c - 1.0L) * (c - 2.0L) * (c - 3.0L) / 24.0L;
      const real one_minus_s = u * (t1 - u * (t2 - u * t3));
      return one_minus_s / (u * c * (1.0L - one_minus_s));
    }
    return 1.0L / (-std::expm1(c * std::log1p(-u))) - 1.0L / (c * u);
  };
  const quad::Result part = quad::integrate(smooth, u0, 1.0L, 1e-16L, 1e-18L);
  const real r = (part.value - std::log(u0) / c) / static_cast<real>(a);
  return special::ulps_down(certified(r), 4);
}

double uniform_ball_l2(double p, int64_t dim) {
  if (!(p > 0.5)) return 0.0;
  // Overlap of two unit balls at distance e is 2 P(X_1 > e/2) = 1 - P(|X_1| < e/2), and
  // X_1^2 ~ Beta(1/2, (d+1)/2): overlap > 3/2 - p becomes P(|X_1| < e/2) < p - 1/2.
  if (p >= 1.0) return certified(2.0L);
  real vc;
  const real v = special::inv_inc_beta(0.5L, 0.5L * (static_cast<real>(dim) + 1.0L), static_cast<real>(p) - 0.5L,
                                       1.5L - static_cast<real>(p), vc);
  return certified_inverse(2.0L * std::sqrt(v));
}

double exp2_k1_l2(double p, int64_t dim) {
  if (!(p > 0.5)) return 0.0;
  if (p >= 1.0) return kInf;
  real vc;
  const real v = special::inv_inc_beta(0.5L, 0.5L * (static_cast<real>(dim) - 1.0L), 2.0L * p - 1.0L,
                                       2.0L - 2.0L * static_cast<real>(p), vc);
  const real w = std::sqrt(v);
  const real wc = vc / (1.0L + w);  // 1 - w without cancellation
  // atanh(w) = log1p(2w / (1 - w)) / 2: no rounding of a quotient near 1 before the logarithm.
  return certified_inverse((static_cast<real>(dim) - 1.0L) * 0.5L * std::log1p(2.0L * w / wc));
}

double expp_l1(double p, double q) {
  if (!(p > 0.5)) return 0.0;
  if (p >= 1.0) return kInf;
  const real u = special::inv_inc_gamma(1.0L / q, 2.0L * p - 1.0L, 2.0L - 2.0L * static_cast<real>(p));
  return certified_inverse(std::pow(u, 1.0L / q));
}

}  // namespace smoothcert::certify
