#include "noise/gaussian_noise.h"

#include "noise/rows_cpu.h"
#include "smoothcert/variates/gaussian_gen.h"

namespace smoothcert::noise {

template <class T>
void gaussian_sample_cpu(const T* x, T* out, const IidProblem& pb, T sigma) {
  add_iid_noise_cpu(x, out, pb, GaussianGen<T>{sigma});
}

template void gaussian_sample_cpu<float>(const float*, float*, const IidProblem&, float);
template void gaussian_sample_cpu<double>(const double*, double*, const IidProblem&, double);

}  // namespace smoothcert::noise
