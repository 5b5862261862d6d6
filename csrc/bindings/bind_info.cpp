#include <string>

#include "bindings/register.h"
#if defined(SMOOTHCERT_WITH_OPENMP)
#include <omp.h>
#endif

namespace py = pybind11;

namespace smoothcert::bindings {
namespace {

std::string simd_level() {
#if defined(__AVX512F__)
  return "avx512";
#elif defined(__AVX2__)
  return "avx2";
#elif defined(__AVX__)
  return "avx";
#elif defined(__SSE4_2__)
  return "sse4.2";
#elif defined(__ARM_NEON)
  return "neon";
#else
  return "baseline";
#endif
}

}  // namespace

#if defined(SMOOTHCERT_WITH_CUDA)
int cuda_device_count();
#endif

void register_info(py::module_& m) {
  m.def("build_info", []() {
    py::dict info;
    info["version"] = SMOOTHCERT_VERSION;
    info["compiler"] = SMOOTHCERT_COMPILER;
    info["simd"] = simd_level();
#if defined(SMOOTHCERT_WITH_OPENMP)
    info["openmp"] = true;
    info["max_threads"] = omp_get_max_threads();
#else
    info["openmp"] = false;
    info["max_threads"] = 1;
#endif
#if defined(SMOOTHCERT_WITH_CUDA)
    info["cuda"] = true;
    info["cuda_devices"] = cuda_device_count();
#else
    info["cuda"] = false;
    info["cuda_devices"] = 0;
#endif
    return info;
  }, "What the compiled core was built with: compiler, SIMD level, OpenMP/threads, CUDA.");
  m.def("set_num_threads", [](int n) {
    if (n < 1) throw py::value_error("num_threads must be >= 1, got " + std::to_string(n));
#if defined(SMOOTHCERT_WITH_OPENMP)
    omp_set_num_threads(n);
#endif
  }, py::arg("num_threads"), "Threads used by the CPU kernels.");
  m.def("get_num_threads", []() {
#if defined(SMOOTHCERT_WITH_OPENMP)
    return omp_get_max_threads();
#else
    return 1;
#endif
  });
}

}  // namespace smoothcert::bindings
