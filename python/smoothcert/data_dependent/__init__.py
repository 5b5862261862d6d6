"""Data-dependent smoothing: per-input noise scales, and memory-based certification.

Alfarra, Bibi, Torr & Ghanem, "Data Dependent Randomized Smoothing" (UAI 2022) choose the Gaussian
sigma of every input by gradient ascent on a differentiable estimate of its certified radius;
Eiras et al., "ANCER" (TMLR 2022) do the same with one scale per input element.

* :mod:`~smoothcert.data_dependent.sigma_optimization` — :func:`optimize_sigma`, batched gradient
  ascent on the radius proxy.
* :mod:`~smoothcert.data_dependent.pipeline` — :func:`certify_data_dependent`, Cohen et al.'s
  CERTIFY of each input with its own fixed scale, and :class:`PerInputCertifier` for the CLI.
* :mod:`~smoothcert.data_dependent.memory` — :class:`MemoryCertifier`, the memory-based
  post-processing that makes a collection of per-input certificates mutually consistent. Read its
  docstring before relying on a data-dependent radius: **without it, a per-input sigma
  certificate is not sound in general.**
* :mod:`~smoothcert.data_dependent.sigma_files` — reading and writing per-input scales.
* :mod:`~smoothcert.data_dependent.threat_models` — the l2 (Gaussian) and l1 (uniform) threat
  models, and :func:`anisotropic_radius`.
"""

from smoothcert.data_dependent.memory import MemoryCertifier, MemoryDecision
from smoothcert.data_dependent.pipeline import PerInputCertifier, certify_data_dependent, per_input_certifier
from smoothcert.data_dependent.sigma_files import load_sigma_file, save_sigma_file
from smoothcert.data_dependent.sigma_optimization import (OUTPUTS, ROLE_SIGMA, SigmaOptimization, evaluate_proxy,
                                                          optimize_sigma, radius_proxy)
from smoothcert.data_dependent.threat_models import NORMS, anisotropic_radius

__all__ = ["SigmaOptimization", "optimize_sigma", "evaluate_proxy", "radius_proxy", "certify_data_dependent",
           "anisotropic_radius", "MemoryCertifier", "MemoryDecision", "PerInputCertifier", "per_input_certifier",
           "save_sigma_file", "load_sigma_file", "ROLE_SIGMA", "NORMS", "OUTPUTS"]
