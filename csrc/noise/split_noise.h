// Fused split noise of Levine & Feizi (ICML 2021): SSN (random split values) and DSSN (all L
// quantised shifts, enumerated). out[i, j, :] is the split representation of x[i, :] that the base
// classifier sees. Variates: smoothcert/variates/split.h.
// x: [B, D], out: [B, m, D], contiguous; CPU versions take host pointers, CUDA versions device
// pointers and a cudaStream_t passed as an integer.
#pragma once
#include <cstdint>

#include "smoothcert/variates/rows.h"

namespace smoothcert::noise::shapes {

// x: [B, D], out: [B, m, D]
template <class T>
void ssn_sample_cpu(const T* x, T* out, const IidProblem& pb, double lambd);
// x: [B, D] on the 1/255 grid, out: [B, m, D]; shift number sample0 + j for j < m (the caller
// checks sample0 + m <= levels).
template <class T>
void dssn_sample_cpu(const T* x, T* out, const IidProblem& pb, int64_t levels);

#if defined(SMOOTHCERT_WITH_CUDA)
template <class T>
void ssn_sample_cuda(const T* x, T* out, const IidProblem& pb, double lambd, uintptr_t stream);
template <class T>
void dssn_sample_cuda(const T* x, T* out, const IidProblem& pb, int64_t levels, uintptr_t stream);
#endif

}  // namespace smoothcert::noise::shapes
