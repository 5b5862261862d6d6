// CPU shell for i.i.d. noise: out[i, j, :] = x[i, :] + noise(seed, role, index0 + i, sample0 + j).
// Threads split the (input, sample) rows. Within a row, generators with a vector twin
// (fill_lanes) compute simd::kLanes Philox blocks per step; the remaining blocks use the scalar
// fill, which runs the same operations, so each element's value depends only on its identity —
// never on the chunking or the thread layout.
#pragma once
#include <algorithm>
#include <type_traits>

#include "noise/iid.h"
#include "smoothcert/simd.h"

namespace smoothcert::noise {

template <class Gen, class = void>
struct has_fill_lanes : std::false_type {};
template <class Gen>
struct has_fill_lanes<Gen, std::void_t<decltype(std::declval<const Gen&>().fill_lanes(
                               std::declval<const simd::u32v*>(), std::declval<simd::f32v*>()))>>
    : std::true_type {};

template <class T, class Gen>
void add_iid_noise_cpu(const T* x, T* out, const IidProblem& pb, const Gen& gen) {
  constexpr int K = Gen::kPerBlock;
  constexpr int64_t L = simd::kLanes;
  const int64_t blocks = (pb.dim + K - 1) / K;
  const int64_t rows = pb.inputs * pb.samples;
  const philox::Key key = philox::make_key(pb.seed, pb.role);
  // Small requests stay on the calling thread: waking a team costs more than it saves, and the
  // caller's own thread pool (torch's) may still be spinning.
  const bool parallel = rows > 1 && rows * pb.dim >= (int64_t{1} << 18);
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t i = row / pb.samples;
    const int64_t j = row % pb.samples;
    const T* xi = x + i * pb.dim;
    T* o = out + row * pb.dim;
    const uint64_t sample = static_cast<uint64_t>(pb.sample0 + j);
    const uint32_t input = static_cast<uint32_t>(pb.index0 + i);
    int64_t blk = 0;
    if constexpr (has_fill_lanes<Gen>::value) {
      const philox::Block base = philox::make_counter(0, sample, input);
      simd::u32v lane;
      for (int l = 0; l < L; ++l) lane[l] = static_cast<uint32_t>(l);
      // Whole vectors of blocks whose elements all lie inside the row.
      for (; (blk + L) * K <= pb.dim; blk += L) {
        simd::u32v w[4] = {lane + static_cast<uint32_t>(blk), simd::u32v{} + base.v1, simd::u32v{} + base.v2,
                           simd::u32v{} + base.v3};
        philox::philox_rounds(w[0], w[1], w[2], w[3], key);
        simd::f32v v[K];
        gen.fill_lanes(w, v);
        T* ob = o + blk * K;
        const T* xb = xi + blk * K;
        for (int64_t l = 0; l < L; ++l)
          for (int q = 0; q < K; ++q) ob[l * K + q] = xb[l * K + q] + v[q][l];
      }
    }
    for (; blk < blocks; ++blk) {
      const philox::Block b = philox::philox4x32_10(philox::make_counter(static_cast<uint32_t>(blk), sample, input), key);
      T vals[K];
      gen.fill(b, vals);
      for (int q = 0; q < K; ++q) {
        const int64_t e = blk * K + q;
        if (e < pb.dim) o[e] = xi[e] + vals[q];
      }
    }
  }
}

}  // namespace smoothcert::noise
