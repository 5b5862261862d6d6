#include "noise/iid_cuda.cuh"
#include "noise/shapes_radial_cuda.cuh"
#include "noise/shapes_sampling.h"

namespace smoothcert::noise::shapes {

namespace {
cudaStream_t as_stream(uintptr_t s) { return reinterpret_cast<cudaStream_t>(s); }

template <class T, class Dir>
void radial_with_direction(const T* x, T* out, const IidProblem& pb, const RadialSpec& spec, const Dir& dir,
                           cudaStream_t stream) {
  switch (spec.law) {
    case RadiusLaw::kPowerUniform:
      add_radial_noise_cuda(x, out, pb, dir, PowerUniformRadius{spec.power}, spec.lambd, stream); return;
    case RadiusLaw::kGamma:
      add_radial_noise_cuda(x, out, pb, dir, GammaRadius{spec.shape1, spec.power}, spec.lambd, stream); return;
    case RadiusLaw::kBetaPrime:
      add_radial_noise_cuda(x, out, pb, dir, BetaPrimeRadius{spec.shape1, spec.shape2, spec.power}, spec.lambd,
                            stream);
      return;
    case RadiusLaw::kTruncatedGamma:
      add_radial_noise_cuda(x, out, pb, dir, TruncatedGammaRadius{spec.shape1, spec.shape2, spec.power},
                            spec.lambd, stream);
      return;
  }
  throw std::invalid_argument("unknown radius law");
}
}  // namespace

template <class T>
void iid_sample_cuda(const T* x, T* out, const IidProblem& pb, const IidSpec& spec, uintptr_t stream) {
  const T lambd = static_cast<T>(spec.lambd);
  switch (spec.law) {
    case IidLaw::kUniform: add_iid_noise_cuda(x, out, pb, UniformGen<T>{lambd}, as_stream(stream)); return;
    case IidLaw::kLaplace: add_iid_noise_cuda(x, out, pb, LaplaceGen<T>{lambd}, as_stream(stream)); return;
    case IidLaw::kPareto:
      add_iid_noise_cuda(x, out, pb, ParetoGen<T>{lambd, static_cast<T>(1.0 / spec.a)}, as_stream(stream));
      return;
  }
  throw std::invalid_argument("unknown i.i.d. law");
}

template <class T>
void radial_sample_cuda(const T* x, T* out, const IidProblem& pb, const RadialSpec& spec, uintptr_t stream) {
  switch (spec.direction) {
    case Direction::kL1: radial_with_direction(x, out, pb, spec, L1Direction<T>{}, as_stream(stream)); return;
    case Direction::kL2: radial_with_direction(x, out, pb, spec, L2Direction<T>{}, as_stream(stream)); return;
    case Direction::kLinf: radial_with_direction(x, out, pb, spec, LinfDirection<T>{}, as_stream(stream)); return;
  }
  throw std::invalid_argument("unknown direction");
}

template <class T>
void expp_sample_cuda(const T* x, T* out, const IidProblem& pb, double p, double lambd, uintptr_t stream) {
  const int64_t total = pb.inputs * pb.samples * pb.dim;
  if (total == 0) return;
  add_expp_noise_kernel<T><<<grid_for(total, 256), 256, 0, as_stream(stream)>>>(x, out, pb, ExppParams{1.0 / p + 1.0, 1.0 / p, lambd});
  check_launch("Expp noise kernel");
}

template <class T>
void ssn_sample_cuda(const T* x, T* out, const IidProblem& pb, double lambd, uintptr_t stream) {
  constexpr int K = SplitGen<T>::kPerBlock;
  const int64_t blocks = (pb.dim + K - 1) / K;
  const int64_t total = pb.inputs * pb.samples * blocks;
  if (total == 0) return;
  split_noise_kernel<T><<<grid_for(total, 256), 256, 0, as_stream(stream)>>>(x, out, pb, static_cast<T>(2.0 * lambd),
                                                                             blocks);
  check_launch("SSN kernel");
}

template <class T>
void dssn_sample_cuda(const T* x, T* out, const IidProblem& pb, int64_t levels, uintptr_t stream) {
  const int64_t total = pb.inputs * pb.samples * pb.dim;
  if (total == 0) return;
  dssn_kernel<T><<<grid_for(total, 256), 256, 0, as_stream(stream)>>>(x, out, pb, levels);
  check_launch("DSSN kernel");
}

#define SMOOTHCERT_SHAPES_CUDA(T)                                                                       \
  template void iid_sample_cuda<T>(const T*, T*, const IidProblem&, const IidSpec&, uintptr_t);         \
  template void radial_sample_cuda<T>(const T*, T*, const IidProblem&, const RadialSpec&, uintptr_t);   \
  template void expp_sample_cuda<T>(const T*, T*, const IidProblem&, double, double, uintptr_t);        \
  template void ssn_sample_cuda<T>(const T*, T*, const IidProblem&, double, uintptr_t);                 \
  template void dssn_sample_cuda<T>(const T*, T*, const IidProblem&, int64_t, uintptr_t);
SMOOTHCERT_SHAPES_CUDA(float)
SMOOTHCERT_SHAPES_CUDA(double)
#undef SMOOTHCERT_SHAPES_CUDA

}  // namespace smoothcert::noise::shapes
