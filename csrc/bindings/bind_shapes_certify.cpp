// Certified radii of the all-shapes families (closed forms, differential and level-set methods),
// at scale lambda = 1, vectorised over arrays of p_A lower bounds.
#include <pybind11/numpy.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "bindings/register.h"
#include "certify/shapes_closed.h"
#include "certify/shapes_diff.h"
#include "certify/shapes_levelset.h"

namespace py = pybind11;

namespace smoothcert::bindings {
namespace {

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

double check_finite_positive(const char* name, double v) {
  if (!(v > 0) || !std::isfinite(v)) throw py::value_error(std::string(name) + " must be a finite number > 0");
  return v;
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

}  // namespace

void register_shapes_certify(py::module_& m) {
  using namespace smoothcert::certify;
  // The closed-form and differential-method radius functions below take an array of p_A lower
  // bounds in [0, 1] (ValueError otherwise) and return radii of its shape, NaN (abstain) where
  // p <= 1/2.
  m.def("check_p_lower", [](const Array& p) { check_p(p); }, py::arg("p"),
        "ValueError unless every p lies in [0, 1] (no NaN).");
  m.def("gaussian_l2", [](const Array& p) { return pointwise(p, gaussian_l2); }, py::arg("p"),
        "Phi^{-1}(p), rounded down.");
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
  register_shapes_levelset(m);
}

}  // namespace smoothcert::bindings
