"""AffineCoupling: the exam's closed form, log-det = slogdet of the autograd Jacobian, inverse."""

import math

import pytest
import torch

from adlkit.flows import AffineCoupling, MLPConditioner, split_mask


def test_exam_closed_form():
    """y_b = x_b e^{s(x_a)} + t(x_a) with s = 0.5 x1, t = 2 x1 + 1 at x = (1, 1): y = (1, e^0.5 + 3)."""
    layer = AffineCoupling(split_mask(2, 1), lambda xa: (0.5 * xa, 2 * xa + 1))
    y, logdet = layer(torch.tensor([[1.0, 1.0]], dtype=torch.float64))
    assert y[0].tolist() == pytest.approx([1.0, math.exp(0.5) + 3.0], abs=1e-12)
    assert logdet.item() == pytest.approx(0.5, abs=1e-12)
    x, inv_logdet = layer.inverse(y)
    assert x[0].tolist() == pytest.approx([1.0, 1.0], abs=1e-12)
    assert inv_logdet.item() == pytest.approx(-0.5, abs=1e-12)


MASKS = {
    "prefix": split_mask(5, 2),
    "suffix": split_mask(5, 2, flip=True),
    "scattered": torch.tensor([True, False, True, False, False]),
}


@pytest.mark.parametrize("name", list(MASKS))
@pytest.mark.parametrize("clamp", [None, 2.0])
def test_logdet_matches_autograd_jacobian(name, clamp, autograd_logdet, randomize):
    """log|det dy/dx| from the layer equals slogdet of the autograd Jacobian (float64, 1e-10)."""
    mask = MASKS[name]
    n_a = int(mask.sum())
    layer = AffineCoupling(mask, MLPConditioner(n_a, 5 - n_a, (16, 16)), clamp).double()
    randomize(layer)
    for _ in range(3):
        x = torch.randn(1, 5, dtype=torch.float64)
        _, logdet = layer(x)
        assert abs(logdet.item() - autograd_logdet(layer, x).item()) < 1e-10
        _, inv_logdet = layer.inverse(x)
        assert abs(inv_logdet.item() - autograd_logdet(layer.inverse, x).item()) < 1e-10


@pytest.mark.parametrize("name", list(MASKS))
def test_inverse_round_trip_and_pass_through(name, randomize):
    """inverse(forward(x)) = x, and masked coordinates pass through unchanged."""
    mask = MASKS[name]
    n_a = int(mask.sum())
    layer = AffineCoupling(mask, MLPConditioner(n_a, 5 - n_a, (16, 16)), 3.0).double()
    randomize(layer)
    x = torch.randn(64, 5, dtype=torch.float64)
    y, _ = layer(x)
    assert torch.equal(y[:, mask], x[:, mask])
    assert not torch.allclose(y[:, ~mask], x[:, ~mask])
    assert torch.allclose(layer.inverse(y)[0], x, atol=1e-12, rtol=0)


def test_scale_clamp_bounds_log_scale():
    """With scale_clamp c, |s| < c however large the raw conditioner output."""
    layer = AffineCoupling(split_mask(2, 1), lambda xa: (1e3 * xa, 0 * xa), scale_clamp=2.0)
    _, logdet = layer(torch.tensor([[5.0, 1.0], [-5.0, 1.0]], dtype=torch.float64))
    assert torch.allclose(logdet, torch.tensor([2.0, -2.0], dtype=torch.float64), atol=1e-9)


def test_bad_shape_is_a_clear_error():
    layer = AffineCoupling(split_mask(3, 1), lambda xa: (xa, xa))
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3\)"):
        layer(torch.zeros(2, 4))
