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

// Grid-stride kernels: enough blocks to cover the work, at most 8 * 65535; thread t handles items
// grid_first(), grid_first() + grid_stride(), ...
__device__ __forceinline__ int64_t grid_first() { return blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; }
__device__ __forceinline__ int64_t grid_stride() { return static_cast<int64_t>(gridDim.x) * blockDim.x; }
inline unsigned grid_for(int64_t work, int threads) {
  return static_cast<unsigned>(std::min<int64_t>((work + threads - 1) / threads, 65535LL * 8));
}

// out[i, j, e] = combine(x[i, e], v_e), v from the generator's block of e (default: x + v).
template <class T, class Gen, class Combine>
__global__ void add_iid_noise_kernel(const T* x, T* out, IidProblem pb, Gen gen, Combine combine, int64_t blocks) {
  constexpr int K = Gen::kPerBlock;
  const philox::Key key = philox::make_key(pb.seed, pb.role);
  const int64_t total = pb.inputs * pb.samples * blocks;
  for (int64_t t = grid_first(); t < total; t += grid_stride()) {
    const int64_t row = t / blocks;
    const int64_t blk = t % blocks;
    const RowIds id = row_ids(pb, row);
    const philox::Block b =
        philox::philox4x32_10(philox::make_counter(static_cast<uint32_t>(blk), id.sample, id.input), key);
    T vals[K];
    gen.fill(b, vals);
    for (int q = 0; q < K; ++q) {
      const int64_t e = blk * K + q;
      if (e < pb.dim) out[row * pb.dim + e] = combine(x[id.i * pb.dim + e], vals[q]);
    }
  }
}

template <class T, class Gen, class Combine = AddNoise>
void add_iid_noise_cuda(const T* x, T* out, const IidProblem& pb, const Gen& gen, cudaStream_t stream,
                        Combine combine = {}) {
  constexpr int K = Gen::kPerBlock;
  const int64_t blocks = (pb.dim + K - 1) / K;
  const int64_t total = pb.inputs * pb.samples * blocks;
  if (total == 0) return;
  add_iid_noise_kernel<T, Gen, Combine><<<grid_for(total, 256), 256, 0, stream>>>(x, out, pb, gen, combine, blocks);
  check_launch("CUDA i.i.d. noise kernel");
}

}  // namespace smoothcert::noise
