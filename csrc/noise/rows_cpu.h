// CPU row machinery shared by the noise loops: when to thread, the vector-lanes switch, and the
// i.i.d. shell out[i, j, :] = x[i, :] + noise(seed, role, index0 + i, sample0 + j).
// Threads split the (input, sample) rows. Within a row, generators with a vector twin
// (fill_lanes) compute simd::kLanes Philox blocks per step; others use the scalar fill, which
// runs the same operations, so each element's value depends only on its identity — never on the
// chunking or the thread layout.
#pragma once
#include <algorithm>
#include <atomic>
#include <type_traits>

#include "smoothcert/philox.h"
#include "smoothcert/simd.h"
#include "smoothcert/variates/rows.h"

namespace smoothcert::noise {

// Work below this many output elements stays on the calling thread. It is ATen's grain for
// element-wise kernels (at::internal::GRAIN_SIZE): the sampler runs between the caller's torch ops
// on the same OpenMP team, so it splits work exactly when torch itself would.
constexpr int64_t kParallelGrain = 32768;

SC_HD bool run_parallel(int64_t rows, int64_t dim) { return rows > 1 && rows * dim >= kParallelGrain; }

// Whether the CPU kernels use their vector lanes (on unless a test turns them off). Off, every
// value comes from the scalar generators, the code the CUDA kernels run, so comparing the two
// settings bit for bit checks the device math on a machine without a GPU.
inline std::atomic<bool>& vector_lanes_switch() {
  static std::atomic<bool> on{true};
  return on;
}
inline bool vector_lanes() { return vector_lanes_switch().load(std::memory_order_relaxed); }

template <class Gen, class = void>
struct has_fill_lanes : std::false_type {};
template <class Gen>
struct has_fill_lanes<Gen, std::void_t<decltype(std::declval<const Gen&>().fill_lanes(
                               std::declval<const simd::u32v*>(), std::declval<simd::f32v*>()))>>
    : std::true_type {};

// A kernel's Philox key with its round keys broadcast to vector lanes, built once per kernel call:
// built inside every row, the broadcasts cost a tenth of the time of 64-element rows.
struct RowKey {
  philox::Key key;
  philox::RoundKeys<simd::u32v> lanes;
  explicit RowKey(philox::Key k) : key(k), lanes(philox::round_keys<simd::u32v>(k)) {}
};

// Noise values for elements 0 .. dim-1 of one (input, sample) row, handed to emit(element, value).
// Where the generator has a vector twin, pairs of vectors of simd::kLanes Philox blocks are computed
// together (philox::philox_lanes), then single vectors, the tail as a partial vector; generators
// without a vector twin run the scalar loop.
// Inlined into the row loop: with short rows (a few blocks) the per-call set-up of the vector
// constants would otherwise be repeated for every row.
template <class T, class Gen, class Emit>
inline __attribute__((always_inline)) void iid_row(const Gen& gen, const RowKey& key, uint64_t sample, uint32_t input,
                                                   int64_t dim, Emit&& emit) {
  constexpr int K = Gen::kPerBlock;
  const int64_t blocks = (dim + K - 1) / K;
  int64_t blk = 0;
  if constexpr (has_fill_lanes<Gen>::value) {
    if (vector_lanes()) {
      constexpr int64_t L = simd::kLanes;
      const philox::Block base = philox::make_counter(0, sample, input);
      // Elements e0 .. e0 + count - 1 (count <= K L) from the words of one vector of blocks.
      // (Gen::kPerBlock, not K, inside the lambda: GCC 12 fails on the local constant there.)
      auto put = [&](const simd::u32v (&w)[4], int64_t e0, int64_t count) {
        simd::f32v v[Gen::kPerBlock];
        gen.fill_lanes(w, v);
        float vals[Gen::kPerBlock * simd::kLanes];
        simd::interleave_lanes(v, vals);
        for (int64_t t = 0; t < count; ++t) emit(e0 + t, vals[t]);
      };
      auto vectors = [&](auto pair) {
        constexpr int P = decltype(pair)::value;
        for (; (blk + P * L) * K <= dim; blk += P * L) {
          simd::u32v w[P][4];
          philox::philox_lanes<P>(static_cast<uint32_t>(blk), base, key.lanes, w);
          for (int j = 0; j < P; ++j) put(w[j], (blk + j * L) * K, K * L);
        }
      };
      vectors(std::integral_constant<int, 2>{});
      vectors(std::integral_constant<int, 1>{});
      if (blk < blocks) {
        // The last, partial vector: the blocks past the row are computed too (each block's values
        // depend on its counter alone) and dropped, which is cheaper than scalar Philox.
        simd::u32v w[1][4];
        philox::philox_lanes<1>(static_cast<uint32_t>(blk), base, key.lanes, w);
        put(w[0], blk * K, dim - blk * K);
        return;
      }
    }
  }
  for (; blk < blocks; ++blk) {
    const philox::Block b = philox::philox4x32_10(philox::make_counter(static_cast<uint32_t>(blk), sample, input), key.key);
    T vals[K];
    gen.fill(b, vals);
    for (int q = 0; q < K && blk * K + q < dim; ++q) emit(blk * K + q, vals[q]);
  }
}

// out[i, j, e] = combine(x[i, e], v_e) with v the generator's row (default: x + v).
template <class T, class Gen, class Combine = AddNoise>
void add_iid_noise_cpu(const T* x, T* out, const IidProblem& pb, const Gen& gen, Combine combine = {}) {
  const int64_t rows = pb.inputs * pb.samples;
  const RowKey key(philox::make_key(pb.seed, pb.role));
#pragma omp parallel for schedule(static) if (run_parallel(rows, pb.dim))
  for (int64_t row = 0; row < rows; ++row) {
    const RowIds id = row_ids(pb, row);
    const T* xi = x + id.i * pb.dim;
    T* o = out + row * pb.dim;
    iid_row<T>(gen, key, id.sample, id.input, pb.dim, [&](int64_t e, T v) { o[e] = combine(xi[e], v); });
  }
}

}  // namespace smoothcert::noise
