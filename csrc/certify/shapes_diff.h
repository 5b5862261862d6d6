// Radii from the differential method of Yang et al. (ICML 2020, Sec. 4.2): for a noise with
// density prop. to exp(-phi(x)), the radius against a norm whose worst direction is v is
// R(rho) = int_{1-rho}^{1/2} dp / Phi(p), Phi(p) = sup over sets U of measure p of
// E[<grad phi(x), v> ; x in U] (the Neyman-Pearson set of the directional derivative).
//
// For the families here the substitution p = (1 - F(z)) / 2 (F the law of the statistic that
// orders the Neyman-Pearson sets) turns the integral into c * int_{z_lo}^{z_rho} f(z) / S(z) dz
// with f the density of F and S the survival function of a companion law: no inverse CDF inside
// the integrand, one inverse at the end point. The integral is accumulated on a fixed grid of nodes
// that depends only on the parameters, so a radius never depends on the other inputs of a batch.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

namespace smoothcert::certify {

// R(rho) = scale * int_0^{z(q)} f(z) / S(z) dz, where F(z(q)) = q for a target q(rho) given by the
// caller as the pair (q, 1 - q). Two instances:
//   gamma: f = Gamma(a) density, F = P(a, .), S = Q(a2, .)
//   beta:  f = Beta(a, b) density, F = I(a, b), S = 1 - I(a2, b2)
class RatioIntegral {
 public:
  static std::unique_ptr<RatioIntegral> gamma(double a, double a2, double scale);
  static std::unique_ptr<RatioIntegral> beta(double a, double b, double a2, double b2, double scale);
  // Radius in long double precision (not yet rounded), for F(z) = q, 1 - q = qc.
  long double radius(long double q, long double qc) const;

 private:
  RatioIntegral() = default;
  void build();
  long double integrand(long double z) const;
  long double inverse(long double q, long double qc) const;

  bool is_gamma_ = true;
  long double a_ = 0, b_ = 0, a2_ = 0, b2_ = 0, scale_ = 1;
  long double lo_ = 0, step_ = 1;
  std::vector<long double> nodes_, prefix_;
};

// Laplace (density prop. to exp(-||x||_1)) against linf: the worst direction is (1, ..., 1) and
// <grad phi, v> = 2B - d with B ~ Binomial(d, 1/2), so Phi is piecewise linear in p and the integral
// is a finite sum of logarithms (exact, no quadrature).
class LaplaceLinf {
 public:
  explicit LaplaceLinf(int64_t dim);
  long double radius(long double q) const;  // q = 1 - rho

 private:
  int64_t d_;
  int64_t m_start_;
  std::vector<long double> tail_;   // tail_[m - m_start_] = P(B >= m), m = m_start_ .. d + 1
  std::vector<long double> cum_;    // cum_[m - m_start_] = radius at q = min(P(B >= m), 1/2)
  std::vector<long double> slope_;  // Phi(T_{m+1}) for interval m
  long double pieces(int64_t m, long double q) const;
};

// Vectorised front ends (OpenMP over p), radii at lambda = 1, rounded down. p <= 1/2 gives 0.
// cubical_gamma: ExpInf linf (j = 0) and Exp1 l1 share R = (1/(k C)) int g_{d/k} / Q_{(d+k-1)/k},
// C = Gamma((d+k-1)/k) / Gamma(d/k).
void exp_gamma_linf(const double* p, double* out, int64_t n, int64_t dim, double k);
// ExpInf l1, any j: 2 gamma (p - 1/2) for p <= 1 - 1/(2d); above, with j = 0, the exact tail.
void expinf_l1(const double* p, double* out, int64_t n, int64_t dim, double k, double j);
// PowInf, density prop. to (1 + ||x||_inf)^{-a}, a > d: linf and l1.
void powinf_linf(const double* p, double* out, int64_t n, int64_t dim, double a);
void powinf_l1(const double* p, double* out, int64_t n, int64_t dim, double a);
void laplace_linf(const double* p, double* out, int64_t n, int64_t dim);

}  // namespace smoothcert::certify
