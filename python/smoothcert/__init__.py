"""smoothcert: fast, sound randomized-smoothing certified robustness.

Sampling produces counts; certification is a pure function of counts. See ``SmoothedClassifier``
for Cohen et al.'s PREDICT/CERTIFY, ``smoothcert.noises`` for the noise families and
``smoothcert.certify`` for certificates computed from probability bounds.
"""

from smoothcert._native import core as _core
from smoothcert import bounds, certify
from smoothcert.counts import Counts
from smoothcert.noises import ABSTAIN, Gaussian, Noise
from smoothcert.noises import GeneralizedGaussian, ThresholdedGeneralizedGaussian
from smoothcert.results import ResultsWriter, certified_accuracy, average_certified_radius, read_results, report
from smoothcert.smooth import ABSTAIN_LABEL, Certificate, CertifyResult, SmoothedClassifier

__version__ = "0.1.0"


def build_info() -> dict:
    """What the compiled core was built with: compiler, SIMD level, OpenMP threads, CUDA."""
    return dict(_core.build_info())


def set_num_threads(num_threads: int) -> None:
    """Threads used by the CPU kernels (OpenMP)."""
    _core.set_num_threads(int(num_threads))


__all__ = [
    "ABSTAIN", "ABSTAIN_LABEL", "Certificate", "CertifyResult", "Counts", "Gaussian", "Noise", "ResultsWriter",
    "SmoothedClassifier", "average_certified_radius", "bounds", "build_info", "certified_accuracy", "certify",
    "read_results", "report", "set_num_threads", "__version__",
    "GeneralizedGaussian", "ThresholdedGeneralizedGaussian",
]
