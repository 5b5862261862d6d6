// Certified lower bounds of a function from second-order Taylor polynomials at tabulated nodes.
//
// If f''' >= 0 on [x_k, x], Taylor's theorem with the Lagrange remainder f'''(xi) (x - x_k)^3 / 6
// gives f(x) >= f(x_k) + f'(x_k) (x - x_k) + f''(x_k) (x - x_k)^2 / 2. When f is also increasing and
// convex the three coefficients are >= 0, so lower bounds of them still give a lower bound of f(x).
// The answer is off by at most max f''' h^3 / 6 for node spacing h: a table is built once per
// noise parameter and then serves any number of p values in nanoseconds.
//
// Nodes sit on a binary grid: the positive doubles with kGridBits significant bits, i.e. 2^kGridBits
// evenly spaced nodes per binade (relative spacing between 2^-kGridBits and 2^-kGridBits-1). The
// node at or below x is then found from the bit pattern of x with one shift, no search: a query is
// a handful of integer operations and one load of three coefficients.
#pragma once
#include <cstdint>
#include <cstring>

namespace smoothcert {

namespace binary_grid {

constexpr int kGridBits = 7;
constexpr int kShift = 52 - kGridBits;

inline uint64_t bits(double x) {
  uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

inline double from_bits(uint64_t u) {
  double x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

// Key of the largest grid point <= x (x > 0 finite: the bit patterns of positive doubles are
// ordered as the doubles are).
inline int64_t floor_key(double x) { return static_cast<int64_t>(bits(x) >> kShift); }

// The grid point with this key.
inline double point(int64_t key) { return from_bits(static_cast<uint64_t>(key) << kShift); }

}  // namespace binary_grid

// Lower bounds of f, f' and f'' / 2 at a node, each already rounded toward -inf.
struct TaylorNode {
  double value, slope, curvature;
};

// Lower bound of f(x_k + h) for 0 <= h <= one grid step, h computed exactly (Sterbenz: x_k and x
// are within a factor 2). The quadratic of nonnegative terms carries at most 4 roundings of
// relative 2^-53 (4.4e-16), and the product with 1 - 2e-15, rounded to nearest, still lands below
// the exact value.
inline double taylor_lower(const TaylorNode& node, double h) {
  return (node.value + h * (node.slope + h * node.curvature)) * (1.0 - 2e-15);
}

// The grid points of [lo, hi] (both grid points, 0 < lo <= hi), numbered from 0: the nodes of one
// table segment. The node at or below x in [lo, hi] is number floor_key(x) - key_lo.
struct GridSegment {
  GridSegment(double lo, double hi)
      : key_lo(binary_grid::floor_key(lo)), count(binary_grid::floor_key(hi) - binary_grid::floor_key(lo) + 1) {}

  double point(int64_t i) const { return binary_grid::point(key_lo + i); }

  int64_t key_lo, count;
};

}  // namespace smoothcert
