"""smoothcert's compiled core (stubs): submodules by domain and build information."""

import typing

import numpy
import numpy.typing

from . import bounds as bounds, certify as certify, noise as noise, special as special

def build_info() -> dict: ...
def get_num_threads() -> int: ...
def set_num_threads(num_threads: int) -> None: ...
