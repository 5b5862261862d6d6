// Fused samplers for the noise families of Yang et al. (2020) and the split noises of Levine &
// Feizi (2021): out[i, j, :] = x[i, :] + noise(seed, role, index0 + i, sample0 + j) (for SSN and
// DSSN: the split representation of x[i, :] that the base classifier sees).
// x: [B, D], out: [B, m, D], contiguous; CPU versions take host pointers, CUDA versions device
// pointers and a cudaStream_t passed as an integer.
#pragma once
#include <cstdint>

#include "noise/iid.h"

namespace smoothcert::noise::shapes {

// Coordinates i.i.d.: uniform on [-lambda, lambda], Laplace(lambda), symmetric Pareto(a, lambda).
enum class IidLaw : int { kUniform = 0, kLaplace = 1, kPareto = 2 };
struct IidSpec {
  IidLaw law;
  double lambd;
  double a;  // Pareto tail index (unused otherwise)
};

// Radius times direction: out = x + lambda R z / ||z||.
enum class Direction : int { kL1 = 1, kL2 = 2, kLinf = 3 };
enum class RadiusLaw : int { kPowerUniform = 0, kGamma = 1, kBetaPrime = 2, kTruncatedGamma = 3 };
struct RadialSpec {
  Direction direction;
  RadiusLaw law;
  double shape1;  // Gamma / BetaPrime first shape (unused for kPowerUniform)
  double shape2;  // BetaPrime second shape; TruncatedGamma: the bound g_max on the Gamma variate
  double power;   // R = (variate)^power
  double lambd;
};

template <class T>
void iid_sample_cpu(const T* x, T* out, const IidProblem& pb, const IidSpec& spec);
template <class T>
void radial_sample_cpu(const T* x, T* out, const IidProblem& pb, const RadialSpec& spec);
template <class T>
void expp_sample_cpu(const T* x, T* out, const IidProblem& pb, double p, double lambd);
template <class T>
void ssn_sample_cpu(const T* x, T* out, const IidProblem& pb, double lambd);
// Shift number sample0 + j for j < m; the caller checks sample0 + m <= levels.
template <class T>
void dssn_sample_cpu(const T* x, T* out, const IidProblem& pb, int64_t levels);

#if defined(SMOOTHCERT_WITH_CUDA)
template <class T>
void iid_sample_cuda(const T* x, T* out, const IidProblem& pb, const IidSpec& spec, uintptr_t stream);
template <class T>
void radial_sample_cuda(const T* x, T* out, const IidProblem& pb, const RadialSpec& spec, uintptr_t stream);
template <class T>
void expp_sample_cuda(const T* x, T* out, const IidProblem& pb, double p, double lambd, uintptr_t stream);
template <class T>
void ssn_sample_cuda(const T* x, T* out, const IidProblem& pb, double lambd, uintptr_t stream);
template <class T>
void dssn_sample_cuda(const T* x, T* out, const IidProblem& pb, int64_t levels, uintptr_t stream);
#endif

}  // namespace smoothcert::noise::shapes
