"""Shared fixtures: every test is seeded, and torch uses one thread (CI has 2 cores)."""

from __future__ import annotations

import random

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _seed_everything():
    random.seed(0)
    np.random.seed(0)
    try:
        import torch
    except ImportError:  # pragma: no cover
        yield
        return
    torch.manual_seed(0)
    torch.set_num_threads(1)
    yield
