"""The VAE's loss terms against hand computation (question 4D) and independent references."""

import math

import pytest
import torch

from adlkit.divergences import kl_normal_std_normal
from adlkit.vae.loss import reconstruction_loss, vae_loss
from adlkit.vae.model import VAEModule
from adlkit.vae.terms import gaussian_log_density, reconstruction_nll

D64 = torch.float64


def test_question_4d_by_hand():
    """mu = 1, logvar = -0.5, x = 1, x_hat = 0.8: recon 0.02, KL 0.5533, total 0.5733 (Q4D)."""
    x, x_hat = torch.tensor([[1.0]], dtype=D64), torch.tensor([[0.8]], dtype=D64)
    mu, logvar = torch.tensor([[1.0]], dtype=D64), torch.tensor([[-0.5]], dtype=D64)
    # the course's half_mse is the Gaussian decoder's NLL with sigma = 1, minus log sqrt(2 pi)
    rec = reconstruction_nll(x, x_hat, "gaussian", torch.zeros_like(x)) - 0.5 * math.log(2 * math.pi)
    kl = kl_normal_std_normal(mu, logvar)
    assert rec.item() == pytest.approx(0.5 * 0.2**2, abs=1e-12)
    hand_kl = -0.5 * (1 - 0.5 - 1.0 - math.exp(-0.5))
    assert kl.item() == pytest.approx(hand_kl, abs=1e-12)
    assert (rec + kl).item() == pytest.approx(0.5733, abs=5e-5)
    # and the solver's vae_loss (adlkit.vae.loss), which the model's terms go through
    ref = vae_loss(x, x_hat, mu, logvar, reconstruction="half_mse")
    torch.testing.assert_close(rec + kl, ref.total)


def test_model_terms_match_the_worked_solution_of_question_4d():
    """The model's KL and (sigma = 1 Gaussian) reconstruction equal the answers of the solver's
    ``vae_loss`` problem (adlkit.solve), for the exam's numbers and for a vector case."""
    import adlkit

    cases = [dict(x=1.0, x_hat=0.8, mu=1.0, logvar=-0.5),
             dict(x=[0.3, -1.2, 2.0], x_hat=[0.1, -1.0, 2.5], mu=[0.5, -0.7], logvar=[0.2, -1.3])]
    for c in cases:
        ans = adlkit.solve("vae_loss", **c).answers
        t = {k: torch.tensor(c[k], dtype=D64).reshape(1, -1) for k in c}
        rec = reconstruction_nll(t["x"], t["x_hat"], "gaussian") - 0.5 * t["x"].shape[1] * math.log(2 * math.pi)
        kl = kl_normal_std_normal(t["mu"], t["logvar"])
        assert rec.item() == pytest.approx(ans["reconstruction"], abs=1e-12)
        assert kl.item() == pytest.approx(ans["kl"], abs=1e-12)
        assert (rec + kl).item() == pytest.approx(ans["total"], abs=1e-12)


def test_bernoulli_term_equals_the_bce_convention():
    """The Bernoulli decoder's term is vae_loss's ``bce`` reconstruction on sigmoid(logits)."""
    x = torch.randint(0, 2, (4, 6)).to(D64)
    logits = 3 * torch.randn(4, 6, dtype=D64)
    ref = reconstruction_loss(x, torch.sigmoid(logits), "bce")
    torch.testing.assert_close(reconstruction_nll(x, logits, "bernoulli"), ref)


def test_kl_matches_torch_distributions():
    """Closed-form KL summed over latent dims equals torch.distributions' KL (independent)."""
    mu, logvar = torch.randn(5, 3, dtype=D64), torch.randn(5, 3, dtype=D64)
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    p = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    ref = torch.distributions.kl_divergence(q, p).sum(-1)
    torch.testing.assert_close(kl_normal_std_normal(mu, logvar), ref)


def test_reconstruction_is_the_decoder_negative_log_likelihood():
    """Bernoulli (bce) and Gaussian (half_mse + normaliser) terms equal -log p(x|z) summed over
    dimensions, computed by torch.distributions."""
    x = torch.randint(0, 2, (4, 6)).to(D64)
    logits = torch.randn(4, 6, dtype=D64)
    ref = -torch.distributions.Bernoulli(logits=logits).log_prob(x).sum(-1)
    torch.testing.assert_close(reconstruction_nll(x, logits, "bernoulli"), ref)
    y, mean, log_std = torch.randn(4, 6, dtype=D64), torch.randn(4, 6, dtype=D64), torch.randn(4, 6, dtype=D64)
    ref = -torch.distributions.Normal(mean, torch.exp(log_std)).log_prob(y).sum(-1)
    torch.testing.assert_close(reconstruction_nll(y, mean, "gaussian", log_std), ref)
    z, mu, logvar = torch.randn(3, 4, 2, dtype=D64), torch.randn(4, 2, dtype=D64), torch.randn(4, 2, dtype=D64)
    ref = torch.distributions.Normal(mu, torch.exp(0.5 * logvar)).log_prob(z).sum(-1)
    torch.testing.assert_close(gaussian_log_density(z, mu, logvar), ref)


def test_train_step_loss_is_sum_over_dims_mean_over_batch():
    """The reported loss is mean_batch[sum_pixels BCE + sum_latent KL], recomputed by hand from
    the encoder/decoder outputs with the same noise."""
    m = VAEModule(5, latent_dim=2, hidden=(7,), likelihood="bernoulli").double()
    x = torch.randint(0, 2, (9, 5)).to(D64)
    torch.manual_seed(3)
    terms = m.loss_terms(x)
    torch.manual_seed(3)
    mu, logvar = m.encode(x)
    z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
    p = torch.sigmoid(m.decoder(z))  # logits well inside the +-15 clamp here
    bce = -(x * torch.log(p) + (1 - x) * torch.log(1 - p)).sum(1)
    kl = (-0.5 * (1 + logvar - mu**2 - logvar.exp())).sum(1)
    torch.testing.assert_close(terms["reconstruction"], bce)
    torch.testing.assert_close(terms["kl"], kl)


class _Ctx:
    def __init__(self, opt):
        self.optimizers = {"adam": opt}

    def backward(self, loss):
        loss.backward()


def test_kl_warmup_ramps_beta_linearly():
    """With warmup_steps = 4 and beta = 0.5 the KL weight is 0, 0.125, 0.25, 0.375, 0.5, 0.5."""
    m = VAEModule(3, latent_dim=1, hidden=(4,), beta=0.5, warmup_steps=4).double()
    ctx = _Ctx(m.configure_optimizers()["adam"])
    x = torch.randint(0, 2, (8, 3)).to(D64)
    ws = [m.train_step(x, ctx)["kl_weight"] for _ in range(6)]
    assert ws == pytest.approx([0, 0.125, 0.25, 0.375, 0.5, 0.5])
