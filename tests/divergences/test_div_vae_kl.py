"""The Gaussian KL written once (floats, arrays, batched tensors; the VAE's KL term) and the
VAE loss conventions."""

import math

import numpy as np
import pytest
import torch

from adlkit.divergences import Normal, kl, kl_diag_normal, kl_normal, kl_normal_std_normal, kl_terms
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


# -- one closed form for floats, arrays and tensors ---------------------------------------------

def _random_pairs(n: int, seed: int):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=n) * 3, np.exp(rng.normal(size=n) * 2), rng.normal(size=n) * 3,
            np.exp(rng.normal(size=n) * 2))


def test_backend_is_picked_from_the_argument_types():
    from adlkit.divergences.backend import get_backend

    assert get_backend(1.0, 2).name == "math"
    assert get_backend(1.0, np.ones(2)).name == "numpy"
    assert get_backend(np.ones(2), torch.ones(2)).name == "torch"


def test_tensor_and_array_paths_equal_the_float_path_term_by_term():
    """kl(Normal, Normal)'s named terms (Python floats, what the worked solutions show) equal
    kl_normal on float64 tensors and on numpy arrays, term by term, to the last bits (torch's
    and numpy's log may differ from math.log by one ulp), for 2,000 random pairs."""
    m1, v1, m2, v2 = _random_pairs(2000, 0)
    T = lambda a: torch.tensor(a, dtype=torch.float64)
    tt = kl_normal(T(m1), T(v1), T(m2), T(v2))
    aa = kl_normal(m1, v1, m2, v2)
    for i in range(len(m1)):
        ref = kl_terms(Normal(m1[i], v1[i]), Normal(m2[i], v2[i]))
        scale = sum(abs(t.value) for t in ref)
        for path in (tt, aa):
            for name in ("log_std_ratio", "quadratic", "constant"):
                got = float(getattr(path, name) if name == "constant" else getattr(path, name)[i])
                assert got == pytest.approx(ref[name].value, rel=4e-16, abs=0), (i, name)
            assert float(path.total[i]) == pytest.approx(ref.total, rel=0, abs=4e-16 * scale)
    assert tt.log_std_ratio.dtype == torch.float64 and isinstance(aa.quadratic, np.ndarray)


def test_std_normal_and_diagonal_forms_are_kl_normal():
    """kl_normal_std_normal and kl_diag_normal are kl_normal (on exp(logvar)) summed over the
    last dimension, for tensors and for numpy arrays alike."""
    g = torch.Generator().manual_seed(3)
    mq, lq, mp_, lp = (torch.randn(4, 5, generator=g, dtype=torch.float64) for _ in range(4))
    ref = kl_normal(mq, lq.exp(), mp_, lp.exp()).total.sum(-1)
    assert torch.equal(kl_diag_normal(mq, lq, mp_, lp), ref)
    assert torch.equal(kl_normal_std_normal(mq, lq), kl_normal(mq, lq.exp(), 0.0, 1.0).total.sum(-1))
    np.testing.assert_allclose(kl_normal_std_normal(mq.numpy(), lq.numpy()), kl_normal_std_normal(mq, lq).numpy(),
                               rtol=1e-14)


def test_gradients_by_autograd_equal_the_closed_form_derivatives():
    r"""d KL / d(mu1, var1, mu2, var2) by autograd through kl_normal equal the derivatives of
    log(s2/s1) + (v1 + (m1-m2)^2)/(2 v2) - 1/2 written out by hand:
    (m1-m2)/v2, 1/(2 v2) - 1/(2 v1), -(m1-m2)/v2, 1/(2 v2) - (v1 + (m1-m2)^2)/(2 v2^2);
    and the VAE's term: d/dmu = mu, d/dlogvar = (exp(logvar) - 1)/2."""
    m1, v1, m2, v2 = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in _random_pairs(50, 1))
    kl_normal(m1, v1, m2, v2).total.sum().backward()
    d = (m1 - m2).detach()
    v1_, v2_ = v1.detach(), v2.detach()
    torch.testing.assert_close(m1.grad, d / v2_, rtol=1e-13, atol=0)
    torch.testing.assert_close(v1.grad, 0.5 / v2_ - 0.5 / v1_, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(m2.grad, -d / v2_, rtol=1e-13, atol=0)
    torch.testing.assert_close(v2.grad, 0.5 / v2_ - (v1_ + d**2) / (2 * v2_**2), rtol=1e-12, atol=1e-14)
    mu = torch.randn(6, 3, dtype=torch.float64, requires_grad=True)
    lv = torch.randn(6, 3, dtype=torch.float64, requires_grad=True)
    kl_normal_std_normal(mu, lv).sum().backward()
    torch.testing.assert_close(mu.grad, mu.detach(), rtol=1e-13, atol=1e-15)
    torch.testing.assert_close(lv.grad, 0.5 * (lv.detach().exp() - 1), rtol=1e-12, atol=1e-14)


def test_divergences_do_not_import_torch():
    """The closed forms serve floats without loading torch (the solver's import stays light)."""
    import subprocess
    import sys

    code = "import sys, adlkit.divergences as d; d.kl(d.Normal(0, 1), d.Normal(1, 2)); assert 'torch' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
