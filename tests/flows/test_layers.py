"""ActNorm, Logit and Permutation: log-det = slogdet of the autograd Jacobian, inverses."""

import math

import torch

from adlkit.flows import ActNorm, Logit, Permutation


def test_actnorm_logdet_inverse_and_data_init(autograd_logdet):
    """After data_init the batch leaves with mean 0 and std 1 per feature; log-det = sum s."""
    layer = ActNorm(4).double()
    x = torch.randn(500, 4, dtype=torch.float64) * torch.tensor([1.0, 2.0, 0.5, 3.0]) + 7.0
    layer.data_init(x)
    z, _ = layer(x)
    assert torch.allclose(z.mean(0), torch.zeros(4, dtype=torch.float64), atol=1e-10)
    assert torch.allclose(z.std(0), torch.ones(4, dtype=torch.float64), atol=1e-10)
    x1 = x[:1]
    assert abs(layer(x1)[1].item() - autograd_logdet(layer, x1).item()) < 1e-10
    assert torch.allclose(layer.inverse(z)[0], x, atol=1e-10)


def test_logit_logdet_and_inverse(autograd_logdet):
    """y = logit(a + (1 - 2a) u): log-det equals the autograd slogdet; sigmoid undoes it."""
    layer = Logit(0.05)
    u = torch.rand(1, 6, dtype=torch.float64)
    assert abs(layer(u)[1].item() - autograd_logdet(layer, u).item()) < 1e-10
    y, ld = layer(u)
    back, ld_inv = layer.inverse(y)
    assert torch.allclose(back, u, atol=1e-12)
    assert torch.allclose(ld_inv, -ld, atol=1e-10)
    # closed form at u = 1/2: p = 1/2, y = 0, dy/du = (1 - 2a) / (p (1 - p)) = 0.9 * 4
    y, ld = layer(torch.full((1, 1), 0.5, dtype=torch.float64))
    assert abs(y.item()) < 1e-15 and abs(ld.item() - math.log(3.6)) < 1e-12


def test_permutation_is_volume_preserving_and_invertible(autograd_logdet):
    layer = Permutation(torch.tensor([2, 0, 3, 1]))
    x = torch.randn(1, 4, dtype=torch.float64)
    assert abs(autograd_logdet(layer, x).item()) < 1e-12
    assert layer(x)[0].tolist() == [[x[0, 2].item(), x[0, 0].item(), x[0, 3].item(), x[0, 1].item()]]
    assert torch.equal(layer.inverse(layer(x)[0])[0], x)
