// CUDA kernels for SSN (the i.i.d. shell of rows_cuda.cuh, split values combined into bins) and DSSN
// (a grid-stride loop over elements): the split variates the CPU loops call.
#include "noise/rows_cuda.cuh"
#include "noise/split_noise.h"
#include "smoothcert/variates/split.h"

namespace smoothcert::noise::shapes {
namespace {

template <class T>
__global__ void dssn_kernel(const T* x, T* out, IidProblem pb, int64_t levels) {
  const philox::Key key = philox::make_key(pb.seed, philox::kRoleAux);
  const int64_t total = pb.inputs * pb.samples * pb.dim;
  for (int64_t t = grid_first(); t < total; t += grid_stride()) {
    const int64_t row = t / pb.dim;
    const int64_t e = t % pb.dim;
    const RowIds id = row_ids(pb, row);
    out[t] = dssn_value<T>(x[id.i * pb.dim + e], dssn_offset(key, e, levels), static_cast<int64_t>(id.sample), levels);
  }
}

}  // namespace

template <class T>
void ssn_sample_cuda(const T* x, T* out, const IidProblem& pb, double lambd, uintptr_t stream) {
  const T width = static_cast<T>(2.0 * lambd);
  add_iid_noise_cuda(x, out, pb, SplitGen<T>{width}, as_stream(stream), SplitBins<T>{width});
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
