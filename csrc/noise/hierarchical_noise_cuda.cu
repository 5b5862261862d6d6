// CUDA twins of noise/hierarchical_noise_cpu.cpp: grid-stride kernels over the same per-element functions of
// smoothcert/variates/hierarchical_selection.h and the i.i.d. Gaussian generator, so both backends give the same noise.
#include "noise/hierarchical_noise.h"
#include "noise/rows_cuda.cuh"
#include "smoothcert/variates/gaussian_gen.h"
#include "smoothcert/variates/hierarchical_selection.h"

namespace smoothcert::noise {
namespace {

template <class T>
__global__ void hier_gaussian_kernel(const T* x, T* out, HierProblem pb, GaussianGen<T> gen, int64_t blocks) {
  constexpr int K = GaussianGen<T>::kPerBlock;
  const philox::Key key = philox::make_key(pb.seed, pb.role);
  const uint64_t thr = hierarchical::select_threshold(pb.selection_prob);
  const int64_t dim = pb.in_dim(), odim = pb.out_dim(), fo = pb.features + pb.ind_feature;
  const int64_t total = pb.inputs * pb.samples * blocks;
  for (int64_t t = grid_first(); t < total; t += grid_stride()) {
    const int64_t row = t / blocks, blk = t % blocks;
    const auto [i, sample, input] = row_ids(pb, row);
    const philox::Block b =
        philox::philox4x32_10(philox::make_counter(static_cast<uint32_t>(blk), sample, input), key);
    T vals[K];
    gen.fill(b, vals);
    for (int q = 0; q < K; ++q) {
      const int64_t el = blk * K + q;
      if (el >= dim) break;
      const int64_t f = el % pb.features, ce = el / pb.features, ent = ce % pb.entities;
      const bool sel = hierarchical::entity_selected(key, ent, sample, input, thr);
      out[row * odim + ce * fo + f] = sel ? x[i * dim + el] + vals[q] : x[i * dim + el];
    }
  }
}

template <class T>
__global__ void hier_indicator_kernel(T* out, HierProblem pb) {
  const philox::Key key = philox::make_key(pb.seed, pb.role);
  const uint64_t thr = hierarchical::select_threshold(pb.selection_prob);
  const int64_t odim = pb.out_dim(), fo = pb.features + pb.ind_feature, co = pb.channels + pb.ind_channel;
  const int64_t total = pb.inputs * pb.samples * pb.entities;
  for (int64_t t = grid_first(); t < total; t += grid_stride()) {
    const int64_t row = t / pb.entities, e = t % pb.entities;
    const auto [i, sample, input] = row_ids(pb, row);
    const T v = hierarchical::entity_selected(key, e, sample, input, thr) ? T(1) : T(0);
    T* o = out + row * odim;
    if (pb.ind_channel)
      for (int64_t f = 0; f < fo; ++f) o[(pb.channels * pb.entities + e) * fo + f] = v;
    if (pb.ind_feature)
      for (int64_t c = 0; c < co; ++c) o[(c * pb.entities + e) * fo + pb.features] = v;
  }
}

template <class T>
__global__ void hier_flip_kernel(const T* x, T* out, HierProblem pb, double p_plus, double p_minus, int64_t chunks) {
  const philox::Key key = philox::make_key(pb.seed, pb.role);
  const uint64_t thr = hierarchical::select_threshold(pb.selection_prob);
  const uint64_t minus_thr = hierarchical::flip_threshold64(p_minus);
  const bool minus_all = !(p_minus < 1.0), plus_all = !(p_plus < 1.0), plus_none = !(p_plus > 0.0);
  const double log1m_plus = log1p(-p_plus);
  const int64_t dim = pb.in_dim(), odim = pb.out_dim(), fo = pb.features + pb.ind_feature;
  const int64_t total = pb.inputs * pb.samples * pb.entities * chunks;
  for (int64_t t = grid_first(); t < total; t += grid_stride()) {
    const int64_t ch = t % chunks, re = t / chunks, e = re % pb.entities, row = re / pb.entities;
    const auto [i, sample, input] = row_ids(pb, row);
    const T* xr = x + i * dim + e * pb.features;
    T* orow = out + row * odim + e * fo;
    const int64_t c0 = ch * hierarchical::kFlipChunk;
    const int64_t c1 = min(c0 + hierarchical::kFlipChunk, pb.features);
    for (int64_t f = c0; f < c1; ++f) orow[f] = xr[f];
    if (!hierarchical::entity_selected(key, e, sample, input, thr)) continue;
    sampling::ElementStream rng(key, static_cast<uint32_t>(e * chunks + ch), sample, input);
    hierarchical::flip_chunk(xr, orow, c0, c1, rng, minus_thr, minus_all, log1m_plus, plus_all, plus_none);
  }
}

template <class T>
void launch_indicator(T* out, const HierProblem& pb, cudaStream_t s) {
  if (!(pb.ind_channel || pb.ind_feature)) return;
  const int64_t total = pb.inputs * pb.samples * pb.entities;
  if (total == 0) return;
  hier_indicator_kernel<T><<<grid_for(total, 256), 256, 0, s>>>(out, pb);
  check_launch("hierarchical noise kernel");
}

template <class T>
void gaussian_cuda(const T* x, T* out, const HierProblem& pb, T sigma, uintptr_t stream) {
  const cudaStream_t s = as_stream(stream);
  constexpr int K = GaussianGen<T>::kPerBlock;
  const int64_t blocks = (pb.in_dim() + K - 1) / K;
  const int64_t total = pb.inputs * pb.samples * blocks;
  if (total > 0) {
    hier_gaussian_kernel<T><<<grid_for(total, 256), 256, 0, s>>>(x, out, pb, GaussianGen<T>{sigma}, blocks);
    check_launch("hierarchical noise kernel");
  }
  launch_indicator(out, pb, s);
}

template <class T>
void flip_cuda(const T* x, T* out, const HierProblem& pb, double p_plus, double p_minus, uintptr_t stream) {
  const cudaStream_t s = as_stream(stream);
  const int64_t chunks = (pb.features + hierarchical::kFlipChunk - 1) / hierarchical::kFlipChunk;
  const int64_t total = pb.inputs * pb.samples * pb.entities * chunks;
  if (total > 0) {
    hier_flip_kernel<T><<<grid_for(total, 128), 128, 0, s>>>(x, out, pb, p_plus, p_minus, chunks);
    check_launch("hierarchical noise kernel");
  }
  launch_indicator(out, pb, s);
}

}  // namespace

void hierarchical_gaussian_cuda_f32(const float* x, float* out, const HierProblem& pb, float sigma, uintptr_t stream) {
  gaussian_cuda(x, out, pb, sigma, stream);
}
void hierarchical_gaussian_cuda_f64(const double* x, double* out, const HierProblem& pb, double sigma,
                                    uintptr_t stream) {
  gaussian_cuda(x, out, pb, sigma, stream);
}
void hierarchical_flip_cuda_f32(const float* x, float* out, const HierProblem& pb, double p_plus, double p_minus,
                                uintptr_t stream) {
  flip_cuda(x, out, pb, p_plus, p_minus, stream);
}
void hierarchical_flip_cuda_f64(const double* x, double* out, const HierProblem& pb, double p_plus, double p_minus,
                                uintptr_t stream) {
  flip_cuda(x, out, pb, p_plus, p_minus, stream);
}

}  // namespace smoothcert::noise
