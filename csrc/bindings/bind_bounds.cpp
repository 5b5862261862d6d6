// _core.bounds: binomial confidence bounds and tests, and Cohen et al.'s selection.
#include <pybind11/numpy.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "bindings/register.h"
#include "bounds/binomial.h"
#include "bounds/cohen.h"

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
        if (selection.ndim() != 2 || estimate.ndim() != 2 || selection.shape(0) != estimate.shape(0) ||
            selection.shape(1) != estimate.shape(1) || selection.shape(1) < 1)
          throw py::value_error("selection and estimate must be count arrays of one shape [inputs, classes]");
        if (n < 1) throw py::value_error("n must be >= 1");
        if (!(alpha > 0.0 && alpha < 1.0)) throw py::value_error("alpha must lie in (0, 1)");
        const int64_t rows = selection.shape(0), classes = selection.shape(1);
        py::array_t<int64_t> top(rows);
        py::array_t<double> lower(rows);
        if (!bounds::cohen_select_lower(selection.data(), estimate.data(), rows, classes, n, alpha,
                                        top.mutable_data(), lower.mutable_data()))
          throw py::value_error("counts must lie in [0, n]");
        return py::make_tuple(top, lower);
      },
      py::arg("selection"), py::arg("estimate"), py::arg("n"), py::arg("alpha"),
      "(c_A, p_A lower bound) per row: argmax of selection (lowest index on ties), Clopper-Pearson on estimate[c_A].");
  m.def("binomial_test",
        py::vectorize([](double k, double n, double p) {
          return bounds::binomial_test(as_count(k, "k"), as_count(n, "n"), p);
        }),
        py::arg("k"), py::arg("n"), py::arg("p"));
}

}  // namespace smoothcert::bindings
