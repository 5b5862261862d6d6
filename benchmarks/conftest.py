from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def _torch_threads():
    """Benchmarks compare against torch with all cores, as a user would run it."""
    yield
    torch.set_num_threads(torch.get_num_threads())
