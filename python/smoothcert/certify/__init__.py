"""Certificates: pure functions of counts or probability bounds."""
