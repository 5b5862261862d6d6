from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest
import torch

from smoothcert import _core

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """Golden data from the original papers' repositories (../shared/reference beside the clone)."""
    if not REFERENCE.is_dir():
        pytest.fail(f"reference data not found at {REFERENCE}: clone the project beside shared/")
    return REFERENCE


@pytest.fixture
def num_threads() -> Iterator[Callable[[int], None]]:
    """A setter for the thread count of the compiled kernels and of torch's intra-op pool.

    Both counts are restored when the test ends, whatever it set and however it ended, so a test
    that runs single-threaded cannot slow down or change the tests after it.
    """
    kernel_threads, torch_threads = _core.get_num_threads(), torch.get_num_threads()

    def set_threads(n: int) -> None:
        _core.set_num_threads(n)
        torch.set_num_threads(n)

    yield set_threads
    # Torch first: where both share one OpenMP runtime the kernels' count is the one left in force.
    torch.set_num_threads(torch_threads)
    _core.set_num_threads(kernel_threads)
