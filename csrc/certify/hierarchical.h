// Certificates for hierarchical smoothing (Scholten et al., "Hierarchical Randomized Smoothing",
// NeurIPS 2023) against "at most r entities perturbed": with q = p^r the probability that all r
// perturbed entities are selected and Delta = 1 - q, the clean and perturbed distributions differ only
// on the selected part, and the Neyman-Pearson worst case gives the adversary Delta for free.
// All functions return bounds on the certified side: radii never above the exact value, worst-case
// probabilities rounded toward the adversary.
#pragma once
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "smoothcert/special/normal.h"

namespace smoothcert::certify {


// q = p^r rounded down (exactly 1 for r = 0 or p = 1).
real selection_mass_down(double selection_prob, int64_t entities);

// Binary certificate (paper, Theorem 3 with Gaussian lower level):
//   eps* = sigma [Phi^-1((p_A - Delta)/q) - Phi^-1(1/(2q))], certified iff p_A - Delta > 1/2.
// Returns NaN when not certified, otherwise eps* rounded down (>= 0, +inf for p_A = 1).
double hierarchical_gaussian_binary(double p_a, double selection_prob, double sigma, int64_t entities);

// Multiclass certificate: the supremum of eps with
//   q Phi(Phi^-1((p_A - Delta)/q) - eps/sigma) > q Phi(Phi^-1(p_B/q) + eps/sigma) + Delta,
// found by bisection over the ordered doubles; the returned eps satisfies the strict inequality
// (certified side). NaN when it fails already at eps = 0.
double hierarchical_gaussian_multiclass(double p_a, double p_b, double selection_prob, double sigma,
                                        int64_t entities);

// Selection-only (ablation) certificate: the largest number of arbitrarily perturbed entities r with
// p_A - Delta_r > 1/2 (binary, p_b NaN) or p_A - Delta_r > p_B + Delta_r (multiclass). NaN when even r = 0
// fails, +inf when p = 1.
double ablation_entities(double p_a, double p_b, double selection_prob);

// Sparse smoothing regions (Bojchevski et al., ICML 2020, Sec. 3) for ra additions and rd deletions:
// the likelihood ratio of a flip pattern depends only on the number of flipped coordinates that agree
// with the perturbed input, so P_x and P_x~ are sums of products of two binomial pmfs, all positive:
// evaluated in long double in log space, no cancellation (unlike the alternating recursion that needs
// 1000-bit arithmetic).
struct SparseRegions {
  std::vector<real> px, py;        // masses under the clean / perturbed input, decreasing px/py
  std::vector<real> cx, cy;        // prefix sums (size + 1), clean-first order
  std::vector<real> rx, ry;        // prefix sums (size + 1), perturbed-first (reverse) order
};
SparseRegions sparse_regions(int64_t additions, int64_t deletions, double p_plus, double p_minus);

// Worst-case probabilities with hierarchical scaling (paper, Sec. 5): rho_lower = min P_x~(A) over sets
// with P_x(A) >= p_A, rho_upper = max P_x~(B) over sets with P_x(B) <= p_B, for r entities and the given
// regions. Returned rounded outward with an absolute slack covering the long-double evaluation.
class SparseCertifier {
 public:
  SparseCertifier(double selection_prob, double p_plus, double p_minus)
      : sel_(selection_prob), p_plus_(p_plus), p_minus_(p_minus) {}
  double rho_lower(double p_a, int64_t entities, int64_t additions, int64_t deletions);
  double rho_upper(double p_b, int64_t entities, int64_t additions, int64_t deletions);

 private:
  const SparseRegions& regions(int64_t additions, int64_t deletions);
  double sel_, p_plus_, p_minus_;
  std::map<std::pair<int64_t, int64_t>, SparseRegions> cache_;
};

// Slack added to the sparse worst-case probabilities: the long-double evaluation errs by < 1e-17
// (positive sums of <= a few hundred terms with ~1e-18 relative error each).
constexpr real kSparseSlack = 1e-15L;

}  // namespace smoothcert::certify
