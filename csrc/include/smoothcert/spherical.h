// Spherical geometry of an isotropic noise in d dimensions: the law of cos θ between a uniform
// direction and a fixed one (CosineCdf), and the radial profile ℓ(w) = −k ln w − w of the
// generalized Gaussian in w = squared normalised norm (Li et al., ICML 2022) with its inverses.
// For a shift δ (normalised length r), ‖x − δ‖² = g − 2 r sqrt(g) cos θ + r², so every set the
// generalized-Gaussian certificates need is a threshold in cos θ for each radius. Host code, long
// double.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "smoothcert/special/beta.h"

namespace smoothcert {
namespace spherical {

constexpr real kInf = std::numeric_limits<real>::infinity();
constexpr real kLn2 = 0.693147180559945309417232121458176568L;

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

}  // namespace spherical
}  // namespace smoothcert
