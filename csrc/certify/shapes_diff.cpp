#include "certify/shapes_diff.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "smoothcert/special/beta.h"
#include "smoothcert/special/gamma.h"
#include "smoothcert/quadrature.h"

namespace smoothcert::certify {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Quadrature and log-space special functions are accurate to ~1e-14 relative in the worst case
// (d = 150,528: the log prefactor a log x - x - lgamma(a) loses ~2e-13); a 1e-11 relative margin
// keeps the rounded radius on the certified side with room to spare.
constexpr real kRelMargin = 1e-11L;

double certified(real r) {
  if (!(r > 0)) return 0.0;
  if (std::isinf(r)) return kInf;
  return special::ulps_down(special::round_down(r * (1.0L - kRelMargin)), 2);
}

template <class F>
void for_each_p(const double* p, double* out, int64_t n, F&& f) {
#if defined(SMOOTHCERT_WITH_OPENMP)
#pragma omp parallel for schedule(dynamic, 64)
#endif
  for (int64_t i = 0; i < n; ++i) {
    const double pi = p[i];
    if (!(pi > 0.5)) out[i] = 0.0;
    else if (pi >= 1.0) out[i] = kInf;
    else out[i] = certified(f(static_cast<real>(pi)));
  }
}

}  // namespace

// ------------------------------------------------------------------------------- RatioIntegral
std::unique_ptr<RatioIntegral> RatioIntegral::gamma(double a, double a2, double scale) {
  std::unique_ptr<RatioIntegral> r(new RatioIntegral());
  r->is_gamma_ = true;
  r->a_ = a;
  r->a2_ = a2;
  r->scale_ = scale;
  r->build();
  return r;
}

std::unique_ptr<RatioIntegral> RatioIntegral::beta(double a, double b, double a2, double b2, double scale) {
  std::unique_ptr<RatioIntegral> r(new RatioIntegral());
  r->is_gamma_ = false;
  r->a_ = a;
  r->b_ = b;
  r->a2_ = a2;
  r->b2_ = b2;
  r->scale_ = scale;
  r->build();
  return r;
}

real RatioIntegral::integrand(real z) const {
  if (!(z > 0)) return 0;
  if (is_gamma_) {
    real lp, lq;
    special::gamma_log_pq(a2_, z, lp, lq);
    return std::exp(special::log_gamma_pdf(a_, z) - lq);
  }
  const real zc = 1.0L - z;
  if (!(zc > 0)) return 0;
  real li, lic;
  special::log_inc_beta(a2_, b2_, z, zc, li, lic);
  return std::exp(special::log_beta_pdf(a_, b_, z, zc) - lic);
}

real RatioIntegral::inverse(real q, real qc) const {
  if (is_gamma_) return special::gamma_p_inv_newton(a_, q, qc);
  real xc;
  return special::inv_inc_beta(a_, b_, q, qc, xc);
}

void RatioIntegral::build() {
  // Nodes cover the range the target can reach for q in [0, 1 - 1e-17]; below lo_ the law F has
  // mass < exp(-800) (40 standard deviations), negligible against any radius a double can hold.
  real mean, sd;
  if (is_gamma_) {
    mean = a_;
    sd = std::sqrt(a_);
  } else {
    mean = a_ / (a_ + b_);
    sd = std::sqrt(a_ * b_ / ((a_ + b_) * (a_ + b_) * (a_ + b_ + 1.0L)));
  }
  lo_ = std::max(0.0L, mean - 40.0L * sd);
  const real hi = inverse(1.0L - 1e-17L, 1e-17L);
  const int count = 256;
  step_ = (hi - lo_) / count;
  nodes_.resize(count + 1);
  prefix_.assign(count + 1, 0.0L);
  for (int i = 0; i <= count; ++i) nodes_[i] = lo_ + step_ * i;
  std::vector<real> piece(count, 0.0L);
  auto f = [this](real z) { return integrand(z); };
#if defined(SMOOTHCERT_WITH_OPENMP)
#pragma omp parallel for schedule(dynamic, 4)
#endif
  for (int i = 0; i < count; ++i) piece[i] = quad::integrate(f, nodes_[i], nodes_[i + 1], 1e-14L, 0.0L).value;
  for (int i = 0; i < count; ++i) prefix_[i + 1] = prefix_[i] + piece[i];
}

real RatioIntegral::radius(real q, real qc) const {
  const real z = inverse(q, qc);
  if (!(z > lo_)) return 0;
  if (std::isinf(z)) return std::numeric_limits<real>::infinity();
  int64_t i = static_cast<int64_t>(std::floor((z - lo_) / step_));
  i = std::clamp<int64_t>(i, 0, static_cast<int64_t>(nodes_.size()) - 1);
  while (i > 0 && nodes_[i] > z) --i;
  auto f = [this](real t) { return integrand(t); };
  const real tail = quad::integrate(f, nodes_[i], z, 1e-14L, 0.0L).value;
  return scale_ * (prefix_[i] + tail);
}

// ------------------------------------------------------------------------------- Laplace linf
LaplaceLinf::LaplaceLinf(int64_t dim) : d_(dim) {
  const real d = static_cast<real>(dim);
  // Intervals m = m_start .. d cover p in [0, 1/2]: for d odd T_{(d+1)/2} = 1/2 exactly; for d even
  // the interval m = d/2 straddles 1/2 (its slope 2m - d is 0).
  m_start_ = dim / 2 + (dim % 2);
  const int64_t count = dim - m_start_ + 2;  // m = m_start .. d + 1
  auto log_pmf = [d](int64_t n, int64_t m) {
    const real nn = static_cast<real>(n);
    return std::lgamma(nn + 1.0L) - std::lgamma(static_cast<real>(m) + 1.0L) -
           std::lgamma(nn - static_cast<real>(m) + 1.0L) - nn * std::log(2.0L);
  };
  tail_.assign(count, 0.0L);
  for (int64_t m = dim; m >= m_start_; --m)
    tail_[m - m_start_] = tail_[m + 1 - m_start_] + std::exp(log_pmf(dim, m));
  // Phi at the left end of interval m is E[2B - d ; B >= m + 1] = (d/2) P(Binomial(d-1, 1/2) = m).
  slope_.assign(count, 0.0L);
  for (int64_t m = m_start_; m < dim; ++m) slope_[m - m_start_] = 0.5L * d * std::exp(log_pmf(dim - 1, m));
  cum_.assign(count, 0.0L);
  for (int64_t m = m_start_; m <= dim; ++m) {
    const int64_t i = m - m_start_;
    cum_[i + 1] = (m < dim) ? cum_[i] + pieces(m, tail_[i + 1]) : std::numeric_limits<real>::infinity();
  }
  (void)d;
}

// Integral of dp / Phi(p) over [q, min(T_m, 1/2)] within interval m, where on [T_{m+1}, T_m]
// Phi(p) = E + c (p - T_{m+1}), E = slope_[m], c = 2m - d.
real LaplaceLinf::pieces(int64_t m, real q) const {
  const int64_t i = m - m_start_;
  const real upper = std::min(tail_[i], 0.5L);
  if (!(upper > q)) return 0;
  const real c = static_cast<real>(2 * m - d_);
  const real e = slope_[i];
  const real base = e + c * (q - tail_[i + 1]);
  if (c == 0) return (upper - q) / e;
  return std::log1p(c * (upper - q) / base) / c;
}

real LaplaceLinf::radius(real q) const {
  if (!(q < 0.5L)) return 0;
  if (!(q > 0)) return std::numeric_limits<real>::infinity();
  // Interval m with T_{m+1} <= q < T_m: tail_ is decreasing in m.
  int64_t lo = 0, hi = static_cast<int64_t>(tail_.size()) - 1;  // tail_[lo] > q >= tail_[hi] (tail_[last] = 0)
  if (!(tail_[0] > q)) return pieces(m_start_, q);
  while (hi - lo > 1) {
    const int64_t mid = (lo + hi) / 2;
    if (tail_[mid] > q) lo = mid;
    else hi = mid;
  }
  const int64_t m = m_start_ + lo;
  return cum_[lo] + pieces(m, q);
}

// ------------------------------------------------------------------------------- front ends
void exp_gamma_linf(const double* p, double* out, int64_t n, int64_t dim, double k) {
  const real d = static_cast<real>(dim), kk = k;
  const real a = d / kk, a2 = (d + kk - 1.0L) / kk;
  const real log_c = std::lgamma(a2) - std::lgamma(a);
  auto ri = RatioIntegral::gamma(a, a2, static_cast<double>(std::exp(-log_c) / kk));
  // p' = Q_a(u)/2 runs over (0, 1/2]: the end point u solves Q_a(u) = 2(1 - rho), P_a(u) = 2 rho - 1.
  for_each_p(p, out, n, [&](real rho) { return ri->radius(2.0L * rho - 1.0L, 2.0L - 2.0L * rho); });
}

void expinf_l1(const double* p, double* out, int64_t n, int64_t dim, double k, double j) {
  const real d = static_cast<real>(dim), kk = k, jj = j;
  // Phi is constant, (d-1)/(2d) Gamma((d-j-1)/k) / Gamma((d-j)/k), for p >= 1/(2d) (only the
  // maximal coordinate moves phi, and it is coordinate 1 with probability 1/d).
  const real log_ratio = std::lgamma((d - jj) / kk) - std::lgamma((d - jj - 1.0L) / kk);
  const real slope = 2.0L * d / (d - 1.0L) * std::exp(log_ratio);
  const real knee = 1.0L - 1.0L / (2.0L * d);
  std::unique_ptr<RatioIntegral> ri;
  if (jj == 0 && k >= 1) {
    const real a = d / kk, a2 = (d + kk - 1.0L) / kk;
    // Below p = 1/(2d): Phi(p) = (k C / (2d)) Q_{a2}(u) with Q_a(u) = 2 d p.
    ri = RatioIntegral::gamma(a, a2, static_cast<double>(std::exp(std::lgamma(a) - std::lgamma(a2)) / kk));
  }
  for_each_p(p, out, n, [&](real rho) -> real {
    if (rho <= knee || !ri) return slope * (rho - 0.5L);
    const real qc = 2.0L * d * (1.0L - rho);  // Q_a(u) at the end point
    return slope * (knee - 0.5L) + ri->radius(1.0L - qc, qc);
  });
}

void powinf_linf(const double* p, double* out, int64_t n, int64_t dim, double a) {
  const real d = static_cast<real>(dim), aa = a;
  // In y = 1 - x, x = r/(1+r), r = ||x||_inf ~ BetaPrime(d, a-d): y ~ Beta(a-d, d); Phi(p) =
  // (a-d)/2 * (1 - I_y(a+1-d, d)) with p = (1 - I_y(a-d, d))/2.
  auto ri = RatioIntegral::beta(aa - d, d, aa + 1.0L - d, d, static_cast<double>(1.0L / (aa - d)));
  for_each_p(p, out, n, [&](real rho) { return ri->radius(2.0L * rho - 1.0L, 2.0L - 2.0L * rho); });
}

void powinf_l1(const double* p, double* out, int64_t n, int64_t dim, double a) {
  const real d = static_cast<real>(dim), aa = a;
  const real slope = 2.0L * d / (aa - d);
  const real knee = 1.0L - 1.0L / (2.0L * d);
  auto ri = RatioIntegral::beta(aa - d, d, aa + 1.0L - d, d, static_cast<double>(1.0L / (aa - d)));
  for_each_p(p, out, n, [&](real rho) -> real {
    if (rho <= knee) return slope * (rho - 0.5L);
    const real qc = 2.0L * d * (1.0L - rho);
    return slope * (knee - 0.5L) + ri->radius(1.0L - qc, qc);
  });
}

void laplace_linf(const double* p, double* out, int64_t n, int64_t dim) {
  const LaplaceLinf table(dim);
  for_each_p(p, out, n, [&](real rho) { return table.radius(1.0L - rho); });
}

}  // namespace smoothcert::certify
