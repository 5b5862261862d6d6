#include <cuda_runtime.h>

namespace smoothcert::bindings {

// Number of visible CUDA devices; 0 when there is no driver or no device (not an error here).
int cuda_device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return n;
}

}  // namespace smoothcert::bindings
