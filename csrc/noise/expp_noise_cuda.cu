// CUDA kernel for Expp noise: a grid-stride loop over elements, each computed by expp_value
// (variates/expp.h), the function the CPU loop's lanes reproduce.
#include "noise/expp_noise.h"
#include "noise/rows_cuda.cuh"
#include "smoothcert/variates/expp.h"

namespace smoothcert::noise::shapes {
namespace {

template <class T>
__global__ void add_expp_noise_kernel(const T* x, T* out, IidProblem pb, ExppParams prm) {
  const philox::Key key = philox::make_key(pb.seed, pb.role);
  const int64_t total = pb.inputs * pb.samples * pb.dim;
  for (int64_t t = grid_first(); t < total; t += grid_stride()) {
    const int64_t row = t / pb.dim;
    const int64_t e = t % pb.dim;
    const RowIds id = row_ids(pb, row);
    out[t] = x[id.i * pb.dim + e] + expp_value<T>(key, e, id.sample, id.input, prm);
  }
}

}  // namespace

template <class T>
void expp_sample_cuda(const T* x, T* out, const IidProblem& pb, double p, double lambd, uintptr_t stream) {
  const int64_t total = pb.inputs * pb.samples * pb.dim;
  if (total == 0) return;
  add_expp_noise_kernel<T><<<grid_for(total, 256), 256, 0, as_stream(stream)>>>(x, out, pb, ExppParams{1.0 / p + 1.0, 1.0 / p, lambd});
  check_launch("Expp noise kernel");
}

template void expp_sample_cuda<float>(const float*, float*, const IidProblem&, double, double, uintptr_t);
template void expp_sample_cuda<double>(const double*, double*, const IidProblem&, double, double, uintptr_t);

}  // namespace smoothcert::noise::shapes
