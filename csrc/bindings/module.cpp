#include "bindings/register.h"

namespace py = pybind11;
using namespace smoothcert::bindings;

PYBIND11_MODULE(_core, m) {
  m.doc() = "smoothcert compiled core: noise kernels, bounds and certificates";
  register_info(m);
  auto bounds = m.def_submodule("bounds", "Binomial confidence bounds and tests");
  register_bounds(bounds);
  auto noise = m.def_submodule("noise", "Fused x + noise kernels over the counter-based RNG");
  register_noise(noise);
  auto dsrs = m.def_submodule("dsrs", "Generalized Gaussian and double-sampling certificates");
  register_dsrs(dsrs);
  auto shapes = m.def_submodule("shapes", "Noise families of all shapes and sizes, radius tables, split noise");
  register_shapes(shapes);
  auto hierarchical = m.def_submodule("hierarchical", "Hierarchical smoothing samplers and certificates");
  register_hierarchical(hierarchical);
}
