from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """Golden data from the original papers' repositories (../shared/reference beside the clone)."""
    if not REFERENCE.is_dir():
        pytest.fail(f"reference data not found at {REFERENCE}: clone the project beside shared/")
    return REFERENCE
