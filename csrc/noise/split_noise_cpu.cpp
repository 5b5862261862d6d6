// CPU loops for SSN (the row shell of rows_cpu.h over the split values) and DSSN (per-coordinate
// offsets drawn once, then every shift enumerated).
#include <vector>

#include "noise/rows_cpu.h"
#include "noise/split_noise.h"
#include "smoothcert/variates/split.h"

namespace smoothcert::noise::shapes {
namespace {

// SSN (Levine & Feizi 2021): out[e] = split_value(x[e], s_e, 2 lambda), s_e ~ U(0, 2 lambda).
template <class T>
void split_noise_cpu(const T* x, T* out, const IidProblem& pb, T width) {
  const SplitGen<T> gen{width};
  const int64_t rows = pb.inputs * pb.samples;
  const RowKey key(philox::make_key(pb.seed, pb.role));
#pragma omp parallel for schedule(static) if (run_parallel(rows, pb.dim))
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t i = row / pb.samples;
    const T* xi = x + i * pb.dim;
    T* o = out + row * pb.dim;
    const uint64_t sample = static_cast<uint64_t>(pb.sample0 + row % pb.samples);
    const uint32_t input = static_cast<uint32_t>(pb.index0 + i);
    iid_row<T>(gen, key, sample, input, pb.dim, [&](int64_t e, T s) { o[e] = split_value<T>(xi[e], s, width); });
  }
}

template <class T>
void dssn_cpu(const T* x, T* out, const IidProblem& pb, int64_t levels) {
  const philox::Key key = philox::make_key(pb.seed, philox::kRoleAux);
  std::vector<uint32_t> offsets(static_cast<size_t>(pb.dim));
  for (int64_t e = 0; e < pb.dim; ++e) offsets[static_cast<size_t>(e)] = dssn_offset(key, e, levels);
  const int64_t rows = pb.inputs * pb.samples;
#pragma omp parallel for schedule(static) if (run_parallel(rows, pb.dim))
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t i = row / pb.samples;
    const int64_t shift = pb.sample0 + row % pb.samples;
    for (int64_t e = 0; e < pb.dim; ++e)
      out[row * pb.dim + e] = dssn_value<T>(x[i * pb.dim + e], offsets[static_cast<size_t>(e)], shift, levels);
  }
}

}  // namespace

template <class T>
void ssn_sample_cpu(const T* x, T* out, const IidProblem& pb, double lambd) {
  split_noise_cpu(x, out, pb, static_cast<T>(2.0 * lambd));
}

template <class T>
void dssn_sample_cpu(const T* x, T* out, const IidProblem& pb, int64_t levels) {
  dssn_cpu(x, out, pb, levels);
}

template void ssn_sample_cpu<float>(const float*, float*, const IidProblem&, double);
template void ssn_sample_cpu<double>(const double*, double*, const IidProblem&, double);
template void dssn_sample_cpu<float>(const float*, float*, const IidProblem&, int64_t);
template void dssn_sample_cpu<double>(const double*, double*, const IidProblem&, int64_t);

}  // namespace smoothcert::noise::shapes
