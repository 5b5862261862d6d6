#include <stdexcept>

#include "noise/iid_cpu.h"
#include "noise/shapes_expp.h"
#include "noise/shapes_radial.h"
#include "noise/shapes_sampling.h"
#include "noise/shapes_split.h"

namespace smoothcert::noise::shapes {

template <class T>
void iid_sample_cpu(const T* x, T* out, const IidProblem& pb, const IidSpec& spec) {
  const T lambd = static_cast<T>(spec.lambd);
  switch (spec.law) {
    case IidLaw::kUniform: add_iid_noise_cpu(x, out, pb, UniformGen<T>{lambd}); return;
    case IidLaw::kLaplace: add_iid_noise_cpu(x, out, pb, LaplaceGen<T>{lambd}); return;
    case IidLaw::kPareto: add_iid_noise_cpu(x, out, pb, ParetoGen<T>{lambd, static_cast<T>(1.0 / spec.a)}); return;
  }
  throw std::invalid_argument("unknown i.i.d. law");
}

template <class T, class Dir>
void radial_with_direction(const T* x, T* out, const IidProblem& pb, const RadialSpec& spec, const Dir& dir) {
  switch (spec.law) {
    case RadiusLaw::kPowerUniform:
      add_radial_noise_cpu(x, out, pb, dir, PowerUniformRadius{spec.power}, spec.lambd); return;
    case RadiusLaw::kGamma:
      add_radial_noise_cpu(x, out, pb, dir, GammaRadius{spec.shape1, spec.power}, spec.lambd); return;
    case RadiusLaw::kBetaPrime:
      add_radial_noise_cpu(x, out, pb, dir, BetaPrimeRadius{spec.shape1, spec.shape2, spec.power}, spec.lambd);
      return;
    case RadiusLaw::kTruncatedGamma:
      add_radial_noise_cpu(x, out, pb, dir, TruncatedGammaRadius{spec.shape1, spec.shape2, spec.power}, spec.lambd);
      return;
  }
  throw std::invalid_argument("unknown radius law");
}

template <class T>
void radial_sample_cpu(const T* x, T* out, const IidProblem& pb, const RadialSpec& spec) {
  switch (spec.direction) {
    case Direction::kL1: radial_with_direction(x, out, pb, spec, L1Direction<T>{}); return;
    case Direction::kL2: radial_with_direction(x, out, pb, spec, L2Direction<T>{}); return;
    case Direction::kLinf: radial_with_direction(x, out, pb, spec, LinfDirection<T>{}); return;
  }
  throw std::invalid_argument("unknown direction");
}

template <class T>
void expp_sample_cpu(const T* x, T* out, const IidProblem& pb, double p, double lambd) {
  add_expp_noise_cpu(x, out, pb, ExppParams{1.0 / p + 1.0, 1.0 / p, lambd});
}

template <class T>
void ssn_sample_cpu(const T* x, T* out, const IidProblem& pb, double lambd) {
  split_noise_cpu(x, out, pb, static_cast<T>(2.0 * lambd));
}

template <class T>
void dssn_sample_cpu(const T* x, T* out, const IidProblem& pb, int64_t levels) {
  dssn_cpu(x, out, pb, levels);
}

#define SMOOTHCERT_SHAPES_CPU(T)                                                                 \
  template void iid_sample_cpu<T>(const T*, T*, const IidProblem&, const IidSpec&);              \
  template void radial_sample_cpu<T>(const T*, T*, const IidProblem&, const RadialSpec&);        \
  template void expp_sample_cpu<T>(const T*, T*, const IidProblem&, double, double);             \
  template void ssn_sample_cpu<T>(const T*, T*, const IidProblem&, double);                      \
  template void dssn_sample_cpu<T>(const T*, T*, const IidProblem&, int64_t);
SMOOTHCERT_SHAPES_CPU(float)
SMOOTHCERT_SHAPES_CPU(double)
#undef SMOOTHCERT_SHAPES_CPU

}  // namespace smoothcert::noise::shapes
