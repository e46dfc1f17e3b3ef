import numpy as np
import pytest
import torch


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same seeds."""
    torch.manual_seed(0)
    np.random.seed(0)
    yield
