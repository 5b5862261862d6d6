#include <pybind11/numpy.h>

#include <stdexcept>

#include "bindings/register.h"
#include "bounds/binomial.h"
#include "smoothcert/special.h"

namespace py = pybind11;

namespace smoothcert::bindings {
namespace {

// Sample counts arrive as float64 from numpy broadcasting; they must be whole numbers.
int64_t as_count(double v, const char* name) {
  if (!(v >= 0) || v != std::floor(v) || v > 9.007199254740992e15)
    throw std::invalid_argument(std::string(name) + " must be a non-negative integer, got " + std::to_string(v));
  return static_cast<int64_t>(v);
}

}  // namespace

void register_bounds(py::module_& m) {
  m.def("clopper_pearson_lower",
        py::vectorize([](double k, double n, double alpha) {
          return bounds::clopper_pearson_lower(as_count(k, "k"), as_count(n, "n"), alpha);
        }),
        py::arg("k"), py::arg("n"), py::arg("alpha"));
  m.def("clopper_pearson_upper",
        py::vectorize([](double k, double n, double alpha) {
          return bounds::clopper_pearson_upper(as_count(k, "k"), as_count(n, "n"), alpha);
        }),
        py::arg("k"), py::arg("n"), py::arg("alpha"));
  m.def("binomial_test",
        py::vectorize([](double k, double n, double p) {
          return bounds::binomial_test(as_count(k, "k"), as_count(n, "n"), p);
        }),
        py::arg("k"), py::arg("n"), py::arg("p"));
  // Directed roundings step one more ulp outward: the long-double evaluation is accurate to
  // ~1e-19 relative, which can straddle the double nearest the exact value.
  m.def("norm_ppf_down", py::vectorize([](double p) { return special::ulps_down(special::round_down(special::norm_ppf(p)), 1); }),
        py::arg("p"), "A value <= Phi^{-1}(p), within 2 ulps.");
  m.def("norm_ppf_up", py::vectorize([](double p) { return special::ulps_up(special::round_up(special::norm_ppf(p)), 1); }),
        py::arg("p"), "A value >= Phi^{-1}(p), within 2 ulps.");
  m.def("norm_cdf_down", py::vectorize([](double x) { return special::ulps_down(special::round_down(special::norm_cdf(x)), 1); }),
        py::arg("x"), "A value <= Phi(x), within 2 ulps.");
  m.def("gaussian_radius",
        py::vectorize([](double sigma, double p_lower) {
          // sigma * Phi^{-1}(p) in long double, rounded toward zero-or-less: never above the exact value.
          const special::real r = static_cast<special::real>(sigma) * special::norm_ppf(p_lower);
          return special::ulps_down(special::round_down(r), 2);
        }),
        py::arg("sigma"), py::arg("p_lower"), "sigma * Phi^{-1}(p_lower), rounded down (Cohen et al., Thm 1).");
}

}  // namespace smoothcert::bindings
