"""smoothcert: fast, sound randomized-smoothing certified robustness.

Sampling produces counts; certification is a pure function of counts. See ``SmoothedClassifier``
for Cohen et al.'s PREDICT/CERTIFY, ``smoothcert.noises`` for the noise families and
``smoothcert.certify`` for certificates computed from probability bounds.
"""

from smoothcert._native import core as _core
from smoothcert import bounds, certify
from smoothcert.counts import Counts
from smoothcert.noises import (ABSTAIN, DSSN, SSN, AnisotropicGaussian, AnisotropicUniform, Exp1, Exp2, ExpInf,
                               Expp, Gaussian, GeneralizedGaussian, HierarchicalGaussian, HierarchicalSparse,
                               Laplace, Noise, Pareto, Pow2, PowInf, ThresholdedGeneralizedGaussian, Uniform,
                               UniformBall)
# Importing tables declares the certificates it serves (Exp2 and Pow2 l2) with certify.registry.
from smoothcert import tables  # noqa: E402,F401
from smoothcert.results import ResultsWriter, average_certified_radius, certified_accuracy, read_results, report
from smoothcert.smooth import ABSTAIN_LABEL, Certificate, CertifyResult, SmoothedClassifier

__version__ = "0.1.0"


def build_info() -> dict:
    """What the compiled core was built with: compiler, SIMD level, OpenMP threads, CUDA."""
    return dict(_core.build_info())


def set_num_threads(num_threads: int) -> None:
    """Threads used by the CPU kernels (OpenMP)."""
    _core.set_num_threads(int(num_threads))


__all__ = [
    "ABSTAIN", "ABSTAIN_LABEL", "Certificate", "CertifyResult", "Counts", "Noise", "ResultsWriter",
    "SmoothedClassifier", "average_certified_radius", "bounds", "build_info", "certified_accuracy", "certify",
    "read_results", "report", "set_num_threads", "__version__",
    "Gaussian", "Uniform", "Laplace", "Pareto", "UniformBall", "ExpInf", "PowInf", "Exp2", "Pow2", "Exp1",
    "Expp", "SSN", "DSSN", "GeneralizedGaussian", "ThresholdedGeneralizedGaussian", "HierarchicalGaussian",
    "HierarchicalSparse", "AnisotropicGaussian", "AnisotropicUniform",
]
