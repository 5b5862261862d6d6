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
    if (alpha_ < kTableAlpha) return;
    const real am1 = alpha_ - 1;
    t_max_ = std::sqrt(-std::expm1(-45.0L / am1));
    h_ = t_max_ / kCells;
    const real log_norm = -(am1 * 2 * kLn2 + kLn2 + special::log_beta(alpha_, alpha_));
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

  real alpha_;
  real t_max_ = 1, h_ = 0;
  std::vector<double> value_, d1_, d2_;
};

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

// ---------------------------------------------------------------- adaptive Gauss–Kronrod
// Vector-valued G7/K15 with global absolute tolerance distributed by interval length; returns the
// Kronrod sums. Refinement stops at depth 40.
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

template <int M, class F>
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
    err = std::max(err, std::fabs((K - G) * h));
  }
}

template <int M, class F>
void integrate_adaptive_rec(F& f, real a, real b, real tol_density, int depth, real out[M]) {
  real k[M], err;
  gk15<M>(f, a, b, k, err);
  if (err <= tol_density * (b - a) || depth >= 40) {
    for (int m = 0; m < M; ++m) out[m] += k[m];
    return;
  }
  const real c = 0.5L * (a + b);
  integrate_adaptive_rec<M>(f, a, c, tol_density, depth + 1, out);
  integrate_adaptive_rec<M>(f, c, b, tol_density, depth + 1, out);
}

// ∫ f over [a, b] split at the sorted points `cuts` (kinks), each piece first cut into `pieces`.
template <int M, class F>
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
      integrate_adaptive_rec<M>(f, edges[e] + p * w, p + 1 == pieces ? edges[e + 1] : edges[e] + (p + 1) * w,
                                tol_density, 0, out);
  }
}

}  // namespace gengauss
}  // namespace smoothcert
