#include "certify/shapes_levelset.h"

#include <pybind11/numpy.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "bindings/register.h"
#include "smoothcert/incgamma.h"
#include "smoothcert/levelset.h"
#include "smoothcert/quadrature.h"

namespace smoothcert::certify {
namespace {

using real = long double;

struct Radial {
  const SphericalFamily& fam;
  real k, beta, half_dm1;
  real alpha, bp_b;  // Gamma(alpha) for Exp2, BetaPrime(alpha, bp_b) for Pow2 (u = r^k)
  real lo, hi;       // integration range of u (mass outside < exp(-800))
  real breaks[7];

  explicit Radial(const SphericalFamily& f) : fam(f) {
    const real d = static_cast<real>(f.dim);
    k = f.k;
    half_dm1 = 0.5L * (d - 1.0L);
    beta = f.is_pow ? 0 : f.j / k;
    if (!f.is_pow) {
      alpha = (d - f.j) / k;
      bp_b = 0;
    } else {
      alpha = d / k;
      bp_b = f.a - d / k;
    }
    // Integrate in x = u / (1 + u) for Pow2 (a Beta(alpha, bp_b) variable) and in u for Exp2.
    real mean, sd;
    if (!f.is_pow) {
      mean = alpha;
      sd = std::sqrt(alpha);
      lo = std::max(0.0L, mean - 40.0L * sd);
      hi = mean + 40.0L * sd + 60.0L;
    } else {
      mean = alpha / (alpha + bp_b);
      sd = std::sqrt(alpha * bp_b / ((alpha + bp_b) * (alpha + bp_b) * (alpha + bp_b + 1.0L)));
      lo = std::max(0.0L, mean - 40.0L * sd);
      real xc;
      hi = special::inv_inc_beta(alpha, bp_b, 1.0L - 1e-30L, 1e-30L, xc);
    }
    const real off[7] = {-40, -8, -3, 0, 3, 8, 40};
    for (int i = 0; i < 7; ++i) breaks[i] = std::clamp(mean + off[i] * sd, lo, hi);
    breaks[0] = lo;
    breaks[6] = hi;
  }

  // E over the radial law of W(r, s_(sign)(r), e); `error` receives the quadrature's error estimate.
  real expect_outside(real e, real signed_t, real& error) const {
    auto integrand = [&](real z) -> real {
      real u, dens;
      if (!fam.is_pow) {
        if (!(z > 0)) return 0;
        u = z;
        dens = std::exp(special::log_gamma_pdf(alpha, z));
      } else {
        const real zc = 1.0L - z;
        if (!(z > 0) || !(zc > 0)) return 0;
        u = z / zc;
        dens = std::exp(special::log_beta_pdf(alpha, bp_b, z, zc));
      }
      const real r = std::pow(u, 1.0L / k);
      const real lr = fam.is_pow ? levelset::pow2_log_ratio(u, fam.a, signed_t)
                                 : levelset::exp2_log_ratio(u, beta, signed_t);
      return dens * levelset::outside_probability(r, e, lr, k, half_dm1);
    };
    real total = 0;
    error = 0;
    for (int i = 0; i < 6; ++i) {
      if (!(breaks[i + 1] > breaks[i])) continue;
      const quad::Result piece = quad::integrate(integrand, breaks[i], breaks[i + 1], 1e-14L, 1e-18L);
      total += piece.value;
      error += piece.error;
    }
    // The radial density's normalisation goes through lgamma / log_beta, which for parameters in
    // the thousands carry ~1e-15 relative error (the mpmath twin measures rho 7e-16 low at d = 3072
    // without this term); 1e-13 relative covers it up to d ~ 1e5.
    error += 1e-13L * total;
    return total;
  }
};

}  // namespace

long double levelset_rho(const SphericalFamily& fam, long double e) {
  if (!(e > 0)) return 0.5L;
  const Radial rad(fam);
  // Q(A_t) = 1 - E[W(s_+)] is increasing in t; find t with Q(A_t) = 1/2, on a lower bound of Q
  // (value minus the quadrature's error estimate) so that Q(A_hi) > 1/2 holds for the exact Q.
  auto q_of_t = [&](real t) {
    real err;
    const real w = rad.expect_outside(e, t, err);
    return 1.0L - w - err;
  };
  real lo = -1.0L, hi = 1.0L;
  while (q_of_t(lo) > 0.5L) lo *= 2.0L;
  while (q_of_t(hi) <= 0.5L) hi *= 2.0L;
  quad::bracket_root(q_of_t, 0.5L, lo, hi, 1e-13L, 1e-300L, 200);
  // At t = hi, Q(A_t) > 1/2, so the worst-case set of shifted mass exactly 1/2 is contained in A_hi
  // and rho(e) <= P(A_hi); reporting an upper bound of P(A_hi) errs toward a larger rho, i.e. a
  // smaller radius.
  real err;
  const real p_hi = rad.expect_outside(e, -hi, err);
  return std::min(p_hi + err, 1.0L);
}

void levelset_rho_batch(const SphericalFamily& fam, const double* e, double* rho, int64_t n) {
#if defined(SMOOTHCERT_WITH_OPENMP)
#pragma omp parallel for schedule(dynamic, 1)
#endif
  for (int64_t i = 0; i < n; ++i) rho[i] = special::round_up(levelset_rho(fam, e[i]));
}

void levelset_radius_batch(const SphericalFamily& fam, const double* p, double* out, int64_t n, double rel_tol) {
#if defined(SMOOTHCERT_WITH_OPENMP)
#pragma omp parallel for schedule(dynamic, 1)
#endif
  for (int64_t i = 0; i < n; ++i) {
    const real rho = p[i];
    if (!(rho > 0.5L)) {
      out[i] = 0.0;
      continue;
    }
    if (!(rho < 1.0L)) {
      out[i] = std::numeric_limits<double>::infinity();
      continue;
    }
    auto f = [&](real e) { return levelset_rho(fam, e); };
    real lo = 0, hi = 1e-3L;
    while (f(hi) <= rho) {
      lo = hi;
      hi *= 4.0L;
      if (hi > 1e12L) break;
    }
    quad::bracket_root(f, rho, lo, hi, rel_tol, 0.0L, 200);
    out[i] = special::ulps_down(special::round_down(lo), 2);
  }
}

}  // namespace smoothcert::certify

namespace smoothcert::bindings {

namespace py = pybind11;

void register_shapes_levelset(py::module_& m) {
  using certify::SphericalFamily;
  using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;
  auto family = [](bool is_pow, int64_t dim, double k, double j, double a) {
    if (dim < 2) throw py::value_error("dim must be >= 2 for the level-set method, got " + std::to_string(dim));
    if (!(k > 0) || !std::isfinite(k)) throw py::value_error("k must be a finite number > 0");
    if (!is_pow && !(j >= 0 && j < dim)) throw py::value_error("j must satisfy 0 <= j < dim");
    if (is_pow && !(a > dim / k) ) throw py::value_error("a must be > dim / k");
    return SphericalFamily{is_pow, dim, k, j, a};
  };
  m.def("levelset_rho",
        [family](const Array& e, bool is_pow, int64_t dim, double k, double j, double a) {
          const SphericalFamily fam = family(is_pow, dim, k, j, a);
          for (py::ssize_t i = 0; i < e.size(); ++i)
            if (!(e.data()[i] >= 0) || !std::isfinite(e.data()[i])) throw py::value_error("radius must be finite and >= 0");
          py::array_t<double> out(std::vector<py::ssize_t>(e.shape(), e.shape() + e.ndim()));
          const double* in = e.data();
          double* o = out.mutable_data();
          const int64_t n = e.size();
          py::gil_scoped_release release;
          certify::levelset_rho_batch(fam, in, o, n);
          return out;
        },
        py::arg("radius"), py::arg("is_pow"), py::arg("dim"), py::arg("k"), py::arg("j") = 0.0, py::arg("a") = 0.0,
        "rho(e) for Exp2 (is_pow=False; k, j) or Pow2 (is_pow=True; k, a), rounded up.");
  m.def("levelset_radius",
        [family](const Array& p, bool is_pow, int64_t dim, double k, double j, double a, double rel_tol) {
          const SphericalFamily fam = family(is_pow, dim, k, j, a);
          for (py::ssize_t i = 0; i < p.size(); ++i)
            if (!(p.data()[i] >= 0 && p.data()[i] <= 1)) throw py::value_error("p_lower must lie in [0, 1] (no NaN)");
          if (!(rel_tol > 0 && rel_tol < 1)) throw py::value_error("rel_tol must lie in (0, 1)");
          py::array_t<double> out(std::vector<py::ssize_t>(p.shape(), p.shape() + p.ndim()));
          const double* in = p.data();
          double* o = out.mutable_data();
          const int64_t n = p.size();
          py::gil_scoped_release release;
          certify::levelset_radius_batch(fam, in, o, n, rel_tol);
          return out;
        },
        py::arg("p"), py::arg("is_pow"), py::arg("dim"), py::arg("k"), py::arg("j") = 0.0, py::arg("a") = 0.0,
        py::arg("rel_tol") = 1e-9, "Level-set radius by root finding on rho(e), certified side, rounded down.");
}

}  // namespace smoothcert::bindings
