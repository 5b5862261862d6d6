// CPU loops for SSN (the i.i.d. row shell of rows_cpu.h, split values combined into bins) and DSSN (per-coordinate
// offsets drawn once, then every shift enumerated).
#include <vector>

#include "noise/rows_cpu.h"
#include "noise/split_noise.h"
#include "smoothcert/variates/split.h"

namespace smoothcert::noise::shapes {
namespace {

template <class T>
void dssn_cpu(const T* x, T* out, const IidProblem& pb, int64_t levels) {
  const philox::Key key = philox::make_key(pb.seed, philox::kRoleAux);
  std::vector<uint32_t> offsets(static_cast<size_t>(pb.dim));
  for (int64_t e = 0; e < pb.dim; ++e) offsets[static_cast<size_t>(e)] = dssn_offset(key, e, levels);
  const int64_t rows = pb.inputs * pb.samples;
#pragma omp parallel for schedule(static) if (run_parallel(rows, pb.dim))
  for (int64_t row = 0; row < rows; ++row) {
    const RowIds id = row_ids(pb, row);
    const int64_t shift = static_cast<int64_t>(id.sample);
    for (int64_t e = 0; e < pb.dim; ++e)
      out[row * pb.dim + e] = dssn_value<T>(x[id.i * pb.dim + e], offsets[static_cast<size_t>(e)], shift, levels);
  }
}

}  // namespace

template <class T>
void ssn_sample_cpu(const T* x, T* out, const IidProblem& pb, double lambd) {
  // out[e] = split_value(x[e], s_e, 2 lambda), s_e ~ U(0, 2 lambda) (Levine & Feizi 2021).
  const T width = static_cast<T>(2.0 * lambd);
  add_iid_noise_cpu(x, out, pb, SplitGen<T>{width}, SplitBins<T>{width});
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
