"""RealNVP: whole-stack Jacobian, normalisation, inverse on held-out digits, what it learns,
and the scikit-learn contract."""

import math

import numpy as np
import pytest
import torch

from adlkit.data import digits, registry, toys
from adlkit.flows import RealNVP, RealNVPFlow


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(dim=2),
        dict(dim=5, mask="half", actnorm=True, standardize=True),
        dict(dim=16, mask="checkerboard", image_shape=(4, 4), actnorm=True, logit_alpha=0.05),
    ],
)
def test_stack_logdet_matches_autograd_jacobian(kwargs, autograd_logdet, randomize):
    """log|det dz/dx| of the whole stack = slogdet of the autograd Jacobian (float64, 1e-10),
    in both directions, with non-trivial weights in every layer."""
    flow = RealNVPFlow(n_couplings=4, hidden=(16, 16), **kwargs).double()
    randomize(flow, 0.2)
    dim = kwargs["dim"]
    if flow.standardize:
        flow.set_standardization(torch.rand(dim) + 1.0, torch.rand(dim) + 0.5)
    for _ in range(3):
        x = torch.rand(1, dim, dtype=torch.float64) if flow.logit is not None else torch.randn(1, dim, dtype=torch.float64)
        z, logdet = flow(x)
        assert abs(logdet.item() - autograd_logdet(flow, x).item()) < 1e-10
        back, inv_logdet = flow.inverse(z)
        assert torch.allclose(back, x, atol=1e-10, rtol=0)
        assert abs(inv_logdet.item() - autograd_logdet(flow.inverse, z).item()) < 1e-10
        assert abs(inv_logdet.item() + logdet.item()) < 1e-10


def test_density_integrates_to_one(randomize):
    """A random 2-D flow's density integrates to 1 (Riemann sum on a fine grid)."""
    flow = RealNVPFlow(2, n_couplings=4, hidden=(16, 16), scale_clamp=1.0).double()
    randomize(flow, 0.2)
    g = torch.linspace(-10, 10, 801, dtype=torch.float64)
    xx, yy = torch.meshgrid(g, g, indexing="ij")
    with torch.no_grad():
        p = flow.log_prob(torch.stack([xx.flatten(), yy.flatten()], 1)).exp()
    assert abs(p.sum().item() * (g[1] - g[0]).item() ** 2 - 1.0) < 1e-3


def test_checkerboard_mask_alternates_between_colours(randomize):
    """The first coupling changes only the odd (row + col) pixels, the second only the even ones."""
    flow = RealNVPFlow(16, n_couplings=2, hidden=(8,), mask="checkerboard", image_shape=(4, 4)).double()
    randomize(flow, 0.5)
    x = torch.randn(3, 16, dtype=torch.float64)
    h, _ = flow.permute(x)
    h1, _ = flow.layers[0](h)
    changed = flow.permute.inverse(h1)[0] != x
    rows, cols = torch.arange(16) // 4, torch.arange(16) % 4
    odd = (rows + cols) % 2 == 1
    assert changed[:, odd].all() and not changed[:, ~odd].any()
    h2, _ = flow.layers[1](h1)
    changed2 = flow.permute.inverse(h2)[0] != flow.permute.inverse(h1)[0]
    assert changed2[:, ~odd].all() and not changed2[:, odd].any()


@pytest.fixture(scope="module")
def digits_flow():
    """A digits flow trained briefly (float32), and the held-out (test) images dequantized."""
    torch.manual_seed(0)
    Xtr = torch.tensor(digits.load_digits("train")[0], dtype=torch.float32)
    Xva = digits.dequantize(digits.load_digits("val")[0], 1)
    Xte = digits.dequantize(digits.load_digits("test")[0], 2)
    est = RealNVP(hidden=(128, 128), mask="checkerboard", image_shape=(8, 8), actnorm=True,
                  logit_alpha=0.05, epochs=25, patience=None, random_state=0)
    est.fit(Xtr, Xva, transform=digits.dequantize)
    return est, Xte


def test_inverse_on_held_out_digits_float32(digits_flow):
    """inverse(forward(x)) returns held-out digits to 1e-5 in float32."""
    est, Xte = digits_flow
    x = torch.tensor(Xte, dtype=torch.float32)
    with torch.no_grad():
        z, _ = est.module_(x)
        back, _ = est.module_.inverse(z)
    assert back.dtype == torch.float32
    assert (back - x).abs().max().item() < 1e-5


def test_digits_flow_beats_independent_pixel_histograms(digits_flow):
    """Held-out bits/dim beat the best independent-pixel model: per-pixel 17-level histograms
    fitted on the training images (Laplace smoothing), an independent reference."""
    est, Xte = digits_flow
    train = digits.load_digits("train")[0]
    test = digits.load_digits("test")[0]
    counts = np.stack([(train == v).sum(0) for v in range(17)]) + 1.0  # (17, 64)
    probs = counts / counts.sum(0)
    ll = np.log(probs[test, np.arange(64)]).sum(1)  # log P(x) of the discrete images, nats
    hist_bpd = -ll.mean() / (64 * math.log(2))
    flow_bpd = digits.bits_per_dim(est.score_samples(Xte)).mean()
    assert flow_bpd < hist_bpd - 0.1, (flow_bpd, hist_bpd)


def test_moons_flow_learns_more_than_a_gaussian():
    """Held-out NLL on two moons beats the maximum-likelihood full-covariance Gaussian
    (closed form) by more than 0.5 nats."""
    s = registry.load("moons", 0, n_train=4000, n_test=2000, standardize=True)
    Xtr, Xte = s.train, s.test
    est = RealNVP(n_couplings=6, hidden=(32, 32), epochs=400, max_steps=400, patience=None, random_state=0).fit(Xtr)
    mu, cov = Xtr.mean(0), np.cov(Xtr.T, bias=True)
    d = Xte - mu
    gauss_ll = -0.5 * np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d) - 0.5 * np.log(np.linalg.det(2 * np.pi * cov))
    assert -est.score(Xte) < -gauss_ll.mean() - 0.5


def test_sklearn_contract_and_dtypes():
    """fit returns self; score is the mean of score_samples; sample is reproducible with
    random_state; dtype="float64" gives float64 throughout; learned attributes end in _."""
    X = toys.sample("8gaussians", 512, random_state=0)
    est = RealNVP(n_couplings=2, hidden=(8,), epochs=2, patience=None, dtype="float64")
    assert not hasattr(est, "module_")
    with pytest.raises(RuntimeError, match="not fitted"):
        est.sample(2)
    assert est.fit(X) is est
    s = est.score_samples(X[:10])
    assert s.shape == (10,) and s.dtype == np.float64
    assert est.score(X[:10]) == pytest.approx(s.mean())
    a, b = est.sample(7, random_state=3), est.sample(7, random_state=3)
    assert a.shape == (7, 2) and np.array_equal(a, b) and a.dtype == np.float64
    assert not np.array_equal(a, est.sample(7, random_state=4))
    with pytest.raises(ValueError, match="features"):
        est.score_samples(np.zeros((3, 5)))
    est32 = RealNVP(n_couplings=2, hidden=(8,), epochs=1, patience=None).fit(X)
    assert est32.score_samples(X[:3]).dtype == np.float32


def test_standardize_keeps_density_in_data_units(randomize):
    """With standardize=True, scaling the data by 10 shifts log p by exactly -D log 10
    for the same flow weights (change of variables)."""
    X = toys.sample("moons", 256, random_state=0)
    flow = RealNVPFlow(2, n_couplings=2, hidden=(8,), standardize=True).double()
    randomize(flow, 0.3)
    x = torch.tensor(X)
    flow.set_standardization(x.mean(0), x.std(0))
    lp = flow.log_prob(x)
    flow.set_standardization(10 * x.mean(0), 10 * x.std(0))
    assert torch.allclose(flow.log_prob(10 * x), lp - 2 * math.log(10), atol=1e-10)
