// Fused radius-times-direction noise of Yang et al. (2020): out = x + lambda R z / ||z|| with z
// uniform on the l1, l2 or l-infinity unit sphere and R from a radius law (the spherical and cubical
// families, and the generalized Gaussian and its thresholded form of DSRS).
// Variates: smoothcert/variates/radial.h.
// x: [B, D], out: [B, m, D], contiguous; CPU versions take host pointers, CUDA versions device
// pointers and a cudaStream_t passed as an integer.
#pragma once
#include <cstdint>

#include "smoothcert/variates/rows.h"

namespace smoothcert::noise::shapes {

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

// x: [B, D], out: [B, m, D]
template <class T>
void radial_sample_cpu(const T* x, T* out, const IidProblem& pb, const RadialSpec& spec);

#if defined(SMOOTHCERT_WITH_CUDA)
template <class T>
void radial_sample_cuda(const T* x, T* out, const IidProblem& pb, const RadialSpec& spec, uintptr_t stream);
#endif

}  // namespace smoothcert::noise::shapes
