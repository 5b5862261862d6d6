// CPU loop for i.i.d. noise: the row shell of rows_cpu.h over the coordinate generators.
#include <stdexcept>

#include "noise/iid_noise.h"
#include "noise/rows_cpu.h"
#include "smoothcert/variates/iid.h"

namespace smoothcert::noise::shapes {

template <class T>
void iid_sample_cpu(const T* x, T* out, const IidProblem& pb, const IidSpec& spec) {
  const T lambd = static_cast<T>(spec.lambd);
  switch (spec.law) {
    case IidLaw::kUniform: add_iid_noise_cpu(x, out, pb, UniformGen<T>{lambd}); return;
    case IidLaw::kLaplace: add_iid_noise_cpu(x, out, pb, LaplaceGen<T>{lambd}); return;
    case IidLaw::kPareto: add_iid_noise_cpu(x, out, pb, ParetoGen<T>{lambd, static_cast<T>(1.0 / spec.a)}); return;
  }
  throw std::invalid_argument("unknown i.i.d. law");
}

template void iid_sample_cpu<float>(const float*, float*, const IidProblem&, const IidSpec&);
template void iid_sample_cpu<double>(const double*, double*, const IidProblem&, const IidSpec&);

}  // namespace smoothcert::noise::shapes
