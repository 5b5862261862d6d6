// Split variates of Levine & Feizi, "Improved, Deterministic Smoothing for L1 Certified Robustness"
// (ICML 2021): SSN (random split values) and DSSN (all L quantised shifts, enumerated). Written
// once, host+device, for noise/split_noise_cpu.cpp and noise/split_noise_cuda.cu.
#pragma once
#include <cstdint>
#include <type_traits>

#include "smoothcert/common.h"
#include "smoothcert/philox.h"
#include "smoothcert/simd.h"
#include "smoothcert/variates/standard.h"

namespace smoothcert::noise::shapes {

// Split values of SSN (Levine & Feizi 2021, Sec. 3): s ~ U(0, 2 lambda) per coordinate.
template <class T>
struct SplitGen {
  T width;  // 2 lambda
  static constexpr int kPerBlock = sizeof(T) == 4 ? 4 : 2;
  SC_HD void fill(philox::Block b, T out[kPerBlock]) const {
    if constexpr (sizeof(T) == 4) {
      const auto one = [&](uint32_t w) { return width * sampling::uniform_open_f(w); };
      out[0] = one(b.v0); out[1] = one(b.v1); out[2] = one(b.v2); out[3] = one(b.v3);
    } else {
      out[0] = width * sampling::uniform_open_d(b.v0, b.v1);
      out[1] = width * sampling::uniform_open_d(b.v2, b.v3);
    }
  }
#if !defined(__CUDACC__)
  // Vector twin for the CPU rows (float only).
  template <class X = T, class = std::enable_if_t<sizeof(X) == 4>>
  SC_HD void fill_lanes(const simd::u32v w[4], simd::f32v out[4]) const {
    for (int i = 0; i < 4; ++i) out[i] = width * sampling::uniform_open24<simd::f32v>(w[i]);
  }
#endif
};

// The value SSN and DSSN show the base classifier for input coordinate x and split value s with
// bin width w (= 2 lambda): the bin of the lattice s + w Z that contains x is (u - w, u] with
// u = w ceil((x - s) / w) + s; the classifier sees the midpoint of that bin clipped to [0, 1].
// Only the bin matters for the certificate (Levine & Feizi 2021, Thm. 2): the clipping is a
// deterministic function of the bin, so it changes nothing in the guarantee.
template <class T>
SC_HD T split_value(T x, T s, T w) {
  const T u = w * ceil((x - s) / w) + s;
  const T hi = u < T(1) ? u : T(1);
  const T lo = u - w > T(0) ? u - w : T(0);
  return (hi + lo) * T(0.5);
}

// How the i.i.d. shells combine input coordinate x with its split value s: the SSN bin midpoint.
template <class T>
struct SplitBins {
  T width;  // 2 lambda
  SC_HD T operator()(T x, T s) const { return split_value<T>(x, s, width); }
};

// DSSN (Levine & Feizi 2021, Sec. 4): one offset o_e in {0, ..., L-1} per coordinate from the
// seed (role kRoleAux, shared by every input and sample), shift number t uses the split value
// s = ((o_e + t) mod L + 1/2) / 255. Inputs are on the 1/255 grid, x = a / 255 with a integer,
// so the bin is computed exactly in integers: the lattice point u = (c L + b + 1/2) / 255,
// b = (o_e + t) mod L, is the smallest one >= x iff c L >= a - b (as c L + b + 1/2 > a
// <=> c L >= a - b for integers), i.e. c = ceil((a - b) / L).
SC_HD uint32_t dssn_offset(const philox::Key& key, int64_t e, int64_t levels) {
  const philox::Block b =
      philox::philox4x32_10(philox::make_counter(static_cast<uint32_t>(e >> 2), 0, 0), key);
  const uint32_t w[4] = {b.v0, b.v1, b.v2, b.v3};
  return static_cast<uint32_t>((static_cast<uint64_t>(w[e & 3]) * static_cast<uint64_t>(levels)) >> 32);
}

template <class T>
SC_HD T dssn_value(T x, uint32_t offset, int64_t shift, int64_t levels) {
  const int64_t a = static_cast<int64_t>(rint(static_cast<double>(x) * 255.0));
  const int64_t b = (static_cast<int64_t>(offset) + shift) % levels;
  const int64_t t = a - b;
  // ceil(t / L) for either sign of t (C++ division truncates toward zero).
  const int64_t c = t > 0 ? (t + levels - 1) / levels : -((-t) / levels);
  const double u = (static_cast<double>(c * levels + b) + 0.5) / 255.0;
  const double w = static_cast<double>(levels) / 255.0;
  const double hi = u < 1.0 ? u : 1.0;
  const double lo = u - w > 0.0 ? u - w : 0.0;
  return static_cast<T>((hi + lo) * 0.5);
}

}  // namespace smoothcert::noise::shapes
