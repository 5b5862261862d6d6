// Directed rounding of long-double values to double: the margins that keep a radius or a lower
// bound on its certified side.
#pragma once
#include <cmath>
#include <limits>

#include "smoothcert/common.h"

namespace smoothcert {
namespace special {

inline double round_down(real v) {
  double d = static_cast<double>(v);
  if (static_cast<real>(d) > v) d = std::nextafter(d, -std::numeric_limits<double>::infinity());
  return d;
}
inline double round_up(real v) {
  double d = static_cast<double>(v);
  if (static_cast<real>(d) < v) d = std::nextafter(d, std::numeric_limits<double>::infinity());
  return d;
}
// Step a double down/up by n ulps: a margin for the error of a long-double evaluation.
inline double ulps_down(double d, int n) {
  for (int i = 0; i < n; ++i) d = std::nextafter(d, -std::numeric_limits<double>::infinity());
  return d;
}
inline double ulps_up(double d, int n) {
  for (int i = 0; i < n; ++i) d = std::nextafter(d, std::numeric_limits<double>::infinity());
  return d;
}

}  // namespace special
}  // namespace smoothcert
