// Vote counting: the argmax of each model-output row, added to its input's class counts.
#pragma once
#include <cstdint>

namespace smoothcert::noise {

// counts[g, c] += number of rows g*per_input .. (g+1)*per_input - 1 of scores [groups * per_input,
// classes] whose first maximal entry is c (torch.argmax's tie rule). A NaN score is an error, not
// a vote: returns the first row holding one (its group's counts are then partial), else -1.
template <class T>
int64_t count_votes(const T* scores, int64_t groups, int64_t per_input, int64_t classes, int64_t* counts);

}  // namespace smoothcert::noise
