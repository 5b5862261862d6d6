"""Certificates: pure functions of counts or probability bounds."""

from smoothcert.certify.dsrs import dsrs
from smoothcert.certify.neyman_pearson import neyman_pearson
