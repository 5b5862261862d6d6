// CUDA kernel for radius-times-direction noise: one warp per noisy copy, lane t owning element
// blocks t, t + 32, ... (the reduction order of variates/radial.h), over the direction and radius
// variates the CPU loop calls.
#include <stdexcept>

#include "noise/radial_noise.h"
#include "noise/rows_cuda.cuh"
#include "smoothcert/variates/radial.h"

namespace smoothcert::noise::shapes {
namespace {

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
    const auto [i, sample, input] = row_ids(pb, row);
    const T* xi = x + i * pb.dim;
    T* o = out + row * pb.dim;
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

template <class T, class Dir>
void radial_with_direction(const T* x, T* out, const IidProblem& pb, const RadialSpec& spec, const Dir& dir,
                           cudaStream_t stream) {
  switch (spec.law) {
    case RadiusLaw::kPowerUniform:
      add_radial_noise_cuda(x, out, pb, dir, PowerUniformRadius{spec.power}, spec.lambd, stream); return;
    case RadiusLaw::kGamma:
      add_radial_noise_cuda(x, out, pb, dir, GammaRadius{spec.shape1, spec.power}, spec.lambd, stream); return;
    case RadiusLaw::kBetaPrime:
      add_radial_noise_cuda(x, out, pb, dir, BetaPrimeRadius{spec.shape1, spec.shape2, spec.power}, spec.lambd,
                            stream);
      return;
    case RadiusLaw::kTruncatedGamma:
      add_radial_noise_cuda(x, out, pb, dir, TruncatedGammaRadius{spec.shape1, spec.shape2, spec.power},
                            spec.lambd, stream);
      return;
  }
  throw std::invalid_argument("unknown radius law");
}

}  // namespace

template <class T>
void radial_sample_cuda(const T* x, T* out, const IidProblem& pb, const RadialSpec& spec, uintptr_t stream) {
  switch (spec.direction) {
    case Direction::kL1: radial_with_direction(x, out, pb, spec, L1Direction<T>{}, as_stream(stream)); return;
    case Direction::kL2: radial_with_direction(x, out, pb, spec, L2Direction<T>{}, as_stream(stream)); return;
    case Direction::kLinf: radial_with_direction(x, out, pb, spec, LinfDirection<T>{}, as_stream(stream)); return;
  }
  throw std::invalid_argument("unknown direction");
}

template void radial_sample_cuda<float>(const float*, float*, const IidProblem&, const RadialSpec&, uintptr_t);
template void radial_sample_cuda<double>(const double*, double*, const IidProblem&, const RadialSpec&, uintptr_t);

}  // namespace smoothcert::noise::shapes
