// CPU loop for Expp noise. float: the first Marsaglia-Tsang attempt on simd::kLanes elements at
// once (one Philox block per element), rejected elements finished one by one on their own stream;
// double: the element value of variates/expp.h. The CUDA kernel computes every element with
// expp_value, the same operations, so both backends give the same noise.
#include <cmath>

#include "noise/expp_noise.h"
#include "noise/rows_cpu.h"
#include "smoothcert/variates/expp.h"

namespace smoothcert::noise::shapes {
namespace {

template <class T>
void add_expp_noise_cpu(const T* x, T* out, const IidProblem& pb, const ExppParams& prm) {
  const int64_t rows = pb.inputs * pb.samples;
  const philox::Key key = philox::make_key(pb.seed, pb.role);
  constexpr int64_t kChunk = simd::kLanes;
  const bool lanes = vector_lanes();
#pragma omp parallel for schedule(static) if (run_parallel(rows, pb.dim))
  for (int64_t row = 0; row < rows; ++row) {
    const auto [i, sample, input] = row_ids(pb, row);
    const T* xi = x + i * pb.dim;
    T* o = out + row * pb.dim;
    if constexpr (sizeof(T) == 4) {
      const float d = static_cast<float>(prm.alpha - 1.0 / 3.0);
      const float c = static_cast<float>(1.0 / sqrt(9.0 * (prm.alpha - 1.0 / 3.0)));
      const float inv_p = static_cast<float>(prm.inv_p);
      const float lambd = static_cast<float>(prm.lambd);
      const philox::Block base = philox::make_counter(0, sample, input);
      simd::u32v lane;
      for (int l = 0; l < kChunk; ++l) lane[l] = static_cast<uint32_t>(l);
      for (int64_t e0 = 0; e0 < pb.dim; e0 += kChunk) {
        float v[kChunk];
        const int64_t n = e0 + kChunk <= pb.dim ? kChunk : pb.dim - e0;
        if (lanes) {
          // One Philox block per element: counters (e, sample, input) for kChunk elements at once
          // (in the last, partial chunk those past the row are computed and dropped).
          simd::u32v w[4] = {lane + static_cast<uint32_t>(e0), simd::u32v{} + base.v1, simd::u32v{} + base.v2,
                             simd::u32v{} + base.v3};
          philox::philox_rounds(w[0], w[1], w[2], w[3], key);
          const simd::f32v vv = expp_attempt<simd::f32v>(w[0], w[1], w[2], w[3], d, c, inv_p);
          for (int64_t l = 0; l < n; ++l) v[l] = vv[l];
        } else {
          for (int64_t l = 0; l < n; ++l) {
            const philox::Block b =
                philox::philox4x32_10(philox::make_counter(static_cast<uint32_t>(e0 + l), sample, input), key);
            v[l] = expp_attempt<float>(b.v0, b.v1, b.v2, b.v3, d, c, inv_p);
          }
        }
        for (int64_t l = 0; l < n; ++l) {
          float val = v[l];
          if (val == kRejected) {
            const philox::Block b =
                philox::philox4x32_10(philox::make_counter(static_cast<uint32_t>(e0 + l), sample, input), key);
            val = expp_fallback_f(key, b, e0 + l, sample, input, prm);
          }
          o[e0 + l] = xi[e0 + l] + lambd * val;
        }
      }
    } else {
      for (int64_t e = 0; e < pb.dim; ++e) o[e] = xi[e] + expp_value<T>(key, e, sample, input, prm);
    }
  }
}

}  // namespace

template <class T>
void expp_sample_cpu(const T* x, T* out, const IidProblem& pb, double p, double lambd) {
  add_expp_noise_cpu(x, out, pb, ExppParams{1.0 / p + 1.0, 1.0 / p, lambd});
}

template void expp_sample_cpu<float>(const float*, float*, const IidProblem&, double, double);
template void expp_sample_cpu<double>(const double*, double*, const IidProblem&, double, double);

}  // namespace smoothcert::noise::shapes
