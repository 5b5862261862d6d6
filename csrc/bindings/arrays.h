// Validation at the boundary (buffers and scalar arguments), with messages naming the argument.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cmath>
#include <string>

#include "smoothcert/variates/rows.h"

namespace smoothcert::bindings {

namespace py = pybind11;

inline double check_finite_positive(const char* name, double v) {
  if (!(v > 0) || !std::isfinite(v))
    throw py::value_error(std::string(name) + " must be a finite number > 0, got " + std::to_string(v));
  return v;
}

inline void check_sigma(double sigma) { check_finite_positive("sigma", sigma); }

// A probability in [0, 1] (allow_zero) or (0, 1].
inline void check_prob(const char* name, double p, bool allow_zero) {
  if (!(p <= 1.0) || !(allow_zero ? p >= 0.0 : p > 0.0))
    throw py::value_error(std::string(name) + (allow_zero ? " must lie in [0, 1], got " : " must lie in (0, 1], got ") +
                          std::to_string(p));
}

// x: [B, D] and out: [B, m, D], C-contiguous, same dtype, out writeable.
template <class T>
noise::IidProblem check_noise_buffers(const py::array_t<T>& x, py::array_t<T>& out, uint64_t seed,
                                      uint32_t role, int64_t index0, int64_t sample0) {
  if (x.ndim() != 2) throw py::value_error("x must have shape [inputs, dim], got ndim=" + std::to_string(x.ndim()));
  if (out.ndim() != 3) throw py::value_error("out must have shape [inputs, samples, dim], got ndim=" + std::to_string(out.ndim()));
  if (!(x.flags() & py::array::c_style)) throw py::value_error("x must be C-contiguous");
  if (!(out.flags() & py::array::c_style)) throw py::value_error("out must be C-contiguous");
  if (!out.writeable()) throw py::value_error("out must be writeable");
  if (out.shape(0) != x.shape(0) || out.shape(2) != x.shape(1))
    throw py::value_error("out shape does not match x: expected [" + std::to_string(x.shape(0)) + ", m, " +
                          std::to_string(x.shape(1)) + "]");
  if (index0 < 0 || sample0 < 0) throw py::value_error("index and sample offsets must be >= 0");
  if (index0 + x.shape(0) > (int64_t{1} << 32)) throw py::value_error("input index exceeds 2^32");
  if (sample0 + out.shape(1) > (int64_t{1} << 48)) throw py::value_error("sample index exceeds 2^48");
  return noise::IidProblem{x.shape(0), out.shape(1), x.shape(1), seed, role, index0, sample0};
}

}  // namespace smoothcert::bindings
