"""Noise families: fused sampling and certificates, one class per family."""

from smoothcert.noises.anisotropic import AnisotropicGaussian, AnisotropicUniform
from smoothcert.noises.base import ABSTAIN, Noise
from smoothcert.noises.gaussian import Gaussian
from smoothcert.noises.hierarchical import HierarchicalGaussian, HierarchicalSparse

__all__ = ["ABSTAIN", "Noise", "Gaussian", "AnisotropicGaussian", "AnisotropicUniform", "HierarchicalGaussian",
           "HierarchicalSparse"]
