// The DSRS dual for generalized-Gaussian smoothing: Neyman–Pearson and double-sampling (DSRS)
// lower bounds on the shifted probability, the integrals they need and their multipliers.
//
// Li et al., "Double Sampling Randomized Smoothing", ICML 2022. With δ of length r, P the smoothing
// noise, P_δ its shift and Q a second (radial) distribution, the worst classifier consistent with
// p_A in [p_L, p_H] under P and q_A in [q_L, q_R] under Q gives P_δ-probability
//     min { E_{P_δ} f : 0 <= f <= 1, p_L <= E_P f <= p_H, q_L <= E_Q f <= q_R }      (primal)
// and for all λ1, λ2 of either sign (p* = p_L if λ1 >= 0 else p_H, q* = q_L if λ2 >= 0 else q_R)
// weak duality gives
//     primal >= D(λ) = P_δ[S] − λ1 P[S] − λ2 Q[S] + λ1 p* + λ2 q*,  S = {p_δ < λ1 p + λ2 q}  (dual)
// (the paper's Theorem on the dual problem; λ2 = 0 is the Neyman–Pearson bound). D(λ) is a valid
// lower bound for *any* λ, so inexact multipliers cost tightness, never soundness; only the three
// integrals must be accurate, and a margin kIntegralError·(1 + |λ1| + |λ2|) is subtracted. D is
// concave on the whole plane and the multipliers are its maximiser, from the case analysis of its
// stationarity conditions: first the Neyman–Pearson λ1 (P[S] = p_L); if its Q[S] falls inside
// [q_L, q_R] that is optimal, else λ2 takes the sign of the violated side and (λ1, λ2) solve
// P[S] = p_L, Q[S] = q* with λ1 > 0; where no λ1 > 0 reaches q_L (λ2 > 0), λ1 = 0 with Q[S] = q_L
// and P[S] in [p_L, p_H], or else λ1 < 0 with P[S] = p_H, Q[S] = q_L (the upper P-bound active).
// λ1 <= 0 with λ2 < 0 gives an empty S and D <= 0.
//
// Units and notation: normalised squared norms, ℓ(w) = −k ln w − w (spherical.h), q/p = ρ(w).
// The multiplier is written λ1 p (1 + ν ρ), ν = ±e^s (λ2 = λ1 ν); then S is
// {ℓ(w_{x−δ}) < ℓ(w_x) + ln λ1 + ln(1 + ν ρ(w_x))}; for λ1 < 0 it is e^u p (e^s ρ − 1) (see Dual).
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
#include <vector>

#include "smoothcert/quadrature.h"
#include "smoothcert/special/gamma.h"
#include "smoothcert/spherical.h"

namespace smoothcert {
namespace dsrs {

using quad::kInf;
using quad::illinois;
using quad::newton_root;

// Upper bound on the absolute error of each of P[S], Q[S], P_δ[S] (quadrature tolerance 1e-13,
// cos θ table < 1e-15, Gamma tails < 1e-17, integrand values ~1e-15 relative); the tests measure
// < 1e-12 against mpmath.
constexpr real kIntegralError = 1e-10L;
constexpr real kQuadTol = 1e-13L;

// The smoothing distribution P: d, k, σ and its derived constants.
struct Model {
  int64_t d;
  real k, sigma, a, scale;  // a = d/2 − k, scale L = sqrt(2) σ sqrt(d/(d − 2k))
  const spherical::CosineCdf* cdf;
  real x_lo, x_hi;  // ln g range holding all but ~1e-17 of Gamma(a)
  real lgamma_a;
  real ln_a, c0;  // ln a and a ln a − a − ln Γ(a), for special::gamma_log_density_centred

  Model(int64_t d_, real k_, real sigma_, const spherical::CosineCdf* c) : d(d_), k(k_), sigma(sigma_), cdf(c) {
    a = 0.5L * d - k;
    lgamma_a = std::lgamma(a);
    ln_a = std::log(a);
    c0 = a * ln_a - a - lgamma_a;
    scale = std::sqrt(2.0L) * sigma * std::sqrt(static_cast<real>(d) / (static_cast<real>(d) - 2 * k));
    // Lower tail: P(a, g) <= g^a / Γ(a + 1) < 1e-17.
    x_lo = (std::log(1e-17L) + std::lgamma(a + 1)) / a;
    x_hi = std::log(a + 1);
    while (special::gamma_q(a, std::exp(x_hi)) > 1e-17L) x_hi += 0.05L;
  }
  real log_density(real x) const { return a * x - std::exp(x) - lgamma_a; }
};

// The second distribution Q as ln ρ(w) = ln(q/p)(w).
struct QSpec {
  enum Kind { kNone, kSigma, kBall } kind = kNone;
  real log_c = 0;  // kSigma: 2a ln(σ/σ_Q); kBall: −ln P(a, g_T)
  real beta = 0;   // kSigma: σ²/σ_Q² − 1
  real g_t = 0;    // kBall: squared normalised threshold
  real x_t = 0;    // kBall: ln g_T
  real lr_a = 0;   // kSigma: ln ρ(a) = log_c − β a
  real shift = 0;  // kSigma: ln(1 + β), Q's ln g is P's plus this

  static QSpec none() { return QSpec{}; }
  static QSpec sigma_q(const Model& m, real sigma_q) {
    QSpec q;
    q.kind = kSigma;
    q.log_c = 2 * m.a * std::log(m.sigma / sigma_q);
    q.beta = m.sigma * m.sigma / (sigma_q * sigma_q) - 1;
    q.lr_a = q.log_c - q.beta * m.a;
    q.shift = std::log1p(q.beta);
    return q;
  }
  // Q = P restricted to the ball g <= g_T, g_T the Gamma(a) quantile at `percentile`; its mass is
  // recomputed from the g_T actually used, so the normalisation is exact for that ball.
  static QSpec ball(const Model& m, real percentile) {
    QSpec q;
    q.kind = kBall;
    q.g_t = special::gamma_p_inv(m.a, percentile);
    q.log_c = -std::log(special::gamma_p(m.a, q.g_t));
    q.x_t = std::log(q.g_t);
    return q;
  }
  real lrho(real w) const {
    switch (kind) {
      case kSigma: return log_c - beta * w;
      case kBall: return w <= g_t ? log_c : -kInf;
      default: return -kInf;
    }
  }
};

// Multipliers: λ1 = e^u, ν = sign·e^s; with `neg` (the upper P-bound active, λ1 < 0 < λ2) the
// multiplier is e^u (e^s ρ − 1): λ1 = −e^u, λ2 = e^(u+s).
struct Dual {
  real u = 0;
  int sign = 0;
  real s = 0;
  bool neg = false;
  real lambda1() const { return neg ? -std::exp(u) : std::exp(u); }
  real lambda2() const { return sign == 0 ? 0 : sign * std::exp(u + s); }
};

// ln(1 + ν ρ(w)); −∞ where the multiplier is <= 0.
inline real log_mult(const QSpec& q, const Dual& dl, real w) {
  if (dl.sign == 0) return 0;
  const real z = dl.s + q.lrho(w);
  if (dl.neg) {
    if (!(z > 0)) return -kInf;
    return z > 40 ? z + std::log1p(-std::exp(-z)) : std::log(std::expm1(z));
  }
  if (z == -kInf) return 0;
  if (dl.sign > 0) return z > 40 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
  if (z >= 0) return -kInf;
  return z > -0.6931L ? std::log(-std::expm1(z)) : std::log1p(-std::exp(z));
}

// log_mult from ln ρ, in double (|z| is moderate wherever the result matters); dlm_ds gets its
// derivative in s (for Newton steps).
// The same from z = s + ln ρ (finite).
inline double log_mult_z(const Dual& dl, double z, double& dlm_ds) {
  constexpr double kNegInf = -std::numeric_limits<double>::infinity();
  dlm_ds = 0;
  if (dl.sign == 0) return 0;
  if (dl.neg) {
    if (!(z > 0)) return kNegInf;
    dlm_ds = -1 / std::expm1(-z);
    return z > 40 ? z + std::log1p(-std::exp(-z)) : std::log(std::expm1(z));
  }
  if (dl.sign > 0) {
    dlm_ds = 1 / (1 + std::exp(-z));
    return z > 40 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
  }
  if (z >= 0) return kNegInf;
  dlm_ds = -1 / std::expm1(-z);
  return z > -0.6931 ? std::log(-std::expm1(z)) : std::log1p(-std::exp(z));
}
inline double log_mult_of(const Dual& dl, real lr, double& dlm_ds) {
  dlm_ds = 0;
  if (dl.sign == 0) return 0;
  if (lr == -kInf) return dl.neg ? -std::numeric_limits<double>::infinity() : 0;
  return log_mult_z(dl, static_cast<double>(dl.s + lr), dlm_ds);
}
inline double log_mult_of(const Dual& dl, real lr) {
  double unused;
  return log_mult_of(dl, lr, unused);
}

// d/dw of ℓ(w) + ln(1 + ν ρ(w)) for kSigma.
inline real hh_derivative(const Model& m, const QSpec& q, const Dual& dl, real w) {
  real d = -1 - (m.k == 0 ? 0 : m.k / w);
  if (dl.sign != 0 && q.kind == QSpec::kSigma) {
    const real e = std::exp(dl.s + q.lrho(w));
    if (dl.neg) d += -q.beta * e / (e - 1);
    else d += -q.beta * dl.sign * e / (1 + dl.sign * e);
  }
  return d;
}

// P[S], Q[S] and their derivatives ∂P/∂u, ∂P/∂s, ∂Q/∂u, ∂Q/∂s (out[0..5]) for shift r
// (normalised) and multipliers dl. The derivatives are for Newton steps only and do not steer the
// quadrature. The integrand runs in double with
// every large cancellation removed analytically (gamma_log_density_centred, ell_shift, ln ρ about
// g = a), so each value carries ~1e-15 relative error, far inside kQuadTol.
inline void p_q_du_integrals(const Model& m, const QSpec& q, const Dual& dl, real r, real out[6]) {
  const double r2 = static_cast<double>(r * r), two_r = static_cast<double>(2 * r), kd = static_cast<double>(m.k);
  const double ad = static_cast<double>(m.a), beta_a = static_cast<double>(q.beta * m.a);
  // z = s + ln ρ(g) = β (w0 − g) vanishes at g = w0 = (s + ln c)/β, where ln(1 − e^z) has a log
  // singularity: there z is formed as −β w0 expm1(ln g − ln w0), accurate relative to itself.
  const real w0 = q.kind == QSpec::kSigma && dl.sign != 0 && q.beta != 0 ? (dl.s + q.log_c) / q.beta : 0;
  const real x0 = w0 > 0 ? std::log(w0) : 0, beta_w0 = q.beta * w0;
  auto f = [&](real x, real v[6]) {
    const double y = static_cast<double>(x - m.ln_a);
    real lr = -kInf;
    if (q.kind == QSpec::kSigma) lr = q.lr_a - static_cast<real>(beta_a * std::expm1(y));
    else if (q.kind == QSpec::kBall && x <= q.x_t) lr = q.log_c;
    double ls;
    const double lm = w0 > 0 ? log_mult_z(dl, static_cast<double>(-beta_w0 * std::expm1(static_cast<double>(x - x0))), ls)
                             : log_mult_of(dl, lr, ls);
    if (lm == -std::numeric_limits<double>::infinity()) {
      for (int j = 0; j < 6; ++j) v[j] = 0;
      return;
    }
    const double g = ad * std::exp(y), sg2 = two_r * std::sqrt(g);
    double dw_dc;
    const double delta = spherical::ell_shift(kd, g, static_cast<double>(dl.u + lm), dw_dc);
    const double t = (r2 - delta) / sg2;
    const real F = (*m.cdf)(t);
    const real ld = special::gamma_log_density_centred(m.a, m.c0, y);
    const double dens = std::exp(static_cast<double>(ld));
    const double dF_dc = m.cdf->density(t) * (-dw_dc / sg2);
    double dens_q = 0;
    if (lr == -kInf) {
      dens_q = 0;
    } else if (q.kind == QSpec::kSigma) {
      // Q's density of ln g is P's at ln g + ln(1 + β).
      const real ldq = special::gamma_log_density_centred(m.a, m.c0, static_cast<double>(x + q.shift - m.ln_a));
      dens_q = std::exp(static_cast<double>(ldq));
    } else {
      dens_q = std::exp(static_cast<double>(ld + lr));
    }
    v[0] = dens * F;
    v[1] = dens_q * F;
    v[2] = dens * dF_dc;
    v[3] = dens * dF_dc * ls;
    v[4] = dens_q * dF_dc;
    v[5] = dens_q * dF_dc * ls;
  };
  std::vector<real> cuts;
  if (q.kind == QSpec::kBall) cuts.push_back(q.x_t);
  // Where the multiplier 1 + ν ρ(g) changes sign the integrand jumps to 0: split there.
  if (q.kind == QSpec::kSigma && (dl.sign < 0 || dl.neg) && q.beta != 0) {
    const real w0 = (dl.s + q.log_c) / q.beta;
    if (w0 > 0) cuts.push_back(std::log(w0));
  }
  // Q's radius is P's scaled by σ_Q²/σ² = 1/(1 + β): widen the range to hold Q's tails too.
  const real shift = q.kind == QSpec::kSigma ? -q.shift : 0;
  quad::integrate_vector<6, 2>(f, m.x_lo + std::min<real>(shift, 0), m.x_hi + std::max<real>(shift, 0), cuts, kQuadTol,
                            out);
}

// P[S] and Q[S] (out[0], out[1]) for shift r (normalised) and multipliers dl.
inline void p_q_integrals(const Model& m, const QSpec& q, const Dual& dl, real r, real out[2]) {
  real v[6];
  p_q_du_integrals(m, q, dl, r, v);
  out[0] = v[0];
  out[1] = v[1];
}

// Monotone pieces of hh(w) = ℓ(w) + ln(1 + ν ρ(w)) for kSigma on its domain within [0, w_max]:
// breakpoints (domain ends and critical points found by a log-spaced scan of hh' refined by
// bisection).
inline std::vector<real> monotone_pieces(const Model& m, const QSpec& q, const Dual& dl, real w_max) {
  real lo = 0, hi = w_max;
  if (dl.neg) {
    // e^(s + log_c − β w) > 1.
    const real w0 = (dl.s + q.log_c) / q.beta;
    if (q.beta > 0) hi = std::min(hi, w0);
    else lo = std::max(lo, w0);
  } else if (dl.sign < 0) {
    // 1 − e^(s + log_c − β w) > 0.
    const real w0 = (dl.s + q.log_c) / q.beta;
    if (q.beta > 0) lo = std::max(lo, w0);
    else hi = std::min(hi, w0);
  }
  std::vector<real> b{lo};
  if (!(hi > lo)) return {lo, lo};
  const real l0 = std::log(std::max(lo, hi * 1e-30L)), l1 = std::log(hi);
  constexpr int kScan = 256;
  real prev_w = std::exp(l0) * (1 + 1e-15L);
  real prev = hh_derivative(m, q, dl, prev_w);
  for (int i = 1; i <= kScan; ++i) {
    const real w = i == kScan ? hi * (1 - 1e-15L) : std::exp(l0 + (l1 - l0) * i / kScan);
    const real dv = hh_derivative(m, q, dl, w);
    if ((dv > 0) != (prev > 0)) {
      real a = prev_w, c = w;
      for (int it = 0; it < 100; ++it) {
        const real mid = 0.5L * (a + c);
        if ((hh_derivative(m, q, dl, mid) > 0) == (prev > 0)) a = mid;
        else c = mid;
      }
      b.push_back(0.5L * (a + c));
    }
    prev = dv;
    prev_w = w;
  }
  b.push_back(hi);
  return b;
}

// P_δ[S] for shift r and multipliers dl.
inline real p_delta_integral(const Model& m, const QSpec& q, const Dual& dl, real r) {
  const real g_hi = std::exp(m.x_hi);
  const real w_max = (std::sqrt(g_hi) + r) * (std::sqrt(g_hi) + r) * 1.01L;
  std::vector<real> pieces;
  const bool general = dl.sign != 0 && q.kind == QSpec::kSigma;
  if (general) pieces = monotone_pieces(m, q, dl, w_max);
  const double r2 = static_cast<double>(r * r), kd = static_cast<double>(m.k);
  auto f = [&](real x, real v[1]) {
    if (dl.sign == 0 || q.kind != QSpec::kSigma) {
      // Thresholds of w_x given as W − g (spherical::ell_shift), in double as in p_q_du_integrals.
      const double y = static_cast<double>(x - m.ln_a);
      const double gd = static_cast<double>(m.a) * std::exp(y), sg2 = static_cast<double>(2 * r) * std::sqrt(gd);
      double dw;
      auto t_shift = [&](double c) { return (spherical::ell_shift(kd, gd, c, dw) - r2) / sg2; };
      real p;
      if (dl.sign == 0 || q.kind == QSpec::kNone) {
        p = (*m.cdf)(t_shift(static_cast<double>(-dl.u)));
      } else {
        // w_x in [0, min(g_T, W_in)) or [g_T, W_out), W_in/W_out the thresholds inside/outside the ball.
        const double lm_in = log_mult_of(dl, q.log_c), lm_out = log_mult_of(dl, -kInf);
        // g − g_T amplifies g's rounding by g/(2 r sqrt(g)): form it in long double.
        const real t_t = (q.g_t - std::exp(x) - r * r) / sg2;
        const double ninf = -std::numeric_limits<double>::infinity();
        p = 0;
        if (lm_in != ninf) p += (*m.cdf)(std::min<real>(t_t, t_shift(static_cast<double>(-dl.u - lm_in))));
        if (lm_out != ninf) {
          const real t_b = t_shift(static_cast<double>(-dl.u - lm_out));
          if (t_b > t_t) p += (*m.cdf)(t_b) - (*m.cdf)(t_t);
        }
      }
      v[0] = std::exp(static_cast<double>(special::gamma_log_density_centred(m.a, m.c0, y))) * p;
      return;
    }
    // In δ = w_x − g (w_x = g − 2 r sqrt(g) cos θ' + r² for the shifted point): cos θ's threshold
    // is (δ − r²)/(2 r sqrt(g)), so δ is what must be accurate (w_x − g would lose ln(g/(r sqrt g))
    // digits at small r, and the quadrature then subdivides rounding noise without end); the
    // membership test hh(g + δ) > ℓ(g) − u is H(δ) > 0 with ℓ(g + δ) − ℓ(g) = −k log1p(δ/g) − δ.
    const real g = std::exp(x);
    const real sg = std::sqrt(g);
    const real d_lo = r * (r - 2 * sg), d_hi = r * (r + 2 * sg);
    auto H = [&](real d) {
      const real lm = log_mult(q, dl, g + d);
      return lm == -kInf ? -kInf : (m.k == 0 ? 0 : -m.k * std::log1p(d / g)) - d + lm + dl.u;
    };
    auto t_of = [&](real d) { return std::clamp((d - r * r) / (2 * r * sg), -1.0L, 1.0L); };
    // Probability that δ (increasing in cos θ) lies in [d_a, d_b).
    auto mass = [&](real d_a, real d_b) {
      d_a = std::max(d_a, d_lo);
      d_b = std::min(d_b, d_hi);
      if (!(d_b > d_a)) return 0.0L;
      return (*m.cdf)(t_of(d_b)) - (*m.cdf)(t_of(d_a));
    };
    const real d_tol = 1e-19L * (std::fabs(d_lo) + d_hi);
    real p = 0;
    for (size_t j = 0; j + 1 < pieces.size(); ++j) {
      const real a = std::max(pieces[j] - g, d_lo), b = std::min(pieces[j + 1] - g, d_hi);
      if (!(b > a)) continue;
      const real ha = H(a), hb = H(b);
      const bool in_a = ha > 0, in_b = hb > 0;
      if (in_a && in_b) {
        p += mass(a, b);
        continue;
      }
      if (!in_a && !in_b) continue;
      // One crossing on a monotone piece: Newton on H from the secant point, bisecting whenever a
      // step leaves the bracket [lo, hi] (H has the sign of in_a at lo).
      real lo = a, hi = b;
      real c = (std::isfinite(ha) && std::isfinite(hb)) ? a - ha * (b - a) / (hb - ha) : 0.5L * (a + b);
      for (int it = 0; it < 200 && hi - lo > d_tol; ++it) {
        if (!(c > lo && c < hi)) c = 0.5L * (lo + hi);
        const real fc = H(c);
        if ((fc > 0) == in_a) lo = c;
        else hi = c;
        const real step = fc / hh_derivative(m, q, dl, g + c);
        if (!(std::fabs(step) > d_tol)) break;
        c -= step;
      }
      if (!(c >= lo && c <= hi)) c = 0.5L * (lo + hi);
      p += in_a ? mass(a, c) : mass(c, b);
    }
    v[0] = std::exp(m.log_density(x)) * p;
  };
  real out[1];
  quad::integrate_vector<1>(f, m.x_lo, m.x_hi, {}, kQuadTol, out);
  return out[0];
}

// Result of one evaluation of the dual at shift r.
struct Evaluation {
  real bound;  // D(λ) − margin: a certified lower bound on the worst-case P_δ-probability
  Dual dual;
  real p, q, pd;
  bool far = false;  // the λ1 > 0 family at its λ1 -> 0 limit (no multiplier hint for a nearby r)
};

// Solve P[S] = target (which = 0) or Q[S] = target (which = 1) in u = ln|λ1| for fixed (sign, s,
// neg), from dl.u, by newton_root (both increase in u; their u-derivatives come with the
// integrals). Returns the last point evaluated, with its P and Q in pq and, if jac is given,
// (∂P/∂u, ∂P/∂s, ∂Q/∂u, ∂Q/∂s) there: the dual is stationary in u, so the error left (a Newton step
// <= 1e-12) costs O(1e-24) of the bound.
inline Dual solve_lambda1(const Model& m, const QSpec& q, Dual dl, real r, real target, real pq[2],
                          real* jac = nullptr, int which = 0) {
  real v[6];
  auto f = [&](real u, real& df) {
    dl.u = u;
    p_q_du_integrals(m, q, dl, r, v);
    df = v[2 + 2 * which];
    return v[which] - target;
  };
  real u = dl.u;
  newton_root(f, u, 4, 1e-12L, 0, 200);
  pq[0] = v[0];
  pq[1] = v[1];
  if (jac)
    for (int j = 0; j < 4; ++j) jac[j] = v[2 + j];
  return dl;
}

inline real dual_bound(const Dual& dl, real p_star, real q_star, real p, real qv, real pd) {
  const real l1 = dl.lambda1(), l2 = dl.lambda2();
  const real d = pd + l1 * (p_star - p) + l2 * (q_star - qv);
  return d - kIntegralError * (1 + std::fabs(l1) + std::fabs(l2));
}

// The dual at multipliers dl with P[S], Q[S] already known: adds P_δ[S].
inline Evaluation evaluation_at(const Model& m, const QSpec& q, const Dual& dl, real r, real p_star, real q_star,
                                const real pq[2]) {
  const real pd = p_delta_integral(m, q, dl, r);
  return Evaluation{dual_bound(dl, p_star, q_star, pq[0], pq[1], pd), dl, pq[0], pq[1], pd};
}

// 2-D Newton on (P[S], Q[S]) = (p_star, q_star) in (u, s) within dl's family, from dl (hints from a
// nearby r), the Jacobian coming with the integrals. The dual is stationary in both at the
// solution (there the bound is the global maximum of the concave dual), so the last point
// evaluated is kept once the next step is below 1e-10 in u and 1e-9 in s and both constraints hold
// within 1e-9; false when the iteration leaves the neighbourhood (|step| > 1) or stalls.
inline bool newton_2d(const Model& m, const QSpec& q, Dual nt, real r, real p_star, real q_star, Evaluation& out) {
  real v[6];
  for (int it = 0; it < 12; ++it) {
    p_q_du_integrals(m, q, nt, r, v);
    const real f1 = v[0] - p_star, f2 = v[1] - q_star, det = v[2] * v[5] - v[3] * v[4];
    if (!(std::fabs(det) > 0) || !std::isfinite(det)) return false;
    const real du = -(f1 * v[5] - f2 * v[3]) / det, ds = -(v[2] * f2 - v[4] * f1) / det;
    // Converged only where both constraints hold: with q* out of reach in this family the
    // iteration drifts to λ1 -> 0 with vanishing steps.
    if (std::fabs(du) <= 1e-10L && std::fabs(ds) <= 1e-9L && std::fabs(f1) <= 1e-9L && std::fabs(f2) <= 1e-9L) {
      const real pq[2] = {v[0], v[1]};
      out = evaluation_at(m, q, nt, r, p_star, q_star, pq);
      return true;
    }
    if (!(std::fabs(du) <= 1 && std::fabs(ds) <= 1)) return false;  // far from the solution: nested solves
    nt.u += du;
    nt.s += ds;
  }
  return false;
}

// For Q of another σ: the s at which the region where e^s ρ > 1 (above_one; the λ1 < 0 family's
// multiplier e^s ρ − 1 is positive there) or e^s ρ < 1 (the λ2 < 0 family's 1 − e^s ρ) has P-mass
// `mass`. e^s ρ(g) > 1 iff β g < s + ln c: g below w = (s + ln c)/β for β > 0, above it for β < 0.
inline real s_at_region_mass(const Model& m, const QSpec& q, real mass, bool above_one) {
  const bool below = (q.beta > 0) == above_one;
  return q.beta * special::gamma_p_inv(m.a, below ? mass : 1 - mass) - q.log_c;
}

// Where λ2 > 0 is called for but no λ1 > 0 meets Q[S] = q_L (the Q-mass along P[S] = p_L stays
// below q_L as λ1/λ2 -> 0), the dual's maximum has λ1 <= 0. `far` is an s of the λ1 > 0 family
// with λ1/λ2 negligible (e^−40 of ρ at the mode): its set with Q[S] = q_L is {p_δ < λ2 q} for
// every purpose. If that set's P-mass is <= p_H, λ1 = 0 is optimal (the dual is stationary there);
// if it exceeds p_H the upper P-bound is active: λ1 < 0 < λ2 with P[S] = p_H, Q[S] = q_L, the
// multiplier e^u (e^s ρ − 1) (λ2/|λ1| = e^s). Only a Q of another σ has that family: for a ball
// Q[S] = c P[S] on the sets it defines, so its optimum is at λ1 -> 0.
// Along P[S] = p_H, ψ(s) = q_L − Q[S] increases in s (concavity); s runs over (s_min, ∞),
// s_min the s where P[e^s ρ > 1] = p_H (u -> ∞ there), and is written s_min + e^τ.
inline Evaluation evaluate_lambda1_nonpositive(const Model& m, const QSpec& q, Dual start, real r, real far,
                                               real p_low, real p_high, real q_low, const Dual* neg_hint,
                                               const Evaluation& fallback) {
  Evaluation best = fallback;
  auto keep = [&](const Evaluation& e) {
    if (e.bound > best.bound) best = e;
  };
  real pq[2];
  Dual z = start;
  z.sign = 1;
  z.neg = false;
  z.s = far;
  z = solve_lambda1(m, q, z, r, q_low, pq, nullptr, 1);
  const bool upper_active = pq[0] > p_high;
  Evaluation at_far = evaluation_at(m, q, z, r, p_low, q_low, pq);
  at_far.far = true;
  if (!upper_active || q.kind != QSpec::kSigma || !(p_high < 1)) {
    keep(at_far);
    return best;
  }
  const real s_min = s_at_region_mass(m, q, p_high, true);
  // {e^s_min ρ > 1} has the largest Q-mass of all sets with P-mass <= p_H (Neyman–Pearson for Q
  // against P; Q's g is P's times 1/(1 + β)). At or below q_L no set meets both bounds: they
  // contradict each other (a failure of the confidence bounds) and the dual is unbounded; the
  // λ1 < 0 family is then left out rather than followed to infinite multipliers.
  const real w_star = (s_min + q.log_c) / q.beta;
  const real q_max = q.beta > 0 ? special::gamma_p(m.a, w_star * (1 + q.beta))
                                : special::gamma_q(m.a, w_star * (1 + q.beta));
  if (!std::isfinite(s_min) || !(q_max > q_low)) {
    keep(at_far);
    return best;
  }
  Dual nd;
  nd.sign = 1;
  nd.neg = true;
  nd.u = neg_hint ? neg_hint->u : 0;
  nd.s = s_min + 1;
  real pq_n[2], jac[4];
  bool have_jac = false;
  auto psi_d = [&](real tau, real& dpsi) {
    const real s = s_min + std::exp(tau);
    // Start u where the tangent of P[S] = p_H leads.
    if (have_jac && jac[0] > 0) nd.u -= jac[1] / jac[0] * (s - nd.s);
    nd.s = s;
    nd = solve_lambda1(m, q, nd, r, p_high, pq_n, jac);
    have_jac = true;
    dpsi = jac[0] > 0 ? -(jac[3] - jac[2] * jac[1] / jac[0]) * std::exp(tau) : 0;
    return q_low - pq_n[1];
  };
  auto psi = [&](real tau) {
    real unused;
    return psi_d(tau, unused);
  };
  real tau = neg_hint && neg_hint->s > s_min ? std::log(neg_hint->s - s_min) : 0;
  if (newton_root(psi_d, tau, 2, 1e-10L, 1e-13L, 25) && std::fabs(pq_n[1] - q_low) <= 1e-9L) {
    keep(evaluation_at(m, q, nd, r, p_high, q_low, pq_n));
    return best;
  }
  // Bracketing fallback in τ: ψ < 0 as s -> s_min (the ball e^s ρ > 1 holds Q-mass above q_L
  // unless the bounds contradict each other), ψ > 0 as s -> ∞ (upper_active).
  real a = -4, fa = psi(a);
  for (int i = 0; i < 6 && fa > 0; ++i) fa = psi(a -= 2);
  real b = a + 2, fb = psi(b);
  for (int i = 0; i < 8 && fb < 0; ++i) {
    a = b;
    fa = fb;
    fb = psi(b += 2);
  }
  if (fa <= 0 && fb >= 0) {
    tau = illinois(psi, a, fa, b, fb, 1e-9L, 1e-12L, true, 80);
    psi(tau);
    keep(evaluation_at(m, q, nd, r, p_high, q_low, pq_n));
  }
  if (!(best.bound > fallback.bound)) keep(at_far);
  return best;
}

// The certified lower bound on the worst-case P_δ-probability at normalised shift r.
// q_low/q_high are ignored for QSpec::kNone (Neyman–Pearson). Hints from a nearby r: u_hint for
// the Neyman–Pearson solve, s_hint (with u_hint) for the λ1 > 0 family, neg_hint for λ1 < 0.
inline Evaluation evaluate(const Model& m, const QSpec& q, real r, real p_low, real p_high, real q_low,
                           real q_high, real u_hint = 0, const real* s_hint = nullptr,
                           const Dual* neg_hint = nullptr) {
  real pq[2];
  Dual dl;
  dl.u = u_hint;
  dl = solve_lambda1(m, q, dl, r, p_low, pq);
  real q_star = 0;
  // The side of [q_L, q_R] that the Neyman–Pearson set violates fixes the sign of λ2: Q[S] < q_L
  // calls for more Q-mass (λ2 > 0), Q[S] > q_R for less (λ2 < 0, multiplier 1 − e^s ρ).
  if (q.kind != QSpec::kNone && (pq[1] < q_low || pq[1] > q_high)) {
    const Dual np = dl;
    const real pq_np[2] = {pq[0], pq[1]};
    dl.sign = pq[1] < q_low ? 1 : -1;
    q_star = dl.sign > 0 ? q_low : q_high;
    Evaluation e;
    if (dl.sign > 0 && neg_hint && q.kind == QSpec::kSigma && newton_2d(m, q, *neg_hint, r, p_high, q_low, e))
      return e;
    // φ(s) = sign·(Q[S] − q*) increases in s along P[S] = p_L (concavity of the dual).
    real pq_s[2], jac[4];
    Dual cur = dl;
    // dφ/ds along P[S] = p_L: sign·(∂Q/∂s − ∂Q/∂u·(∂P/∂s)/(∂P/∂u)).
    bool have_jac = false;
    auto phi_d = [&](real s, real& dphi) {
      // Start u where the tangent of P[S] = p_L leads: du/ds = −(∂P/∂s)/(∂P/∂u).
      if (have_jac && jac[0] > 0) cur.u -= jac[1] / jac[0] * (s - cur.s);
      cur.s = s;
      cur = solve_lambda1(m, q, cur, r, p_low, pq_s, jac);
      have_jac = true;
      dphi = jac[0] > 0 ? dl.sign * (jac[3] - jac[2] * jac[1] / jac[0]) : 0;
      return dl.sign * (pq_s[1] - q_star);
    };
    auto phi = [&](real s) {
      real unused;
      return phi_d(s, unused);
    };
    const real s_mode = q.kind == QSpec::kSigma ? -q.lrho(m.a) : -q.log_c;  // e^s ρ(a) = 1
    // λ1/λ2 = e^−s: beyond s_far the λ1 > 0 family is its λ1 -> 0 limit.
    const real s_far = std::max(s_mode, s_hint ? *s_hint : s_mode) + 40;
    // With λ2 < 0, P[S] = p_L is reachable only while the region where 1 − e^s ρ > 0 holds P-mass
    // above p_L: for s < s_max (u -> ∞ as s -> s_max). There φ tends to q_R − (the least Q-mass
    // of a set with P-mass >= p_L) >= 0, so φ is taken as >= 0 from s_max on. A ball's multiplier
    // is 1 − e^s c inside it and 1 outside: s_max = −ln c unless the outside alone holds p_L.
    real s_max = kInf;
    if (dl.sign < 0 && q.kind == QSpec::kSigma) s_max = s_at_region_mass(m, q, p_low, false);
    if (dl.sign < 0 && q.kind == QSpec::kBall && p_low >= -std::expm1(-q.log_c)) s_max = -q.log_c;
    if (std::isfinite(s_max)) {
      // The region at s_max has the least Q-mass of all sets with P-mass >= p_L (Neyman–Pearson);
      // at or above q_R the bounds contradict each other and the dual is unbounded along λ2 < 0:
      // keep λ2 = 0 then.
      real q_min;
      if (q.kind == QSpec::kBall) {
        q_min = 1 - std::exp(q.log_c) * (1 - p_low);  // the outside and p_L − P[outside] of the ball
      } else {
        const real w = (s_max + q.log_c) / q.beta;
        q_min = q.beta > 0 ? special::gamma_q(m.a, w * (1 + q.beta)) : special::gamma_p(m.a, w * (1 + q.beta));
      }
      if (!(q_min < q_high)) return evaluation_at(m, q, np, r, p_low, 0, pq_np);
    }
    real s0 = s_hint ? *s_hint : s_mode;
    if (!(s0 < s_max)) s0 = s_max - 1;
    if (s_hint) {
      Dual nt = dl;
      nt.u = u_hint;
      nt.s = s0;
      if (newton_2d(m, q, nt, r, p_low, q_star, e)) return e;
    }
    // Newton on φ; the bracketing search below is the fallback (and finds where no root is).
    real s_newton = s0;
    if (newton_root(phi_d, s_newton, 2, 1e-9L, 1e-13L, 25, dl.sign > 0 ? s_far : kInf, s_max) &&
        std::fabs(pq_s[1] - q_star) <= 1e-9L) {
      return evaluation_at(m, q, cur, r, p_low, q_star, pq_s);  // the last point evaluated: the solution
    }
    const real step = s_hint ? 0.25L : 4;
    real lo = s0 - step, flo = phi(lo);
    for (int i = 0; i < 40 && flo > 0; ++i) flo = phi(lo -= step * (i + 1));
    real hi = lo + step, fhi = phi(hi);
    for (int i = 0; i < 40 && fhi < 0 && (dl.sign < 0 || hi < s_far); ++i) {
      lo = hi;
      flo = fhi;
      hi += step * (i + 1);
      if (dl.sign > 0) hi = std::min(hi, s_far);
      else if (hi >= s_max) hi = lo + 0.5L * (s_max - lo);
      fhi = phi(hi);
    }
    if (fhi < 0 || flo > 0) {
      cur.s = fhi < 0 ? hi : lo;
    } else {
      cur.s = illinois(phi, lo, flo, hi, fhi, 1e-7L, 1e-12L, true, 60);
    }
    dl = solve_lambda1(m, q, cur, r, p_low, pq);
    Evaluation at_root = evaluation_at(m, q, dl, r, p_low, q_star, pq);
    if (dl.sign > 0 && fhi < 0) {
      at_root.far = true;
      return evaluate_lambda1_nonpositive(m, q, dl, r, s_far, p_low, p_high, q_low, neg_hint, at_root);
    }
    return at_root;
  }
  return evaluation_at(m, q, dl, r, p_low, q_star, pq);
}

// Largest r (in the input's units) at which evaluate() certifies P_δ-probability > 1/2, by a
// secant search on r (a bracketing one as fallback) that returns a point evaluated as certified;
// `r_start` (units) is a radius believed
// certified (e.g. the Neyman–Pearson one for DSRS), re-verified here. NaN when p_low <= 1/2.
inline double certified_radius(const Model& m, const QSpec& q, real p_low, real p_high, real q_low,
                               real q_high, real r_start = 0) {
  if (!(p_low > 0.5L)) return std::numeric_limits<double>::quiet_NaN();
  // Multiplier hints: linear extrapolation in r from the last two evaluations of the same family
  // (λ1 > 0 with or without the s multiplier, and λ1 < 0).
  struct Track {
    real r[2] = {-1, -1}, u[2] = {0, 0}, s[2] = {0, 0};
    int n = 0;
    void push(real rn, real un, real sn) {
      r[0] = r[1];
      u[0] = u[1];
      s[0] = s[1];
      r[1] = rn;
      u[1] = un;
      s[1] = sn;
      n = std::min(n + 1, 2);
    }
    // Weight of the last step in the extrapolation to rn; false with fewer than two distinct r.
    bool slope(real rn, real& w) const {
      if (n < 2 || r[1] == r[0]) return false;
      w = (rn - r[1]) / (r[1] - r[0]);
      return true;
    }
  };
  Track pos, neg;
  int n_s = 0;  // how many of pos's last evaluations had the s multiplier
  auto g = [&](real rn) {
    real u_hint = pos.u[1], s_hint = pos.s[1], w;
    if (pos.slope(rn, w)) {
      u_hint += w * (pos.u[1] - pos.u[0]);
      if (n_s >= 2) s_hint += w * (pos.s[1] - pos.s[0]);
    }
    Dual neg_hint;
    neg_hint.sign = 1;
    neg_hint.neg = true;
    neg_hint.u = neg.u[1];
    neg_hint.s = neg.s[1];
    if (neg.slope(rn, w)) {
      neg_hint.u += w * (neg.u[1] - neg.u[0]);
      neg_hint.s += w * (neg.s[1] - neg.s[0]);
    }
    const Evaluation e = evaluate(m, q, rn, p_low, p_high, q_low, q_high, u_hint, n_s > 0 ? &s_hint : nullptr,
                                  neg.n > 0 ? &neg_hint : nullptr);
    if (e.dual.neg) {
      neg.push(rn, e.dual.u, e.dual.s);
    } else if (!e.far) {
      pos.push(rn, e.dual.u, e.dual.s);
      n_s = e.dual.sign != 0 ? std::min(n_s + 1, 2) : 0;
    }
    return 0.5L - e.bound;  // < 0: certified
  };
  // lo: the largest point evaluated certified; hi: the smallest evaluated not certified.
  real lo = 0, flo = 0.5L - p_low, hi = kInf, fhi = 0;
  auto record = [&](real x, real fx) {
    if (fx < 0 && x > lo) {
      lo = x;
      flo = fx;
    } else if (fx >= 0 && x < hi) {
      hi = x;
      fhi = fx;
    }
  };
  const real guess = std::max<real>(special::norm_ppf(p_low) * m.sigma / m.scale, 1e-6L);
  // Secant phase on 0.5 − bound(r), smooth in r: from r_start (or the Gaussian radius), a first
  // step with the Gaussian slope φ(0)/σ, then secant steps; close to the root they aim just below
  // the estimate so that the point evaluated is certified. Done when the estimate lies within
  // 1e-11 (relative) above a certified point (the bracketing search below stops at 1e-9).
  {
    real x0 = r_start > 0 ? static_cast<real>(r_start) / m.scale : guess, f0 = g(x0);
    record(x0, f0);
    const real slope = 0.3989422804014327L * m.scale / m.sigma;
    real x1 = std::clamp(x0 - f0 / slope, 0.8L * x0, 1.25L * x0), f1 = g(x1);
    record(x1, f1);
    for (int it = 0; it < 12 && f1 != f0; ++it) {
      real x2 = x1 - f1 * (x1 - x0) / (f1 - f0);
      if (!(x2 > 0) || !std::isfinite(x2)) break;
      const bool close = std::fabs(x2 - x1) <= 1e-6L * x2;
      if (close && lo > 0 && x2 - lo <= 1e-11L * x2) return special::ulps_down(special::round_down(lo * m.scale), 1);
      if (close) x2 *= 1 - 3e-12L;
      if (!(x2 > lo && x2 < hi)) break;
      const real f2 = g(x2);
      record(x2, f2);
      x0 = x1;
      f0 = f1;
      x1 = x2;
      f1 = f2;
    }
  }
  // Fallback: bracket and Illinois from what the secant phase found.
  if (!(hi < kInf)) {
    hi = std::max(guess, lo * 1.05L);
    fhi = g(hi);
    for (int i = 0; i < 60 && fhi < 0; ++i) {
      lo = hi;
      flo = fhi;
      hi *= 1.5L;
      fhi = g(hi);
    }
    if (fhi < 0) return special::round_down(lo * m.scale);
  }
  const real rn = illinois(g, lo, flo, hi, fhi, 1e-9L * hi, -1, true, 100);
  if (!(rn > 0)) return 0.0;
  return special::ulps_down(special::round_down(rn * m.scale), 1);
}

}  // namespace dsrs
}  // namespace smoothcert
