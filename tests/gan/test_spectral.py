"""Spectral normalization (adlkit.lipschitz.power_iteration, adlkit.gan.spectral) against
torch.nn.utils.parametrizations.spectral_norm at the same u, v and iteration count, and
against numpy's SVD."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from adlkit.gan.spectral import apply_spectral_norm, spectral_norm
from adlkit.lipschitz import power_iteration


@pytest.mark.parametrize("iters", [1, 3])
def test_parametrization_equals_torch_spectral_norm_at_the_same_vectors(iters):
    torch.manual_seed(0)
    ours, ref = nn.Linear(5, 3).double(), nn.Linear(5, 3).double()
    ref.load_state_dict(ours.state_dict())
    spectral_norm(ours, n_power_iterations=iters)
    torch.nn.utils.parametrizations.spectral_norm(ref, n_power_iterations=iters)
    p_ours, p_ref = ours.parametrizations.weight[0], ref.parametrizations.weight[0]
    u = nn.functional.normalize(torch.randn(3, dtype=torch.float64), dim=0)
    v = nn.functional.normalize(torch.randn(5, dtype=torch.float64), dim=0)
    p_ours.u.copy_(u), p_ours.v.copy_(v), p_ref._u.copy_(u), p_ref._v.copy_(v)
    x = torch.randn(4, 5, dtype=torch.float64)
    for _ in range(3):  # training mode: each forward runs `iters` iterations from the kept v
        torch.testing.assert_close(ours(x), ref(x), rtol=1e-13, atol=1e-13)
        torch.testing.assert_close(ours.weight, ref.weight, rtol=1e-13, atol=1e-13)
    torch.testing.assert_close(p_ours.u, p_ref._u), torch.testing.assert_close(p_ours.v, p_ref._v)
    ours.eval(), ref.eval()
    torch.testing.assert_close(ours.weight, ref.weight, rtol=1e-13, atol=1e-13)


def test_gradient_flows_through_sigma_like_torch():
    torch.manual_seed(1)
    ours, ref = nn.Linear(4, 4).double(), nn.Linear(4, 4).double()
    ref.load_state_dict(ours.state_dict())
    spectral_norm(ours), torch.nn.utils.parametrizations.spectral_norm(ref)
    v = nn.functional.normalize(torch.randn(4, dtype=torch.float64), dim=0)
    ours.parametrizations.weight[0].v.copy_(v), ref.parametrizations.weight[0]._v.copy_(v)
    x = torch.randn(6, 4, dtype=torch.float64)
    ours(x).square().sum().backward(), ref(x).square().sum().backward()
    torch.testing.assert_close(ours.parametrizations.weight.original.grad, ref.parametrizations.weight.original.grad)


def test_power_iteration_converges_to_the_svd_norm_from_below():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(4, 6))
    exact = np.linalg.svd(W, compute_uv=False)[0]
    sigmas = [s.sigma for s in power_iteration(W, 60).steps]
    assert all(s <= exact * (1 + 1e-12) for s in sigmas)
    assert sigmas[-1] == pytest.approx(exact, rel=1e-10)
    assert sigmas[0] < exact * (1 - 1e-6)  # one iteration from e1 is only an estimate


def test_applied_to_a_critic_every_layer_has_norm_about_one():
    torch.manual_seed(2)
    net = apply_spectral_norm(nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1)))
    for _ in range(30):  # let the kept vectors converge
        net(torch.zeros(1, 2))
    for m in (net[0], net[2]):
        assert float(torch.linalg.matrix_norm(m.weight.detach(), ord=2)) == pytest.approx(1.0, abs=1e-4)


def test_the_sn_gan_critic_equals_torch_spectral_norm_at_the_same_vectors():
    from adlkit.gan.models import GANModule

    torch.manual_seed(3)
    model = GANModule("gan", hidden=[8, 8], critic_norm="spectral")
    ref = nn.Sequential(*[nn.Linear(m.in_features, m.out_features) if isinstance(m, nn.Linear) else m
                          for m in model.critic.mlp.net])
    ours = [m for m in model.critic.mlp.net if isinstance(m, nn.Linear)]
    theirs = [m for m in ref if isinstance(m, nn.Linear)]
    for a, b in zip(ours, theirs):
        with torch.no_grad():
            b.weight.copy_(a.parametrizations.weight.original), b.bias.copy_(a.bias)
        torch.nn.utils.parametrizations.spectral_norm(b)
        b.parametrizations.weight[0]._u.copy_(a.parametrizations.weight[0].u)
        b.parametrizations.weight[0]._v.copy_(a.parametrizations.weight[0].v)
    x = torch.randn(5, 2)
    for _ in range(3):
        torch.testing.assert_close(model.critic(x), ref(x).squeeze(1))
    model.train_step(torch.randn(64, 2))  # trains, one power iteration per critic step
    assert all(hasattr(m, "parametrizations") for m in ours)


def test_wgan_with_spectral_norm_does_not_clip():
    from adlkit.gan.models import GANModule

    torch.manual_seed(4)
    model = GANModule("wgan", hidden=[8], critic_norm="spectral", clip=1e-4, n_critic=2)
    model.train_step(torch.randn(64, 2))
    raw = [m.parametrizations.weight.original for m in model.critic.mlp.net if isinstance(m, nn.Linear)]
    assert max(float(w.detach().abs().max()) for w in raw) > 1e-4  # clipping to 1e-4 would have bounded them
