// CPU loop for radius-times-direction noise: per row, the row scalars and the radius from the
// row's stream, the direction values in chunks of kLanes element blocks (vector lanes where the
// direction has a twin), their norm reduced in the lane order of variates/radial.h, then the
// scaled direction added to x.
#include <stdexcept>

#include "noise/radial_noise.h"
#include "noise/rows_cpu.h"
#include "smoothcert/variates/radial.h"

namespace smoothcert::noise::shapes {
namespace {

template <class T, class Dir, class Rad>
void add_radial_noise_cpu(const T* x, T* out, const IidProblem& pb, const Dir& dir, const Rad& rad, double scale) {
  constexpr int K = Dir::kPerBlock;
  const int64_t blocks = (pb.dim + K - 1) / K;
  const int64_t rows = pb.inputs * pb.samples;
  const philox::Key key = philox::make_key(pb.seed, pb.role);
  const auto lane_keys = philox::round_keys<simd::u32v>(key);  // broadcast once, not per chunk of a row
  const bool lanes = vector_lanes();
#pragma omp parallel for schedule(static) if (run_parallel(rows, pb.dim))
  for (int64_t row = 0; row < rows; ++row) {
    const RowIds id = row_ids(pb, row);
    const T* xi = x + id.i * pb.dim;
    T* o = out + row * pb.dim;
    sampling::ElementStream rng(key, kRowBlock, id.sample, id.input);
    const typename Dir::Row rs = dir.begin(rng, pb.dim);
    const double radius = rad.draw(rng);

    double acc[kLanes];
    for (int c = 0; c < kLanes; ++c) acc[c] = 0.0;
    for (int64_t c0 = 0; c0 < blocks; c0 += kLanes) {
      T v[K][kLanes];
      int64_t c = 0;
      const int64_t e0 = c0 * K;
      if constexpr (sizeof(T) == 4 && has_fill_lanes<Dir>::value) {
        if (lanes) {
          // Two vectors of simd::kLanes blocks per step, the same values as fill; take(cb, vv)
          // receives the values of blocks c0 + cb .. c0 + cb + L - 1.
          constexpr int64_t L = simd::kLanes;
          static_assert(kLanes % (2 * L) == 0, "a chunk holds whole pairs of vectors");
          auto vector_chunk = [&](auto&& take) {
            const philox::Block base = philox::make_counter(0, id.sample, id.input);
            for (; c < kLanes; c += 2 * L) {
              simd::u32v w[2][4];
              philox::philox_lanes<2>(static_cast<uint32_t>(c0 + c), base, lane_keys, w);
              for (int h = 0; h < 2; ++h) {
                simd::f32v vv[K];
                dir.fill_lanes(w[h], vv);
                take(c + h * L, vv);
              }
            }
          };
          if (e0 + kLanes * K <= pb.dim) {
            // Inside the row: weights added to their lanes in the same order as the scalar loop
            // (four lanes at a time in double vectors under AVX), and values stored straight to the row.
            vector_chunk([&](int64_t cb, const simd::f32v (&vv)[K]) {
#if defined(__AVX__) && !defined(__AVX512F__)
              static_assert(L == 8, "two halves of four lanes");
              __m256d a0 = _mm256_loadu_pd(&acc[cb]), a1 = _mm256_loadu_pd(&acc[cb + 4]);
              for (int q = 0; q < K; ++q) {
                const __m256 v = reinterpret_cast<const __m256&>(vv[q]);
                a0 += Dir::weight(_mm256_cvtps_pd(_mm256_castps256_ps128(v)));
                a1 += Dir::weight(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
              }
              _mm256_storeu_pd(&acc[cb], a0);
              _mm256_storeu_pd(&acc[cb + 4], a1);
#else
              for (int q = 0; q < K; ++q)
                for (int64_t l = 0; l < L; ++l) acc[cb + l] += Dir::weight(static_cast<T>(vv[q][l]));
#endif
              simd::interleave_lanes(vv, o + e0 + cb * K);
            });
            continue;
          }
          // The last, partial chunk: its blocks past the row are computed too and then ignored.
          vector_chunk([&](int64_t cb, const simd::f32v (&vv)[K]) {
            for (int q = 0; q < K; ++q)
              for (int64_t l = 0; l < L; ++l) v[q][cb + l] = vv[q][l];
          });
        }
      }
      for (; c < kLanes; ++c) {
        const philox::Block b =
            philox::philox4x32_10(philox::make_counter(static_cast<uint32_t>(c0 + c), id.sample, id.input), key);
        T vals[K];
        dir.fill(b, vals);
        for (int q = 0; q < K; ++q) v[q][c] = vals[q];
      }
      if (e0 + kLanes * K <= pb.dim) {
        for (int q = 0; q < K; ++q)
          for (int c = 0; c < kLanes; ++c) acc[c] += Dir::weight(v[q][c]);
        for (int c = 0; c < kLanes; ++c)
          for (int q = 0; q < K; ++q) o[e0 + c * K + q] = v[q][c];
      } else {
        for (int q = 0; q < K; ++q)
          for (int c = 0; c < kLanes; ++c)
            if (e0 + c * K + q < pb.dim) acc[c] += Dir::weight(v[q][c]);
        for (int c = 0; c < kLanes; ++c)
          for (int q = 0; q < K; ++q) {
            const int64_t e = e0 + c * K + q;
            if (e < pb.dim) o[e] = v[q][c];
          }
      }
    }
    double total = 0.0;
    for (int c = 0; c < kLanes; ++c) total += acc[c];
    const double s = Dir::kNormalise ? scale * radius / Dir::finish(total) : scale * radius;
    const T st = static_cast<T>(s);
    for (int64_t e = 0; e < pb.dim; ++e) o[e] = xi[e] + st * dir.at(rs, e, o[e]);
  }
}

template <class T, class Dir>
void radial_with_direction(const T* x, T* out, const IidProblem& pb, const RadialSpec& spec, const Dir& dir) {
  switch (spec.law) {
    case RadiusLaw::kPowerUniform:
      add_radial_noise_cpu(x, out, pb, dir, PowerUniformRadius{spec.power}, spec.lambd); return;
    case RadiusLaw::kGamma:
      add_radial_noise_cpu(x, out, pb, dir, GammaRadius{spec.shape1, spec.power}, spec.lambd); return;
    case RadiusLaw::kBetaPrime:
      add_radial_noise_cpu(x, out, pb, dir, BetaPrimeRadius{spec.shape1, spec.shape2, spec.power}, spec.lambd);
      return;
    case RadiusLaw::kTruncatedGamma:
      add_radial_noise_cpu(x, out, pb, dir, TruncatedGammaRadius{spec.shape1, spec.shape2, spec.power}, spec.lambd);
      return;
  }
  throw std::invalid_argument("unknown radius law");
}

}  // namespace

template <class T>
void radial_sample_cpu(const T* x, T* out, const IidProblem& pb, const RadialSpec& spec) {
  switch (spec.direction) {
    case Direction::kL1: radial_with_direction(x, out, pb, spec, L1Direction<T>{}); return;
    case Direction::kL2: radial_with_direction(x, out, pb, spec, L2Direction<T>{}); return;
    case Direction::kLinf: radial_with_direction(x, out, pb, spec, LinfDirection<T>{}); return;
  }
  throw std::invalid_argument("unknown direction");
}

template void radial_sample_cpu<float>(const float*, float*, const IidProblem&, const RadialSpec&);
template void radial_sample_cpu<double>(const double*, double*, const IidProblem&, const RadialSpec&);

}  // namespace smoothcert::noise::shapes
