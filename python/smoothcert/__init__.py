"""smoothcert: fast, sound randomized-smoothing certified robustness."""

from smoothcert._native import core as _core

__version__ = "0.1.0"


def build_info() -> dict:
    """What the compiled core was built with: compiler, SIMD level, OpenMP threads, CUDA."""
    return dict(_core.build_info())


__all__ = ["build_info", "__version__"]

from smoothcert.noises import (DSSN, SSN, Exp1, Exp2, ExpInf, Expp, Laplace, Pareto,  # noqa: E402
                               Pow2, PowInf, Uniform, UniformBall)

__all__ += ["Uniform", "Laplace", "Pareto", "UniformBall", "ExpInf", "PowInf", "Exp2", "Pow2", "Exp1",
            "Expp", "SSN", "DSSN"]
