// The rows of one fused-noise call and the generator protocol of the i.i.d. shells. Each Philox
// block (element block b of sample j of input i) yields Gen::kPerBlock variates of type T. The CPU
// loop (noise/rows_cpu.h) and the CUDA kernel (noise/rows_cuda.cuh) both call Gen::fill, so the
// noise is the same function of (seed, role, input, sample, element) on every backend.
//
// A generator is a small struct with
//   static constexpr int kPerBlock;                       // variates per Philox block
//   SC_HD void fill(const philox::Block&, T out[kPerBlock]) const;   // noise values, scaled
// and, optionally for the CPU, a vector twin computing simd::kLanes consecutive blocks at once
// with the same operations lane by lane (so vector and scalar results are bit-identical):
//   void fill_lanes(const simd::u32v w[4], simd::f32v out[kPerBlock]) const;
#pragma once
#include <cstdint>

#include "smoothcert/common.h"

namespace smoothcert::noise {

// Problem geometry shared by the CPU and CUDA shells.
struct IidProblem {
  int64_t inputs;      // B: rows of x
  int64_t samples;     // m: noisy copies per input
  int64_t dim;         // D: elements per input
  uint64_t seed;
  uint32_t role;
  int64_t index0;      // global index of input row 0
  int64_t sample0;     // global index of the first sample
};

// Counter identity of row `row` (input i, sample j: row = i * samples + j) of a fused-noise call;
// Problem is IidProblem or HierProblem.
struct RowIds {
  int64_t i;        // row of x
  uint64_t sample;  // global sample index: sample0 + j
  uint32_t input;   // global input index: index0 + i
};
template <class Problem>
SC_HD RowIds row_ids(const Problem& pb, int64_t row) {
  const int64_t i = row / pb.samples;
  return RowIds{i, static_cast<uint64_t>(pb.sample0 + row % pb.samples), static_cast<uint32_t>(pb.index0 + i)};
}

// How the i.i.d. shells combine an input value x and its variate v: additive noise, x + v.
struct AddNoise {
  template <class T>
  SC_HD T operator()(T x, T v) const { return x + v; }
};

}  // namespace smoothcert::noise
