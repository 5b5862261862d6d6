// _core.certify: every radius, by family (Gaussian, the all-shapes closed forms, differential and
// level-set methods, generalized Gaussian Neyman-Pearson and DSRS, hierarchical). Arrays of
// p_A bounds are validated here; the radii come from csrc/certify/.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "bindings/arrays.h"
#include "bindings/register.h"
#include "certify/gaussian.h"
#include "certify/generalized_gaussian.h"
#include "certify/hierarchical.h"
#include "certify/shapes_closed.h"
#include "certify/shapes_diff.h"
#include "certify/levelset.h"
#include "smoothcert/dsrs_dual.h"

namespace py = pybind11;

namespace smoothcert::bindings {
namespace {

using certify::LevelSetFamily;
using certify::SphericalFamily;

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

// One pass without an early exit (it vectorises: a few microseconds per million values).
void check_p(const Array& p) {
  const double* v = p.data();
  const py::ssize_t n = p.size();
  int64_t bad = 0;
  for (py::ssize_t i = 0; i < n; ++i) bad += !(v[i] >= 0.0) | !(v[i] <= 1.0);
  if (bad) throw py::value_error("p_lower must lie in [0, 1] (no NaN)");
}

int64_t check_dim(int64_t dim) {
  if (dim < 1) throw py::value_error("dim must be >= 1, got " + std::to_string(dim));
  return dim;
}

// Apply a batch kernel f(p, out, n) to an array, keeping its shape; NaN (abstain) where p <= 1/2.
template <class F>
py::array_t<double> batch(const Array& p, F&& f) {
  check_p(p);
  py::array_t<double> out(std::vector<py::ssize_t>(p.shape(), p.shape() + p.ndim()));
  const double* in = p.data();
  double* o = out.mutable_data();
  const int64_t n = p.size();
  {
    py::gil_scoped_release release;
    f(in, o, n);
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    for (int64_t i = 0; i < n; ++i) o[i] = in[i] > 0.5 ? o[i] : nan;
  }
  return out;
}

// The same for a kernel that validates p and abstains itself, in its one pass over the values:
// f(p, out, n) returns the number of p outside [0, 1].
template <class F>
py::array_t<double> validating_batch(const Array& p, F&& f) {
  py::array_t<double> out(std::vector<py::ssize_t>(p.shape(), p.shape() + p.ndim()));
  const double* in = p.data();
  double* o = out.mutable_data();
  const int64_t n = p.size();
  int64_t invalid;
  {
    py::gil_scoped_release release;
    invalid = f(in, o, n);
  }
  if (invalid) throw py::value_error("p_lower must lie in [0, 1] (no NaN)");
  return out;
}

template <class G>
py::array_t<double> pointwise(const Array& p, G&& g) {
  return batch(p, [&](const double* in, double* o, int64_t n) {
#if defined(SMOOTHCERT_WITH_OPENMP)
#pragma omp parallel for schedule(dynamic, 256)
#endif
    for (int64_t i = 0; i < n; ++i) o[i] = g(in[i]);
  });
}

using Arr = py::array_t<double, py::array::c_style | py::array::forcecast>;

certify::GeneralizedGaussianParams check_params(int64_t dim, double k, double sigma) {
  if (dim < 2) throw py::value_error("dim must be an integer >= 2, got " + std::to_string(dim));
  if (!(k >= 0) || !(2 * k < static_cast<double>(dim)))
    throw py::value_error("k must satisfy 0 <= k < dim/2 = " + std::to_string(dim / 2.0) + ", got " +
                          std::to_string(k));
  if (!(sigma > 0) || !std::isfinite(sigma))
    throw py::value_error("sigma must be a finite number > 0, got " + std::to_string(sigma));
  return certify::GeneralizedGaussianParams{dim, k, sigma};
}

void check_unit(const char* name, const Arr& a) {
  const double* p = a.data();
  for (py::ssize_t i = 0; i < a.size(); ++i)
    if (!(p[i] >= 0 && p[i] <= 1)) throw py::value_error(std::string(name) + " must lie in [0, 1] (no NaN)");
}

void check_order(const char* lo_name, const Arr& lo, const char* hi_name, const Arr& hi) {
  for (py::ssize_t i = 0; i < lo.size(); ++i)
    if (lo.data()[i] > hi.data()[i])
      throw py::value_error(std::string(lo_name) + " must be <= " + hi_name + " (input " + std::to_string(i) + ")");
}

void check_q_param(certify::DsrsQ kind, const Arr& q, double sigma) {
  for (py::ssize_t i = 0; i < q.size(); ++i) {
    const double v = q.data()[i];
    if (kind == certify::DsrsQ::kSigma && !(v > 0 && std::isfinite(v) && v != sigma))
      throw py::value_error("q_param (sigma of Q) must be finite, > 0 and != sigma of P");
    if (kind == certify::DsrsQ::kBall && !(v > 0 && v < 1))
      throw py::value_error("q_param (percentile beta of the ball) must lie in (0, 1)");
  }
}

Arr np_radius(int64_t dim, double k, double sigma, const Arr& p_low) {
  const auto P = check_params(dim, k, sigma);
  check_unit("p_low", p_low);
  Arr out(p_low.size());
  const double* pl = p_low.data();
  double* o = out.mutable_data();
  const int64_t n = p_low.size();
  py::gil_scoped_release release;
  certify::generalized_gaussian_np_radius(P, pl, o, n);
  return out;
}

Arr dsrs_radius(int64_t dim, double k, double sigma, certify::DsrsQ kind, const Arr& q_param, const Arr& p_low,
                const Arr& p_high, const Arr& q_low, const Arr& q_high, const std::optional<Arr>& r_start) {
  const auto P = check_params(dim, k, sigma);
  if (kind == certify::DsrsQ::kNone) throw py::value_error("kind must be DsrsQ.sigma or DsrsQ.ball, got DsrsQ.none");
  const auto K = kind;
  const py::ssize_t n = p_low.size();
  for (const Arr* a : {&q_param, &p_high, &q_low, &q_high})
    if (a->size() != n) throw py::value_error("p_low, p_high, q_low, q_high and q_param must have the same length");
  if (r_start && r_start->size() != n) throw py::value_error("r_start must have the length of p_low");
  check_unit("p_low", p_low);
  check_unit("p_high", p_high);
  check_unit("q_low", q_low);
  check_unit("q_high", q_high);
  check_order("p_low", p_low, "p_high", p_high);
  check_order("q_low", q_low, "q_high", q_high);
  check_q_param(K, q_param, sigma);
  Arr out(n);
  const double* rs = r_start ? r_start->data() : nullptr;
  const double *qp = q_param.data(), *pl = p_low.data(), *ph = p_high.data(), *ql = q_low.data(),
               *qh = q_high.data();
  double* o = out.mutable_data();
  py::gil_scoped_release release;
  certify::generalized_gaussian_dsrs_radius(P, K, qp, pl, ph, ql, qh, rs, o, n);
  return out;
}

void check_entities(int64_t r) {
  if (r < 0) throw py::value_error("entities must be >= 0, got " + std::to_string(r));
}

}  // namespace

void register_certify(py::module_& m) {
  using namespace smoothcert::certify;
  py::enum_<DsrsQ>(m, "DsrsQ", "The second distribution Q of DSRS")
      .value("none", DsrsQ::kNone)
      .value("sigma", DsrsQ::kSigma)
      .value("ball", DsrsQ::kBall);
  py::enum_<LevelSetFamily>(m, "LevelSetFamily", "Spherical family certified by the level-set method")
      .value("exp2", LevelSetFamily::kExp2)
      .value("pow2", LevelSetFamily::kPow2);
  m.def("gaussian_radius",
        [](const py::array_t<double, py::array::forcecast>& sigma, const py::array_t<double, py::array::forcecast>& p) {
          return py::vectorize([](double s, double pl) {
            check_sigma(s);
            if (!(pl >= 0.0 && pl <= 1.0)) throw py::value_error("p_lower must lie in [0, 1] (no NaN)");
            return certify::gaussian_radius(s, pl);
          })(sigma, p);
        },
        py::arg("sigma"), py::arg("p_lower"),
        "sigma * Phi^{-1}(p_lower), rounded down (Cohen et al., Thm 1); NaN (abstain) where p_lower <= 1/2.");
  m.def("gaussian_pa_pb_radius",
        py::vectorize([](double sigma, double p_a, double p_b) { return certify::gaussian_pa_pb_radius(sigma, p_a, p_b); }),
        py::arg("sigma"), py::arg("p_a"), py::arg("p_b"),
        "sigma/2 (Phi^{-1}(p_a) rounded down - Phi^{-1}(p_b) rounded up), one ulp down; the caller masks p_a <= p_b.");
  m.def("check_p_lower", [](const Array& p) { check_p(p); }, py::arg("p"),
        "ValueError unless every p lies in [0, 1] (no NaN).");
  m.def("laplace_l1", [](const Array& p) { return pointwise(p, laplace_l1); }, py::arg("p"),
        "log(1 / (2(1 - p))), rounded down.");
  m.def("uniform_l1", [](const Array& p) { return pointwise(p, uniform_l1); }, py::arg("p"), "2p - 1.");
  m.def("uniform_linf",
        [](const Array& p, int64_t dim) {
          check_dim(dim);
          return pointwise(p, [dim](double x) { return uniform_linf(x, dim); });
        },
        py::arg("p"), py::arg("dim"), "2 (1 - (3/2 - p)^{1/d}), rounded down.");
  m.def("uniform_l2",
        [](const Array& p, int64_t dim) {
          check_dim(dim);
          return pointwise(p, [dim](double x) { return uniform_l2(x, dim); });
        },
        py::arg("p"), py::arg("dim"), "2 sqrt(d) (1 - (3/2 - p)^{1/d}), rounded down.");
  m.def("pareto_l1",
        [](const Array& p, double a) {
          check_finite_positive("a", a);
          return validating_batch(p, [&](const double* in, double* o, int64_t n) { return pareto_l1(in, o, n, a); });
        },
        py::arg("p"), py::arg("a"), "(1/a) int_0^{2p-1} dy / (1 - y^{1+1/a}), rounded down.");
  m.def("uniform_ball_l2",
        [](const Array& p, int64_t dim) {
          check_dim(dim);
          return validating_batch(
              p, [&](const double* in, double* o, int64_t n) { return uniform_ball_l2(in, o, n, dim); });
        },
        py::arg("p"), py::arg("dim"), "2 sqrt(I^{-1}_{1/2,(d+1)/2}(p - 1/2)), rounded down.");
  m.def("exp2_k1_l2",
        [](const Array& p, int64_t dim) {
          if (dim < 2) throw py::value_error("dim must be >= 2 for Exp2 with k = 1");
          return pointwise(p, [dim](double x) { return exp2_k1_l2(x, dim); });
        },
        py::arg("p"), py::arg("dim"), "(d-1) atanh(sqrt(I^{-1}_{1/2,(d-1)/2}(2p - 1))), rounded down.");
  m.def("expp_l1",
        [](const Array& p, double q) {
          if (!(q >= 1) || !std::isfinite(q)) throw py::value_error("p (the exponent) must be a finite number >= 1");
          return pointwise(p, [q](double x) { return expp_l1(x, q); });
        },
        py::arg("p"), py::arg("q"), "(P^{-1}_{1/q}(2p - 1))^{1/q}, rounded down.");
  m.def("exp_gamma_linf",
        [](const Array& p, int64_t dim, double k) {
          check_dim(dim);
          if (!(k >= 1) || !std::isfinite(k)) throw py::value_error("k must be a finite number >= 1");
          return batch(p, [&](const double* in, double* o, int64_t n) { exp_gamma_linf(in, o, n, dim, k); });
        },
        py::arg("p"), py::arg("dim"), py::arg("k"), "ExpInf linf (j = 0) / Exp1 l1 radius (differential method).");
  m.def("expinf_l1",
        [](const Array& p, int64_t dim, double k, double j) {
          if (dim < 2) throw py::value_error("dim must be >= 2 for the ExpInf l1 radius");
          check_finite_positive("k", k);
          if (!(j >= 0) || !(j < dim - 1)) throw py::value_error("j must satisfy 0 <= j < dim - 1");
          return batch(p, [&](const double* in, double* o, int64_t n) { expinf_l1(in, o, n, dim, k, j); });
        },
        py::arg("p"), py::arg("dim"), py::arg("k"), py::arg("j"), "ExpInf l1 radius (differential method).");
  m.def("powinf_linf",
        [](const Array& p, int64_t dim, double a) {
          check_dim(dim);
          if (!(a > dim) || !std::isfinite(a)) throw py::value_error("a must be a finite number > dim");
          return batch(p, [&](const double* in, double* o, int64_t n) { powinf_linf(in, o, n, dim, a); });
        },
        py::arg("p"), py::arg("dim"), py::arg("a"), "PowInf linf radius (differential method).");
  m.def("powinf_l1",
        [](const Array& p, int64_t dim, double a) {
          check_dim(dim);
          if (!(a > dim) || !std::isfinite(a)) throw py::value_error("a must be a finite number > dim");
          return batch(p, [&](const double* in, double* o, int64_t n) { powinf_l1(in, o, n, dim, a); });
        },
        py::arg("p"), py::arg("dim"), py::arg("a"), "PowInf l1 radius (differential method).");
  m.def("laplace_linf",
        [](const Array& p, int64_t dim) {
          check_dim(dim);
          return batch(p, [&](const double* in, double* o, int64_t n) { laplace_linf(in, o, n, dim); });
        },
        py::arg("p"), py::arg("dim"), "Laplace linf radius: exact differential-method sum over binomial atoms.");
  auto family = [](LevelSetFamily kind, int64_t dim, double k, double j, double a) {
    const bool is_pow = kind == LevelSetFamily::kPow2;
    if (dim < 2) throw py::value_error("dim must be >= 2 for the level-set method, got " + std::to_string(dim));
    if (!(k > 0) || !std::isfinite(k)) throw py::value_error("k must be a finite number > 0");
    if (!is_pow && !(j >= 0 && j < dim)) throw py::value_error("j must satisfy 0 <= j < dim");
    if (is_pow && !(a > dim / k) ) throw py::value_error("a must be > dim / k");
    return SphericalFamily{kind, dim, k, j, a};
  };
  m.def("levelset_rho",
        [family](const Array& e, LevelSetFamily kind, int64_t dim, double k, double j, double a) {
          const SphericalFamily fam = family(kind, dim, k, j, a);
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
        py::arg("radius"), py::kw_only(), py::arg("family"), py::arg("dim"), py::arg("k"), py::arg("j") = 0.0, py::arg("a") = 0.0,
        "rho(e) for Exp2 (family=LevelSetFamily.exp2; k, j) or Pow2 (LevelSetFamily.pow2; k, a), rounded up.");
  m.def("levelset_radius",
        [family](const Array& p, LevelSetFamily kind, int64_t dim, double k, double j, double a, double rel_tol) {
          const SphericalFamily fam = family(kind, dim, k, j, a);
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
        py::arg("p"), py::kw_only(), py::arg("family"), py::arg("dim"), py::arg("k"), py::arg("j") = 0.0, py::arg("a") = 0.0,
        py::arg("rel_tol") = 1e-9, "Level-set radius by root finding on rho(e), certified side, rounded down.");

  m.def("np_radius", &np_radius, py::arg("dim"), py::arg("k"), py::arg("sigma"), py::arg("p_low"),
        "Neyman–Pearson l2 radius of generalized-Gaussian smoothing for each p_A lower bound (NaN if <= 1/2).");
  m.def("dsrs_radius", &dsrs_radius, py::arg("dim"), py::arg("k"), py::arg("sigma"), py::arg("kind"),
        py::arg("q_param"), py::arg("p_low"), py::arg("p_high"), py::arg("q_low"), py::arg("q_high"),
        py::arg("r_start") = py::none(),
        "DSRS l2 radius; kind DsrsQ.sigma (Q generalized Gaussian with sigma q_param) or DsrsQ.ball (P "
        "restricted to the Gamma(d/2-k) percentile q_param).");
  m.def(
      "dsrs_evaluate",
      [](int64_t dim, double k, double sigma, certify::DsrsQ kind, double q_param, double r, double p_low,
         double p_high, double q_low, double q_high) {
        check_params(dim, k, sigma);
        const auto cdf = spherical::cosine_cdf_for(dim);
        const dsrs::Model mod(dim, k, sigma, cdf.get());
        const dsrs::QSpec q = certify::dsrs_q(mod, kind, q_param);
        const auto ev = dsrs::evaluate(mod, q, static_cast<long double>(r) / mod.scale, p_low, p_high, q_low, q_high);
        py::dict d;
        d["bound"] = static_cast<double>(ev.bound);
        d["log_lambda1"] = static_cast<double>(ev.dual.u);
        d["sign"] = ev.dual.sign;
        d["upper_p"] = ev.dual.neg;
        d["s"] = static_cast<double>(ev.dual.s);
        d["lambda1"] = static_cast<double>(ev.dual.lambda1());
        d["lambda2"] = static_cast<double>(ev.dual.lambda2());
        d["p"] = static_cast<double>(ev.p);
        d["q"] = static_cast<double>(ev.q);
        d["p_delta"] = static_cast<double>(ev.pd);
        return d;
      },
      py::arg("dim"), py::arg("k"), py::arg("sigma"), py::arg("kind"), py::arg("q_param"), py::arg("r"),
      py::arg("p_low"), py::arg("p_high"), py::arg("q_low"), py::arg("q_high"),
      "The dual at shift r (input units): multipliers, P[S], Q[S], P_delta[S] and the certified bound.");
  m.def(
      "dsrs_integrals",
      [](int64_t dim, double k, double sigma, certify::DsrsQ kind, double q_param, double r,
         double log_lambda1, int sign, double s, bool upper_p) {
        check_params(dim, k, sigma);
        const auto cdf = spherical::cosine_cdf_for(dim);
        const dsrs::Model mod(dim, k, sigma, cdf.get());
        const dsrs::QSpec q = certify::dsrs_q(mod, kind, q_param);
        dsrs::Dual dl;
        dl.u = log_lambda1;
        dl.sign = sign;
        dl.s = s;
        dl.neg = upper_p;
        const long double rn = static_cast<long double>(r) / mod.scale;
        long double pq[2];
        dsrs::p_q_integrals(mod, q, dl, rn, pq);
        const long double pd = dsrs::p_delta_integral(mod, q, dl, rn);
        return py::make_tuple(static_cast<double>(pq[0]), static_cast<double>(pq[1]), static_cast<double>(pd));
      },
      py::arg("dim"), py::arg("k"), py::arg("sigma"), py::arg("kind"), py::arg("q_param"), py::arg("r"),
      py::arg("log_lambda1"), py::arg("sign"), py::arg("s"), py::arg("upper_p") = false,
      "(P[S], Q[S], P_delta[S]) for S = {p(x - delta) < lambda1 p(x) (1 + sign e^s q(x)/p(x))}, |delta| = r.");
  m.def("hierarchical_gaussian_binary",
        py::vectorize([](double p_a, double selection_prob, double sigma, int64_t entities) {
          check_prob("p_a_lower", p_a, false);
          check_prob("selection_prob", selection_prob, false);
          check_sigma(sigma);
          check_entities(entities);
          return certify::hierarchical_gaussian_binary(p_a, selection_prob, sigma, entities);
        }),
        py::arg("p_a_lower"), py::arg("selection_prob"), py::arg("sigma"), py::arg("entities"),
        "Binary hierarchical Gaussian radius, rounded down; NaN where not certified.");
  m.def("hierarchical_gaussian_multiclass",
        py::vectorize([](double p_a, double p_b, double selection_prob, double sigma, int64_t entities) {
          check_prob("p_a_lower", p_a, false);
          check_prob("p_b_upper", p_b, true);
          check_prob("selection_prob", selection_prob, false);
          check_sigma(sigma);
          check_entities(entities);
          return certify::hierarchical_gaussian_multiclass(p_a, p_b, selection_prob, sigma, entities);
        }),
        py::arg("p_a_lower"), py::arg("p_b_upper"), py::arg("selection_prob"), py::arg("sigma"), py::arg("entities"),
        "Multiclass hierarchical Gaussian radius (certified side of a bisection); NaN where not certified.");
  m.def("hierarchical_ablation_entities",
        py::vectorize([](double p_a, double p_b, double selection_prob) {
          check_prob("p_a_lower", p_a, false);
          if (!std::isnan(p_b)) check_prob("p_b_upper", p_b, true);
          check_prob("selection_prob", selection_prob, false);
          return certify::ablation_entities(p_a, p_b, selection_prob);
        }),
        py::arg("p_a_lower"), py::arg("p_b_upper"), py::arg("selection_prob"),
        "Largest certified number of arbitrarily perturbed entities (p_b_upper NaN: binary); NaN: abstain.");
  m.def("hierarchical_sparse_rho",
        [](const py::array_t<double, py::array::forcecast>& p_a, const py::array_t<double, py::array::forcecast>& p_b,
           const py::array_t<int64_t, py::array::forcecast>& entities,
           const py::array_t<int64_t, py::array::forcecast>& additions,
           const py::array_t<int64_t, py::array::forcecast>& deletions, double selection_prob, double p_plus,
           double p_minus) {
          check_prob("selection_prob", selection_prob, false);
          check_prob("p_plus", p_plus, true);
          check_prob("p_minus", p_minus, true);
          const py::ssize_t n = p_a.size();
          if (p_a.ndim() != 1 || p_b.size() != n || entities.size() != n || additions.size() != n ||
              deletions.size() != n)
            throw py::value_error("p_a, p_b, entities, additions and deletions must be 1-D of equal length");
          py::array_t<double> lo(n), hi(n);
          auto pa = p_a.unchecked<1>();
          auto pb = p_b.unchecked<1>();
          auto r = entities.unchecked<1>();
          auto ra = additions.unchecked<1>();
          auto rd = deletions.unchecked<1>();
          for (py::ssize_t i = 0; i < n; ++i) {
            check_prob("p_a_lower", pa(i), false);
            check_entities(r(i));
            if (ra(i) < 0) throw py::value_error("additions must be >= 0");
            if (rd(i) < 0) throw py::value_error("deletions must be >= 0");
            if (!std::isnan(pb(i))) check_prob("p_b_upper", pb(i), true);
          }
          auto lo_m = lo.mutable_unchecked<1>();
          auto hi_m = hi.mutable_unchecked<1>();
          {
            py::gil_scoped_release release;
            certify::SparseCertifier cert(selection_prob, p_plus, p_minus);
            for (py::ssize_t i = 0; i < n; ++i) {
              lo_m(i) = cert.rho_lower(pa(i), r(i), ra(i), rd(i));
              hi_m(i) = std::isnan(pb(i)) ? std::nan("") : cert.rho_upper(pb(i), r(i), ra(i), rd(i));
            }
          }
          return py::make_tuple(lo, hi);
        },
        py::arg("p_a_lower"), py::arg("p_b_upper"), py::arg("entities"), py::arg("additions"), py::arg("deletions"),
        py::arg("selection_prob"), py::arg("p_plus"), py::arg("p_minus"),
        "Worst-case probabilities (rho_lower of class A rounded down, rho_upper of class B rounded up; NaN where "
        "p_b_upper is NaN) for hierarchical sparse smoothing.");
  m.def("hierarchical_sparse_regions",
        [](int64_t additions, int64_t deletions, double p_plus, double p_minus) {
          const certify::SparseRegions r = certify::sparse_regions(additions, deletions, p_plus, p_minus);
          py::array_t<double> px(static_cast<py::ssize_t>(r.px.size())), py_(static_cast<py::ssize_t>(r.py.size()));
          for (size_t k = 0; k < r.px.size(); ++k) {
            px.mutable_at(k) = static_cast<double>(r.px[k]);
            py_.mutable_at(k) = static_cast<double>(r.py[k]);
          }
          return py::make_tuple(px, py_);
        },
        py::arg("additions"), py::arg("deletions"), py::arg("p_plus"), py::arg("p_minus"),
        "Sparse-smoothing regions (mass under x, mass under the perturbed input), decreasing likelihood ratio.");
}

}  // namespace smoothcert::bindings
