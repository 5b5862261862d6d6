#include "bindings/register.h"

namespace py = pybind11;
using namespace smoothcert::bindings;

PYBIND11_MODULE(_core, m) {
  m.doc() = "smoothcert compiled core: noise kernels, bounds, certificates and special functions";
  register_info(m);
  auto noise = m.def_submodule("noise", "Fused x + noise kernels over the counter-based RNG, and vote counting");
  register_noise(noise);
  auto bounds = m.def_submodule("bounds", "Binomial confidence bounds and tests, Cohen et al.'s selection");
  register_bounds(bounds);
  auto certify = m.def_submodule("certify", "Certified radii of every family, as functions of probability bounds");
  register_certify(certify);
  auto special = m.def_submodule("special", "Special functions with directed rounding (for tests and tables)");
  register_special(special);
}
