"""Certificates: pure functions of counts or probability bounds."""
from smoothcert.certify import shapes  # noqa: F401  (all-shapes radii registry)
