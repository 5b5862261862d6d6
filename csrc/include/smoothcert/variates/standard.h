// Per-element variates built from Philox output words.
//
// Float variates use 24 random bits, double variates 53. Uniforms are open on both ends, so
// log(u) is finite and every transform below is well defined. The float path uses the
// polynomial log and sin/cos of sc_logf / sc_sincos2pif (explicit fma, no libm), so the CPU loop
// vectorises and a CUDA kernel computes bit-identical values.
#pragma once
#include "smoothcert/common.h"
#include "smoothcert/philox.h"

namespace smoothcert {
namespace sampling {

// ---------------------------------------------------------------- uniforms
// (0, 1) with 24 bits: (m + 1/2) 2^-24, m in [0, 2^24).
SC_HD float uniform_open_f(uint32_t w) {
  return (static_cast<float>(w >> 8) + 0.5f) * 5.9604644775390625e-08f;
}
// (0, 1) with 53 bits from two words.
SC_HD double uniform_open_d(uint32_t hi, uint32_t lo) {
  const uint64_t m = (static_cast<uint64_t>(hi) << 21) ^ (static_cast<uint64_t>(lo) >> 11);
  return (static_cast<double>(m) + 0.5) * 1.1102230246251565e-16;
}

// ---------------------------------------------------------------- float elementary functions
// Templated on the lane type T (float, or simd::f32v with U = u32v, I = i32v) so scalar, vector
// and CUDA code run the same sequence of exactly rounded operations.

// (0, 1) with 24 bits, on any lane type.
template <class T, class U>
SC_HD T uniform_open24(U w) {
  return (simd::to_float(simd::as_signed(w >> 8)) + 0.5f) * 5.9604644775390625e-08f;
}

// log(u) for u > 0 normal: u = 2^e m with m in [sqrt(1/2), sqrt(2)), t = m - 1 (exact),
// log m = t - t^2/2 + t^3 P(t) with P of degree 6: a minimax fit (Lawson's iteration on weighted
// least squares) of (log(1 + t) - t + t^2/2)/t^3 for the relative error of log(1 + t) over
// [sqrt(1/2) - 1, sqrt(2) - 1], which is 3.2e-8 before rounding. Over all 2^24 uniforms of
// uniform_open24 the float result is within 1.5e-7 relative of log. It needs no division: in
// the Gaussian kernel this made Box-Muller about 5 % faster than an atanh series in (m-1)/(m+1).
template <class T>
SC_HD T sc_log(T u) {
  // Shift the mantissa range to [sqrt(1/2), sqrt(2)) by borrowing from the exponent.
  const auto shifted = simd::float_bits(u) - 0x3F3504F3u;
  const auto e = simd::as_signed(shifted) >> 23;
  const T m = simd::bits_float((shifted & 0x007FFFFFu) + 0x3F3504F3u);
  const T t = m - 1.0f;
  const T t2 = t * t;
  T p = simd::fma_(t, T{} + 0.0870043486f, T{} - 0.142674871f);
  p = simd::fma_(p, t, T{} + 0.149147680f);
  p = simd::fma_(p, t, T{} - 0.165775850f);
  p = simd::fma_(p, t, T{} + 0.199630640f);
  p = simd::fma_(p, t, T{} - 0.250013370f);
  p = simd::fma_(p, t, T{} + 0.333339110f);
  const T log_m = simd::fma_(t2 * t, p, simd::fma_(t2, T{} - 0.5f, t));
  return simd::fma_(simd::to_float(e), T{} + 0.693147180559945309f, log_m);
}

// sin(2 pi t) and cos(2 pi t) for t in [0, 1). Range reduction is exact: q = round(4t) picks the
// quadrant and f = 4t - q in [-1/2, 1/2] maps to an angle in [-pi/4, pi/4], where the Taylor
// polynomials (sin to x^9, cos to x^10) are accurate to 2e-9.
template <class T>
SC_HD void sc_sincos2pi(T t, T& s, T& c) {
  const T t4 = 4.0f * t;
  // Round to nearest by the 1.5 * 2^23 shift (exact for 0 <= t4 < 4).
  const T q = (t4 + 12582912.0f) - 12582912.0f;
  const T f = t4 - q;
  const T x = f * 1.57079632679489662f;
  const T x2 = x * x;
  T ps = simd::fma_(x2, T{} + 1.0f / 362880.0f, T{} - 1.0f / 5040.0f);
  ps = simd::fma_(ps, x2, T{} + 1.0f / 120.0f);
  ps = simd::fma_(ps, x2, T{} - 1.0f / 6.0f);
  const T sx = simd::fma_(ps * x2, x, x);
  T pc = simd::fma_(x2, T{} - 1.0f / 3628800.0f, T{} + 1.0f / 40320.0f);
  pc = simd::fma_(pc, x2, T{} - 1.0f / 720.0f);
  pc = simd::fma_(pc, x2, T{} + 1.0f / 24.0f);
  pc = simd::fma_(pc, x2, T{} - 0.5f);
  const T cx = simd::fma_(pc, x2, T{} + 1.0f);
  // angle = quadrant * pi/2 + x
  const auto quadrant = simd::to_int(q);
  const T s_mag = simd::select(quadrant & 1, cx, sx);
  const T c_mag = simd::select(quadrant & 1, sx, cx);
  s = simd::select(quadrant & 2, -s_mag, s_mag);
  c = simd::select((quadrant + 1) & 2, -c_mag, c_mag);
}

// ---------------------------------------------------------------- normals
// Box-Muller: four standard normals from the four words of a Philox block, on any lane type.
template <class T, class U>
SC_HD void normal4(U w0, U w1, U w2, U w3, T& n0, T& n1, T& n2, T& n3) {
  const T r0 = simd::sqrt_(-2.0f * sc_log(uniform_open24<T>(w0)));
  const T r1 = simd::sqrt_(-2.0f * sc_log(uniform_open24<T>(w2)));
  T s0, c0, s1, c1;
  sc_sincos2pi(uniform_open24<T>(w1), s0, c0);
  sc_sincos2pi(uniform_open24<T>(w3), s1, c1);
  n0 = r0 * c0;
  n1 = r0 * s0;
  n2 = r1 * c1;
  n3 = r1 * s1;
}

SC_HD void normal4_f(const philox::Block& b, float out[4]) {
  normal4<float>(b.v0, b.v1, b.v2, b.v3, out[0], out[1], out[2], out[3]);
}

// Box-Muller: two standard normals from one Philox block (double, 53-bit uniforms).
SC_HD void normal2_d(const philox::Block& b, double out[2]) {
  const double r = sqrt(-2.0 * log(uniform_open_d(b.v0, b.v1)));
  const double t = uniform_open_d(b.v2, b.v3);
  const double a = 6.283185307179586477 * t;
  out[0] = r * cos(a);
  out[1] = r * sin(a);
}

// ---------------------------------------------------------------- simple transforms
// Standard Laplace (density exp(-|x|)/2) by inversion of a uniform in (0, 1).
SC_HD double laplace_from_uniform(double u) {
  return u < 0.5 ? log(2.0 * u) : -log(2.0 * (1.0 - u));
}
// Standard exponential by inversion.
SC_HD double exponential_from_uniform(double u) { return -log(u); }

// Draw-indexed stream for one element: successive Philox blocks with draw = 0, 1, 2, ... give
// as many words as a rejection sampler needs, still a pure function of the element's identity.
struct ElementStream {
  philox::Key key;
  uint32_t block;
  uint64_t sample;
  uint32_t input;
  uint32_t draw = 0;
  uint32_t word[4] = {0, 0, 0, 0};
  int used = 4;

  SC_HD ElementStream(philox::Key k, uint32_t blk, uint64_t smp, uint32_t inp)
      : key(k), block(blk), sample(smp), input(inp) {}

  SC_HD uint32_t next_word() {
    if (used == 4) {
      const philox::Block b = philox::philox4x32_10(philox::make_counter(block, sample, input, draw++), key);
      word[0] = b.v0; word[1] = b.v1; word[2] = b.v2; word[3] = b.v3;
      used = 0;
    }
    return word[used++];
  }
  SC_HD double uniform() {
    const uint32_t hi = next_word();
    return uniform_open_d(hi, next_word());
  }
  SC_HD double normal() {
    // Box-Muller, one of the pair: simple and branch-free; rejection samplers are not the hot path.
    const double r = sqrt(-2.0 * log(uniform()));
    return r * cos(6.283185307179586477 * uniform());
  }
};

// Gamma(shape, 1) by Marsaglia & Tsang (ACM TOMS 26(3), 2000); for shape < 1 the boost
// Gamma(shape) = Gamma(shape + 1) U^(1/shape).
SC_HD double gamma(ElementStream& rng, double shape) {
  double boost = 1.0;
  if (shape < 1.0) {
    boost = pow(rng.uniform(), 1.0 / shape);
    shape += 1.0;
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = rng.normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.uniform();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v * boost;
    if (log(u) < 0.5 * x2 + d * (1.0 - v + log(v))) return d * v * boost;
  }
}

}  // namespace sampling
}  // namespace smoothcert
