#include "bounds/cohen.h"

#include "bounds/binomial.h"

namespace smoothcert::bounds {

bool cohen_select_lower(const int64_t* selection, const int64_t* estimate, int64_t rows, int64_t classes, int64_t n,
                        double alpha, int64_t* top, double* lower) {
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t* sel = selection + i * classes;
    const int64_t* est = estimate + i * classes;
    int64_t best = 0;
    for (int64_t j = 0; j < classes; ++j) {
      if (sel[j] < 0 || est[j] < 0 || est[j] > n) return false;
      if (sel[j] > sel[best]) best = j;
    }
    top[i] = best;
    lower[i] = clopper_pearson_lower(est[best], n, alpha);
  }
  return true;
}

}  // namespace smoothcert::bounds
