#include "bindings/register.h"

namespace smoothcert::bindings {
void register_shapes(pybind11::module_& m) {
  register_shapes_sampling(m);
  register_shapes_certify(m);
}
}  // namespace smoothcert::bindings
