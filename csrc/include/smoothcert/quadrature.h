// Adaptive quadrature and root finders in long double, for certificate integrals.
//
// Quadrature: the 7-point Gauss / 15-point Kronrod pair (Kronrod 1965; nodes and weights as
// tabulated in QUADPACK, Piessens et al. 1983), one panel rule for scalar and vector integrands,
// applied either by bisecting the panel with the largest error estimate until the summed estimate
// meets the tolerance (scalar `integrate`), or recursively with the tolerance distributed by
// interval length (vector `integrate_vector`). Root finders keep a bracket [lo, hi] with
// f(lo) <= target < f(hi) for a nondecreasing f and return the side the caller asks for, so a
// radius computed from the root is never on the uncertified side.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "smoothcert/common.h"

namespace smoothcert {
namespace quad {

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

constexpr real kInf = std::numeric_limits<real>::infinity();

// One Gauss-Kronrod 7/15 panel on [a, b] for f(x, values[M]): the Kronrod sums and, over the first
// C components (the others ride along, e.g. a derivative wanted for a Newton step only), the
// largest |Kronrod - Gauss|.
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

struct Panel {
  real a, b, value, error;
};

// The same panel for a scalar f(x).
template <class F>
Panel gk15(F&& f, real a, real b) {
  auto g = [&f](real x, real out[1]) { out[0] = f(x); };
  real k[1], err;
  gk15<1, 1>(g, a, b, k, err);
  return Panel{a, b, k[0], err};
}

struct Result {
  real value;
  real error;
  bool converged;
};

// Integral of f over [a, b] to |error| <= max(abs_tol, rel_tol * |value|), bisecting the worst
// panel; max_panels bounds the work.
template <class F>
Result integrate(F&& f, real a, real b, real rel_tol = 1e-15L, real abs_tol = 0.0L, int max_panels = 2000) {
  if (!(b > a)) return Result{0.0L, 0.0L, true};
  std::vector<Panel> panels;
  panels.reserve(64);
  panels.push_back(gk15(f, a, b));
  real value = panels[0].value, error = panels[0].error;
  auto worse = [](const Panel& x, const Panel& y) { return x.error < y.error; };
  while (error > std::max(abs_tol, rel_tol * std::fabs(value)) && static_cast<int>(panels.size()) < max_panels) {
    std::pop_heap(panels.begin(), panels.end(), worse);
    const Panel p = panels.back();
    panels.pop_back();
    const real m = 0.5L * (p.a + p.b);
    if (!(m > p.a && m < p.b)) {  // panel cannot be split further in long double
      panels.push_back(p);
      std::push_heap(panels.begin(), panels.end(), worse);
      break;
    }
    const Panel l = gk15(f, p.a, m), r = gk15(f, m, p.b);
    value += l.value + r.value - p.value;
    panels.push_back(l);
    std::push_heap(panels.begin(), panels.end(), worse);
    panels.push_back(r);
    std::push_heap(panels.begin(), panels.end(), worse);
    // Recompute the sums from the panels now and then: incremental updates drift.
    value = 0;
    error = 0;
    for (const Panel& q : panels) {
      value += q.value;
      error += q.error;
    }
  }
  return Result{value, error, error <= std::max(abs_tol, rel_tol * std::fabs(value))};
}

// Vector integrand: recursive bisection until a panel meets its share of the tolerance (depth 40 at most).
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
void integrate_vector(F& f, real a, real b, const std::vector<real>& cuts, real tol, real out[M], int pieces = 4) {
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

// The bracket of a regula-falsi search with the Illinois modification: the end on the side of a
// new point moves to it, and when the same end moves twice in a row the other end's value is
// halved, so the secant cannot keep landing on one side (Dowell & Jarratt 1971).
struct IllinoisBracket {
  real lo, flo, hi, fhi;
  int side = 0;

  // x becomes the low end (to_low) or the high end, with value fx.
  void move(real x, real fx, bool to_low) {
    if (to_low) {
      lo = x;
      flo = fx;
      if (side == -1) fhi *= 0.5L;
      side = -1;
    } else {
      hi = x;
      fhi = fx;
      if (side == 1) flo *= 0.5L;
      side = 1;
    }
  }
};

// For nondecreasing f with f(lo) <= target < f(hi): a bracket [lo, hi] of width <= tol (or one
// long double ulp), keeping the invariant. Regula falsi with the Illinois modification, bisection
// when it stalls.
template <class F>
void bracket_root(F&& f, real target, real& lo, real& hi, real rel_tol = 1e-18L, real abs_tol = 0.0L,
                  int max_iter = 400) {
  IllinoisBracket b{lo, f(lo) - target, hi, f(hi) - target};
  for (int it = 0; it < max_iter; ++it) {
    if (b.hi - b.lo <= std::max(abs_tol, rel_tol * std::max(std::fabs(b.lo), std::fabs(b.hi)))) break;
    real x;
    if (std::isfinite(b.flo) && std::isfinite(b.fhi) && b.fhi > b.flo && (it % 4 != 3)) {
      x = b.lo - b.flo * (b.hi - b.lo) / (b.fhi - b.flo);
      const real w = b.hi - b.lo;
      // Stay strictly inside, away from the ends, so the bracket always shrinks.
      x = std::min(std::max(x, b.lo + 1e-3L * w), b.hi - 1e-3L * w);
    } else {
      x = 0.5L * (b.lo + b.hi);
    }
    if (!(x > b.lo && x < b.hi)) break;
    const real fx = f(x) - target;
    b.move(x, fx, fx <= 0);
  }
  lo = b.lo;
  hi = b.hi;
}

// Bracketing root finder (Illinois regula falsi) for an increasing f on [lo, hi] with
// f(lo) < 0 < f(hi) given; stops at |f| <= ftol or a bracket narrower than xtol. Returns the last
// point evaluated on the side `keep_low` (f <= 0) or its other side, and that point's f.
template <class F>
real illinois(F&& f, real lo, real flo, real hi, real fhi, real xtol, real ftol, bool keep_low, int max_it = 80) {
  IllinoisBracket b{lo, flo, hi, fhi};
  for (int it = 0; it < max_it && b.hi - b.lo > xtol; ++it) {
    real x = (it % 8 == 7) ? 0.5L * (b.lo + b.hi) : b.lo - b.flo * (b.hi - b.lo) / (b.fhi - b.flo);
    if (!(x > b.lo && x < b.hi)) x = 0.5L * (b.lo + b.hi);
    const real fx = f(x);
    if (std::fabs(fx) <= ftol) return x;
    b.move(x, fx, fx < 0);
  }
  return keep_low ? b.lo : b.hi;
}

// Root of an increasing f from x by Newton steps (f(x, df) returns f and sets df = f'), clamped to
// ±max_step, bisecting inside the sign bracket once one is known. Returns true with x the last
// point evaluated once the next step would be below xtol (or |f| <= ftol), false after max_it
// evaluations or once f < 0 at x >= x_max (x then holds the last point evaluated too). f is taken
// as >= 0 from hi0 on without evaluating it there (f's domain may end at hi0, x < hi0).
template <class F>
bool newton_root(F&& f, real& x, real max_step, real xtol, real ftol, int max_it, real x_max = kInf,
                 real hi0 = kInf) {
  real lo = -kInf, hi = hi0;  // f < 0 at lo, >= 0 at hi
  for (int it = 0; it < max_it; ++it) {
    real df;
    const real fx = f(x, df);
    if (std::fabs(fx) <= ftol) return true;
    if (fx < 0 && x >= x_max) return false;
    if (fx < 0) lo = x;
    else hi = x;
    real step = df > 0 ? -fx / df : (fx < 0 ? max_step : -max_step);
    if (!(std::fabs(step) > xtol) || hi - lo <= xtol) return true;
    real next = x + std::clamp(step, -max_step, max_step);
    if (!(next > lo && next < hi)) {
      if (!(std::isfinite(lo) && std::isfinite(hi))) return false;
      next = 0.5L * (lo + hi);
    }
    x = next;
  }
  return false;
}

// Bisection over the ordered bit patterns of non-negative doubles: given holds(lo) and not
// holds(hi), lo < hi, for a predicate that changes once on [lo, hi], the last double at which it
// holds, exact to one ulp (at most 64 evaluations, never at lo or hi).
template <class Pred>
double last_double_where(Pred&& holds, double lo, double hi) {
  uint64_t lo_b, hi_b;
  std::memcpy(&lo_b, &lo, sizeof lo_b);
  std::memcpy(&hi_b, &hi, sizeof hi_b);
  while (hi_b - lo_b > 1) {
    const uint64_t mid = lo_b + (hi_b - lo_b) / 2;
    double x;
    std::memcpy(&x, &mid, sizeof x);
    if (holds(x)) lo_b = mid;
    else hi_b = mid;
  }
  double x;
  std::memcpy(&x, &lo_b, sizeof x);
  return x;
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
  double lo_x, hi_x;
  std::memcpy(&lo_x, &lo, sizeof lo_x);
  std::memcpy(&hi_x, &hi, sizeof hi_x);
  return last_double_where([&](double x) { return f(x) <= target; }, lo_x, hi_x);
}

}  // namespace quad
}  // namespace smoothcert
