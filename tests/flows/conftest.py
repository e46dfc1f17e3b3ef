import numpy as np
import pytest
import torch


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same seeds."""
    torch.manual_seed(0)
    np.random.seed(0)
    yield


def _autograd_logdet(f, x: torch.Tensor) -> torch.Tensor:
    """log|det J| of the map x (1, D) -> f(x)[0], from the full autograd Jacobian (reference)."""
    from torch.autograd.functional import jacobian

    J = jacobian(lambda v: f(v.unsqueeze(0))[0].squeeze(0), x.squeeze(0))
    return torch.linalg.slogdet(J)[1]


def _randomize(module: torch.nn.Module, scale: float = 0.3) -> None:
    """Give every parameter random non-zero values (zero-initialised layers are trivial)."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p) * scale)


@pytest.fixture
def autograd_logdet():
    return _autograd_logdet


@pytest.fixture
def randomize():
    return _randomize
