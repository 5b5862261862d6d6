#include "noise/gaussian_noise.h"
#include "noise/iid_cuda.cuh"

namespace smoothcert::noise {

void gaussian_sample_cuda_f32(const float* x, float* out, const IidProblem& pb, float sigma, uintptr_t stream) {
  add_iid_noise_cuda(x, out, pb, GaussianGen<float>{sigma}, reinterpret_cast<cudaStream_t>(stream));
}
void gaussian_sample_cuda_f64(const double* x, double* out, const IidProblem& pb, double sigma, uintptr_t stream) {
  add_iid_noise_cuda(x, out, pb, GaussianGen<double>{sigma}, reinterpret_cast<cudaStream_t>(stream));
}

}  // namespace smoothcert::noise
