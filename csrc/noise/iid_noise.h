// Fused i.i.d. noise of Yang et al. (2020): coordinates uniform on [-lambda, lambda], Laplace(lambda)
// or symmetric Pareto(a, lambda); out[i, j, :] = x[i, :] + noise(seed, role, index0 + i, sample0 + j).
// Variates: smoothcert/variates/iid.h.
// x: [B, D], out: [B, m, D], contiguous; CPU versions take host pointers, CUDA versions device
// pointers and a cudaStream_t passed as an integer.
#pragma once
#include <cstdint>

#include "smoothcert/variates/rows.h"

namespace smoothcert::noise::shapes {

enum class IidLaw : int { kUniform = 0, kLaplace = 1, kPareto = 2 };
struct IidSpec {
  IidLaw law;
  double lambd;
  double a;  // Pareto tail index (unused otherwise)
};

// x: [B, D], out: [B, m, D]
template <class T>
void iid_sample_cpu(const T* x, T* out, const IidProblem& pb, const IidSpec& spec);

#if defined(SMOOTHCERT_WITH_CUDA)
template <class T>
void iid_sample_cuda(const T* x, T* out, const IidProblem& pb, const IidSpec& spec, uintptr_t stream);
#endif

}  // namespace smoothcert::noise::shapes
