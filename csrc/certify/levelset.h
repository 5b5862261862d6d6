// Level-set radii (see smoothcert/levelset_integrand.h) for the spherical families Exp2 (k, j) and
// Pow2 (k, a), at scale lambda = 1.
#pragma once
#include <cstdint>

namespace smoothcert::certify {

enum class LevelSetFamily { kExp2 = 0, kPow2 = 1 };

struct SphericalFamily {
  LevelSetFamily family = LevelSetFamily::kExp2;  // Exp2 (k, j) or Pow2 (k, a)
  int64_t dim = 0;
  double k = 1, j = 0, a = 0;
  bool is_pow() const { return family == LevelSetFamily::kPow2; }
};

// rho(e): the p_A lower bound whose exact radius is e (the probability of the worst-case set
// whose shifted probability is exactly 1/2). Increasing in e; e = 0 gives 1/2.
long double levelset_rho(const SphericalFamily& fam, long double e);
// Vectorised rho(e) over an array of radii (OpenMP).
void levelset_rho_batch(const SphericalFamily& fam, const double* e, double* rho, int64_t n);
// Radius for each p by a bracketing root finder on rho(e): returns the lower end of a bracket
// [e_lo, e_hi] of relative width <= rel_tol with rho(e_lo) <= p, rounded down.
void levelset_radius_batch(const SphericalFamily& fam, const double* p, double* out, int64_t n, double rel_tol);

}  // namespace smoothcert::certify
