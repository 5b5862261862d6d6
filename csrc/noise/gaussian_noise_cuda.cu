#include "noise/gaussian_noise.h"
#include "noise/rows_cuda.cuh"
#include "smoothcert/variates/gaussian_gen.h"

namespace smoothcert::noise {

void gaussian_sample_cuda_f32(const float* x, float* out, const IidProblem& pb, float sigma, uintptr_t stream) {
  add_iid_noise_cuda(x, out, pb, GaussianGen<float>{sigma}, as_stream(stream));
}
void gaussian_sample_cuda_f64(const double* x, double* out, const IidProblem& pb, double sigma, uintptr_t stream) {
  add_iid_noise_cuda(x, out, pb, GaussianGen<double>{sigma}, as_stream(stream));
}

}  // namespace smoothcert::noise
