"""Noise families: fused sampling and certificates, one class per family."""

from smoothcert.noises.base import ABSTAIN, Noise
from smoothcert.noises.gaussian import Gaussian
from smoothcert.noises.generalized_gaussian import GeneralizedGaussian, ThresholdedGeneralizedGaussian

__all__ = ["ABSTAIN", "Noise", "Gaussian", "GeneralizedGaussian", "ThresholdedGeneralizedGaussian"]
