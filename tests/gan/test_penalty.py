"""The gradient penalty against hand computations; weight clipping keeps weights in bounds."""


import pytest
import torch
from torch import nn

from adlkit.gan.models import Critic, GANModule
from adlkit.gan.penalty import clip_weights, gradient_penalty, input_gradient_norms, interpolate, share_at_bounds


class LinearCritic(nn.Module):
    """f(x) = <w, x> + b over ALL dimensions of x: its input gradient is w everywhere."""

    def __init__(self, shape):
        super().__init__()
        self.w = nn.Parameter(torch.randn(shape))
        self.b = nn.Parameter(torch.randn(()))

    def forward(self, x):
        return (x * self.w).flatten(1).sum(1) + self.b


def test_penalty_of_linear_critic_equals_closed_form_over_all_dimensions():
    # images (N, C, H, W): the norm must run over C*H*W entries of each sample
    critic = LinearCritic((2, 3, 4))
    real, fake = torch.randn(5, 2, 3, 4), torch.randn(5, 2, 3, 4)
    gp, norms = gradient_penalty(critic, real, fake, lam=10.0)
    w_norm = float(critic.w.detach().pow(2).sum().sqrt())  # by hand: ||w|| over 24 entries
    assert norms.shape == (5,)
    assert torch.allclose(norms, torch.full((5,), w_norm), rtol=1e-6)
    assert float(gp.detach()) == pytest.approx(10.0 * (w_norm - 1.0) ** 2, rel=1e-6)


def test_penalty_gradient_into_weights_equals_closed_form():
    # d/dw [lam (||w|| - 1)^2] = 2 lam (||w|| - 1) w / ||w||: needs create_graph=True to be right
    critic = LinearCritic((3,))
    gp, _ = gradient_penalty(critic, torch.randn(4, 3), torch.randn(4, 3), lam=10.0)
    gp.backward()
    w = critic.w.detach()
    expected = 2 * 10.0 * (w.norm() - 1) * w / w.norm()
    assert torch.allclose(critic.w.grad, expected, rtol=1e-5)


def test_input_gradient_norms_match_finite_differences():
    # autograd-free reference: central differences on a smooth non-linear critic
    torch.set_default_dtype(torch.float64)
    try:
        critic = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
        x = torch.randn(6, 3)
        norms = input_gradient_norms(critic, x)
        h = 1e-6
        fd = torch.zeros(6, 3)
        with torch.no_grad():
            for j in range(3):
                e = torch.zeros(3)
                e[j] = h
                fd[:, j] = (critic(x + e) - critic(x - e)).squeeze(1) / (2 * h)
        assert torch.allclose(norms, fd.norm(dim=1), rtol=1e-6)
    finally:
        torch.set_default_dtype(torch.float32)


def test_interpolates_lie_on_the_segments_with_per_sample_eps():
    real, fake = torch.randn(4, 2, 2), torch.randn(4, 2, 2)
    eps = torch.tensor([0.0, 0.25, 0.5, 1.0])
    x_hat = interpolate(real, fake, eps)
    for i in range(4):
        assert torch.allclose(x_hat[i], eps[i] * real[i] + (1 - eps[i]) * fake[i])
    assert x_hat.requires_grad


def test_explicit_relu_input_gradient_equals_double_backprop():
    # Critic.input_gradient (masks held fixed) against autograd.grad(create_graph=True):
    # same gradients, and the same penalty gradients in every weight
    critic = Critic(5, (16, 16, 16))
    x = torch.randn(32, 5)
    g = critic.input_gradient(x)
    xr = x.clone().requires_grad_(True)
    (g_ref,) = torch.autograd.grad(critic(xr).sum(), xr, create_graph=True)
    assert torch.allclose(g, g_ref, atol=1e-6)
    params = list(critic.parameters())
    mine = torch.autograd.grad((g.norm(dim=1) - 1).square().mean(), params, allow_unused=True)
    ref = torch.autograd.grad((g_ref.norm(dim=1) - 1).square().mean(), params, allow_unused=True)
    for p, a, b in zip(params, mine, ref):
        a = torch.zeros_like(p) if a is None else a
        b = torch.zeros_like(p) if b is None else b
        assert torch.allclose(a, b, atol=1e-6)


def test_clipping_keeps_every_weight_in_bounds_during_wgan_training():
    model = GANModule("wgan", hidden=(32, 32), clip=0.01, lr=1e-2)  # a large lr pushes weights out
    x = torch.randn(5 * 64, 2) * 3
    for _ in range(20):
        model.train_step(x)
    for p in model.critic.parameters():
        assert float(p.detach().abs().max()) <= 0.01
    assert share_at_bounds(model.critic, 0.01) > 0.1  # and they pile at the bounds


def test_clip_weights_clamps_and_rejects_bad_bound():
    lin = nn.Linear(4, 4)
    with torch.no_grad():
        lin.weight.mul_(100)
    clip_weights(lin, 0.05)
    assert float(lin.weight.detach().abs().max()) == pytest.approx(0.05)
    with pytest.raises(ValueError):
        clip_weights(lin, 0.0)
