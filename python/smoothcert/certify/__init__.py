"""Certificates: pure functions of counts or probability bounds."""

from smoothcert.certify import shapes  # noqa: F401  (all-shapes radii registry)
from smoothcert.certify.dsrs import dsrs
from smoothcert.certify.dssn import dssn
from smoothcert.certify.hierarchical import hierarchical_ablation, hierarchical_gaussian, hierarchical_sparse
from smoothcert.certify.neyman_pearson import neyman_pearson

__all__ = ["dsrs", "dssn", "hierarchical_ablation", "hierarchical_gaussian", "hierarchical_sparse",
           "neyman_pearson", "shapes"]
