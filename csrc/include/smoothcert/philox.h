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
#include "smoothcert/simd.h"

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

constexpr uint32_t kPhiloxM0 = 0xD2511F53u, kPhiloxM1 = 0xCD9E8D57u;
constexpr uint32_t kPhiloxW0 = 0x9E3779B9u, kPhiloxW1 = 0xBB67AE85u;

// The ten round keys of a key as lane values (a simd::u32v repeats them in every lane). A kernel
// builds them once: derived inside every call, they cost a broadcast per round and call.
template <class U>
struct RoundKeys {
  U k0[10], k1[10];
};

template <class U>
SC_HD RoundKeys<U> round_keys(Key k) {
  RoundKeys<U> rk;
  uint32_t k0 = k.k0, k1 = k.k1;
  for (int round = 0; round < 10; ++round) {
    rk.k0[round] = U{} + k0;
    rk.k1[round] = U{} + k1;
    k0 += kPhiloxW0;
    k1 += kPhiloxW1;
  }
  return rk;
}

// The ten rounds on N independent counter sets of one lane type U: uint32_t for scalar code and
// CUDA, a simd::u32v of counters for the vectorised CPU loops (the key is the same for every lane).
// Interleaving N > 1 sets round by round gives an out-of-order core independent multiplies to
// overlap; each set's result is the same as on its own.
template <int N, class U>
SC_HD void philox_rounds_n(U (&v)[N][4], const RoundKeys<U>& rk) {
#if defined(__CUDACC__)
#pragma unroll
#else
#pragma GCC unroll 10
#endif
  for (int round = 0; round < 10; ++round) {
#if defined(__CUDACC__)
#pragma unroll
#else
#pragma GCC unroll 4
#endif
    for (int j = 0; j < N; ++j) {
      U hi0, lo0, hi1, lo1;
      simd::mul_wide(v[j][0], kPhiloxM0, hi0, lo0);
      simd::mul_wide(v[j][2], kPhiloxM1, hi1, lo1);
      v[j][0] = hi1 ^ v[j][1] ^ rk.k0[round];
      v[j][1] = lo1;
      v[j][2] = hi0 ^ v[j][3] ^ rk.k1[round];
      v[j][3] = lo0;
    }
  }
}

template <int N, class U>
SC_HD void philox_rounds_n(U (&v)[N][4], Key k) {
  philox_rounds_n<N>(v, round_keys<U>(k));
}

#if !defined(__CUDACC__)
// Blocks first .. first + P simd::kLanes - 1 of the counter (block, c.v1, c.v2, c.v3): word q of
// block first + h kLanes + l lands in lane l of out[h][q]. The values are those of
// philox_rounds_n<P> on these counters.
//
// With AVX2 or AVX-512 vectors the rounds run with one block per 64-bit lane instead:
// vpmuludq then gives each product whole, so a round needs one shift per product and no blends
// where the 32-bit layout (simd::mul_wide) needs three shifts and two blends. The high halves of
// the lanes carry junk that never reaches a low half (vpmuludq reads only low halves, and a
// product's high word is shifted down from a clean 64-bit product); twice as many vectors also
// give the out-of-order core more independent work. Packing the low halves back takes one
// shuffle per word and pair of vectors. AVX2: four vectors hold the sixteen blocks, and since
// vshufps takes two words from each source per 128-bit half, lanes 0-3 of the even vectors hold
// blocks {0, 1, 4, 5} and of the odd vectors {2, 3, 6, 7}. AVX-512: vector s holds blocks
// 8 s .. 8 s + 7 in order and one two-source permute (vpermt2d) packs a pair. Against the 32-bit
// layout, sixteen blocks were 11 % faster on Zen 3 (AVX2) and a Gaussian row of 64 floats 10 %
// faster on Zen 5 (AVX-512).
template <int P>
inline void philox_lanes(uint32_t first, Block c, const RoundKeys<simd::u32v>& rk, simd::u32v (&out)[P][4]) {
#if defined(__AVX512F__) || defined(__AVX2__)
  using simd::u64h;
  constexpr int S = 2 * P;             // 64-bit vectors
  constexpr int H = simd::kLanes / 2;  // blocks per 64-bit vector
  const auto low = [](simd::u32v u) { return reinterpret_cast<const u64h&>(u); };
  const u64h m0 = u64h{} + kPhiloxM0, m1 = u64h{} + kPhiloxM1;
  u64h v[S][4];
  for (int s = 0; s < S; ++s) {
    for (int l = 0; l < H; ++l) {
#if defined(__AVX512F__)
      const int block = H * s + l;
#else
      const int block = 8 * (s / 2) + 2 * (s % 2) + (l % 2) + 4 * (l / 2);
#endif
      v[s][0][l] = first + static_cast<uint32_t>(block);
    }
    v[s][1] = u64h{} + c.v1;
    v[s][2] = u64h{} + c.v2;
    v[s][3] = u64h{} + c.v3;
  }
#pragma GCC unroll 10
  for (int round = 0; round < 10; ++round) {
#pragma GCC unroll 4
    for (int s = 0; s < S; ++s) {
      const u64h p0 = simd::mul_low_halves(v[s][0], m0);
      const u64h p1 = simd::mul_low_halves(v[s][2], m1);
      v[s][0] = (p1 >> 32) ^ v[s][1] ^ low(rk.k0[round]);
      v[s][1] = p1;
      v[s][2] = (p0 >> 32) ^ v[s][3] ^ low(rk.k1[round]);
      v[s][3] = p0;
    }
  }
  for (int h = 0; h < P; ++h)
    for (int q = 0; q < 4; ++q) {
      const simd::u32v a = reinterpret_cast<const simd::u32v&>(v[2 * h][q]);
      const simd::u32v b = reinterpret_cast<const simd::u32v&>(v[2 * h + 1][q]);
#if defined(__AVX512F__)
      out[h][q] = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
#else
      out[h][q] = reinterpret_cast<simd::u32v>(
          _mm256_shuffle_ps(reinterpret_cast<__m256>(a), reinterpret_cast<__m256>(b), 0x88));
#endif
    }
#else
  simd::u32v lane;
  for (int l = 0; l < simd::kLanes; ++l) lane[l] = first + static_cast<uint32_t>(l);
  for (int h = 0; h < P; ++h) {
    out[h][0] = lane + static_cast<uint32_t>(h * simd::kLanes);
    out[h][1] = simd::u32v{} + c.v1;
    out[h][2] = simd::u32v{} + c.v2;
    out[h][3] = simd::u32v{} + c.v3;
  }
  philox_rounds_n<P>(out, rk);
#endif
}
#endif

template <class U>
SC_HD void philox_rounds(U& v0, U& v1, U& v2, U& v3, Key k) {
  U v[1][4] = {{v0, v1, v2, v3}};
  philox_rounds_n<1>(v, k);
  v0 = v[0][0];
  v1 = v[0][1];
  v2 = v[0][2];
  v3 = v[0][3];
}

SC_HD Block philox4x32_10(Block c, Key k) {
  philox_rounds(c.v0, c.v1, c.v2, c.v3, k);
  return c;
}

}  // namespace philox
}  // namespace smoothcert
