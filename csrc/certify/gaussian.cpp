#include "certify/gaussian.h"

#include <cmath>
#include <limits>

#include "smoothcert/special/normal.h"

namespace smoothcert::certify {


double gaussian_radius(double sigma, double p_lower) {
  if (!(p_lower > 0.5)) return std::numeric_limits<double>::quiet_NaN();
  real x = special::norm_ppf(static_cast<real>(p_lower));
  if (p_lower < 0.75 && x > 0) {
    // Near p = 1/2 the tail-based quantile loses relative accuracy (x -> 0); polish with Newton on
    // erf(x / sqrt 2) = 2p - 1, whose right side is exact and whose left side is accurate to a
    // relative ulp for small x.
    const real target = 2.0L * static_cast<real>(p_lower) - 1.0L;
    for (int it = 0; it < 8; ++it) {
      const real step = (std::erf(x / special::kSqrt2) - target) / (2.0L * special::norm_pdf(x));
      x -= step;
      if (std::fabs(step) <= 1e-19L * x) break;
    }
  }
  const real r = static_cast<real>(sigma) * x;
  if (!(r > 0)) return 0.0;
  // At p = 1 (r = +inf) this gives a finite radius near DBL_MAX, as both replaced versions did.
  // Eight ulps below the long-double value: the quantile is accurate to ~1e-19 relative, so this
  // is never above the exact radius. Of the two implementations this one replaces (2 and 8 ulps
  // below), it keeps the lower: a radius may move down, never up.
  return special::ulps_down(special::round_down(r), 8);
}

double gaussian_pa_pb_radius(double sigma, double p_a, double p_b) {
  const double gap = special::norm_ppf_down(p_a) - special::norm_ppf_up(p_b);
  return std::nextafter(0.5 * sigma * gap, -std::numeric_limits<double>::infinity());
}

}  // namespace smoothcert::certify
