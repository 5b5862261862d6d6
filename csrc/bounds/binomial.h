// Binomial confidence bounds and tests.
//
// Clopper & Pearson (1934): the one-sided lower bound at level 1 - alpha for k successes in n
// trials is the p with P[Bin(n, p) >= k] = alpha, i.e. I_p(k, n - k + 1) = alpha (the alpha
// quantile of Beta(k, n - k + 1)); the upper bound is 1 - lower(n - k, n, alpha).
#pragma once
#include <cstdint>

namespace smoothcert::bounds {

// Largest double L with I_L(k, n-k+1) <= alpha (1 - 1e-9): never above the exact bound. The
// relative margin covers the long-double evaluation error of I (< 1e-12 up to n = 2^53).
double clopper_pearson_lower(int64_t k, int64_t n, double alpha);
// Smallest double U >= the exact upper bound.
double clopper_pearson_upper(int64_t k, int64_t n, double alpha);
// Two-sided exact binomial test of H0: success probability = p (the p-value as in scipy's
// binomtest: the total probability of outcomes no more likely than k, with relative slack 1e-7).
double binomial_test(int64_t k, int64_t n, double p);

// P[Bin(n, p) <= k] and P[Bin(n, p) >= k] in long double precision.
long double binomial_cdf(int64_t k, int64_t n, long double p);
long double binomial_sf_ge(int64_t k, int64_t n, long double p);

}  // namespace smoothcert::bounds
