#include "certify/hierarchical.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "smoothcert/quadrature.h"

namespace smoothcert::certify {
namespace {

constexpr real kInf = std::numeric_limits<real>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Relative error allowance for one long-double operation chain (a few ulps of 2^-64).
constexpr real kRel = 1e-18L;

// Phi^{-1}(1 - s) for s in (0, 1), accurate for small s (no cancellation in 1 - s).
real ppf_one_minus(real s) {
  if (!(s > 0)) return kInf;
  if (!(s < 1)) return -kInf;
  return s <= 0.5L ? special::norm_isf_tail(s) : -special::norm_isf_tail(1.0L - s);
}

// Outward slack for a quantile computed by Newton to ~1e-19 relative.
real down(real x) { return std::isfinite(static_cast<double>(x)) ? x - 1e-17L * (1.0L + std::fabs(x)) : x; }
real up(real x) { return std::isfinite(static_cast<double>(x)) ? x + 1e-17L * (1.0L + std::fabs(x)) : x; }

}  // namespace

real selection_mass_down(double selection_prob, int64_t entities) {
  if (entities == 0 || selection_prob == 1.0) return 1.0L;
  const real e = static_cast<real>(entities) * std::log(static_cast<real>(selection_prob));
  const real q = std::exp(e);
  return q * (1.0L - (4.0L + std::fabs(e)) * kRel);
}

double hierarchical_gaussian_binary(double p_a, double selection_prob, double sigma, int64_t entities) {
  const real q = selection_mass_down(selection_prob, entities);
  const real miss = 1.0L - static_cast<real>(p_a);  // exact: p_a has 53 bits, long double 64
  // p_A - Delta = q - (1 - p_A) must exceed 1/2.
  if (!(q - miss - 0.5L > 4 * kRel)) return kNaN;
  const real s = miss / q * (1.0L + kRel);
  const real a = down(ppf_one_minus(s));
  const real u = 0.5L / q * (1.0L + kRel);  // in [1/2, 1)
  const real c = up(ppf_one_minus(1.0L - u));
  const real radius = static_cast<real>(sigma) * (a - c);
  if (!(radius < kInf)) return std::numeric_limits<double>::infinity();
  const double r = special::ulps_down(special::round_down(radius), 2);
  return r > 0 ? r : 0.0;
}

double hierarchical_gaussian_multiclass(double p_a, double p_b, double selection_prob, double sigma,
                                        int64_t entities) {
  const real q = selection_mass_down(selection_prob, entities);
  const real miss = 1.0L - static_cast<real>(p_a);
  const real s = miss / q * (1.0L + kRel);  // 1 - (p_A - Delta)/q, rounded up
  if (!(s < 1)) return kNaN;
  const real pbq = static_cast<real>(p_b) / q * (1.0L + kRel);
  if (!(pbq < 1)) return kNaN;
  const real a = down(ppf_one_minus(s));
  const real b = up(special::norm_ppf(pbq));
  const real k = (1.0L / q - 1.0L) * (1.0L + kRel) + kRel;  // Delta / q, rounded up
  const real sig = static_cast<real>(sigma);
  // h(t) = Phi(a - t) - Phi(b + t) - Delta/q, decreasing in t; certified where h > margin.
  auto certified = [&](double eps) {
    if (!std::isfinite(eps)) return false;
    const real t = static_cast<real>(eps) / sig;
    const real phi_a = a == kInf ? 1.0L : special::norm_cdf(a - t);
    const real phi_b = b == -kInf ? 0.0L : special::norm_cdf(b + t);
    return phi_a - phi_b - k > 4e-18L * (1.0L + t);
  };
  if (!certified(0.0)) return kNaN;
  if (certified(std::numeric_limits<double>::max())) return std::numeric_limits<double>::infinity();
  // At t = (a - b)/2 both Phi terms agree, so h <= -Delta/q <= 0: the root lies below.
  const real hi_r = sig * (a - b) / 2 * (1.0L + kRel);
  const double hi = hi_r < static_cast<real>(std::numeric_limits<double>::max())
                  ? special::round_up(hi_r)
                  : std::numeric_limits<double>::infinity();
  return quad::last_double_where(certified, 0.0, hi);
}

double ablation_entities(double p_a, double p_b, double selection_prob) {
  const bool binary = std::isnan(p_b);
  auto certified = [&](int64_t r) {
    const real q = selection_mass_down(selection_prob, r);
    const real delta = 1.0L - q;
    if (binary) return static_cast<real>(p_a) - delta - 0.5L > 4 * kRel;
    return static_cast<real>(p_a) - static_cast<real>(p_b) - 2 * delta > 4 * kRel;
  };
  if (!certified(0)) return kNaN;
  if (selection_prob == 1.0) return std::numeric_limits<double>::infinity();
  int64_t lo = 0, hi = 1;
  while (certified(hi)) {
    lo = hi;
    if (hi > (int64_t{1} << 61)) return static_cast<double>(lo);
    hi *= 2;
  }
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (certified(mid)) lo = mid;
    else hi = mid;
  }
  return static_cast<double>(lo);
}

// ---------------------------------------------------------------- sparse smoothing
namespace {

// log of the Bin(n, p) pmf, -inf where it vanishes. `complement` selects Bin(n, 1 - p), evaluated
// from p itself so that 1 - p is never rounded to double.
std::vector<real> log_binom_pmf(int64_t n, double p, bool complement) {
  std::vector<real> out(static_cast<size_t>(n + 1), -kInf);
  const bool zero = complement ? p >= 1 : p <= 0;
  const bool one = complement ? p <= 0 : p >= 1;
  if (zero || one) {
    out[zero ? 0 : static_cast<size_t>(n)] = 0;
    return out;
  }
  real lp = std::log(static_cast<real>(p)), lq = std::log1p(-static_cast<real>(p));
  if (complement) std::swap(lp, lq);
  const real ln = std::lgamma(static_cast<real>(n) + 1);
  for (int64_t k = 0; k <= n; ++k)
    out[static_cast<size_t>(k)] = ln - std::lgamma(static_cast<real>(k) + 1) -
                                  std::lgamma(static_cast<real>(n - k) + 1) + k * lp + (n - k) * lq;
  return out;
}

// log of sum_u exp(la[u] + lb[m - u]) for m = 0..na+nb (log-sum-exp per term).
std::vector<real> log_convolve(const std::vector<real>& la, const std::vector<real>& lb) {
  const size_t n = la.size() + lb.size() - 1;
  std::vector<real> out(n, -kInf);
  for (size_t m = 0; m < n; ++m) {
    real mx = -kInf;
    const size_t u0 = m + 1 > lb.size() ? m + 1 - lb.size() : 0;
    const size_t u1 = std::min(m, la.size() - 1);
    for (size_t u = u0; u <= u1; ++u) mx = std::max(mx, la[u] + lb[m - u]);
    if (mx == -kInf) continue;
    real acc = 0;
    for (size_t u = u0; u <= u1; ++u) acc += std::exp(la[u] + lb[m - u] - mx);
    out[m] = mx + std::log(acc);
  }
  return out;
}

}  // namespace

SparseRegions sparse_regions(int64_t additions, int64_t deletions, double p_plus, double p_minus) {
  // Index m counts flipped coordinates that agree with the perturbed input: u of the `additions`
  // coordinates read 1, v of the `deletions` coordinates read 0, m = u + v.
  // Under x:  u ~ Bin(ra, p_plus),     v ~ Bin(rd, p_minus).
  // Under x~: u ~ Bin(ra, 1 - p_minus), v ~ Bin(rd, 1 - p_plus).
  const std::vector<real> lx =
      log_convolve(log_binom_pmf(additions, p_plus, false), log_binom_pmf(deletions, p_minus, false));
  const std::vector<real> ly =
      log_convolve(log_binom_pmf(additions, p_minus, true), log_binom_pmf(deletions, p_plus, true));
  std::vector<size_t> idx;
  for (size_t m = 0; m < lx.size(); ++m)
    if (lx[m] > -kInf || ly[m] > -kInf) idx.push_back(m);
  auto log_ratio = [&](size_t m) {
    if (ly[m] == -kInf) return kInf;
    if (lx[m] == -kInf) return -kInf;
    return lx[m] - ly[m];
  };
  std::stable_sort(idx.begin(), idx.end(), [&](size_t i, size_t j) { return log_ratio(i) > log_ratio(j); });
  SparseRegions r;
  for (size_t m : idx) {
    r.px.push_back(std::exp(lx[m]));
    r.py.push_back(std::exp(ly[m]));
  }
  const size_t n = r.px.size();
  r.cx.assign(n + 1, 0);
  r.cy.assign(n + 1, 0);
  r.rx.assign(n + 1, 0);
  r.ry.assign(n + 1, 0);
  for (size_t k = 0; k < n; ++k) {
    r.cx[k + 1] = r.cx[k] + r.px[k];
    r.cy[k + 1] = r.cy[k] + r.py[k];
    r.rx[k + 1] = r.rx[k] + r.px[n - 1 - k];
    r.ry[k + 1] = r.ry[k] + r.py[n - 1 - k];
  }
  return r;
}

const SparseRegions& SparseCertifier::regions(int64_t additions, int64_t deletions) {
  const auto key = std::make_pair(additions, deletions);
  auto it = cache_.find(key);
  if (it == cache_.end()) it = cache_.emplace(key, sparse_regions(additions, deletions, p_plus_, p_minus_)).first;
  return it->second;
}

namespace {

// Greedy Neyman-Pearson fill: regions in the given order until `t` clean mass is reached; returns the
// perturbed mass collected (fractional last region). c/cy are prefix sums in that order.
real fill(const std::vector<real>& cx, const std::vector<real>& cy, real t, bool reverse,
          const std::vector<real>& px, const std::vector<real>& py) {
  const size_t n = px.size();
  if (!(t > 0)) return 0;
  // Clean mass beyond the total (rounding) is capped: regions without clean mass never help.
  if (!reverse) t = std::min(t, cx[n]);
  // First region whose inclusion reaches t.
  const size_t k = static_cast<size_t>(std::lower_bound(cx.begin() + 1, cx.end(), t) - (cx.begin() + 1));
  if (k >= n) return cy[n];
  const size_t m = reverse ? n - 1 - k : k;
  if (!(px[m] > 0)) return cy[k];
  return cy[k] + (t - cx[k]) * (py[m] / px[m]);
}

}  // namespace

double SparseCertifier::rho_lower(double p_a, int64_t entities, int64_t additions, int64_t deletions) {
  if (entities == 0 || additions + deletions == 0) return special::round_down(static_cast<real>(p_a));
  const SparseRegions& r = regions(additions, deletions);
  const real q = selection_mass_down(sel_, entities);
  const real t = 1.0L - (1.0L - static_cast<real>(p_a)) / q * (1.0L + kRel);  // (p_A - Delta)/q, down
  const real rho = q * fill(r.cx, r.cy, t, false, r.px, r.py) - kSparseSlack;
  return rho > 0 ? special::round_down(rho) : 0.0;
}

double SparseCertifier::rho_upper(double p_b, int64_t entities, int64_t additions, int64_t deletions) {
  if (entities == 0 || additions + deletions == 0) return special::round_up(static_cast<real>(p_b));
  const SparseRegions& r = regions(additions, deletions);
  const real q = selection_mass_down(sel_, entities);
  const real t = std::min<real>(1.0L, static_cast<real>(p_b) / q * (1.0L + kRel));
  const real rho = (1.0L - q) + q * fill(r.rx, r.ry, t, true, r.px, r.py) + kSparseSlack;
  return rho < 1 ? special::round_up(rho) : 1.0;
}

}  // namespace smoothcert::certify
