#include "bounds/binomial.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "smoothcert/quadrature.h"
#include "smoothcert/special/beta.h"

namespace smoothcert::bounds {


namespace {

void check(int64_t k, int64_t n, double alpha) {
  if (n < 1) throw std::invalid_argument("n must be >= 1, got " + std::to_string(n));
  if (k < 0 || k > n)
    throw std::invalid_argument("k must lie in [0, n], got k=" + std::to_string(k) + ", n=" + std::to_string(n));
  if (!(alpha > 0.0 && alpha < 1.0)) throw std::invalid_argument("alpha must lie in (0, 1), got " + std::to_string(alpha));
}

real log_pmf(int64_t i, int64_t n, real p) {
  const real ri = static_cast<real>(i), rn = static_cast<real>(n);
  real v = std::lgamma(rn + 1) - std::lgamma(ri + 1) - std::lgamma(rn - ri + 1);
  if (i > 0) v += ri * std::log(p);
  if (i < n) v += (rn - ri) * std::log1p(-p);
  return v;
}

}  // namespace

long double binomial_cdf(int64_t k, int64_t n, long double p) {
  if (k < 0) return 0;
  if (k >= n) return 1;
  // P[X <= k] = I_{1-p}(n - k, k + 1)
  return special::inc_beta(static_cast<real>(n - k), static_cast<real>(k + 1), 1.0L - p);
}

long double binomial_sf_ge(int64_t k, int64_t n, long double p) {
  if (k <= 0) return 1;
  if (k > n) return 0;
  // P[X >= k] = I_p(k, n - k + 1)
  return special::inc_beta(static_cast<real>(k), static_cast<real>(n - k + 1), p);
}

double clopper_pearson_lower(int64_t k, int64_t n, double alpha) {
  check(k, n, alpha);
  if (k == 0) return 0.0;
  const real a = static_cast<real>(k), b = static_cast<real>(n - k + 1);
  const real target = static_cast<real>(alpha) * (1.0L - 1e-9L);
  return quad::largest_double_below([&](double x) { return special::inc_beta(a, b, x); }, target,
                                       static_cast<double>(special::inc_beta_inverse_guess(a, b, target)));
}

double clopper_pearson_upper(int64_t k, int64_t n, double alpha) {
  check(k, n, alpha);
  if (k == n) return 1.0;
  const double lower_of_failures = clopper_pearson_lower(n - k, n, alpha);
  return special::round_up(1.0L - static_cast<real>(lower_of_failures));
}

double binomial_test(int64_t k, int64_t n, double p) {
  if (n < 1) throw std::invalid_argument("n must be >= 1, got " + std::to_string(n));
  if (k < 0 || k > n)
    throw std::invalid_argument("k must lie in [0, n], got k=" + std::to_string(k) + ", n=" + std::to_string(n));
  if (!(p >= 0.0 && p <= 1.0)) throw std::invalid_argument("p must lie in [0, 1], got " + std::to_string(p));
  if (p == 0.0) return k == 0 ? 1.0 : 0.0;
  if (p == 1.0) return k == n ? 1.0 : 0.0;
  const real rp = p;
  const real mean = static_cast<real>(n) * rp;
  if (static_cast<real>(k) == mean) return 1.0;
  const real log_d = log_pmf(k, n, rp) + std::log1p(static_cast<real>(1e-7));
  real pval;
  if (static_cast<real>(k) < mean) {
    // Count outcomes above the mean that are no more likely than k: the pmf decreases there,
    // so they form a tail [first, n] found by bisection.
    int64_t lo = static_cast<int64_t>(std::ceil(mean)), hi = n + 1;  // answer in [lo, hi]
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (log_pmf(mid, n, rp) <= log_d) hi = mid;
      else lo = mid + 1;
    }
    pval = binomial_cdf(k, n, rp) + binomial_sf_ge(lo, n, rp);
  } else {
    // Outcomes below the mean no more likely than k form a head [0, last].
    int64_t lo = -1, hi = static_cast<int64_t>(std::floor(mean));  // answer in [lo, hi]
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo + 1) / 2;
      if (log_pmf(mid, n, rp) <= log_d) lo = mid;
      else hi = mid - 1;
    }
    pval = binomial_cdf(lo, n, rp) + binomial_sf_ge(k, n, rp);
  }
  return static_cast<double>(std::fmin(1.0L, pval));
}

}  // namespace smoothcert::bounds
