// Fused Gaussian noise: out[i, j, :] = x[i, :] + sigma * N(0, I), noise from the counter-based RNG.
// Variates: smoothcert/variates/gaussian_gen.h.
#pragma once
#include <cstdint>

#include "smoothcert/variates/rows.h"

namespace smoothcert::noise {

// x: [B, D], out: [B, m, D], both contiguous, on the host.
template <class T>
void gaussian_sample_cpu(const T* x, T* out, const IidProblem& pb, T sigma);

#if defined(SMOOTHCERT_WITH_CUDA)
// Device pointers; stream is a cudaStream_t passed as an integer (0: the legacy default stream).
void gaussian_sample_cuda_f32(const float* x, float* out, const IidProblem& pb, float sigma, uintptr_t stream);
void gaussian_sample_cuda_f64(const double* x, double* out, const IidProblem& pb, double sigma, uintptr_t stream);
#endif

}  // namespace smoothcert::noise
