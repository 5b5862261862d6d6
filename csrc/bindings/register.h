// One register_<domain> per submodule of smoothcert._core; module.cpp only wires them together.
#pragma once
#include <pybind11/pybind11.h>

namespace smoothcert::bindings {
void register_info(pybind11::module_& m);
void register_noise(pybind11::module_& m);
void register_bounds(pybind11::module_& m);
void register_certify(pybind11::module_& m);
void register_special(pybind11::module_& m);
}  // namespace smoothcert::bindings
