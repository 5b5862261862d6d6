// The Gaussian variate of the fused kernels: sigma times Box-Muller normals from one Philox block
// (4 floats or 2 doubles), with a vector-lane twin for the CPU that runs the same operations.
#pragma once
#include "smoothcert/philox.h"
#include "smoothcert/simd.h"
#include "smoothcert/variates/standard.h"

namespace smoothcert::noise {

template <class T>
struct GaussianGen;

template <>
struct GaussianGen<float> {
  float sigma;
  static constexpr int kPerBlock = 4;
  SC_HD void fill(const philox::Block& b, float out[4]) const {
    float n[4];
    sampling::normal4_f(b, n);
    for (int i = 0; i < 4; ++i) out[i] = sigma * n[i];
  }
#if !defined(__CUDACC__)
  SC_HD void fill_lanes(const simd::u32v w[4], simd::f32v out[4]) const {
    sampling::normal4<simd::f32v>(w[0], w[1], w[2], w[3], out[0], out[1], out[2], out[3]);
    for (int i = 0; i < 4; ++i) out[i] = sigma * out[i];
  }
#endif
};

template <>
struct GaussianGen<double> {
  double sigma;
  static constexpr int kPerBlock = 2;
  SC_HD void fill(const philox::Block& b, double out[2]) const {
    double n[2];
    sampling::normal2_d(b, n);
    for (int i = 0; i < 2; ++i) out[i] = sigma * n[i];
  }
};

}  // namespace smoothcert::noise
