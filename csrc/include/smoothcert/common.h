// Portability macros shared by the header-only math: every function marked SC_HD compiles for the
// host and, under nvcc, for the device, so CPU loops and CUDA kernels call the same code.
#pragma once

#if defined(__CUDACC__)
#define SC_HD __host__ __device__ __forceinline__
#define SC_DEVICE_COMPILE 1
#else
#define SC_HD inline __attribute__((always_inline))
#endif

#if defined(__CUDA_ARCH__)
#include <math.h>
#else
#include <cmath>
#endif
#include <cstdint>

#if !defined(__CUDA_ARCH__)
namespace smoothcert {
// The host certificate math's working precision: x86-64's 64-bit-mantissa long double, so that
// results rounded to double are correct to a few ulps.
using real = long double;
}  // namespace smoothcert
#endif
