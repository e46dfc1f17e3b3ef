import numpy as np
import pytest
import torch


@pytest.fixture(autouse=True)
def _seed_and_threads():
    """Every GAN test is seeded and runs on one thread (the machine is shared)."""
    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(1)
    yield
