// The Gaussian radius (Cohen et al. 2019, Theorem 1), the one implementation every caller uses.
#pragma once

namespace smoothcert::certify {

// sigma * Phi^{-1}(p_lower), rounded down (never above the exact radius); 0 <= p_lower <= 1 and
// sigma > 0 are the caller's to check. NaN (abstain) for p_lower <= 1/2, +inf for p_lower = 1.
double gaussian_radius(double sigma, double p_lower);

// sigma/2 * (Phi^{-1}(p_a) - Phi^{-1}(p_b)) with Phi^{-1}(p_a) rounded down and Phi^{-1}(p_b) up,
// the difference and product in double, one ulp down (Cohen et al., Theorem 1 with p_B). The
// caller masks abstentions (p_a <= p_b).
double gaussian_pa_pb_radius(double sigma, double p_a, double p_b);

}  // namespace smoothcert::certify
