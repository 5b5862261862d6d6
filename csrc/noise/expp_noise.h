// Fused Expp noise of Yang et al. (2020), density proportional to exp(-sum_e |x_e / lambda|^p):
// out[i, j, :] = x[i, :] + noise(seed, role, index0 + i, sample0 + j).
// Variates: smoothcert/variates/expp.h.
// x: [B, D], out: [B, m, D], contiguous; CPU versions take host pointers, CUDA versions device
// pointers and a cudaStream_t passed as an integer.
#pragma once
#include <cstdint>

#include "smoothcert/variates/rows.h"

namespace smoothcert::noise::shapes {

// x: [B, D], out: [B, m, D]
template <class T>
void expp_sample_cpu(const T* x, T* out, const IidProblem& pb, double p, double lambd);

#if defined(SMOOTHCERT_WITH_CUDA)
template <class T>
void expp_sample_cuda(const T* x, T* out, const IidProblem& pb, double p, double lambd, uintptr_t stream);
#endif

}  // namespace smoothcert::noise::shapes
