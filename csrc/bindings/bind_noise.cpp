#include <pybind11/stl.h>

#include <array>
#include <cmath>

#include "bindings/arrays.h"
#include "bindings/register.h"
#include "noise/gaussian.h"

namespace py = pybind11;

namespace smoothcert::bindings {
namespace {

void check_sigma(double sigma) {
  if (!(sigma > 0) || !std::isfinite(sigma))
    throw py::value_error("sigma must be a finite number > 0, got " + std::to_string(sigma));
}

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

}  // namespace

void register_noise(py::module_& m) {
  m.def("philox4x32_10",
        [](std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key) {
          const philox::Block b = philox::philox4x32_10(philox::Block{counter[0], counter[1], counter[2], counter[3]},
                                                        philox::Key{key[0], key[1]});
          return std::array<uint32_t, 4>{b.v0, b.v1, b.v2, b.v3};
        },
        py::arg("counter"), py::arg("key"), "The raw Philox4x32-10 bijection (for known-answer tests).");
  m.def("gaussian_sample", &gaussian_sample<float>, py::arg("x"), py::arg("out"), py::arg("sigma"),
        py::arg("seed"), py::arg("role"), py::arg("index0"), py::arg("sample0"),
        "out[i, j, :] = x[i, :] + sigma * N(0, I) for float32 buffers x [B, D], out [B, m, D].");
  m.def("gaussian_sample", &gaussian_sample<double>, py::arg("x"), py::arg("out"), py::arg("sigma"),
        py::arg("seed"), py::arg("role"), py::arg("index0"), py::arg("sample0"),
        "out[i, j, :] = x[i, :] + sigma * N(0, I) for float64 buffers x [B, D], out [B, m, D].");
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
}

}  // namespace smoothcert::bindings
