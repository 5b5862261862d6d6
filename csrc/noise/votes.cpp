#include "noise/votes.h"

#include <cmath>
#include <utility>

namespace smoothcert::noise {
namespace {

// kClasses > 0 fixes the number of classes at compile time (the class loop is then unrolled, and
// consecutive rows overlap in the out-of-order core); 0 reads it from `classes`.
template <int kClasses, class T>
int64_t count_votes_rows(const T* sp, int64_t groups, int64_t per_input, int64_t classes, int64_t* cp) {
  const int64_t width = kClasses > 0 ? kClasses : classes;
  for (int64_t g = 0, r = 0; g < groups; ++g) {
    int64_t* cg = cp + g * width;
    for (const int64_t end = r + per_input; r < end; ++r) {
      // Running maximum in registers and selects, not branches: the winning class of a noisy
      // copy is unpredictable, a mispredicted branch per row costs more than the comparisons.
      const T* row = sp + r * width;
      T top = row[0];
      int64_t best = 0;
      bool nan = std::isnan(top);
      for (int64_t c = 1; c < width; ++c) {
        const T v = row[c];
        nan |= std::isnan(v);
        const bool better = v > top;
        top = better ? v : top;
        best = better ? c : best;
      }
      if (nan) return r;
      cg[best] += 1;
    }
  }
  return -1;
}

template <class T, int... kFixed>
int64_t count_votes_dispatch(const T* sp, int64_t groups, int64_t per_input, int64_t classes, int64_t* cp,
                             std::integer_sequence<int, kFixed...>) {
  int64_t bad = -1;
  const bool fixed =
      ((classes == kFixed + 2 && (bad = count_votes_rows<kFixed + 2>(sp, groups, per_input, classes, cp), true)) ||
       ...);
  return fixed ? bad : count_votes_rows<0>(sp, groups, per_input, classes, cp);
}

}  // namespace

// Class counts 2 .. 16 (the usual data sets) get an unrolled loop; others the general one.
template <class T>
int64_t count_votes(const T* scores, int64_t groups, int64_t per_input, int64_t classes, int64_t* counts) {
  return count_votes_dispatch(scores, groups, per_input, classes, counts, std::make_integer_sequence<int, 15>{});
}

template int64_t count_votes<float>(const float*, int64_t, int64_t, int64_t, int64_t*);
template int64_t count_votes<double>(const double*, int64_t, int64_t, int64_t, int64_t*);

}  // namespace smoothcert::noise
