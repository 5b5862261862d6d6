// Special functions for certification, evaluated on the host in long double (64-bit mantissa on
// x86-64) so that results rounded to double are correct to a few ulps, with explicit directed
// rounding helpers for radii and bounds.
//
// Sources: the normal quantile starts from Abramowitz & Stegun 26.2.23 and is polished by Newton
// steps on log Q(x); the regularised incomplete beta function uses the continued fraction of
// DLMF 8.17.22 evaluated by the modified Lentz method, with the symmetry I_x(a,b) = 1 - I_{1-x}(b,a).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace smoothcert {
namespace special {

using real = long double;

// ---------------------------------------------------------------- directed rounding to double
inline double round_down(real v) {
  double d = static_cast<double>(v);
  if (static_cast<real>(d) > v) d = std::nextafter(d, -std::numeric_limits<double>::infinity());
  return d;
}
inline double round_up(real v) {
  double d = static_cast<double>(v);
  if (static_cast<real>(d) < v) d = std::nextafter(d, std::numeric_limits<double>::infinity());
  return d;
}
// Step a double down/up by n ulps: a margin for the error of a long-double evaluation.
inline double ulps_down(double d, int n) {
  for (int i = 0; i < n; ++i) d = std::nextafter(d, -std::numeric_limits<double>::infinity());
  return d;
}
inline double ulps_up(double d, int n) {
  for (int i = 0; i < n; ++i) d = std::nextafter(d, std::numeric_limits<double>::infinity());
  return d;
}

// ---------------------------------------------------------------- normal distribution
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

// ---------------------------------------------------------------- incomplete beta
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

// Largest double x in [0, 1] with f(x) <= target for f nondecreasing, found by bisection over
// the ordered bit patterns of non-negative doubles: exact to one ulp, certified side returned.
// A guess in [0, 1] only narrows the first bracket: steps of 1, 2, 4, ... ulps away from it
// until f crosses the target, so a guess within u ulps costs about 2 log2(u) evaluations instead
// of 62. Every bracket end is an evaluation of f, so the answer does not depend on the guess.
template <class F>
double largest_double_below(F&& f, real target, double guess = -1.0) {
  const auto bits = [](double x) {
    uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
  };
  uint64_t lo = 0;  // bit pattern of +0.0
  uint64_t hi = bits(1.0);
  if (f(1.0) <= target) return 1.0;
  if (!(f(0.0) <= target)) return 0.0;
  if (guess > 0.0 && guess < 1.0) {
    const uint64_t g = bits(guess);
    if (f(guess) <= target) {
      lo = g;
      for (uint64_t step = 1; hi - lo > 1; step *= 2) {
        const uint64_t probe = hi - lo > step ? lo + step : hi - 1;
        double x;
        std::memcpy(&x, &probe, sizeof x);
        if (f(x) <= target) lo = probe;
        else {
          hi = probe;
          break;
        }
      }
    } else {
      hi = g;
      for (uint64_t step = 1; hi - lo > 1; step *= 2) {
        const uint64_t probe = hi - lo > step ? hi - step : lo + 1;
        double x;
        std::memcpy(&x, &probe, sizeof x);
        if (f(x) <= target) {
          lo = probe;
          break;
        }
        hi = probe;
      }
    }
  }
  while (hi - lo > 1) {
    const uint64_t mid = lo + (hi - lo) / 2;
    double x;
    std::memcpy(&x, &mid, sizeof x);
    if (f(x) <= target) lo = mid;
    else hi = mid;
  }
  double x;
  std::memcpy(&x, &lo, sizeof x);
  return x;
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

}  // namespace special
}  // namespace smoothcert
