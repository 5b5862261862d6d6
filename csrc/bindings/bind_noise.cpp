// _core.noise: the fused samplers of every family (host buffers validated here, device pointers
// trusted to describe [inputs, dim] and [inputs, samples, dim] buffers of the stated dtype), the
// raw Philox bijection, the vector-lanes switch and vote counting.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <array>
#include <cmath>
#include <string>

#include "bindings/arrays.h"
#include "bindings/register.h"
#include "noise/gaussian_noise.h"
#include "noise/hierarchical_noise.h"
#include "noise/expp_noise.h"
#include "noise/iid_noise.h"
#include "noise/radial_noise.h"
#include "noise/rows_cpu.h"
#include "noise/split_noise.h"
#include "noise/votes.h"

namespace py = pybind11;

namespace smoothcert::bindings {
namespace {

template <class T>
void gaussian_sample(const py::array_t<T, py::array::forcecast>& x, py::array_t<T>& out, double sigma,
                     uint64_t seed, uint32_t role, int64_t index0, int64_t sample0) {
  check_sigma(sigma);
  const noise::IidProblem pb = check_noise_buffers<T>(x, out, seed, role, index0, sample0);
  const T* xp = x.data();
  T* op = out.mutable_data();
  py::gil_scoped_release release;
  noise::gaussian_sample_cpu<T>(xp, op, pb, static_cast<T>(sigma));
}

void throw_nan_row(int64_t bad) {
  if (bad >= 0) throw py::value_error("model output contains NaN (row " + std::to_string(bad) + ")");
}

using noise::IidProblem;
using namespace noise::shapes;

void check_dim(int64_t dim) {
  if (dim >= (int64_t{1} << 32)) throw py::value_error("dim must be < 2^32, got " + std::to_string(dim));
}

void check_iid(const IidSpec& s) {
  check_finite_positive("lambd", s.lambd);
  if (s.law == IidLaw::kPareto) check_finite_positive("a", s.a);
}

void check_radial(const RadialSpec& s) {
  check_finite_positive("lambd", s.lambd);
  check_finite_positive("power", s.power);
  if (s.law != RadiusLaw::kPowerUniform) check_finite_positive("shape1", s.shape1);
  if (s.law == RadiusLaw::kBetaPrime || s.law == RadiusLaw::kTruncatedGamma) check_finite_positive("shape2", s.shape2);
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
  check_finite_positive("p", p);
  check_finite_positive("lambd", lambd);
  const IidProblem pb = host_problem<T>(x, out, seed, role, index0, sample0);
  const T* xp = x.data();
  T* op = out.mutable_data();
  py::gil_scoped_release release;
  expp_sample_cpu<T>(xp, op, pb, p, lambd);
}

template <class T>
void ssn_host(const py::array_t<T, py::array::forcecast>& x, py::array_t<T>& out, double lambd, uint64_t seed,
              uint32_t role, int64_t index0, int64_t sample0) {
  check_finite_positive("lambd", lambd);
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
          check_finite_positive("p", p);
          check_finite_positive("lambd", lambd);
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
          check_finite_positive("lambd", lambd);
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
void hierarchical_gaussian_sample(const py::array_t<T, py::array::forcecast>& x, py::array_t<T>& out, int64_t channels,
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
void hierarchical_flip_sample(const py::array_t<T, py::array::forcecast>& x, py::array_t<T>& out, int64_t entities,
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

void register_noise(py::module_& m) {
  m.def("philox4x32_10",
        [](std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key) {
          const philox::Block b = philox::philox4x32_10(philox::Block{counter[0], counter[1], counter[2], counter[3]},
                                                        philox::Key{key[0], key[1]});
          return std::array<uint32_t, 4>{b.v0, b.v1, b.v2, b.v3};
        },
        py::arg("counter"), py::arg("key"), "The raw Philox4x32-10 bijection (for known-answer tests).");
  m.def("set_vector_lanes",
        [](bool enabled) { return noise::vector_lanes_switch().exchange(enabled); }, py::arg("enabled"),
        "Turn the CPU kernels' vector lanes on (the default) or off; returns the previous setting. Off, "
        "every value comes from the scalar generators that the CUDA kernels run: tests compare the two "
        "bit for bit. Process-wide; both settings give the same values, only the speed differs.");
  m.def("gaussian_sample", &gaussian_sample<float>, py::arg("x"), py::arg("out"), py::arg("sigma"),
        py::arg("seed"), py::arg("role"), py::arg("index0"), py::arg("sample0"),
        "out[i, j, :] = x[i, :] + sigma * N(0, I) for float32 buffers x [B, D], out [B, m, D].");
  m.def("gaussian_sample", &gaussian_sample<double>, py::arg("x"), py::arg("out"), py::arg("sigma"),
        py::arg("seed"), py::arg("role"), py::arg("index0"), py::arg("sample0"),
        "out[i, j, :] = x[i, :] + sigma * N(0, I) for float64 buffers x [B, D], out [B, m, D].");
  m.def("accumulate_votes_ptr",
        [](uintptr_t scores, int bits, int64_t groups, int64_t per_input, int64_t classes, uintptr_t counts) {
          if (groups < 0 || per_input < 1 || classes < 1) throw py::value_error("bad vote buffer geometry");
          int64_t* cp = reinterpret_cast<int64_t*>(counts);
          if (bits == 32) throw_nan_row(noise::count_votes(reinterpret_cast<const float*>(scores), groups, per_input, classes, cp));
          else if (bits == 64) throw_nan_row(noise::count_votes(reinterpret_cast<const double*>(scores), groups, per_input, classes, cp));
          else throw py::value_error("scores must be float32 or float64");
        },
        py::arg("scores"), py::arg("bits"), py::arg("groups"), py::arg("per_input"), py::arg("classes"),
        py::arg("counts"),
        "counts[g] += votes (first argmax) of score rows g*per_input .. (g+1)*per_input - 1, on host "
        "pointers the caller has checked: contiguous scores [groups * per_input, classes] of float<bits>, "
        "int64 counts [groups, classes]. Pointers, not arrays: converting tensors to arrays would cost "
        "more than counting the votes of a small model.");
#if defined(SMOOTHCERT_WITH_CUDA)
  m.def("gaussian_sample_cuda",
        [](uintptr_t x, uintptr_t out, int64_t inputs, int64_t samples, int64_t dim, int bits, double sigma,
           uint64_t seed, uint32_t role, int64_t index0, int64_t sample0, uintptr_t stream) {
          check_sigma(sigma);
          const noise::IidProblem pb{inputs, samples, dim, seed, role, index0, sample0};
          if (bits == 32)
            noise::gaussian_sample_cuda_f32(reinterpret_cast<const float*>(x), reinterpret_cast<float*>(out), pb,
                                            static_cast<float>(sigma), stream);
          else if (bits == 64)
            noise::gaussian_sample_cuda_f64(reinterpret_cast<const double*>(x), reinterpret_cast<double*>(out), pb,
                                            sigma, stream);
          else
            throw py::value_error("dtype must be float32 or float64");
        },
        py::arg("x"), py::arg("out"), py::arg("inputs"), py::arg("samples"), py::arg("dim"), py::arg("bits"),
        py::arg("sigma"), py::arg("seed"), py::arg("role"), py::arg("index0"), py::arg("sample0"),
        py::arg("stream"), "Device-pointer twin of gaussian_sample.");
#endif

  py::enum_<IidLaw>(m, "IidLaw", "Law of i.i.d. coordinates")
      .value("uniform", IidLaw::kUniform)
      .value("laplace", IidLaw::kLaplace)
      .value("pareto", IidLaw::kPareto);
  py::enum_<Direction>(m, "Direction", "Norm whose unit sphere the direction is uniform on")
      .value("l1", Direction::kL1)
      .value("l2", Direction::kL2)
      .value("linf", Direction::kLinf);
  py::enum_<RadiusLaw>(m, "RadiusLaw", "Law of the radius: U^power, Gamma^power, BetaPrime^power or (Gamma conditioned on <= shape2)^power")
      .value("power_uniform", RadiusLaw::kPowerUniform)
      .value("gamma", RadiusLaw::kGamma)
      .value("beta_prime", RadiusLaw::kBetaPrime)
      .value("truncated_gamma", RadiusLaw::kTruncatedGamma);
  def_host<float>(m);
  def_host<double>(m);
#if defined(SMOOTHCERT_WITH_CUDA)
  def_device(m);
#endif

  const char* gdoc =
      "Hierarchical Gaussian noise: x [B, C*E*F] viewed as [C, E, F]; out [B, m, (C+ic)*E*(F+if)].";
  m.def("hierarchical_gaussian_sample", &hierarchical_gaussian_sample<float>, py::arg("x"), py::arg("out"), py::arg("channels"),
        py::arg("entities"), py::arg("features"), py::arg("ind_channel"), py::arg("ind_feature"),
        py::arg("selection_prob"), py::arg("sigma"), py::arg("seed"), py::arg("role"), py::arg("index0"),
        py::arg("sample0"), gdoc);
  m.def("hierarchical_gaussian_sample", &hierarchical_gaussian_sample<double>, py::arg("x"), py::arg("out"), py::arg("channels"),
        py::arg("entities"), py::arg("features"), py::arg("ind_channel"), py::arg("ind_feature"),
        py::arg("selection_prob"), py::arg("sigma"), py::arg("seed"), py::arg("role"), py::arg("index0"),
        py::arg("sample0"), gdoc);
  const char* fdoc = "Hierarchical sparse bit flips: x [B, E*F] of 0/1 viewed as [E, F]; out [B, m, E*(F+ind)].";
  m.def("hierarchical_flip_sample", &hierarchical_flip_sample<float>, py::arg("x"), py::arg("out"), py::arg("entities"), py::arg("features"),
        py::arg("indicator"), py::arg("selection_prob"), py::arg("p_plus"), py::arg("p_minus"), py::arg("seed"),
        py::arg("role"), py::arg("index0"), py::arg("sample0"), fdoc);
  m.def("hierarchical_flip_sample", &hierarchical_flip_sample<double>, py::arg("x"), py::arg("out"), py::arg("entities"), py::arg("features"),
        py::arg("indicator"), py::arg("selection_prob"), py::arg("p_plus"), py::arg("p_minus"), py::arg("seed"),
        py::arg("role"), py::arg("index0"), py::arg("sample0"), fdoc);
#if defined(SMOOTHCERT_WITH_CUDA)
  m.def("hierarchical_gaussian_sample_cuda",
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
        py::arg("sample0"), py::arg("stream"), "Device-pointer twin of hierarchical_gaussian_sample.");
  m.def("hierarchical_flip_sample_cuda",
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
        "Device-pointer twin of hierarchical_flip_sample.");
#endif
}

}  // namespace smoothcert::bindings
