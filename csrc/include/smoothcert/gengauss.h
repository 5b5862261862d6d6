// Generalized-Gaussian smoothing: the distributions, the special functions and the 1-D integrals
// behind its Neyman–Pearson and double-sampling (DSRS) certificates.
//
// The noise in d dimensions has density p(x) ∝ ‖x‖^(−2k) exp(−‖x‖²/(2σ'²)), σ' = σ·sqrt(d/(d − 2k))
// (Li et al., "Double Sampling Randomized Smoothing", ICML 2022, Definition of the generalized
// Gaussian). Everything here works in normalised units: lengths are divided by L = sqrt(2)·σ', so a
// noise vector's squared norm g = ‖x‖²/L² ~ Gamma(a), a = d/2 − k, and the log density is, up to a
// constant, ℓ(w) = −k ln w − w in w = squared normalised norm.
//
// For a shift δ (normalised length r) and an angle θ between x and δ, ‖x − δ‖²/L² = g − 2 r sqrt(g)
// cos θ + r², and t = cos θ of a uniform direction has density ∝ (1 − t²)^((d−3)/2): (1 + t)/2 is
// Beta((d−1)/2, (d−1)/2). Every set the certificates need is {ℓ(‖x − δ‖²/L²) < ℓ(g) + ln m(g)} for a
// radial multiplier m, i.e. a threshold (or a union of intervals) in cos θ for each radius, so each
// probability is a 1-D integral over the Gamma radius of a Beta CDF.
//
// All host code, long double (64-bit mantissa on x86-64).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "smoothcert/special.h"

namespace smoothcert {
namespace gengauss {

using real = long double;
constexpr real kInf = std::numeric_limits<real>::infinity();
constexpr real kLn2 = 0.693147180559945309417232121458176568L;

// ---------------------------------------------------------------- incomplete gamma, log space
// Regularised P(a, x) and Q(a, x) = 1 − P(a, x). The prefactor x^a e^(−x)/Γ(a) is formed as one
// exponential of a log so that a and x up to ~1e6 neither overflow nor underflow prematurely.
// Series (DLMF 8.11.4 form of 8.7.1) for x < a + 1, Legendre continued fraction (DLMF 8.9.2) else.
inline void gamma_pq(real a, real x, real& p, real& q) {
  if (!(x > 0)) {
    p = 0;
    q = 1;
    return;
  }
  if (x == kInf) {
    p = 1;
    q = 0;
    return;
  }
  const real log_front = a * std::log(x) - x - std::lgamma(a);
  if (x < a + 1) {
    real term = 1 / a, sum = term;
    for (int n = 1; n < 100000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * 1e-21L) break;
    }
    p = std::exp(log_front) * sum;
    q = 1 - p;
  } else {
    constexpr real tiny = 1e-4000L;
    real b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
    for (int i = 1; i < 100000; ++i) {
      const real an = -i * (i - a);
      b += 2;
      d = an * d + b;
      if (std::fabs(d) < tiny) d = tiny;
      c = b + an / c;
      if (std::fabs(c) < tiny) c = tiny;
      d = 1 / d;
      const real del = d * c;
      h *= del;
      if (std::fabs(del - 1) < 1e-21L) break;
    }
    q = std::exp(log_front) * h;
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

// x with P(a, x) = p, by bisection on ln x (P is increasing); exact to long-double resolution.
inline real gamma_p_inv(real a, real p) {
  if (!(p > 0)) return 0;
  if (!(p < 1)) return kInf;
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

// Log density of ln g for g ~ Gamma(a): a ln g − g − ln Γ(a).
inline real gamma_log_density_of_log(real a, real x) { return a * x - std::exp(x) - std::lgamma(a); }

// ---------------------------------------------------------------- cos θ of a uniform direction
// CDF of t = cos θ, (1 + t)/2 ~ Beta(α, α), α = (d − 1)/2. For α >= kTableAlpha a table of the
// CDF with its first two derivatives at 2·kCells + 1 nodes over [−t_max, t_max], read by quintic
// Hermite interpolation (interpolation error ≈ h⁶ max|F⁽⁶⁾|/46080 < 1e-15 with h ≈ width/55), gives
// ~20 flops per call instead of a continued fraction of O(sqrt α) steps. Outside ±t_max the mass is
// below e^(−45). Cell masses come from 8-point Gauss–Legendre in long double and are normalised so
// that F(0) = 1/2 exactly (symmetry). Small α calls the incomplete beta directly.
class CosineCdf {
 public:
  static constexpr real kTableAlpha = 30;
  static constexpr int kCells = 640;

  explicit CosineCdf(int64_t d) : alpha_(0.5L * static_cast<real>(d - 1)) {
    const real am1 = alpha_ - 1;
    log_norm_ = -(am1 * 2 * kLn2 + kLn2 + special::log_beta(alpha_, alpha_));
    if (alpha_ < kTableAlpha) return;
    t_max_ = std::sqrt(-std::expm1(-45.0L / am1));
    h_ = t_max_ / kCells;
    const real log_norm = log_norm_;
    auto log_pdf = [&](real t) { return am1 * std::log1p(-t * t) + log_norm; };
    static const real gl_x[4] = {0.183434642495649804939476142360184L, 0.525532409916328985817739049189246L,
                                 0.796666477413626739591553936475831L, 0.960289856497536231683560868569473L};
    static const real gl_w[4] = {0.362683783378361982965150449277196L, 0.313706645877887287337962201986601L,
                                 0.222381034453374470544355994426241L, 0.101228536290376259152531354309962L};
    std::vector<real> F(kCells + 1), f(kCells + 1);
    F[0] = special::inc_beta(alpha_, alpha_, 0.5L * (1 - t_max_));
    for (int i = 0; i < kCells; ++i) {
      const real t0 = -t_max_ + i * h_, c = t0 + 0.5L * h_;
      real s = 0;
      for (int j = 0; j < 4; ++j)
        s += gl_w[j] * (std::exp(log_pdf(c - 0.5L * h_ * gl_x[j])) + std::exp(log_pdf(c + 0.5L * h_ * gl_x[j])));
      F[i + 1] = F[i] + 0.5L * h_ * s;
    }
    const real scale = 0.5L / F[kCells];  // absorbs the O(1e-16) error of ln B(α, α) for large α
    value_.resize(kCells + 1);
    d1_.resize(kCells + 1);
    d2_.resize(kCells + 1);
    for (int i = 0; i <= kCells; ++i) {
      const real t = -t_max_ + i * h_;
      const real pdf = std::exp(log_pdf(t)) * scale;
      value_[i] = static_cast<double>(F[i] * scale);
      d1_[i] = static_cast<double>(pdf * h_);
      d2_[i] = static_cast<double>(-2 * am1 * t / (1 - t * t) * pdf * h_ * h_);
    }
    value_[kCells] = 0.5;
  }

  real alpha() const { return alpha_; }

  // P[cos θ <= t].
  real operator()(real t) const {
    if (!(t > -1)) return 0;
    if (!(t < 1)) return 1;
    if (value_.empty()) return special::inc_beta(alpha_, alpha_, 0.5L * (1 + t));
    if (t > 0) return 1 - lower(-t);
    return lower(t);
  }

  // The density of cos θ at t, for Newton steps only (the derivative of the interpolant where
  // tabulated): no accuracy guarantee beyond a few digits is needed or claimed.
  double density(double t) const {
    if (!(t > -1 && t < 1)) return 0;
    if (value_.empty())
      return std::exp(static_cast<double>(alpha_ - 1) * std::log1p(-t * t) + static_cast<double>(log_norm_));
    const double at = std::fabs(t);
    if (at >= t_max_) return 0;
    const double pos = static_cast<double>((t_max_ - at) / h_);
    int i = static_cast<int>(pos);
    if (i >= kCells) i = kCells - 1;
    const double u = pos - i, u2 = u * u, u3 = u2 * u, u4 = u3 * u;
    // d/du of the quintic Hermite basis in lower().
    const double h0 = -30 * u2 + 60 * u3 - 30 * u4, h2 = 1 - 18 * u2 + 32 * u3 - 15 * u4;
    const double h3 = -12 * u2 + 28 * u3 - 15 * u4, h4 = 0.5 * (2 * u - 9 * u2 + 12 * u3 - 5 * u4);
    const double h5 = 0.5 * (3 * u2 - 8 * u3 + 5 * u4);
    const double dv = (value_[i + 1] - value_[i]) * -h0 + d1_[i] * h2 + d1_[i + 1] * h3 + d2_[i] * h4 + d2_[i + 1] * h5;
    return std::max(0.0, dv / static_cast<double>(h_));
  }

 private:
  // t <= 0.
  real lower(real t) const {
    if (t <= -t_max_) return 0;
    const real pos = (t + t_max_) / h_;
    int i = static_cast<int>(pos);
    if (i >= kCells) i = kCells - 1;
    const double u = static_cast<double>(pos - i);
    const double u2 = u * u, u3 = u2 * u, u4 = u3 * u, u5 = u4 * u;
    const double h0 = 1 - 10 * u3 + 15 * u4 - 6 * u5, h1 = 10 * u3 - 15 * u4 + 6 * u5;
    const double h2 = u - 6 * u3 + 8 * u4 - 3 * u5, h3 = -4 * u3 + 7 * u4 - 3 * u5;
    const double h4 = 0.5 * (u2 - 3 * u3 + 3 * u4 - u5), h5 = 0.5 * (u3 - 2 * u4 + u5);
    return value_[i] * h0 + value_[i + 1] * h1 + d1_[i] * h2 + d1_[i + 1] * h3 + d2_[i] * h4 + d2_[i + 1] * h5;
  }

  real alpha_, log_norm_;
  real t_max_ = 1, h_ = 0;
  std::vector<double> value_, d1_, d2_;
};

// The table for dimension d, built once per process and shared (read-only) by all callers.
inline std::shared_ptr<const CosineCdf> cosine_cdf_for(int64_t d) {
  static std::mutex mutex;
  static std::map<int64_t, std::shared_ptr<const CosineCdf>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[d];
  if (!slot) {
    if (cache.size() > 64) {  // many dimensions in one process: drop the others (holders keep theirs alive)
      cache.clear();
      return cache[d] = std::make_shared<const CosineCdf>(d);
    }
    slot = std::make_shared<const CosineCdf>(d);
  }
  return slot;
}

// ---------------------------------------------------------------- inverse of ℓ(w) = −k ln w − w
// The W > 0 with ℓ(W) = H, i.e. W + k ln W = −H (the Lambert-W inverse of the density's radial
// profile, in log space). With v = ln(W/k): e^v + v = y, y = −H/k − ln k; Newton on this convex
// increasing function started at a point right of the root converges monotonically. For k = 0,
// W = −H (possibly <= 0: then no w >= 0 has ℓ(w) >= H).
inline real ell_inverse(real k, real H) {
  if (k == 0) return -H;
  if (H == -kInf) return kInf;
  if (H == kInf) return 0;
  const real y = -H / k - std::log(k);
  real v = y > 1 ? std::log(y) : y;
  for (int it = 0; it < 100; ++it) {
    const real ev = std::exp(v);
    const real step = (ev + v - y) / (ev + 1);
    v -= step;
    if (std::fabs(step) <= 1e-18L * (1 + std::fabs(v))) break;
  }
  return k * std::exp(v);
}
inline real ell(real k, real w) { return (k == 0 ? 0 : -k * std::log(w)) - w; }

// Δ = W − g for the W > 0 with ℓ(W) = ℓ(g) + c, and dW/dc = −W/(W + k); the integrands need
// W − g (never W itself), which ell_inverse would give only after a cancellation of ~ln(k) digits.
// With z = ln(W/g) the equation is f(z) = g·expm1(z) + k z + c = 0, f convex increasing; Newton
// from a point right of the root decreases monotonically to it. Both starting values are upper
// bounds of the root: the zero of the tangent at 0 (convexity), and for c < 0 also
// ln(1 − c/g) (as k z >= 0 there). Every quantity is formed without cancellation, so double
// precision carries ~1e-16 relative accuracy.
inline double ell_shift(double k, double g, double c, double& dw_dc) {
  if (k == 0) {
    dw_dc = -1;
    return -c;
  }
  double z = -c / (g + k);
  if (c < 0) z = std::min(z, std::log1p(-c / g));
  double em1 = std::expm1(z);
  for (int it = 0; it < 100; ++it) {
    const double step = (g * em1 + k * z + c) / (g * (em1 + 1) + k);
    if (!(step > 1e-15 * std::fabs(z))) break;  // monotone from the right: stop when it stalls
    z -= step;
    em1 = std::expm1(z);
  }
  const double w = g * (em1 + 1);
  dw_dc = -w / (w + k);
  return g * em1;
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

// ---------------------------------------------------------------- adaptive Gauss–Kronrod
// Vector-valued G7/K15 with global absolute tolerance distributed by interval length; returns the
// Kronrod sums. Only the first C components (all by default) steer refinement: the others ride
// along (e.g. a derivative wanted for a Newton step only). Refinement stops at depth 40.
namespace gk {
constexpr real xk[8] = {0.991455371120812639206854697526329L, 0.949107912342758524526189684047851L,
                        0.864864423359769072789712788640926L, 0.741531185599394439863864773280788L,
                        0.586087235467691130294144845693013L, 0.405845151377397166906606412076961L,
                        0.207784955007898467600689403773245L, 0.0L};
constexpr real wk[8] = {0.022935322010529224963732008058970L, 0.063092092629978553290700663189204L,
                        0.104790010322250183839876322541518L, 0.140653259715525918745189590510238L,
                        0.169004726639267902826583426598550L, 0.190350578064785409913256402421014L,
                        0.204432940075298892414161999234649L, 0.209482141084727828012999174891714L};
constexpr real wg[4] = {0.129484966168869693270611432679082L, 0.279705391489276667901467771423780L,
                        0.381830050505118944950369775488975L, 0.417959183673469387755102040816327L};
}  // namespace gk

template <int M, int C, class F>
void gk15(F& f, real a, real b, real kron[M], real& err) {
  const real c = 0.5L * (a + b), h = 0.5L * (b - a);
  real vals[15][M];
  f(c, vals[7]);
  for (int j = 0; j < 7; ++j) {
    f(c - h * gk::xk[j], vals[j]);
    f(c + h * gk::xk[j], vals[14 - j]);
  }
  err = 0;
  for (int m = 0; m < M; ++m) {
    real K = gk::wk[7] * vals[7][m], G = gk::wg[3] * vals[7][m];
    for (int j = 0; j < 7; ++j) {
      K += gk::wk[j] * (vals[j][m] + vals[14 - j][m]);
      if (j % 2 == 1) G += gk::wg[j / 2] * (vals[j][m] + vals[14 - j][m]);
    }
    kron[m] = K * h;
    if (m < C) err = std::max(err, std::fabs((K - G) * h));
  }
}

template <int M, int C, class F>
void integrate_adaptive_rec(F& f, real a, real b, real tol_density, int depth, real out[M]) {
  real k[M], err;
  gk15<M, C>(f, a, b, k, err);
  if (err <= tol_density * (b - a) || depth >= 40) {
    for (int m = 0; m < M; ++m) out[m] += k[m];
    return;
  }
  const real c = 0.5L * (a + b);
  integrate_adaptive_rec<M, C>(f, a, c, tol_density, depth + 1, out);
  integrate_adaptive_rec<M, C>(f, c, b, tol_density, depth + 1, out);
}

// ∫ f over [a, b] split at the sorted points `cuts` (kinks), each piece first cut into `pieces`.
template <int M, int C = M, class F>
void integrate(F& f, real a, real b, const std::vector<real>& cuts, real tol, real out[M], int pieces = 4) {
  for (int m = 0; m < M; ++m) out[m] = 0;
  std::vector<real> edges{a};
  for (real c : cuts)
    if (c > a && c < b) edges.push_back(c);
  edges.push_back(b);
  const real tol_density = tol / (b - a);
  for (size_t e = 0; e + 1 < edges.size(); ++e) {
    const real w = (edges[e + 1] - edges[e]) / pieces;
    for (int p = 0; p < pieces; ++p)
      integrate_adaptive_rec<M, C>(f, edges[e] + p * w, p + 1 == pieces ? edges[e + 1] : edges[e] + (p + 1) * w,
                                tol_density, 0, out);
  }
}

}  // namespace gengauss
}  // namespace smoothcert
