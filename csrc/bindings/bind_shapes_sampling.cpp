// Samplers of the shapes submodule: noise families of Yang et al. (2020) and Levine & Feizi's
// split noises. Host buffers are validated here (bindings/arrays.h); device pointers are trusted
// to describe [inputs, dim] and [inputs, samples, dim] buffers of the stated dtype.
#include <pybind11/numpy.h>

#include <cmath>
#include <string>

#include "bindings/arrays.h"
#include "bindings/register.h"
#include "noise/shapes_sampling.h"

namespace py = pybind11;

namespace smoothcert::bindings {
namespace {

using noise::IidProblem;
using namespace noise::shapes;

void check_finite_positive(double v, const char* name) {
  if (!(v > 0) || !std::isfinite(v))
    throw py::value_error(std::string(name) + " must be a finite number > 0, got " + std::to_string(v));
}

void check_dim(int64_t dim) {
  if (dim >= (int64_t{1} << 32)) throw py::value_error("dim must be < 2^32, got " + std::to_string(dim));
}

void check_iid(const IidSpec& s) {
  check_finite_positive(s.lambd, "lambd");
  if (s.law == IidLaw::kPareto) check_finite_positive(s.a, "a");
}

void check_radial(const RadialSpec& s) {
  check_finite_positive(s.lambd, "lambd");
  check_finite_positive(s.power, "power");
  if (s.law != RadiusLaw::kPowerUniform) check_finite_positive(s.shape1, "shape1");
  if (s.law == RadiusLaw::kBetaPrime) check_finite_positive(s.shape2, "shape2");
}

void check_levels(int64_t levels, int64_t sample0, int64_t samples) {
  if (levels < 1) throw py::value_error("levels must be >= 1, got " + std::to_string(levels));
  if (sample0 < 0 || sample0 + samples > levels)
    throw py::value_error("DSSN enumerates exactly levels = " + std::to_string(levels) +
                          " shifts: sample indices must lie in [0, levels), got [" + std::to_string(sample0) +
                          ", " + std::to_string(sample0 + samples) + ")");
}

template <class T>
IidProblem host_problem(const py::array_t<T, py::array::forcecast>& x, py::array_t<T>& out, uint64_t seed,
                        uint32_t role, int64_t index0, int64_t sample0) {
  const IidProblem pb = check_noise_buffers<T>(x, out, seed, role, index0, sample0);
  check_dim(pb.dim);
  return pb;
}

template <class T>
void iid_host(const py::array_t<T, py::array::forcecast>& x, py::array_t<T>& out, IidLaw law, double lambd, double a,
              uint64_t seed, uint32_t role, int64_t index0, int64_t sample0) {
  const IidSpec spec{law, lambd, a};
  check_iid(spec);
  const IidProblem pb = host_problem<T>(x, out, seed, role, index0, sample0);
  const T* xp = x.data();
  T* op = out.mutable_data();
  py::gil_scoped_release release;
  iid_sample_cpu<T>(xp, op, pb, spec);
}

template <class T>
void radial_host(const py::array_t<T, py::array::forcecast>& x, py::array_t<T>& out, Direction direction,
                 RadiusLaw law, double shape1, double shape2, double power, double lambd, uint64_t seed,
                 uint32_t role, int64_t index0, int64_t sample0) {
  const RadialSpec spec{direction, law, shape1, shape2, power, lambd};
  check_radial(spec);
  const IidProblem pb = host_problem<T>(x, out, seed, role, index0, sample0);
  const T* xp = x.data();
  T* op = out.mutable_data();
  py::gil_scoped_release release;
  radial_sample_cpu<T>(xp, op, pb, spec);
}

template <class T>
void expp_host(const py::array_t<T, py::array::forcecast>& x, py::array_t<T>& out, double p, double lambd,
               uint64_t seed, uint32_t role, int64_t index0, int64_t sample0) {
  check_finite_positive(p, "p");
  check_finite_positive(lambd, "lambd");
  const IidProblem pb = host_problem<T>(x, out, seed, role, index0, sample0);
  const T* xp = x.data();
  T* op = out.mutable_data();
  py::gil_scoped_release release;
  expp_sample_cpu<T>(xp, op, pb, p, lambd);
}

template <class T>
void ssn_host(const py::array_t<T, py::array::forcecast>& x, py::array_t<T>& out, double lambd, uint64_t seed,
              uint32_t role, int64_t index0, int64_t sample0) {
  check_finite_positive(lambd, "lambd");
  const IidProblem pb = host_problem<T>(x, out, seed, role, index0, sample0);
  const T* xp = x.data();
  T* op = out.mutable_data();
  py::gil_scoped_release release;
  ssn_sample_cpu<T>(xp, op, pb, lambd);
}

template <class T>
void dssn_host(const py::array_t<T, py::array::forcecast>& x, py::array_t<T>& out, int64_t levels, uint64_t seed,
               int64_t index0, int64_t sample0) {
  const IidProblem pb = host_problem<T>(x, out, seed, 0, index0, sample0);
  check_levels(levels, sample0, pb.samples);
  const T* xp = x.data();
  T* op = out.mutable_data();
  py::gil_scoped_release release;
  dssn_sample_cpu<T>(xp, op, pb, levels);
}

template <class T>
void def_host(py::module_& m) {
  m.def("iid_sample", &iid_host<T>, py::arg("x"), py::arg("out"), py::arg("law"), py::arg("lambd"), py::arg("a"),
        py::arg("seed"), py::arg("role"), py::arg("index0"), py::arg("sample0"),
        "out[i, j, :] = x[i, :] + i.i.d. noise of the given law and scale lambd (a: Pareto tail index).");
  m.def("radial_sample", &radial_host<T>, py::arg("x"), py::arg("out"), py::arg("direction"), py::arg("law"),
        py::arg("shape1"), py::arg("shape2"), py::arg("power"), py::arg("lambd"), py::arg("seed"), py::arg("role"),
        py::arg("index0"), py::arg("sample0"),
        "out[i, j, :] = x[i, :] + lambd * R * z / ||z||: R from the radius law, z uniform on the unit sphere "
        "of the direction's norm.");
  m.def("expp_sample", &expp_host<T>, py::arg("x"), py::arg("out"), py::arg("p"), py::arg("lambd"), py::arg("seed"),
        py::arg("role"), py::arg("index0"), py::arg("sample0"),
        "out[i, j, :] = x[i, :] + noise with density proportional to exp(-||x / lambd||_p^p).");
  m.def("ssn_sample", &ssn_host<T>, py::arg("x"), py::arg("out"), py::arg("lambd"), py::arg("seed"),
        py::arg("role"), py::arg("index0"), py::arg("sample0"),
        "Split representation of x under SSN with split values U(0, 2 lambd) (Levine & Feizi 2021).");
  m.def("dssn_sample", &dssn_host<T>, py::arg("x"), py::arg("out"), py::arg("levels"), py::arg("seed"),
        py::arg("index0"), py::arg("sample0"),
        "Split representation of x (on the 1/255 grid) for DSSN shifts sample0 ... sample0 + m - 1.");
}

#if defined(SMOOTHCERT_WITH_CUDA)
IidProblem device_problem(int64_t inputs, int64_t samples, int64_t dim, uint64_t seed, uint32_t role,
                          int64_t index0, int64_t sample0) {
  if (inputs < 0 || samples < 0 || dim < 0) throw py::value_error("inputs, samples and dim must be >= 0");
  if (index0 < 0 || sample0 < 0) throw py::value_error("index and sample offsets must be >= 0");
  check_dim(dim);
  return IidProblem{inputs, samples, dim, seed, role, index0, sample0};
}

template <class F>
void by_bits(int bits, F&& f) {
  if (bits == 32)
    f(float{});
  else if (bits == 64)
    f(double{});
  else
    throw py::value_error("dtype must be float32 or float64");
}

void def_device(py::module_& m) {
  m.def("iid_sample_cuda",
        [](uintptr_t x, uintptr_t out, int64_t inputs, int64_t samples, int64_t dim, int bits, IidLaw law,
           double lambd, double a, uint64_t seed, uint32_t role, int64_t index0, int64_t sample0, uintptr_t stream) {
          const IidSpec spec{law, lambd, a};
          check_iid(spec);
          const IidProblem pb = device_problem(inputs, samples, dim, seed, role, index0, sample0);
          by_bits(bits, [&](auto t) {
            using T = decltype(t);
            iid_sample_cuda<T>(reinterpret_cast<const T*>(x), reinterpret_cast<T*>(out), pb, spec, stream);
          });
        },
        py::arg("x"), py::arg("out"), py::arg("inputs"), py::arg("samples"), py::arg("dim"), py::arg("bits"),
        py::arg("law"), py::arg("lambd"), py::arg("a"), py::arg("seed"), py::arg("role"), py::arg("index0"),
        py::arg("sample0"), py::arg("stream"), "Device-pointer twin of iid_sample.");
  m.def("radial_sample_cuda",
        [](uintptr_t x, uintptr_t out, int64_t inputs, int64_t samples, int64_t dim, int bits, Direction direction,
           RadiusLaw law, double shape1, double shape2, double power, double lambd, uint64_t seed, uint32_t role,
           int64_t index0, int64_t sample0, uintptr_t stream) {
          const RadialSpec spec{direction, law, shape1, shape2, power, lambd};
          check_radial(spec);
          const IidProblem pb = device_problem(inputs, samples, dim, seed, role, index0, sample0);
          by_bits(bits, [&](auto t) {
            using T = decltype(t);
            radial_sample_cuda<T>(reinterpret_cast<const T*>(x), reinterpret_cast<T*>(out), pb, spec, stream);
          });
        },
        py::arg("x"), py::arg("out"), py::arg("inputs"), py::arg("samples"), py::arg("dim"), py::arg("bits"),
        py::arg("direction"), py::arg("law"), py::arg("shape1"), py::arg("shape2"), py::arg("power"),
        py::arg("lambd"), py::arg("seed"), py::arg("role"), py::arg("index0"), py::arg("sample0"), py::arg("stream"),
        "Device-pointer twin of radial_sample.");
  m.def("expp_sample_cuda",
        [](uintptr_t x, uintptr_t out, int64_t inputs, int64_t samples, int64_t dim, int bits, double p, double lambd,
           uint64_t seed, uint32_t role, int64_t index0, int64_t sample0, uintptr_t stream) {
          check_finite_positive(p, "p");
          check_finite_positive(lambd, "lambd");
          const IidProblem pb = device_problem(inputs, samples, dim, seed, role, index0, sample0);
          by_bits(bits, [&](auto t) {
            using T = decltype(t);
            expp_sample_cuda<T>(reinterpret_cast<const T*>(x), reinterpret_cast<T*>(out), pb, p, lambd, stream);
          });
        },
        py::arg("x"), py::arg("out"), py::arg("inputs"), py::arg("samples"), py::arg("dim"), py::arg("bits"),
        py::arg("p"), py::arg("lambd"), py::arg("seed"), py::arg("role"), py::arg("index0"), py::arg("sample0"),
        py::arg("stream"), "Device-pointer twin of expp_sample.");
  m.def("ssn_sample_cuda",
        [](uintptr_t x, uintptr_t out, int64_t inputs, int64_t samples, int64_t dim, int bits, double lambd,
           uint64_t seed, uint32_t role, int64_t index0, int64_t sample0, uintptr_t stream) {
          check_finite_positive(lambd, "lambd");
          const IidProblem pb = device_problem(inputs, samples, dim, seed, role, index0, sample0);
          by_bits(bits, [&](auto t) {
            using T = decltype(t);
            ssn_sample_cuda<T>(reinterpret_cast<const T*>(x), reinterpret_cast<T*>(out), pb, lambd, stream);
          });
        },
        py::arg("x"), py::arg("out"), py::arg("inputs"), py::arg("samples"), py::arg("dim"), py::arg("bits"),
        py::arg("lambd"), py::arg("seed"), py::arg("role"), py::arg("index0"), py::arg("sample0"), py::arg("stream"),
        "Device-pointer twin of ssn_sample.");
  m.def("dssn_sample_cuda",
        [](uintptr_t x, uintptr_t out, int64_t inputs, int64_t samples, int64_t dim, int bits, int64_t levels,
           uint64_t seed, int64_t index0, int64_t sample0, uintptr_t stream) {
          const IidProblem pb = device_problem(inputs, samples, dim, seed, 0, index0, sample0);
          check_levels(levels, sample0, samples);
          by_bits(bits, [&](auto t) {
            using T = decltype(t);
            dssn_sample_cuda<T>(reinterpret_cast<const T*>(x), reinterpret_cast<T*>(out), pb, levels, stream);
          });
        },
        py::arg("x"), py::arg("out"), py::arg("inputs"), py::arg("samples"), py::arg("dim"), py::arg("bits"),
        py::arg("levels"), py::arg("seed"), py::arg("index0"), py::arg("sample0"), py::arg("stream"),
        "Device-pointer twin of dssn_sample.");
}
#endif

}  // namespace

void register_shapes_sampling(py::module_& m) {
  py::enum_<IidLaw>(m, "IidLaw", "Law of i.i.d. coordinates")
      .value("uniform", IidLaw::kUniform)
      .value("laplace", IidLaw::kLaplace)
      .value("pareto", IidLaw::kPareto);
  py::enum_<Direction>(m, "Direction", "Norm whose unit sphere the direction is uniform on")
      .value("l1", Direction::kL1)
      .value("l2", Direction::kL2)
      .value("linf", Direction::kLinf);
  py::enum_<RadiusLaw>(m, "RadiusLaw", "Law of the radius: U^power, Gamma^power or BetaPrime^power")
      .value("power_uniform", RadiusLaw::kPowerUniform)
      .value("gamma", RadiusLaw::kGamma)
      .value("beta_prime", RadiusLaw::kBetaPrime);
  def_host<float>(m);
  def_host<double>(m);
#if defined(SMOOTHCERT_WITH_CUDA)
  def_device(m);
#endif
}

}  // namespace smoothcert::bindings
