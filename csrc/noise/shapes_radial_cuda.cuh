// CUDA shells for the shapes samplers: one warp per noisy copy for radius-times-direction noise
// (lane t owns element blocks t, t + 32, ...: the reduction order of shapes_radial.h), and
// grid-stride loops over elements for Expp, SSN and DSSN. Same generator code as the CPU loops.
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "noise/shapes_expp.h"
#include "noise/shapes_radial.h"
#include "noise/shapes_split.h"

namespace smoothcert::noise::shapes {

inline void check_launch(const char* what) {
  const cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) throw std::runtime_error(std::string(what) + " launch failed: " + cudaGetErrorString(err));
}

inline unsigned grid_for(int64_t work, int threads) {
  return static_cast<unsigned>(std::min<int64_t>((work + threads - 1) / threads, 65535LL * 8));
}

template <class T, class Dir, class Rad>
__global__ void add_radial_noise_kernel(const T* x, T* out, IidProblem pb, Dir dir, Rad rad, double scale,
                                        int64_t blocks) {
  static_assert(kLanes == 32, "one warp per row");
  constexpr int K = Dir::kPerBlock;
  const int lane = threadIdx.x & 31;
  const int64_t warp = (blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x) >> 5;
  const int64_t warps = (static_cast<int64_t>(gridDim.x) * blockDim.x) >> 5;
  const int64_t rows = pb.inputs * pb.samples;
  const philox::Key key = philox::make_key(pb.seed, pb.role);
  for (int64_t row = warp; row < rows; row += warps) {
    const int64_t i = row / pb.samples;
    const int64_t j = row % pb.samples;
    const T* xi = x + i * pb.dim;
    T* o = out + row * pb.dim;
    const uint64_t sample = static_cast<uint64_t>(pb.sample0 + j);
    const uint32_t input = static_cast<uint32_t>(pb.index0 + i);
    // Every lane draws the row scalars from the same stream: identical values, no divergence.
    sampling::ElementStream rng(key, kRowBlock, sample, input);
    const typename Dir::Row rs = dir.begin(rng, pb.dim);
    const double radius = rad.draw(rng);
    double acc = 0.0;
    for (int64_t blk = lane; blk < blocks; blk += 32) {
      const philox::Block b =
          philox::philox4x32_10(philox::make_counter(static_cast<uint32_t>(blk), sample, input), key);
      T vals[K];
      dir.fill(b, vals);
      for (int q = 0; q < K; ++q) {
        const int64_t e = blk * K + q;
        if (e < pb.dim) {
          acc += Dir::weight(vals[q]);
          o[e] = vals[q];
        }
      }
    }
    double total = 0.0;
    for (int t = 0; t < 32; ++t) total += __shfl_sync(0xFFFFFFFFu, acc, t);
    const double s = Dir::kNormalise ? scale * radius / Dir::finish(total) : scale * radius;
    const T st = static_cast<T>(s);
    for (int64_t blk = lane; blk < blocks; blk += 32)
      for (int q = 0; q < K; ++q) {
        const int64_t e = blk * K + q;
        if (e < pb.dim) o[e] = xi[e] + st * dir.at(rs, e, o[e]);
      }
  }
}

template <class T, class Dir, class Rad>
void add_radial_noise_cuda(const T* x, T* out, const IidProblem& pb, const Dir& dir, const Rad& rad, double scale,
                           cudaStream_t stream) {
  constexpr int K = Dir::kPerBlock;
  const int64_t rows = pb.inputs * pb.samples;
  if (rows == 0 || pb.dim == 0) return;
  const int threads = 128;
  add_radial_noise_kernel<T, Dir, Rad><<<grid_for(rows * 32, threads), threads, 0, stream>>>(
      x, out, pb, dir, rad, scale, (pb.dim + K - 1) / K);
  check_launch("radial noise kernel");
}

template <class T>
__global__ void add_expp_noise_kernel(const T* x, T* out, IidProblem pb, ExppParams prm) {
  const philox::Key key = philox::make_key(pb.seed, pb.role);
  const int64_t total = pb.inputs * pb.samples * pb.dim;
  for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < total;
       t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t row = t / pb.dim;
    const int64_t e = t % pb.dim;
    const int64_t i = row / pb.samples;
    const int64_t j = row % pb.samples;
    out[t] = x[i * pb.dim + e] + expp_value<T>(key, e, static_cast<uint64_t>(pb.sample0 + j),
                                               static_cast<uint32_t>(pb.index0 + i), prm);
  }
}

template <class T>
__global__ void split_noise_kernel(const T* x, T* out, IidProblem pb, T width, int64_t blocks) {
  constexpr int K = SplitGen<T>::kPerBlock;
  const SplitGen<T> gen{width};
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
      if (e < pb.dim) out[row * pb.dim + e] = split_value<T>(x[i * pb.dim + e], vals[q], width);
    }
  }
}

template <class T>
__global__ void dssn_kernel(const T* x, T* out, IidProblem pb, int64_t levels) {
  const philox::Key key = philox::make_key(pb.seed, philox::kRoleAux);
  const int64_t total = pb.inputs * pb.samples * pb.dim;
  for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < total;
       t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t row = t / pb.dim;
    const int64_t e = t % pb.dim;
    const int64_t i = row / pb.samples;
    const int64_t shift = pb.sample0 + row % pb.samples;
    out[t] = dssn_value<T>(x[i * pb.dim + e], dssn_offset(key, e, levels), shift, levels);
  }
}

}  // namespace smoothcert::noise::shapes
