// One register_<domain> per submodule of smoothcert._core; module.cpp only wires them together.
#pragma once
#include <pybind11/pybind11.h>

namespace smoothcert::bindings {
void register_info(pybind11::module_& m);
void register_bounds(pybind11::module_& m);
void register_noise(pybind11::module_& m);
void register_dsrs(pybind11::module_& m);
void register_shapes(pybind11::module_& m);
void register_shapes_sampling(pybind11::module_& m);
void register_shapes_certify(pybind11::module_& m);
void register_shapes_levelset(pybind11::module_& m);
void register_hierarchical(pybind11::module_& m);
}  // namespace smoothcert::bindings
