"""Import of the compiled core with a helpful message when it is missing."""

from __future__ import annotations

try:
    from smoothcert import _core as core
except ImportError as exc:  # pragma: no cover - exercised only on a broken install
    raise ImportError(
        "smoothcert's compiled extension smoothcert._core could not be imported. "
        "Was the package built? Install it with `pip install .` from the source tree "
        "(a C++17 compiler and CMake are needed)."
    ) from exc

__all__ = ["core"]
