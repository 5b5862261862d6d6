// Closed-form certified radii of the all-shapes noise families (Yang et al., ICML 2020), at scale
// lambda = 1 (the Gaussian's is certify/gaussian.h), as functions of a lower bound p on p_A. Every function returns the exact radius
// evaluated in long double and rounded toward zero-or-less, so the result never exceeds the
// exact value (p <= 1/2 gives 0; callers turn that into an abstention).
#pragma once
#include <cstdint>

namespace smoothcert::certify {

// Laplace, density prop. to exp(-||x||_1): l1 radius log(1 / (2(1 - p))).
double laplace_l1(double p);
// Uniform on [-1, 1]^d: l1 radius 2p - 1, linf radius 2(1 - (3/2 - p)^{1/d}), l2 radius
// sqrt(d) * linf radius (d >= 2; see shapes.py for the derivation).
double uniform_l1(double p);
double uniform_linf(double p, int64_t dim);
double uniform_l2(double p, int64_t dim);
// Pareto coordinates, density prop. to (1 + |x_i|)^{-(a+1)}: l1 radius
// (1/a) int_0^{2p-1} dy / (1 - y^{1+1/a}) (differential method, direction e_1), for n values of p,
// from a Taylor lower-bound table built once per a.
// Uniform on the unit l2 ball: l2 radius 2 sqrt(I^{-1}_{1/2, (d+1)/2}(p - 1/2)), for n values of p,
// from a Taylor lower-bound table built once per dim.
// Both validate p in the same pass (a few ns per value in all): they write NaN (abstain) where
// p <= 1/2 and return the number of p outside [0, 1] or NaN, whose outputs are unspecified.
int64_t pareto_l1(const double* p, double* out, int64_t n, double a);
int64_t uniform_ball_l2(const double* p, double* out, int64_t n, int64_t dim);
// Exp2 with k = 1, j = 0, density prop. to exp(-||x||_2): l2 radius
// (d - 1) atanh(sqrt(I^{-1}_{1/2, (d-1)/2}(2p - 1))).
double exp2_k1_l2(double p, int64_t dim);
// Expp, i.i.d. coordinates with density prop. to exp(-|x_i|^q), q >= 1: l1 radius
// (P^{-1}_{1/q}(2p - 1))^{1/q} with P the regularised lower incomplete gamma function.
double expp_l1(double p, double q);

}  // namespace smoothcert::certify
