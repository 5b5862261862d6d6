#include <pybind11/stl.h>

#include <array>
#include <cmath>
#include <utility>

#include "bindings/arrays.h"
#include "bindings/register.h"
#include "noise/gaussian.h"
#include "noise/iid_cpu.h"

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

// counts[g, c] += number of rows g*per_input .. (g+1)*per_input - 1 of scores [groups * per_input,
// classes] whose first maximal entry is c (torch.argmax's tie rule). A NaN score is an error, not
// a vote: returns the first row holding one (its group's counts are then partial), else -1.
// kClasses > 0 fixes the number of classes at compile time (the class loop is then unrolled, and
// consecutive rows overlap in the out-of-order core); 0 reads it from `classes`.
template <int kClasses, class T>
int64_t count_votes_rows(const T* sp, int64_t groups, int64_t per_input, int64_t classes, int64_t* cp) {
  const int64_t width = kClasses > 0 ? kClasses : classes;
  for (int64_t g = 0, r = 0; g < groups; ++g) {
    int64_t* cg = cp + g * width;
    for (const int64_t end = r + per_input; r < end; ++r) {
      // Running maximum in registers and selects, not branches: the winning class of a noisy
      // copy is unpredictable, a mispredicted branch per row costs more than the comparisons.
      const T* row = sp + r * width;
      T top = row[0];
      int64_t best = 0;
      bool nan = std::isnan(top);
      for (int64_t c = 1; c < width; ++c) {
        const T v = row[c];
        nan |= std::isnan(v);
        const bool better = v > top;
        top = better ? v : top;
        best = better ? c : best;
      }
      if (nan) return r;
      cg[best] += 1;
    }
  }
  return -1;
}

template <class T, int... kFixed>
int64_t count_votes_dispatch(const T* sp, int64_t groups, int64_t per_input, int64_t classes, int64_t* cp,
                             std::integer_sequence<int, kFixed...>) {
  int64_t bad = -1;
  const bool fixed =
      ((classes == kFixed + 2 && (bad = count_votes_rows<kFixed + 2>(sp, groups, per_input, classes, cp), true)) ||
       ...);
  return fixed ? bad : count_votes_rows<0>(sp, groups, per_input, classes, cp);
}

// Class counts 2 .. 16 (the usual data sets) get an unrolled loop; others the general one.
template <class T>
int64_t count_votes(const T* sp, int64_t groups, int64_t per_input, int64_t classes, int64_t* cp) {
  return count_votes_dispatch(sp, groups, per_input, classes, cp, std::make_integer_sequence<int, 15>{});
}

void throw_nan_row(int64_t bad) {
  if (bad >= 0) throw py::value_error("model output contains NaN (row " + std::to_string(bad) + ")");
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
          if (bits == 32) throw_nan_row(count_votes(reinterpret_cast<const float*>(scores), groups, per_input, classes, cp));
          else if (bits == 64) throw_nan_row(count_votes(reinterpret_cast<const double*>(scores), groups, per_input, classes, cp));
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
}

}  // namespace smoothcert::bindings
