#include "bindings/register.h"

namespace smoothcert::bindings {
void register_shapes(pybind11::module_& m) { (void)m; }
}  // namespace smoothcert::bindings
