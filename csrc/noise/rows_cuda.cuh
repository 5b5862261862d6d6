// CUDA launch helpers shared by the noise kernels, and the i.i.d. shell: a grid-stride loop over
// (row, element block) calling the same generator as the CPU shell (rows_cpu.h).
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "smoothcert/philox.h"
#include "smoothcert/variates/rows.h"

namespace smoothcert::noise {

inline cudaStream_t as_stream(uintptr_t s) { return reinterpret_cast<cudaStream_t>(s); }

inline void check_launch(const char* what) {
  const cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) throw std::runtime_error(std::string(what) + " launch failed: " + cudaGetErrorString(err));
}

// Grid-stride kernels: enough blocks to cover the work, at most 8 * 65535.
inline unsigned grid_for(int64_t work, int threads) {
  return static_cast<unsigned>(std::min<int64_t>((work + threads - 1) / threads, 65535LL * 8));
}

template <class T, class Gen>
__global__ void add_iid_noise_kernel(const T* x, T* out, IidProblem pb, Gen gen, int64_t blocks) {
  constexpr int K = Gen::kPerBlock;
  const philox::Key key = philox::make_key(pb.seed, pb.role);
  const int64_t total = pb.inputs * pb.samples * blocks;
  for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < total;
       t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t row = t / blocks;
    const int64_t blk = t % blocks;
    const int64_t i = row / pb.samples;
    const int64_t j = row % pb.samples;
    const philox::Block b = philox::philox4x32_10(
        philox::make_counter(static_cast<uint32_t>(blk), static_cast<uint64_t>(pb.sample0 + j),
                             static_cast<uint32_t>(pb.index0 + i)),
        key);
    T vals[K];
    gen.fill(b, vals);
    for (int q = 0; q < K; ++q) {
      const int64_t e = blk * K + q;
      if (e < pb.dim) out[row * pb.dim + e] = x[i * pb.dim + e] + vals[q];
    }
  }
}

template <class T, class Gen>
void add_iid_noise_cuda(const T* x, T* out, const IidProblem& pb, const Gen& gen, cudaStream_t stream) {
  constexpr int K = Gen::kPerBlock;
  const int64_t blocks = (pb.dim + K - 1) / K;
  const int64_t total = pb.inputs * pb.samples * blocks;
  if (total == 0) return;
  add_iid_noise_kernel<T, Gen><<<grid_for(total, 256), 256, 0, stream>>>(x, out, pb, gen, blocks);
  check_launch("CUDA i.i.d. noise kernel");
}

}  // namespace smoothcert::noise
