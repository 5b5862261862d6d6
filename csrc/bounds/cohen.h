// Cohen et al. (2019), CERTIFY once the votes are counted.
#pragma once
#include <cstdint>

namespace smoothcert::bounds {

// Per row i of [rows, classes] count arrays: top[i] = c_A, the argmax of selection (the lowest
// class on ties), and lower[i] = the Clopper-Pearson lower bound on p_A from c_A's count among the
// n estimation draws. Returns false (outputs partial) if a count lies outside [0, n].
bool cohen_select_lower(const int64_t* selection, const int64_t* estimate, int64_t rows, int64_t classes, int64_t n,
                        double alpha, int64_t* top, double* lower);

}  // namespace smoothcert::bounds
