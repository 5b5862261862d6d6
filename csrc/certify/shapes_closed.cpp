#include "certify/shapes_closed.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "smoothcert/special/beta.h"
#include "smoothcert/special/gamma.h"
#include "smoothcert/quadrature.h"
#include "smoothcert/taylor_table.h"

namespace smoothcert::certify {
namespace {

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
template <class Key, class Table>
class TableCache {
 public:
  template <class Build>
  std::shared_ptr<const Table> get(Key key, Build&& build) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = tables_.find(key);
      if (it != tables_.end()) return it->second;
    }
    auto table = std::make_shared<const Table>(build());
    std::lock_guard<std::mutex> lock(mutex_);
    if (tables_.size() >= 32) tables_.clear();
    tables_.emplace(key, table);
    return table;
  }

 private:
  std::mutex mutex_;
  std::map<Key, std::shared_ptr<const Table>> tables_;
};

// out[i] = radius(p[i]) for i in [lo, hi), NaN where p <= 1/2; returns the number of p outside
// [0, 1] (radius must accept any double). Out of line and radius by value, so that its captures are
// locals the compiler keeps in registers and the loop (branch-free) vectorises: inlined beside the
// parallel region below, GCC 12 leaves it scalar (2.5x slower).
template <class Radius>
__attribute__((noinline)) int64_t query_range(Radius radius, const double* __restrict p, double* __restrict out,
                                              int64_t lo, int64_t hi) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  int64_t invalid = 0;
  for (int64_t i = lo; i < hi; ++i) {
    const double pi = p[i];
    const double r = radius(pi);  // before the select: a load the compiler may not speculate
    invalid += !(pi >= 0.0) | !(pi <= 1.0);
    out[i] = pi > 0.5 ? r : nan;
  }
  return invalid;
}

// A table query costs a few ns: threads only pay off for very large batches (on a busy machine a
// parallel region over 10^4 values waits for the slowest thread's time slice, milliseconds).
template <class Radius>
int64_t query_all(const Radius& radius, const double* p, double* out, int64_t n) {
#if defined(SMOOTHCERT_WITH_OPENMP)
  if (n > (1 << 20)) {
    constexpr int64_t kChunk = 1 << 14;
    int64_t invalid = 0;
#pragma omp parallel for schedule(static) reduction(+ : invalid)
    for (int64_t lo = 0; lo < n; lo += kChunk) invalid += query_range(radius, p, out, lo, std::min(n, lo + kChunk));
    return invalid;
  }
#endif
  return query_range(radius, p, out, 0, n);
}

// Pareto l1: R(z) = (1/a) int_0^z f, f(y) = 1 / (1 - y^c), c = 1 + 1/a, z = 2p - 1. f, f' and f''
// are positive on (0, 1) (f'' = c(c-1) z^{c-2} f^2 + 2 c^2 z^{2c-2} f^3), so R''' >= 0 and Taylor
// polynomials from nodes below z give lower bounds. Nodes on two grid segments from 2^-52 (the
// smallest z = 2p - 1 > 0 and u = 2 - 2p > 0 of doubles p): z_k up to 1/2 for z <= 1/2, and u_k
// (z = 1 - u_k) up to one grid point above 1/2 for z > 1/2, so that the spacing is relative to the
// distance from the nearer end, 0 or the singularity at z = 1. Both are keyed by w = min(z, u): for
// z <= 1/2 the node at or below z, for z > 1/2 the grid point after the one at or below u (above u,
// so below z: h = u_k - u <= one step). Node values accumulate the integrals between nodes, the
// upper half integrated in u so that 1 - y keeps full precision.
struct ParetoTable {
  static constexpr double kWMin = 0x1p-52;
  GridSegment lower{kWMin, 0.5};
  GridSegment upper{kWMin, binary_grid::point(binary_grid::floor_key(0.5) + 1)};
  // nodes[k - lower.key_lo] at z_k, then nodes[lower.count + k - upper.key_lo] at z = 1 - u_k.
  std::vector<TaylorNode> nodes = std::vector<TaylorNode>(lower.count + upper.count);
};

ParetoTable build_pareto(double a) {
  const real c = 1.0L + 1.0L / static_cast<real>(a);
  const real inv_a = 1.0L / static_cast<real>(a);
  // The integrand in double (long double transcendentals would make the build 10x slower): each
  // value is within a few ulps, 1e-15 relative, which the 1e-13 margin below covers.
  const double cd = static_cast<double>(c);
  auto f_of_u = [cd](real u) -> real { return 1.0 / (-std::expm1(cd * std::log1p(-static_cast<double>(u)))); };
  auto f_of_z = [cd](real z) -> real { return 1.0 / (-std::expm1(cd * std::log(static_cast<double>(z)))); };
  // Each panel between nodes spans at most a relative 2^-7 of its distance to the singularity at
  // y = 1, where one Gauss-Kronrod 7/15 rule is exact to long double precision; its error estimate
  // |K - G| is still subtracted, and a 1e-13 relative margin covers the rounding of the running sum.
  const real margin = 1.0L - 1e-13L;
  struct Running {
    real integral, error;
    void add(const quad::Panel& panel) {
      integral += panel.value;
      error += panel.error;
    }
  };
  ParetoTable t;
  // Node at z with the integral so far and f(z): R = integral / a, R' = f / a, R'' / 2 =
  // c z^{c-1} f^2 / (2a).
  auto node = [&](real z, const Running& run, real f) {
    const real curv = 0.5L * c * std::pow(z, c - 1.0L) * f * f * inv_a;
    return TaylorNode{special::round_down((run.integral - run.error) * inv_a * margin),
                      special::round_down(f * inv_a * margin), special::round_down(curv * margin)};
  };
  // int_0^z f = sum_n z^{cn+1} / (cn+1) (f = sum_n y^{cn}); at z = 2^-52 the terms fall by z^c <
  // 2^-52 each, so three terms are exact to long double and their sum is a lower bound.
  real z = t.lower.point(0);
  const real zc = std::pow(z, c);
  Running run{z * (1.0L + zc / (c + 1.0L) + zc * zc / (2.0L * c + 1.0L)), 0.0L};
  t.nodes[0] = node(z, run, f_of_z(z));
  // The top upper node u_k lies just above 1/2, at a lower grid point z = 1 - u_k (both grids have
  // spacing 2^-9 there): the upper pass starts from the integral there.
  real u = t.upper.point(t.upper.count - 1);
  Running at_top_u = run;
  for (int64_t k = 1; k < t.lower.count; ++k) {
    const real next = t.lower.point(k);
    run.add(quad::gk15(f_of_z, z, next));
    z = next;
    t.nodes[k] = node(z, run, f_of_z(z));
    if (z == 1.0L - u) at_top_u = run;
  }
  // Grid points u_k >= 2^-52 are multiples of 2^-59, so z = 1 - u_k is exact in long double.
  run = at_top_u;
  for (int64_t k = t.upper.count; k-- > 0;) {
    const real next = t.upper.point(k);
    if (next < u) run.add(quad::gk15(f_of_u, next, u));
    u = next;
    t.nodes[t.lower.count + k] = node(1.0L - u, run, f_of_u(u));
  }
  return t;
}

// Uniform ball l2: R(q) = 2 H(q), q = p - 1/2, H the inverse of G(t) = P(|X_1| < t) = I_{t^2}(1/2,
// (d+1)/2). |X_1| has the decreasing density g(t) = C (1 - t^2)^m, m = (d-1)/2, so H is increasing
// and convex, and H''' = (3 g'^2 - g g'') / g^5 = C^2 (1 - t^2)^{2m-2} (2m + t^2 (8m^2 + 2m)) / g^5
// is >= 0. Nodes are the grid points q_k from 2^-17 to 1/2 (p = 1, where H is the median of |X_1|).
// At each, t_k is a certified lower bound of H(q_k): Newton on G(t) = q_k, then stepped down until
// G(t_k), rounded up, is <= q_k. H' = 1/g and H'' = 2 m t / ((1 - t^2) g^2) at t_k are lower bounds
// of those at q_k since H' and H'' increase.
struct BallTable {
  static constexpr double kQMin = 0x1p-17;
  GridSegment grid{kQMin, 0.5};
  std::vector<TaylorNode> nodes = std::vector<TaylorNode>(grid.count);
  double slope0 = 0;  // <= 2 / g(0) = R'(0), for the linear bound below kQMin
};

BallTable build_uniform_ball(int64_t dim) {
  const real b = 0.5L * (static_cast<real>(dim) + 1.0L), m = 0.5L * (static_cast<real>(dim) - 1.0L);
  const real log_c = std::log(2.0L) - special::log_beta(0.5L, b);  // log g(0)
  // lgamma for parameters up to ~1e5 carries ~1e-13 relative error into G and g: 1e-11 margins.
  const real up = 1.0L + 1e-11L, down = 1.0L - 1e-11L;
  auto density = [&](real t) { return std::exp(log_c + m * std::log1p(-t * t)); };
  BallTable table;
  // R = 2 H >= 2 q / g(0) (H convex, H(0) = 0, H'(0) = 1/g(0)).
  table.slope0 = special::round_down(2.0L * std::exp(-log_c) * down);
  real t = table.grid.point(0) * std::exp(-log_c);
  for (int64_t k = 0; k < table.grid.count; ++k) {
    const real q = table.grid.point(k);
    // Newton from the previous node's root (G is concave: the iterates from below stay below).
    for (int it = 0; it < 100; ++it) {
      const real step = (special::inc_beta(0.5L, b, t * t) - q) / density(t);
      t -= step;
      if (std::fabs(step) <= 1e-18L * t) break;
    }
    while (special::inc_beta(0.5L, b, t * t) * up > q) t *= 1.0L - 1e-11L;
    const real g = density(t);
    const real slope = 2.0L / g * down;                                        // R' = 2 H'
    const real curv = 2.0L * m * t / ((1.0L - t * t) * g * g) * down * down;  // R'' / 2 = H''
    table.nodes[k] = TaylorNode{special::round_down(2.0L * t * down), special::round_down(slope),
                                special::round_down(curv)};
  }
  return table;
}

TableCache<double, ParetoTable> pareto_tables;
TableCache<int64_t, BallTable> ball_tables;

}  // namespace

// The queries below are branch-free (every candidate computed, then selected), so that random p cost
// no mispredictions and the compiler vectorises the loop (4 values per AVX2 iteration, ~2 ns each).
int64_t pareto_l1(const double* p, double* out, int64_t n, double a) {
  const auto table = pareto_tables.get(a, [a] { return build_pareto(a); });
  const TaylorNode* nodes = table->nodes.data();
  const int64_t offset_lower = -table->lower.key_lo;
  const int64_t offset_upper = table->lower.count + 1 - table->upper.key_lo;
  auto radius = [=](double pi) {
    const double z = 2.0 * pi - 1.0, u = 2.0 - 2.0 * pi;  // both exact for p in [1/2, 1]
    const bool in_upper = z > 0.5;
    // w in [2^-52, 1/2] for every double p (NaN included, by the order of the comparisons), so both
    // node numbers below lie in the table.
    const double w_raw = u < z ? u : z;
    const double w = w_raw > ParetoTable::kWMin ? w_raw : ParetoTable::kWMin;
    const int64_t key = binary_grid::floor_key(w);
    // h = z - z_k (lower) or u_{k+1} - u (upper), exact (Sterbenz).
    const double h = std::fabs(w - binary_grid::point(key + in_upper));
    const double r = taylor_lower(nodes[key + (in_upper ? offset_upper : offset_lower)], h);
    return pi >= 1.0 ? kInf : r;
  };
  return query_all(radius, p, out, n);
}

int64_t uniform_ball_l2(const double* p, double* out, int64_t n, int64_t dim) {
  const auto table = ball_tables.get(dim, [dim] { return build_uniform_ball(dim); });
  const TaylorNode* nodes = table->nodes.data();
  const int64_t offset = -table->grid.key_lo;
  const double slope0 = table->slope0;
  auto radius = [=](double pi) {
    // At p = 1 the overlap 1 - G(e/2) must still exceed 1/2: the radius is twice the median of
    // |X_1|, not the diameter 2.
    const double q_raw = (pi < 1.0 ? pi : 1.0) - 0.5;  // exact for p in [1/2, 1]
    // q in [2^-17, 1/2] for every double p (NaN included), so the node lies in the table.
    const double q = q_raw > BallTable::kQMin ? q_raw : BallTable::kQMin;
    const int64_t key = binary_grid::floor_key(q);
    const double r = taylor_lower(nodes[key + offset], q - binary_grid::point(key));
    // Below the first node, R = 2 H >= 2 q / g(0) (H convex, H(0) = 0); the product carries one
    // rounding, which the factor 1 - 4e-16 (rounded to nearest) covers.
    return q_raw < BallTable::kQMin ? q_raw * slope0 * (1.0 - 4e-16) : r;
  };
  return query_all(radius, p, out, n);
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
  const real u = special::gamma_p_inv_newton(1.0L / q, 2.0L * p - 1.0L, 2.0L - 2.0L * static_cast<real>(p));
  return certified_inverse(std::pow(u, 1.0L / q));
}

}  // namespace smoothcert::certify
