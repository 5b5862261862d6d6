#include <pybind11/numpy.h>

#include <cmath>
#include <string>

#include "bindings/register.h"
#include "certify/hierarchical_cert.h"
#include "noise/hierarchical.h"

namespace py = pybind11;

namespace smoothcert::bindings {
namespace {

void check_prob(const char* name, double p, bool allow_zero) {
  if (!(p <= 1.0) || !(allow_zero ? p >= 0.0 : p > 0.0))
    throw py::value_error(std::string(name) + (allow_zero ? " must lie in [0, 1], got " : " must lie in (0, 1], got ") +
                          std::to_string(p));
}

void check_sigma(double sigma) {
  if (!(sigma > 0) || !std::isfinite(sigma))
    throw py::value_error("sigma must be a finite number > 0, got " + std::to_string(sigma));
}

void check_entities(int64_t r) {
  if (r < 0) throw py::value_error("entities must be >= 0, got " + std::to_string(r));
}

// x: [B, D] with D = channels * entities * features; out: [B, m, D_out], C-contiguous, same dtype.
template <class T>
noise::HierProblem check_buffers(const py::array_t<T>& x, py::array_t<T>& out, int64_t channels, int64_t entities,
                                 int64_t features, int ind_channel, int ind_feature, double selection_prob,
                                 uint64_t seed, uint32_t role, int64_t index0, int64_t sample0) {
  if (x.ndim() != 2) throw py::value_error("x must have shape [inputs, dim]");
  if (out.ndim() != 3) throw py::value_error("out must have shape [inputs, samples, out_dim]");
  if (!(x.flags() & py::array::c_style)) throw py::value_error("x must be C-contiguous");
  if (!(out.flags() & py::array::c_style)) throw py::value_error("out must be C-contiguous");
  if (!out.writeable()) throw py::value_error("out must be writeable");
  if (channels < 1 || entities < 1 || features < 1)
    throw py::value_error("channels, entities and features must be >= 1");
  check_prob("selection_prob", selection_prob, false);
  const noise::HierProblem pb{x.shape(0), out.shape(1), channels, entities, features, ind_channel, ind_feature,
                              seed, role, index0, sample0, selection_prob};
  if (x.shape(1) != pb.in_dim()) throw py::value_error("x dim does not equal channels * entities * features");
  if (out.shape(0) != x.shape(0) || out.shape(2) != pb.out_dim())
    throw py::value_error("out shape does not match x and the indicator layout");
  if (index0 < 0 || sample0 < 0) throw py::value_error("index and sample offsets must be >= 0");
  if (index0 + x.shape(0) > (int64_t{1} << 32)) throw py::value_error("input index exceeds 2^32");
  if (sample0 + out.shape(1) > (int64_t{1} << 48)) throw py::value_error("sample index exceeds 2^48");
  return pb;
}

template <class T>
void gaussian_sample(const py::array_t<T, py::array::forcecast>& x, py::array_t<T>& out, int64_t channels,
                     int64_t entities, int64_t features, int ind_channel, int ind_feature, double selection_prob,
                     double sigma, uint64_t seed, uint32_t role, int64_t index0, int64_t sample0) {
  check_sigma(sigma);
  const noise::HierProblem pb = check_buffers<T>(x, out, channels, entities, features, ind_channel, ind_feature,
                                                 selection_prob, seed, role, index0, sample0);
  const T* xp = x.data();
  T* op = out.mutable_data();
  py::gil_scoped_release release;
  noise::hierarchical_gaussian_cpu<T>(xp, op, pb, static_cast<T>(sigma));
}

template <class T>
void flip_sample(const py::array_t<T, py::array::forcecast>& x, py::array_t<T>& out, int64_t entities,
                 int64_t features, int indicator, double selection_prob, double p_plus, double p_minus,
                 uint64_t seed, uint32_t role, int64_t index0, int64_t sample0) {
  check_prob("p_plus", p_plus, true);
  check_prob("p_minus", p_minus, true);
  const noise::HierProblem pb = check_buffers<T>(x, out, 1, entities, features, 0, indicator, selection_prob, seed,
                                                 role, index0, sample0);
  const T* xp = x.data();
  T* op = out.mutable_data();
  py::gil_scoped_release release;
  noise::hierarchical_flip_cpu<T>(xp, op, pb, p_plus, p_minus);
}

}  // namespace

void register_hierarchical(py::module_& m) {
  const char* gdoc =
      "Hierarchical Gaussian noise: x [B, C*E*F] viewed as [C, E, F]; out [B, m, (C+ic)*E*(F+if)].";
  m.def("gaussian_sample", &gaussian_sample<float>, py::arg("x"), py::arg("out"), py::arg("channels"),
        py::arg("entities"), py::arg("features"), py::arg("ind_channel"), py::arg("ind_feature"),
        py::arg("selection_prob"), py::arg("sigma"), py::arg("seed"), py::arg("role"), py::arg("index0"),
        py::arg("sample0"), gdoc);
  m.def("gaussian_sample", &gaussian_sample<double>, py::arg("x"), py::arg("out"), py::arg("channels"),
        py::arg("entities"), py::arg("features"), py::arg("ind_channel"), py::arg("ind_feature"),
        py::arg("selection_prob"), py::arg("sigma"), py::arg("seed"), py::arg("role"), py::arg("index0"),
        py::arg("sample0"), gdoc);
  const char* fdoc = "Hierarchical sparse bit flips: x [B, E*F] of 0/1 viewed as [E, F]; out [B, m, E*(F+ind)].";
  m.def("flip_sample", &flip_sample<float>, py::arg("x"), py::arg("out"), py::arg("entities"), py::arg("features"),
        py::arg("indicator"), py::arg("selection_prob"), py::arg("p_plus"), py::arg("p_minus"), py::arg("seed"),
        py::arg("role"), py::arg("index0"), py::arg("sample0"), fdoc);
  m.def("flip_sample", &flip_sample<double>, py::arg("x"), py::arg("out"), py::arg("entities"), py::arg("features"),
        py::arg("indicator"), py::arg("selection_prob"), py::arg("p_plus"), py::arg("p_minus"), py::arg("seed"),
        py::arg("role"), py::arg("index0"), py::arg("sample0"), fdoc);
#if defined(SMOOTHCERT_WITH_CUDA)
  m.def("gaussian_sample_cuda",
        [](uintptr_t x, uintptr_t out, int64_t inputs, int64_t samples, int64_t channels, int64_t entities,
           int64_t features, int ind_channel, int ind_feature, int bits, double selection_prob, double sigma,
           uint64_t seed, uint32_t role, int64_t index0, int64_t sample0, uintptr_t stream) {
          check_sigma(sigma);
          check_prob("selection_prob", selection_prob, false);
          const noise::HierProblem pb{inputs, samples, channels, entities, features, ind_channel, ind_feature,
                                      seed, role, index0, sample0, selection_prob};
          if (bits == 32)
            noise::hierarchical_gaussian_cuda_f32(reinterpret_cast<const float*>(x), reinterpret_cast<float*>(out),
                                                  pb, static_cast<float>(sigma), stream);
          else if (bits == 64)
            noise::hierarchical_gaussian_cuda_f64(reinterpret_cast<const double*>(x), reinterpret_cast<double*>(out),
                                                  pb, sigma, stream);
          else
            throw py::value_error("dtype must be float32 or float64");
        },
        py::arg("x"), py::arg("out"), py::arg("inputs"), py::arg("samples"), py::arg("channels"), py::arg("entities"),
        py::arg("features"), py::arg("ind_channel"), py::arg("ind_feature"), py::arg("bits"),
        py::arg("selection_prob"), py::arg("sigma"), py::arg("seed"), py::arg("role"), py::arg("index0"),
        py::arg("sample0"), py::arg("stream"), "Device-pointer twin of gaussian_sample.");
  m.def("flip_sample_cuda",
        [](uintptr_t x, uintptr_t out, int64_t inputs, int64_t samples, int64_t entities, int64_t features,
           int indicator, int bits, double selection_prob, double p_plus, double p_minus, uint64_t seed,
           uint32_t role, int64_t index0, int64_t sample0, uintptr_t stream) {
          check_prob("selection_prob", selection_prob, false);
          check_prob("p_plus", p_plus, true);
          check_prob("p_minus", p_minus, true);
          const noise::HierProblem pb{inputs, samples, 1, entities, features, 0, indicator,
                                      seed, role, index0, sample0, selection_prob};
          if (bits == 32)
            noise::hierarchical_flip_cuda_f32(reinterpret_cast<const float*>(x), reinterpret_cast<float*>(out), pb,
                                              p_plus, p_minus, stream);
          else if (bits == 64)
            noise::hierarchical_flip_cuda_f64(reinterpret_cast<const double*>(x), reinterpret_cast<double*>(out), pb,
                                              p_plus, p_minus, stream);
          else
            throw py::value_error("dtype must be float32 or float64");
        },
        py::arg("x"), py::arg("out"), py::arg("inputs"), py::arg("samples"), py::arg("entities"), py::arg("features"),
        py::arg("indicator"), py::arg("bits"), py::arg("selection_prob"), py::arg("p_plus"), py::arg("p_minus"),
        py::arg("seed"), py::arg("role"), py::arg("index0"), py::arg("sample0"), py::arg("stream"),
        "Device-pointer twin of flip_sample.");
#endif

  // ---------------------------------------------------------------- certificates (vectorised)
  m.def("gaussian_binary",
        py::vectorize([](double p_a, double selection_prob, double sigma, int64_t entities) {
          check_prob("p_a_lower", p_a, false);
          check_prob("selection_prob", selection_prob, false);
          check_sigma(sigma);
          check_entities(entities);
          return certify::hierarchical_gaussian_binary(p_a, selection_prob, sigma, entities);
        }),
        py::arg("p_a_lower"), py::arg("selection_prob"), py::arg("sigma"), py::arg("entities"),
        "Binary hierarchical Gaussian radius, rounded down; NaN where not certified.");
  m.def("gaussian_multiclass",
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
  m.def("ablation_entities",
        py::vectorize([](double p_a, double p_b, double selection_prob) {
          check_prob("p_a_lower", p_a, false);
          if (!std::isnan(p_b)) check_prob("p_b_upper", p_b, true);
          check_prob("selection_prob", selection_prob, false);
          return certify::ablation_entities(p_a, p_b, selection_prob);
        }),
        py::arg("p_a_lower"), py::arg("p_b_upper"), py::arg("selection_prob"),
        "Largest certified number of arbitrarily perturbed entities (p_b_upper NaN: binary); NaN: abstain.");
  m.def("sparse_rho",
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
  m.def("sparse_regions",
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
