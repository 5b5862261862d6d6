// CUDA kernel for i.i.d. noise: the grid-stride shell of rows_cuda.cuh over the coordinate
// generators that the CPU loop calls.
#include <stdexcept>

#include "noise/iid_noise.h"
#include "noise/rows_cuda.cuh"
#include "smoothcert/variates/iid.h"

namespace smoothcert::noise::shapes {

template <class T>
void iid_sample_cuda(const T* x, T* out, const IidProblem& pb, const IidSpec& spec, uintptr_t stream) {
  const T lambd = static_cast<T>(spec.lambd);
  switch (spec.law) {
    case IidLaw::kUniform: add_iid_noise_cuda(x, out, pb, UniformGen<T>{lambd}, as_stream(stream)); return;
    case IidLaw::kLaplace: add_iid_noise_cuda(x, out, pb, LaplaceGen<T>{lambd}, as_stream(stream)); return;
    case IidLaw::kPareto:
      add_iid_noise_cuda(x, out, pb, ParetoGen<T>{lambd, static_cast<T>(1.0 / spec.a)}, as_stream(stream));
      return;
  }
  throw std::invalid_argument("unknown i.i.d. law");
}

template void iid_sample_cuda<float>(const float*, float*, const IidProblem&, const IidSpec&, uintptr_t);
template void iid_sample_cuda<double>(const double*, double*, const IidProblem&, const IidSpec&, uintptr_t);

}  // namespace smoothcert::noise::shapes
