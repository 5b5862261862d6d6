"""smoothcert: fast, sound randomized-smoothing certified robustness."""

from smoothcert._native import core as _core
from smoothcert import certify
from smoothcert.noises import HierarchicalGaussian, HierarchicalSparse

__version__ = "0.1.0"


def build_info() -> dict:
    """What the compiled core was built with: compiler, SIMD level, OpenMP threads, CUDA."""
    return dict(_core.build_info())


__all__ = ["build_info", "__version__", "certify", "HierarchicalGaussian", "HierarchicalSparse"]
