// CUDA kernels for SSN and DSSN: grid-stride loops over the split variates the CPU loops call.
#include "noise/rows_cuda.cuh"
#include "noise/split_noise.h"
#include "smoothcert/variates/split.h"

namespace smoothcert::noise::shapes {
namespace {

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

}  // namespace

template <class T>
void ssn_sample_cuda(const T* x, T* out, const IidProblem& pb, double lambd, uintptr_t stream) {
  constexpr int K = SplitGen<T>::kPerBlock;
  const int64_t blocks = (pb.dim + K - 1) / K;
  const int64_t total = pb.inputs * pb.samples * blocks;
  if (total == 0) return;
  split_noise_kernel<T><<<grid_for(total, 256), 256, 0, as_stream(stream)>>>(x, out, pb, static_cast<T>(2.0 * lambd),
                                                                             blocks);
  check_launch("SSN kernel");
}

template <class T>
void dssn_sample_cuda(const T* x, T* out, const IidProblem& pb, int64_t levels, uintptr_t stream) {
  const int64_t total = pb.inputs * pb.samples * pb.dim;
  if (total == 0) return;
  dssn_kernel<T><<<grid_for(total, 256), 256, 0, as_stream(stream)>>>(x, out, pb, levels);
  check_launch("DSSN kernel");
}

template void ssn_sample_cuda<float>(const float*, float*, const IidProblem&, double, uintptr_t);
template void ssn_sample_cuda<double>(const double*, double*, const IidProblem&, double, uintptr_t);
template void dssn_sample_cuda<float>(const float*, float*, const IidProblem&, int64_t, uintptr_t);
template void dssn_sample_cuda<double>(const double*, double*, const IidProblem&, int64_t, uintptr_t);

}  // namespace smoothcert::noise::shapes
