// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011).
//
// smoothcert's noise is a pure function of (seed, role, input index, sample index, element):
//   key     = (seed low word, seed high word XOR a role tag)
//   counter = (element block, sample index low, sample index high | draw << 16, input index)
// An element block is four consecutive 32-bit outputs. `draw` numbers extra blocks that a
// rejection sampler may need for the same element; it is 0 for samplers that never reject.
// Because nothing depends on batch size, thread count or device, every split of the work gives
// bit-identical noise.
#pragma once
#include "smoothcert/common.h"

namespace smoothcert {
namespace philox {

struct Key {
  uint32_t k0, k1;
};
struct Block {
  uint32_t v0, v1, v2, v3;
};

// Role tags separate independent streams drawn for the same input (e.g. the n0 selection draws,
// the n estimation draws, a second distribution Q, a selection mask).
enum Role : uint32_t {
  kRoleEstimate = 0,
  kRoleSelect = 1,
  kRoleSecond = 2,
  kRoleMask = 3,
  kRoleAux = 4,
};

SC_HD Key make_key(uint64_t seed, uint32_t role) {
  // Multiplying by an odd constant spreads small role numbers over the whole word.
  return Key{static_cast<uint32_t>(seed),
             static_cast<uint32_t>(seed >> 32) ^ (role * 0x9E3779B9u)};
}

SC_HD Block make_counter(uint32_t block, uint64_t sample, uint32_t input, uint32_t draw = 0) {
  return Block{block, static_cast<uint32_t>(sample),
               (static_cast<uint32_t>(sample >> 32) & 0xFFFFu) | (draw << 16), input};
}

SC_HD void mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  const uint64_t p = static_cast<uint64_t>(a) * static_cast<uint64_t>(b);
  hi = static_cast<uint32_t>(p >> 32);
  lo = static_cast<uint32_t>(p);
}

SC_HD Block philox4x32_10(Block c, Key k) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
#if defined(__CUDACC__)
#pragma unroll
#elif defined(__GNUC__) && !defined(__clang__)
// Fully unrolled, the rounds are straight-line code that the "omp simd" loops of the CPU shells
// can vectorise across element blocks.
#pragma GCC unroll 10
#endif
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(kM0, c.v0, hi0, lo0);
    mulhilo(kM1, c.v2, hi1, lo1);
    c = Block{hi1 ^ c.v1 ^ k.k0, lo1, hi0 ^ c.v3 ^ k.k1, lo0};
    k.k0 += kW0;
    k.k1 += kW1;
  }
  return c;
}

}  // namespace philox
}  // namespace smoothcert
