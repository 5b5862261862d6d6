// CUDA shell for i.i.d. noise: a grid-stride loop over (row, element block) calling the same
// generator as the CPU shell (iid_cpu.h).
#pragma once
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "noise/iid.h"

namespace smoothcert::noise {

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
  const int threads = 256;
  const int64_t grid = std::min<int64_t>((total + threads - 1) / threads, 65535LL * 8);
  add_iid_noise_kernel<T, Gen><<<static_cast<unsigned>(grid), threads, 0, stream>>>(x, out, pb, gen, blocks);
  const cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) throw std::runtime_error(std::string("CUDA kernel launch failed: ") + cudaGetErrorString(err));
}

}  // namespace smoothcert::noise
