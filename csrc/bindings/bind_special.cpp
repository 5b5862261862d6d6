// _core.special: the special functions behind the certificates, exposed for the mpmath tests.
#include <pybind11/numpy.h>

#include <string>

#include "bindings/register.h"
#include "smoothcert/special/beta.h"
#include "smoothcert/special/gamma.h"
#include "smoothcert/spherical.h"

namespace py = pybind11;

namespace smoothcert::bindings {
namespace {

using Arr = py::array_t<double, py::array::c_style | py::array::forcecast>;

}  // namespace

void register_special(py::module_& m) {
  m.def("norm_ppf_down", py::vectorize([](double p) { return special::norm_ppf_down(p); }), py::arg("p"),
        "A value <= Phi^{-1}(p), within 2 ulps.");
  m.def("norm_ppf_up", py::vectorize([](double p) { return special::norm_ppf_up(p); }), py::arg("p"),
        "A value >= Phi^{-1}(p), within 2 ulps.");
  m.def("norm_cdf_down", py::vectorize([](double x) { return special::norm_cdf_down(x); }), py::arg("x"),
        "A value <= Phi(x), within 2 ulps.");
  m.def("gamma_p", [](double a, double x) { return static_cast<double>(special::gamma_p(a, x)); }, py::arg("a"),
        py::arg("x"), "Regularised lower incomplete gamma P(a, x).");
  m.def("gamma_q", [](double a, double x) { return static_cast<double>(special::gamma_q(a, x)); }, py::arg("a"),
        py::arg("x"), "Regularised upper incomplete gamma Q(a, x) = 1 - P(a, x).");
  m.def("gamma_p_inv", [](double a, double p) { return static_cast<double>(special::gamma_p_inv(a, p)); },
        py::arg("a"), py::arg("p"), "Inverse of P(a, .) .");
  m.def("log_gamma_pq",
        [](double a, double x) {
          real lp, lq;
          special::gamma_log_pq(a, x, lp, lq);
          return py::make_tuple(static_cast<double>(lp), static_cast<double>(lq));
        },
        py::arg("a"), py::arg("x"), "(log P(a, x), log Q(a, x)).");
  m.def("gamma_inv_pq",
        [](double a, double q, double qc) { return static_cast<double>(special::gamma_p_inv_newton(a, q, qc)); },
        py::arg("a"), py::arg("q"), py::arg("qc"), "x with P(a, x) = q, given q and its complement qc = 1 - q.");
  m.def("beta_inc", [](double a, double b, double x) { return static_cast<double>(special::inc_beta(a, b, x)); },
        py::arg("a"), py::arg("b"), py::arg("x"), "Regularised incomplete beta I_x(a, b).");
  m.def("log_beta_inc",
        [](double a, double b, double x, double xc) {
          real li, lic;
          special::log_inc_beta(a, b, x, xc, li, lic);
          return py::make_tuple(static_cast<double>(li), static_cast<double>(lic));
        },
        py::arg("a"), py::arg("b"), py::arg("x"), py::arg("xc"),
        "(log I_x(a, b), log(1 - I_x(a, b))), given x and xc = 1 - x.");
  m.def("beta_inc_inv",
        [](double a, double b, double q, double qc) {
          real xc;
          const real x = special::inv_inc_beta(a, b, q, qc, xc);
          return py::make_tuple(static_cast<double>(x), static_cast<double>(xc));
        },
        py::arg("a"), py::arg("b"), py::arg("q"), py::arg("qc"),
        "(x, 1 - x) with I_x(a, b) = q, given q and qc = 1 - q.");
  m.def("ell_inverse", [](double k, double h) { return static_cast<double>(spherical::ell_inverse(k, h)); },
        py::arg("k"), py::arg("h"), "The W > 0 with W + k ln W = -h.");
  m.def(
      "cosine_cdf",
      [](int64_t dim, const Arr& t) {
        if (dim < 2) throw py::value_error("dim must be >= 2, got " + std::to_string(dim));
        const auto cdf = spherical::cosine_cdf_for(dim);
        Arr out(t.size());
        for (py::ssize_t i = 0; i < t.size(); ++i) out.mutable_data()[i] = static_cast<double>((*cdf)(t.data()[i]));
        return out;
      },
      py::arg("dim"), py::arg("t"), "P[cos(theta) <= t] for a uniform direction in dim dimensions.");
}

}  // namespace smoothcert::bindings
