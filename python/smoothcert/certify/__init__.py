"""Certificates: pure functions of probability bounds (or exact counts), one module per family.

``gaussian`` (the Gaussian radius, binary and p_A/p_B), ``shapes`` (the families of Yang et al.
2020 at scale 1), ``generalized_gaussian`` (Neyman–Pearson and DSRS), ``hierarchical``, ``dssn``;
``registry`` holds which certificate serves which noise class and norm. Nothing here imports the
noises, the smoothed classifier or the CLI.
"""

from smoothcert.certify import gaussian, generalized_gaussian, registry, shapes  # noqa: F401
from smoothcert.certify.dssn import dssn
from smoothcert.certify.gaussian import gaussian_pa_pb_radius, gaussian_radius
from smoothcert.certify.generalized_gaussian import GeneralizedGaussianLaw, XPlus, dsrs, neyman_pearson
from smoothcert.certify.hierarchical import hierarchical_ablation, hierarchical_gaussian, hierarchical_sparse

__all__ = ["GeneralizedGaussianLaw", "XPlus", "dsrs", "dssn", "gaussian", "gaussian_pa_pb_radius", "gaussian_radius",
           "generalized_gaussian", "hierarchical_ablation", "hierarchical_gaussian", "hierarchical_sparse",
           "neyman_pearson", "registry", "shapes"]
