// Fused hierarchical noise (Scholten et al., NeurIPS 2023): entity selection plus lower-level noise,
// with the optional 0/1 indicator of the selection appended to the output.
#pragma once
#include <cstdint>

#include "smoothcert/common.h"

namespace smoothcert::noise {

// Input x: [inputs, channels, entities, features] (one of channels/features is 1 in practice:
// images are [C, H*W, 1], node features [1, N, F]). Output: [inputs, samples, channels + ind_channel,
// entities, features + ind_feature]; the indicator is written into the extra channel (every feature
// of it) or the extra feature column (every channel), as 1 for selected entities and 0 otherwise.
struct HierProblem {
  int64_t inputs;
  int64_t samples;
  int64_t channels;
  int64_t entities;
  int64_t features;
  int ind_channel;   // 0 or 1
  int ind_feature;   // 0 or 1
  uint64_t seed;
  uint32_t role;
  int64_t index0;    // global index of input row 0
  int64_t sample0;   // global index of the first sample
  double selection_prob;

  SC_HD int64_t in_dim() const { return channels * entities * features; }
  SC_HD int64_t out_dim() const { return (channels + ind_channel) * entities * (features + ind_feature); }
};

// Selected entities get sigma * N(0, I) on all their elements.
template <class T>
void hierarchical_gaussian_cpu(const T* x, T* out, const HierProblem& pb, T sigma);

// Selected entity rows (channels == 1) get bit flips: 0 -> 1 with p_plus, 1 -> 0 with p_minus.
// x holds 0/1 values.
template <class T>
void hierarchical_flip_cpu(const T* x, T* out, const HierProblem& pb, double p_plus, double p_minus);

#if defined(SMOOTHCERT_WITH_CUDA)
// Device pointers; stream is a cudaStream_t passed as an integer.
void hierarchical_gaussian_cuda_f32(const float* x, float* out, const HierProblem& pb, float sigma, uintptr_t stream);
void hierarchical_gaussian_cuda_f64(const double* x, double* out, const HierProblem& pb, double sigma,
                                    uintptr_t stream);
void hierarchical_flip_cuda_f32(const float* x, float* out, const HierProblem& pb, double p_plus, double p_minus,
                                uintptr_t stream);
void hierarchical_flip_cuda_f64(const double* x, double* out, const HierProblem& pb, double p_plus, double p_minus,
                                uintptr_t stream);
#endif

}  // namespace smoothcert::noise
