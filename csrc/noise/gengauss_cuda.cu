#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "noise/gengauss.h"

namespace smoothcert::noise {
namespace {

constexpr int kThreads = 256;

// One thread block per (input, sample) row: normals, a block reduction of ‖n‖², then the scaling.
template <class T>
__global__ void gengauss_kernel(const T* x, T* out, IidProblem pb, GenGaussShape s, int64_t blocks) {
  using Gen = DirectionGen<T>;
  constexpr int K = Gen::kPerBlock;
  __shared__ double partial[kThreads];
  __shared__ double factor;
  const philox::Key key = philox::make_key(pb.seed, pb.role);
  const int64_t rows = pb.inputs * pb.samples;
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const int64_t i = row / pb.samples;
    const uint64_t sample = static_cast<uint64_t>(pb.sample0 + row % pb.samples);
    const uint32_t input = static_cast<uint32_t>(pb.index0 + i);
    T* o = out + row * pb.dim;
    const T* xi = x + i * pb.dim;
    double sumsq = 0;
    for (int64_t b = threadIdx.x; b < blocks; b += blockDim.x) {
      T v[K];
      Gen::fill(philox::philox4x32_10(philox::make_counter(static_cast<uint32_t>(b), sample, input), key), v);
      for (int q = 0; q < K; ++q) {
        const int64_t e = b * K + q;
        if (e < pb.dim) {
          o[e] = v[q];
          sumsq += static_cast<double>(v[q]) * static_cast<double>(v[q]);
        }
      }
    }
    partial[threadIdx.x] = sumsq;
    __syncthreads();
    for (int w = kThreads / 2; w > 0; w /= 2) {
      if (threadIdx.x < w) partial[threadIdx.x] += partial[threadIdx.x + w];
      __syncthreads();
    }
    if (threadIdx.x == 0) factor = gengauss_radius(key, sample, input, s) / sqrt(partial[0]);
    __syncthreads();
    for (int64_t e = threadIdx.x; e < pb.dim; e += blockDim.x)
      o[e] = static_cast<T>(xi[e] + factor * static_cast<double>(o[e]));
    __syncthreads();
  }
}

template <class T>
void launch(const T* x, T* out, const IidProblem& pb, const GenGaussShape& s, cudaStream_t stream) {
  constexpr int K = DirectionGen<T>::kPerBlock;
  const int64_t rows = pb.inputs * pb.samples;
  if (rows == 0) return;
  const int64_t blocks = (pb.dim + K - 1) / K;
  const unsigned grid = static_cast<unsigned>(std::min<int64_t>(rows, 65535LL * 8));
  gengauss_kernel<T><<<grid, kThreads, 0, stream>>>(x, out, pb, s, blocks);
  const cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) throw std::runtime_error(std::string("CUDA kernel launch failed: ") + cudaGetErrorString(err));
}

}  // namespace

void gengauss_sample_cuda_f32(const float* x, float* out, const IidProblem& pb, const GenGaussShape& s,
                              uintptr_t stream) {
  launch(x, out, pb, s, reinterpret_cast<cudaStream_t>(stream));
}
void gengauss_sample_cuda_f64(const double* x, double* out, const IidProblem& pb, const GenGaussShape& s,
                              uintptr_t stream) {
  launch(x, out, pb, s, reinterpret_cast<cudaStream_t>(stream));
}

}  // namespace smoothcert::noise
