// Certified lower bounds of a function from second-order Taylor polynomials at tabulated nodes.
//
// If f''' >= 0 on [x_i, x], Taylor's theorem with the Lagrange remainder f'''(xi) (x - x_i)^3 / 6
// gives f(x) >= f(x_i) + f'(x_i) (x - x_i) + f''(x_i) (x - x_i)^2 / 2. When f is also increasing and
// convex the three coefficients are >= 0, so lower bounds of them still give a lower bound of f(x).
// A table of such coefficients at nodes x_0 < x_1 < ... answers each query with one binary search
// and a quadratic, and the answer is off by at most max f''' h^3 / 6 for node spacing h: a table
// is built once per noise parameter and then serves any number of p values in nanoseconds.
#pragma once
#include <cstddef>
#include <vector>

namespace smoothcert {

class TaylorLowerTable {
 public:
  // Append a node (nodes must come in increasing x). value, slope and curvature (f'' / 2) are
  // lower bounds of the exact ones at x, each already rounded toward -inf.
  void push(double x, double value, double slope, double curvature) {
    x_.push_back(x);
    c0_.push_back(value);
    c1_.push_back(slope);
    c2_.push_back(curvature);
  }

  bool empty() const { return x_.empty(); }
  double front() const { return x_.front(); }

  // Lower bound of f(x) for front() <= x <= the last node (or beyond it, if the caller knows the
  // spacing stays below a factor 2). x - x_i is then exact (Sterbenz); the quadratic of nonnegative
  // terms carries at most 4 roundings of relative 2^-53 (4.4e-16), and the product with
  // 1 - 2e-15, rounded to nearest, still lands below the exact value.
  double lower(double x) const {
    // Branchless search for the last node <= x (conditional moves instead of mispredicted branches).
    const double* base = x_.data();
    std::size_t len = x_.size();
    while (len > 1) {
      const std::size_t half = len / 2;
      base = base[half] <= x ? base + half : base;
      len -= half;
    }
    const std::size_t i = static_cast<std::size_t>(base - x_.data());
    const double h = x - x_[i];
    return (c0_[i] + h * (c1_[i] + h * c2_[i])) * (1.0 - 2e-15);
  }

 private:
  std::vector<double> x_, c0_, c1_, c2_;
};

}  // namespace smoothcert
