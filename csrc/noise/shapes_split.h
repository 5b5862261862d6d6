// Split noise of Levine & Feizi, "Improved, Deterministic Smoothing for L1 Certified Robustness"
// (ICML 2021): SSN (random split values) and DSSN (all L quantised shifts, enumerated).
#pragma once
#include <cstdint>
#include <vector>

#include "noise/iid.h"
#if !defined(__CUDACC__)
#include "noise/iid_cpu.h"
#endif
#include "smoothcert/variates/shapes.h"

namespace smoothcert::noise::shapes {

// SSN (Levine & Feizi 2021): out[e] = split_value(x[e], s_e, 2 lambda), s_e ~ U(0, 2 lambda).
#if !defined(__CUDACC__)
template <class T>
void split_noise_cpu(const T* x, T* out, const IidProblem& pb, T width) {
  const SplitGen<T> gen{width};
  const int64_t rows = pb.inputs * pb.samples;
  const RowKey key(philox::make_key(pb.seed, pb.role));
#pragma omp parallel for schedule(static) if (run_parallel(rows, pb.dim))
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t i = row / pb.samples;
    const T* xi = x + i * pb.dim;
    T* o = out + row * pb.dim;
    const uint64_t sample = static_cast<uint64_t>(pb.sample0 + row % pb.samples);
    const uint32_t input = static_cast<uint32_t>(pb.index0 + i);
    iid_row<T>(gen, key, sample, input, pb.dim, [&](int64_t e, T s) { o[e] = split_value<T>(xi[e], s, width); });
  }
}
#endif

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

template <class T>
void dssn_cpu(const T* x, T* out, const IidProblem& pb, int64_t levels) {
  const philox::Key key = philox::make_key(pb.seed, philox::kRoleAux);
  std::vector<uint32_t> offsets(static_cast<size_t>(pb.dim));
  for (int64_t e = 0; e < pb.dim; ++e) offsets[static_cast<size_t>(e)] = dssn_offset(key, e, levels);
  const int64_t rows = pb.inputs * pb.samples;
#pragma omp parallel for schedule(static) if (run_parallel(rows, pb.dim))
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t i = row / pb.samples;
    const int64_t shift = pb.sample0 + row % pb.samples;
    for (int64_t e = 0; e < pb.dim; ++e)
      out[row * pb.dim + e] = dssn_value<T>(x[i * pb.dim + e], offsets[static_cast<size_t>(e)], shift, levels);
  }
}

}  // namespace smoothcert::noise::shapes
