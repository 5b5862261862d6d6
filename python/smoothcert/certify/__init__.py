"""Certificates: pure functions of counts or probability bounds."""
from smoothcert.certify.dssn import dssn
