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
  m.def(
      "cohen_select_lower",
      [](const py::array_t<int64_t, py::array::c_style | py::array::forcecast>& selection,
         const py::array_t<int64_t, py::array::c_style | py::array::forcecast>& estimate, int64_t n, double alpha) {
        // Cohen et al.'s CERTIFY once the votes are counted, per row: c_A = argmax of the selection
        // counts (the lowest class on ties) and the Clopper-Pearson lower bound on p_A from c_A's
        // count among the n estimation draws. One call: per input, small numpy steps cost more.
        if (selection.ndim() != 2 || estimate.ndim() != 2 || selection.shape(0) != estimate.shape(0) ||
            selection.shape(1) != estimate.shape(1) || selection.shape(1) < 1)
          throw py::value_error("selection and estimate must be count arrays of one shape [inputs, classes]");
        if (n < 1) throw py::value_error("n must be >= 1");
        if (!(alpha > 0.0 && alpha < 1.0)) throw py::value_error("alpha must lie in (0, 1)");
        const int64_t rows = selection.shape(0), classes = selection.shape(1);
        py::array_t<int64_t> top(rows);
        py::array_t<double> lower(rows);
        const int64_t* sel = selection.data();
        const int64_t* est = estimate.data();
        int64_t* c = top.mutable_data();
        double* p = lower.mutable_data();
        for (int64_t i = 0; i < rows; ++i) {
          int64_t best = 0;
          for (int64_t j = 0; j < classes; ++j) {
            if (sel[i * classes + j] < 0 || est[i * classes + j] < 0 || est[i * classes + j] > n)
              throw py::value_error("counts must lie in [0, n]");
            if (sel[i * classes + j] > sel[i * classes + best]) best = j;
          }
          c[i] = best;
          p[i] = bounds::clopper_pearson_lower(est[i * classes + best], n, alpha);
        }
        return py::make_tuple(top, lower);
      },
      py::arg("selection"), py::arg("estimate"), py::arg("n"), py::arg("alpha"),
      "(c_A, p_A lower bound) per row: argmax of selection (lowest index on ties), Clopper-Pearson on estimate[c_A].");
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
