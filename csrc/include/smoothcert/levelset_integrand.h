// Level-set method of Yang et al. (ICML 2020, Sec. 4.1) for spherical noise q(x) = f(||x||_2):
// for a shift delta with ||delta||_2 = e, the worst-case set of probability rho is the low
// likelihood-ratio set A_t = {x : phi(||x - delta||) >= phi(||x||) - t} (phi = -log f), and
//   P(A_t) = E_r[ W(r, s_-(r), e) ],    Q(A_t) = 1 - E_r[ W(r, s_+(r), e) ],
// where r = ||x|| under the noise, s_+-(r) solves phi(s) = phi(r) +- t, and W(r, s, e) is the
// probability that a uniform point on the sphere of radius r lies outside the ball of radius s
// centred at distance e: with x_1 / r = 2 B - 1, B ~ Beta((d-1)/2, (d-1)/2),
//   W = P(B <= ((r + e)^2 - s^2) / (4 r e)).
// The radius for rho is the e at which Q(A_t) = 1/2 and P(A_t) = rho hold together.
//
// The radial variable is u = r^k with a Gamma ((d-j)/k) law (Exp2: phi = j log r + r^k) or a
// BetaPrime(d/k, a - d/k) law (Pow2: phi = a log(1 + r^k)). Everything is written in terms of
// delta(u) = log((s/r)^k), which keeps r^2 - s^2 = -r^2 expm1(2 delta / k) free of cancellation.
#pragma once
#include <cmath>
#include <limits>

#include "smoothcert/special/beta.h"

namespace smoothcert {
namespace levelset {


// log((s/r)^k) for Exp2: s^k = w with w + (j/k) log w = u + (j/k) log u + sign * t. In terms of
// y = log(w/u): u expm1(y) + (j/k) y = sign * t, increasing and convex in y; Newton from a point
// where the function is >= 0 converges monotonically. Returns -inf when s = 0 (j = 0, t >= u).
inline real exp2_log_ratio(real u, real beta, real signed_t) {
  if (beta == 0) {
    const real z = signed_t / u;
    return z > -1.0L ? std::log1p(z) : -std::numeric_limits<real>::infinity();
  }
  auto g = [&](real y) { return u * std::expm1(y) + beta * y - signed_t; };
  // Start to the right of the root: g(y0) >= 0.
  real y = signed_t >= 0 ? std::max(std::log1p(signed_t / u), 0.0L) : signed_t / (u + beta);
  if (g(y) < 0) y = std::max(std::log1p(std::fabs(signed_t) / u), std::fabs(signed_t) / beta);
  for (int it = 0; it < 200; ++it) {
    const real gy = g(y);
    const real step = gy / (u * std::exp(y) + beta);
    y -= step;
    if (std::fabs(step) <= 1e-19L * (1.0L + std::fabs(y))) break;
  }
  return y;
}

// log((s/r)^k) for Pow2: s^k = (1 + u) exp(sign * t / a) - 1.
inline real pow2_log_ratio(real u, real a, real signed_t) {
  const real z = (1.0L + u) * std::expm1(signed_t / a) / u;
  return z > -1.0L ? std::log1p(z) : -std::numeric_limits<real>::infinity();
}

// W(r, s, e) given r, e and lr = log((s/r)^k).
inline real outside_probability(real r, real e, real lr, real k, real half_dm1) {
  const real r2_minus_s2 = std::isinf(lr) ? r * r : -r * r * std::expm1(2.0L * lr / k);
  const real arg = r2_minus_s2 / (4.0L * r * e) + 0.5L + e / (4.0L * r);
  if (!(arg > 0)) return 0;
  if (!(arg < 1)) return 1;
  // Symmetric Beta: P(B <= 1/2 + h) = 1/2 + sign(h)/2 * I_{4h^2}(1/2, (d-1)/2).
  const real h = arg - 0.5L;
  const real tail = 0.5L * special::inc_beta(0.5L, half_dm1, 4.0L * h * h);
  return h >= 0 ? 0.5L + tail : 0.5L - tail;
}

}  // namespace levelset
}  // namespace smoothcert
