#include <cmath>

#include "noise/gengauss.h"
#include "noise/iid_cpu.h"

namespace smoothcert::noise {

template <class T>
void gengauss_sample_cpu(const T* x, T* out, const IidProblem& pb, const GenGaussShape& s) {
  using Gen = DirectionGen<T>;
  constexpr int K = Gen::kPerBlock;
  const int64_t blocks = (pb.dim + K - 1) / K;
  const int64_t rows = pb.inputs * pb.samples;
  const philox::Key key = philox::make_key(pb.seed, pb.role);
#pragma omp parallel for schedule(static) if (run_parallel(rows, pb.dim))
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t i = row / pb.samples;
    const uint64_t sample = static_cast<uint64_t>(pb.sample0 + row % pb.samples);
    const uint32_t input = static_cast<uint32_t>(pb.index0 + i);
    T* o = out + row * pb.dim;
    const T* xi = x + i * pb.dim;
    double sumsq = 0;
    for (int64_t b = 0; b < blocks; ++b) {
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
    const double factor = gengauss_radius(key, sample, input, s) / std::sqrt(sumsq);
    for (int64_t e = 0; e < pb.dim; ++e) o[e] = static_cast<T>(xi[e] + factor * static_cast<double>(o[e]));
  }
}

template void gengauss_sample_cpu<float>(const float*, float*, const IidProblem&, const GenGaussShape&);
template void gengauss_sample_cpu<double>(const double*, double*, const IidProblem&, const GenGaussShape&);

}  // namespace smoothcert::noise
