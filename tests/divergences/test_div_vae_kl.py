"""Batched torch KLs (the VAE's KL term) and the VAE loss conventions."""

import math

import pytest
import torch

from adlkit.divergences import Normal, kl
from adlkit.divergences.torch_kl import kl_diag_normal, kl_normal_std_normal
from adlkit.vae.loss import reconstruction_loss, vae_loss

torch.manual_seed(0)


def test_kl_std_normal_matches_closed_form_registry_and_torch_distributions():
    g = torch.Generator().manual_seed(0)
    mu = torch.randn(6, 3, generator=g, dtype=torch.float64)
    logvar = torch.randn(6, 3, generator=g, dtype=torch.float64)
    out = kl_normal_std_normal(mu, logvar)
    assert out.shape == (6,)
    for i in range(6):
        ref = sum(kl(Normal(float(mu[i, j]), math.exp(float(logvar[i, j]))), Normal(0, 1)) for j in range(3))
        assert float(out[i]) == pytest.approx(ref, rel=1e-12)
    td = torch.distributions
    ref = td.kl_divergence(td.Normal(mu, (0.5 * logvar).exp()), td.Normal(0.0, 1.0)).sum(-1)
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)


def test_kl_diag_normal_general_and_reduces_to_std_normal():
    g = torch.Generator().manual_seed(1)
    mq, lq, mp_, lp = (torch.randn(4, 5, generator=g, dtype=torch.float64) for _ in range(4))
    td = torch.distributions
    ref = td.kl_divergence(td.Normal(mq, (0.5 * lq).exp()), td.Normal(mp_, (0.5 * lp).exp())).sum(-1)
    torch.testing.assert_close(kl_diag_normal(mq, lq, mp_, lp), ref, rtol=1e-12, atol=1e-12)
    z = torch.zeros_like(mq)
    torch.testing.assert_close(kl_diag_normal(mq, lq, z, z), kl_normal_std_normal(mq, lq))


def test_kl_gradients_by_finite_differences():
    mu = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)
    lv = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(kl_normal_std_normal, (mu, lv))


def test_sheet_vae_loss_half_mse():
    t = lambda v: torch.tensor([v], dtype=torch.float64)
    out = vae_loss(t(1.0), t(0.8), t(1.0), t(-0.5))
    assert float(out.reconstruction) == pytest.approx(0.5 * 0.2**2, rel=1e-12)
    ref_kl = -0.5 * (1 - 0.5 - 1.0 - math.exp(-0.5))
    assert float(out.kl) == pytest.approx(ref_kl, rel=1e-14)
    assert float(out.total) == pytest.approx(0.02 + ref_kl, rel=1e-12)


def test_reconstruction_conventions():
    x = torch.tensor([[1.0, 0.0, 1.0]], dtype=torch.float64)
    xh = torch.tensor([[0.9, 0.2, 0.6]], dtype=torch.float64)
    sq = 0.01 + 0.04 + 0.16
    assert float(reconstruction_loss(x, xh, "mse")) == pytest.approx(sq)
    assert float(reconstruction_loss(x, xh, "half_mse")) == pytest.approx(sq / 2)
    bce = -(math.log(0.9) + math.log(0.8) + math.log(0.6))
    assert float(reconstruction_loss(x, xh, "bce")) == pytest.approx(bce, rel=1e-12)
    with pytest.raises(ValueError, match="reconstruction must be one of"):
        reconstruction_loss(x, xh, "l1")
