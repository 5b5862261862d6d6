"""Noise families: fused sampling and certificates, one class per family."""

from smoothcert.noises.anisotropic_noise import AnisotropicGaussian, AnisotropicUniform
from smoothcert.noises.base import ABSTAIN, Noise
from smoothcert.noises.gaussian_noise import Gaussian
from smoothcert.noises.generalized_gaussian_noise import GeneralizedGaussian, ThresholdedGeneralizedGaussian
from smoothcert.noises.hierarchical_noise import HierarchicalGaussian, HierarchicalSparse
from smoothcert.noises.shapes_noise import (Exp1, Exp2, ExpInf, Expp, Laplace, Pareto, Pow2, PowInf,
                                      Uniform, UniformBall)
from smoothcert.noises.splitting_noise import DSSN, SSN

__all__ = [
    "ABSTAIN", "Noise", "Gaussian", "Uniform", "Laplace", "Pareto", "UniformBall", "ExpInf", "PowInf", "Exp2",
    "Pow2", "Exp1", "Expp", "SSN", "DSSN", "GeneralizedGaussian", "ThresholdedGeneralizedGaussian",
    "HierarchicalGaussian", "HierarchicalSparse", "AnisotropicGaussian", "AnisotropicUniform",
]
