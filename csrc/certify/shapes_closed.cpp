#include "certify/shapes_closed.h"

#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <mutex>

#include "smoothcert/incgamma.h"
#include "smoothcert/quadrature.h"
#include "smoothcert/special.h"
#include "smoothcert/taylor_table.h"

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

namespace {

// Built tables, one per noise parameter; bounded so that a sweep over many parameters cannot grow
// memory without limit.
template <class Key>
class TableCache {
 public:
  template <class Build>
  std::shared_ptr<const TaylorLowerTable> get(Key key, Build&& build) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = tables_.find(key);
      if (it != tables_.end()) return it->second;
    }
    auto table = std::make_shared<const TaylorLowerTable>(build());
    std::lock_guard<std::mutex> lock(mutex_);
    if (tables_.size() >= 32) tables_.clear();
    tables_.emplace(key, table);
    return table;
  }

 private:
  std::mutex mutex_;
  std::map<Key, std::shared_ptr<const TaylorLowerTable>> tables_;
};

// Node spacing of the Taylor tables, relative to the distance from the nearest end of the domain:
// the third-order remainder is then of order kStep^3 / 6 = 8e-8 relative or less.
constexpr real kStep = 1.0L / 128.0L;

// A table query costs ~50 ns: threads only pay off for very large batches (on a busy machine a
// parallel region over 10^4 values waits for the slowest thread's time slice, milliseconds).
template <class F>
void for_each_p(const double* p, double* out, int64_t n, F&& f) {
#if defined(SMOOTHCERT_WITH_OPENMP)
#pragma omp parallel for schedule(static) if (n > (1 << 20))
#endif
  for (int64_t i = 0; i < n; ++i) out[i] = p[i] > 0.5 ? f(p[i]) : 0.0;
}

// Pareto l1: R(z) = (1/a) int_0^z f, f(y) = 1 / (1 - y^c), c = 1 + 1/a, z = 2p - 1. f, f' and f''
// are positive on (0, 1) (f'' = c(c-1) z^{c-2} f^2 + 2 c^2 z^{2c-2} f^3), so R''' >= 0 and the Taylor
// table gives lower bounds. Nodes are geometric in z from 2^-30 to 1/2 and in u = 1 - z from 1/2
// down to the smallest u = 2 - 2p of a double p < 1 (2^-52); node values accumulate the integrals
// between nodes, the upper half integrated in u so that 1 - y keeps full precision.
TaylorLowerTable build_pareto(double a) {
  const real c = 1.0L + 1.0L / static_cast<real>(a);
  const real inv_a = 1.0L / static_cast<real>(a);
  // The integrand in double (long double transcendentals would make the build 10x slower): each
  // value is within a few ulps, 1e-15 relative, which the 1e-13 margin below covers.
  const double cd = static_cast<double>(c);
  auto f_of_u = [cd](real u) -> real { return 1.0 / (-std::expm1(cd * std::log1p(-static_cast<double>(u)))); };
  auto f_of_z = [cd](real z) -> real { return 1.0 / (-std::expm1(cd * std::log(static_cast<double>(z)))); };
  // Each panel between nodes spans a relative 1/128 of its distance to the singularity at y = 1, where
  // one Gauss-Kronrod 7/15 rule is exact to long double precision; its error estimate |K - G| is
  // still subtracted, and a 1e-13 relative margin covers the rounding of the running sum.
  const real margin = 1.0L - 1e-13L;
  real error = 0;
  auto add = [&](const quad::Panel& panel) {
    error += panel.error;
    return panel.value;
  };
  TaylorLowerTable t;
  // Node at z with the integral so far and f(z): R = integral / a, R' = f / a, R'' / 2 =
  // c z^{c-1} f^2 / (2a).
  auto push = [&](double z, real integral, real f) {
    const real curv = 0.5L * c * std::pow(static_cast<real>(z), c - 1.0L) * f * f * inv_a;
    t.push(z, special::round_down((integral - error) * inv_a * margin), special::round_down(f * inv_a * margin),
           special::round_down(curv * margin));
  };
  double z = std::ldexp(1.0, -30);
  // int_0^z f = sum_n z^{cn+1} / (cn+1) (f = sum_n y^{cn}); at z = 2^-30 the terms fall by z^c <
  // 2^-30 each, so three terms are exact to long double and their sum is a lower bound.
  const real zc = std::pow(static_cast<real>(z), c);
  real integral = z * (1.0L + zc / (c + 1.0L) + zc * zc / (2.0L * c + 1.0L));
  push(z, integral, f_of_z(z));
  while (z < 0.5) {
    const double next = std::min(0.5, static_cast<double>(z * (1.0L + kStep)));
    integral += add(quad::gk15(f_of_z, static_cast<real>(z), static_cast<real>(next)));
    z = next;
    push(z, integral, f_of_z(z));
  }
  // z nodes are doubles in [1/2, 1), so u = 1 - z is exact; stop at the largest z = 2p - 1 of a
  // double p < 1, 1 - 2^-52.
  double u = 0.5;
  const double u_min = std::ldexp(1.0, -52);
  while (u > u_min) {
    double next_z = std::min(1.0 - u_min, static_cast<double>(1.0L - u * (1.0L - kStep)));
    if (!(next_z > z)) next_z = std::nextafter(z, 2.0);
    const double next = 1.0 - next_z;
    integral += add(quad::gk15(f_of_u, static_cast<real>(next), static_cast<real>(u)));
    u = next;
    z = next_z;
    push(z, integral, f_of_u(u));
  }
  return t;
}

// Uniform ball l2: R(q) = 2 H(q), q = p - 1/2, H the inverse of G(t) = P(|X_1| < t) = I_{t^2}(1/2,
// (d+1)/2). |X_1| has the decreasing density g(t) = C (1 - t^2)^m, m = (d-1)/2, so H is increasing
// and convex, and H''' = (3 g'^2 - g g'') / g^5 = C^2 (1 - t^2)^{2m-2} (2m + t^2 (8m^2 + 2m)) / g^5
// is >= 0. Nodes are placed in t (G is evaluated forward, never inverted): geometric from G(t) =
// 1e-5, then evenly spaced up to the median of |X_1| (p = 1). Each node stores q rounded up, so
// H(q_node) >= t; H' = 1/g and H'' = 2 m t / ((1 - t^2) g^2) at t are lower bounds of those at
// q_node since H' and H'' increase.
TaylorLowerTable build_uniform_ball(int64_t dim) {
  const real b = 0.5L * (static_cast<real>(dim) + 1.0L), m = 0.5L * (static_cast<real>(dim) - 1.0L);
  const real log_c = std::log(2.0L) - special::log_beta(0.5L, b);  // log g(0)
  // lgamma for parameters up to ~1e5 carries ~1e-13 relative error into G and g: 1e-11 margins.
  const real up = 1.0L + 1e-11L, down = 1.0L - 1e-11L;
  real median_c;
  const real median = std::sqrt(special::inv_inc_beta(0.5L, b, 0.5L, 0.5L, median_c));
  TaylorLowerTable t;
  auto push = [&](real x) {
    const real q = special::inc_beta(0.5L, b, x * x) * up;
    const real g = std::exp(log_c + m * std::log1p(-x * x));
    const real slope = 2.0L / g * down;                                        // R' = 2 H'
    const real curv = 2.0L * m * x / ((1.0L - x * x) * g * g) * down * down;  // R'' / 2 = H''
    t.push(special::round_up(q), special::round_down(2.0L * x * down), special::round_down(slope),
           special::round_down(curv));
    return q;
  };
  real x = 1e-5L * std::exp(-log_c);
  const real knee = 0.25L * median;
  while (x < knee) {
    push(x);
    x *= 1.0L + kStep;
  }
  const real step = kStep * knee;
  while (push(x) < 0.5L) x += step;
  return t;
}

TableCache<double> pareto_tables;
TableCache<int64_t> ball_tables;

}  // namespace

void pareto_l1(const double* p, double* out, int64_t n, double a) {
  const auto table = pareto_tables.get(a, [a] { return build_pareto(a); });
  const double z0 = table->front();
  for_each_p(p, out, n, [&](double pi) -> double {
    if (pi >= 1.0) return kInf;
    const double z = 2.0 * pi - 1.0;  // exact
    // Below the first node: R >= R'(0) z = z / a (R convex, R(0) = 0), within z^c / (c + 1) <= 2^-30.
    if (z < z0) return special::ulps_down(special::round_down(static_cast<real>(z) / static_cast<real>(a)), 1);
    return table->lower(z);
  });
}

void uniform_ball_l2(const double* p, double* out, int64_t n, int64_t dim) {
  const auto table = ball_tables.get(dim, [dim] { return build_uniform_ball(dim); });
  const real b = 0.5L * (static_cast<real>(dim) + 1.0L);
  const real log_c = std::log(2.0L) - special::log_beta(0.5L, b);
  const double q0 = table->front();
  // R = 2 H >= 2 q / g(0) (H convex, H(0) = 0, H'(0) = 1/g(0)), within ~m q^2 / (3 g(0)^2) relative.
  const double slope0 = special::round_down(2.0L * std::exp(-log_c) * (1.0L - 1e-11L));
  for_each_p(p, out, n, [&](double pi) -> double {
    // At p = 1 the overlap 1 - G(e/2) must still exceed 1/2: the radius is twice the median of
    // |X_1|, not the diameter 2.
    const double q = std::min(pi, 1.0) - 0.5;  // exact
    if (q < q0) return special::ulps_down(q * slope0, 1);
    return table->lower(q);
  });
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
