// Adaptive quadrature and bracketing root finders in long double, for certificate integrals.
//
// Quadrature: the 7-point Gauss / 15-point Kronrod pair (Kronrod 1965; nodes and weights as
// tabulated in QUADPACK, Piessens et al. 1983), applied adaptively by bisecting the panel with the
// largest error estimate until the summed estimate meets the tolerance. Root finders keep a
// bracket [lo, hi] with f(lo) <= target < f(hi) for a nondecreasing f and return the side the
// caller asks for, so a radius computed from the root is never on the uncertified side.
#pragma once
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace smoothcert {
namespace quad {

using real = long double;

struct Panel {
  real a, b, value, error;
};

// One Gauss-Kronrod 7/15 panel on [a, b]: the Kronrod value and |Kronrod - Gauss|.
template <class F>
Panel gk15(F&& f, real a, real b) {
  static constexpr real xgk[8] = {0.991455371120812639206854697526329L, 0.949107912342758524526189684047851L,
                                  0.864864423359769072789712788640926L, 0.741531185599394439863864773280788L,
                                  0.586087235467691130294144845693013L, 0.405845151377397166906606412076961L,
                                  0.207784955007898467600689403773245L, 0.0L};
  static constexpr real wgk[8] = {0.022935322010529224963732008058970L, 0.063092092629978553290700663189204L,
                                  0.104790010322250183839876322541518L, 0.140653259715525918745189590510238L,
                                  0.169004726639267902826583426598550L, 0.190350578064785409913256402421014L,
                                  0.204432940075298892414161999234649L, 0.209482141084727828012999174891714L};
  static constexpr real wg[4] = {0.129484966168869693270611432679082L, 0.279705391489276667901467771423780L,
                                 0.381830050505118944950369775488975L, 0.417959183673469387755102040816327L};
  const real c = 0.5L * (a + b), h = 0.5L * (b - a);
  const real fc = f(c);
  real k = wgk[7] * fc, g = wg[3] * fc;
  for (int i = 0; i < 7; ++i) {
    const real fsum = f(c - h * xgk[i]) + f(c + h * xgk[i]);
    k += wgk[i] * fsum;
    if (i % 2 == 1) g += wg[i / 2] * fsum;
  }
  return Panel{a, b, k * h, std::fabs((k - g) * h)};
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

// For nondecreasing f with f(lo) <= target < f(hi): a bracket [lo, hi] of width <= tol (or one
// long double ulp), keeping the invariant. Regula falsi with the Illinois modification, bisection
// when it stalls.
template <class F>
void bracket_root(F&& f, real target, real& lo, real& hi, real rel_tol = 1e-18L, real abs_tol = 0.0L,
                  int max_iter = 400) {
  real flo = f(lo) - target, fhi = f(hi) - target;
  int side = 0;
  for (int it = 0; it < max_iter; ++it) {
    if (hi - lo <= std::max(abs_tol, rel_tol * std::max(std::fabs(lo), std::fabs(hi)))) return;
    real x;
    if (std::isfinite(flo) && std::isfinite(fhi) && fhi > flo && (it % 4 != 3)) {
      x = lo - flo * (hi - lo) / (fhi - flo);
      const real w = hi - lo;
      // Stay strictly inside, away from the ends, so the bracket always shrinks.
      x = std::min(std::max(x, lo + 1e-3L * w), hi - 1e-3L * w);
    } else {
      x = 0.5L * (lo + hi);
    }
    if (!(x > lo && x < hi)) return;
    const real fx = f(x) - target;
    if (fx <= 0) {
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
}

}  // namespace quad
}  // namespace smoothcert
