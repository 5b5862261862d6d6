// CPU shell for i.i.d. noise: out[i, j, :] = x[i, :] + noise(seed, role, index0 + i, sample0 + j).
// Threads split the (input, sample) rows; within a row, chunks of Philox blocks are generated in
// structure-of-arrays form so the compiler vectorises the generator. Each element's value
// depends only on its identity, never on the chunking or the thread layout.
#pragma once
#include <algorithm>

#include "noise/iid.h"

namespace smoothcert::noise {

template <class T, class Gen>
void add_iid_noise_cpu(const T* x, T* out, const IidProblem& pb, const Gen& gen) {
  constexpr int K = Gen::kPerBlock;
  constexpr int64_t kChunk = 16;
  const int64_t blocks = (pb.dim + K - 1) / K;
  const int64_t rows = pb.inputs * pb.samples;
  const philox::Key key = philox::make_key(pb.seed, pb.role);
#pragma omp parallel for schedule(static)
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t i = row / pb.samples;
    const int64_t j = row % pb.samples;
    const T* xi = x + i * pb.dim;
    T* o = out + row * pb.dim;
    const uint64_t sample = static_cast<uint64_t>(pb.sample0 + j);
    const uint32_t input = static_cast<uint32_t>(pb.index0 + i);
    for (int64_t c0 = 0; c0 < blocks; c0 += kChunk) {
      T v[K][kChunk];
      // No "omp simd" here: it privatises the generator's temporaries into per-lane arrays (scatter
      // stores) and blocks the vectorisation that GCC does on its own for this loop.
      for (int64_t c = 0; c < kChunk; ++c) {
        const philox::Block b =
            philox::philox4x32_10(philox::make_counter(static_cast<uint32_t>(c0 + c), sample, input), key);
        T vals[K];
        gen.fill(b, vals);
        for (int q = 0; q < K; ++q) v[q][c] = vals[q];
      }
      const int64_t e0 = c0 * K;
      if (e0 + kChunk * K <= pb.dim) {
        for (int64_t c = 0; c < kChunk; ++c)
          for (int q = 0; q < K; ++q) o[e0 + c * K + q] = xi[e0 + c * K + q] + v[q][c];
      } else {
        for (int64_t c = 0; c < kChunk; ++c)
          for (int q = 0; q < K; ++q) {
            const int64_t e = e0 + c * K + q;
            if (e < pb.dim) o[e] = xi[e] + v[q][c];
          }
      }
    }
  }
}

}  // namespace smoothcert::noise
