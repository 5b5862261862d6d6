// Hierarchical smoothing samplers (Scholten et al., "Hierarchical Randomized Smoothing", NeurIPS 2023):
// each entity (an image pixel with all its channels, a graph node's feature row) is selected with
// probability p; selected entities get lower-level noise (Gaussian, or sparse bit flips), the others are
// copied unchanged. Written once for the CPU loops (noise/hierarchical_noise_cpu.cpp) and the CUDA kernels
// (noise/hierarchical_noise_cuda.cu).
//
// Streams, all under key (seed, role):
//   selection of entity e  : counter (e / 4, sample, input, draw = kSelectDraw), word e % 4;
//   Gaussian noise          : counter (element block, sample, input, draw = 0), as the i.i.d. shell;
//   bit flips of entity e, column chunk c : an ElementStream with block = e * chunks + c, draws
//                             0, 1, 2, ... (at most 3 words per column, far below kSelectDraw).
// Every value is therefore a pure function of (seed, role, input, sample, element).
#pragma once
#include "smoothcert/common.h"
#include "smoothcert/philox.h"
#include "smoothcert/variates/standard.h"

namespace smoothcert {
namespace hierarchical {

// The selection stream uses the last draw index so it never meets a noise stream.
constexpr uint32_t kSelectDraw = 0xFFFFu;
// Columns per flip stream: at most 3 words per column keeps a chunk below 2^14 Philox blocks.
constexpr int64_t kFlipChunk = 4096;

// 32-bit selection threshold: entity selected iff word < threshold. Rounded up so the realised
// selection probability is >= p (by < 2^-32): a larger p only shrinks Delta = 1 - p^r, so the
// certificate computed for p stays valid.
SC_HD uint64_t select_threshold(double p) {
  const double t = ceil(p * 4294967296.0);
  return t >= 4294967296.0 ? 4294967296ull : static_cast<uint64_t>(t);
}

// 64-bit flip threshold: flip iff (hi, lo) < threshold * 2^-64, exact for the double p to 2^-64.
SC_HD uint64_t flip_threshold64(double p) {
  if (!(p < 1.0)) return ~0ull;
  // p * 2^64 for p in [0, 1): 2^64 is exact in double, the product rounds to nearest (< 2^-11 rel.).
  return static_cast<uint64_t>(p * 18446744073709551616.0);
}

SC_HD bool entity_selected(const philox::Key& key, int64_t entity, uint64_t sample, uint32_t input,
                           uint64_t threshold) {
  const philox::Block b = philox::philox4x32_10(
      philox::make_counter(static_cast<uint32_t>(entity >> 2), sample, input, kSelectDraw), key);
  const int w = static_cast<int>(entity & 3);
  const uint32_t word = w == 0 ? b.v0 : (w == 1 ? b.v1 : (w == 2 ? b.v2 : b.v3));
  return static_cast<uint64_t>(word) < threshold;
}

// Sparse (binary) lower-level noise on one column chunk [c0, c1) of one selected entity row:
// ones are deleted with probability p_minus (one 64-bit comparison each, in column order), then
// zeros are switched on with probability p_plus by geometric gaps (Devroye, "Non-Uniform Random
// Variate Generation", X.2): the gap to the next candidate column is floor(log U / log(1 - p_plus)).
// A candidate falling on a one is ignored, so every zero flips independently with probability p_plus.
// `row` is the input row (values 0/1), `out` the output row, both indexed by absolute column.
template <class T>
SC_HD void flip_chunk(const T* row, T* out, int64_t c0, int64_t c1, sampling::ElementStream& rng,
                      uint64_t minus_thr, bool minus_all, double log1m_plus, bool plus_all,
                      bool plus_none) {
  for (int64_t c = c0; c < c1; ++c) {
    if (row[c] != T(0)) {
      const uint64_t hi = rng.next_word();
      const uint64_t w = (hi << 32) | rng.next_word();
      out[c] = (minus_all || w < minus_thr) ? T(0) : T(1);
    }
  }
  if (plus_none) return;
  int64_t c = c0 - 1;
  for (;;) {
    if (plus_all) {
      c += 1;
    } else {
      const double g = floor(log(rng.uniform()) / log1m_plus);
      if (!(g < static_cast<double>(c1 - c))) break;
      c += 1 + static_cast<int64_t>(g);
    }
    if (c >= c1) break;
    if (row[c] == T(0)) out[c] = T(1);
  }
}

}  // namespace hierarchical
}  // namespace smoothcert
