"""The IWAE bound on a linear-Gaussian VAE, where log p(x) is known in closed form:
p(x) = N(b, W W^T + sigma^2 I) (probabilistic PCA)."""

import math

import pytest
import torch

from adlkit.vae.model import VAEModule

D64 = torch.float64
SIGMA = 0.5


def linear_gaussian_vae(exact_posterior: bool) -> tuple[VAEModule, torch.Tensor, torch.Tensor]:
    """A 3-d data / 2-d latent linear VAE. W has orthogonal columns, so the true posterior
    N(M^-1 W^T (x - b), sigma^2 M^-1), M = W^T W + sigma^2 I, is diagonal and the encoder can
    represent it exactly; otherwise the encoder is deliberately off."""
    m = VAEModule(3, latent_dim=2, hidden=(), likelihood="gaussian", decoder_std=SIGMA).double()
    Q, _ = torch.linalg.qr(torch.randn(3, 2, dtype=D64))
    W = Q * torch.tensor([1.5, 0.7], dtype=D64)
    b = torch.tensor([0.3, -1.0, 0.5], dtype=D64)
    M = W.T @ W + SIGMA**2 * torch.eye(2, dtype=D64)
    Minv = torch.linalg.inv(M)
    A = Minv @ W.T
    post_logvar = torch.log(torch.diagonal(SIGMA**2 * Minv))
    with torch.no_grad():
        dec = m.decoder[0]
        dec.weight.copy_(W)
        dec.bias.copy_(b)
        enc = m.encoder[0]
        weight = torch.zeros(4, 3, dtype=D64)
        bias = torch.zeros(4, dtype=D64)
        weight[:2] = A
        bias[:2] = -A @ b
        bias[2:] = post_logvar
        if not exact_posterior:
            weight[:2] *= 0.6
            bias[2:] += 1.0
        enc.weight.copy_(weight)
        enc.bias.copy_(bias)
    cov = W @ W.T + SIGMA**2 * torch.eye(3, dtype=D64)
    return m, b, cov


def exact_log_px(x, b, cov):
    return torch.distributions.MultivariateNormal(b, covariance_matrix=cov).log_prob(x)


def test_exact_posterior_makes_every_bound_tight():
    """With q(z|x) = p(z|x) every importance weight equals p(x), so IWAE_k = log p(x) exactly
    for every k (k = 1 is the ELBO)."""
    m, b, cov = linear_gaussian_vae(exact_posterior=True)
    x = torch.randn(6, 3, dtype=D64) * 2
    ref = exact_log_px(x, b, cov)
    for k in (1, 7, 100):
        torch.testing.assert_close(m.iwae(x, k), ref, atol=1e-10, rtol=0)


def test_iwae_bound_increases_with_k_and_stays_below_log_px():
    """E[L_1] < E[L_3] < E[L_10] < E[L_100] <= log p(x), each gap larger than 4 standard errors
    of the Monte Carlo means; L_5000 is within 0.02 nats of log p(x)."""
    m, b, cov = linear_gaussian_vae(exact_posterior=False)
    x = torch.tensor([[1.0, -0.5, 2.0], [-1.5, 0.0, 0.3]], dtype=D64)
    ref = exact_log_px(x, b, cov).mean().item()
    reps = 1000
    xs = x.repeat(reps, 1)  # independent estimates of L_k for each point
    means, ses = [], []
    for k in (1, 3, 10, 100):
        est = m.iwae(xs, k).view(reps, 2).mean(1)
        means.append(est.mean().item())
        ses.append(est.std().item() / math.sqrt(reps))
    for i in range(3):
        assert means[i + 1] - means[i] > 4 * math.hypot(ses[i], ses[i + 1]), (means, ses)
    assert means[-1] <= ref + 4 * ses[-1]
    assert means[0] < ref - 0.5  # the off encoder leaves a real gap at k = 1
    assert m.iwae(x, 5000).mean().item() == pytest.approx(ref, abs=0.02)


def test_elbo_equals_iwae_with_one_sample():
    """L_1 is the ELBO: with the same noise, iwae(x, 1) == -(reconstruction + KL) is not exact
    (KL closed form vs its one-sample estimate), but their means over many draws agree."""
    m, b, cov = linear_gaussian_vae(exact_posterior=False)
    x = torch.tensor([[1.0, -0.5, 2.0]], dtype=D64).repeat(20000, 1)
    a = m.iwae(x, 1).mean().item()
    e = m.elbo(x)
    assert a == pytest.approx(e.mean().item(), abs=5 * e.std().item() / math.sqrt(20000))
