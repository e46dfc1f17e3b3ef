"""Lipschitz constants of 1-D expressions (sup |f'|, attained or not) and network bounds."""

import math

import mpmath as mp
import numpy as np
import pytest
import torch

from adlkit.lipschitz import gradient_norm_lower_bound, lipschitz_constant, network_lipschitz_bounds, spectral_norm_bound

# (f, domain, textbook value of sup |f'|, attained?)
CASES = [
    ("x^2", (-1, 1), 2.0, True),  # the sheet: |2x| <= 2 at x = +-1
    ("x^3", (-2, 1), 12.0, True),  # 3x^2 at x = -2
    ("softplus(x)", None, 1.0, False),  # sigmoid(x) -> 1, never reached
    ("tanh(x)", None, 1.0, True),  # 1 - tanh^2 at 0
    ("sin(x)", None, 1.0, True),  # |cos| <= 1 at 0, pi, ...
    ("sigmoid(x)", None, 0.25, True),
    ("1/(1+x^2)", None, 3 * math.sqrt(3) / 8, True),  # at x = +-1/sqrt(3)
    ("log(1+x^2)", None, 1.0, True),  # 2|x|/(1+x^2) at +-1
    ("relu(x)", None, 1.0, True),
    ("abs(x)", (-3, 2), 1.0, True),
    ("3*x - 2", None, 3.0, True),
    ("x*exp(-x^2)", None, 1.0, True),
]


def mp_sup_abs_derivative(f, a, b, n=4001):
    """A brute-force reference: max of |f'| by mpmath numerical differentiation on a grid."""
    mp.mp.dps = 20
    xs = np.linspace(a, b, n)
    return max(abs(float(mp.diff(f, mp.mpf(float(x))))) for x in xs)


@pytest.mark.parametrize("f,domain,ref,attained", CASES)
def test_lipschitz_constant_textbook(f, domain, ref, attained):
    r = lipschitz_constant(f, domain)
    assert r.constant == pytest.approx(ref, rel=1e-9)
    assert r.is_lipschitz
    assert r.wgan_ok == (ref <= 1.0)
    assert r.attained == attained


def test_sheet_exp_x_squared_is_not_lipschitz():
    r = lipschitz_constant("exp(x*x)")
    assert r.constant == math.inf and not r.is_lipschitz and not r.wgan_ok


@pytest.mark.parametrize("f,domain", [("x^2", None), ("exp(x)", None), ("sqrt(x)", (0, 1)),
                                      ("x^4 - x", None), ("x*sin(x)", None)])
def test_unbounded_derivative_is_inf(f, domain):
    assert lipschitz_constant(f, domain).constant == math.inf


def test_against_brute_force_mpmath_grid():
    for text, f, (a, b) in [("sin(3*x) + x^2/4", lambda x: mp.sin(3 * x) + x**2 / 4, (-2, 2)),
                            ("exp(-x)*cos(x)", lambda x: mp.exp(-x) * mp.cos(x), (0, 5))]:
        r = lipschitz_constant(text, (a, b))
        assert r.constant == pytest.approx(mp_sup_abs_derivative(f, a, b), rel=1e-5)


def test_domain_must_be_ordered():
    with pytest.raises(ValueError, match="a < b"):
        lipschitz_constant("x", (1, -1))


def test_single_linear_layer_bounds_are_tight():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 1)).double()
    x = torch.randn(10, 4, dtype=torch.float64)
    lo, hi = network_lipschitz_bounds(net, x)
    assert lo == pytest.approx(float(net[0].weight.detach().norm()), rel=1e-12)
    assert hi == pytest.approx(lo, rel=1e-12)  # a row vector's spectral norm is its 2-norm


def test_mlp_lower_bound_below_upper_bound_and_finite_differences():
    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16),
                              torch.nn.LeakyReLU(0.2), torch.nn.Linear(16, 1)).double()
    x = torch.randn(256, 3, dtype=torch.float64)
    lo = gradient_norm_lower_bound(net, x)
    hi = spectral_norm_bound(net)
    assert 0 < lo <= hi
    # the upper bound holds for every pair of points (Lipschitz quotients)
    y = torch.randn(256, 3, dtype=torch.float64)
    with torch.no_grad():
        q = (net(x) - net(y)).abs().squeeze(1) / (x - y).norm(dim=1)
    assert float(q.max()) <= hi
    # product of singular values, computed by numpy's SVD
    ref = np.prod([np.linalg.svd(m.weight.detach().numpy(), compute_uv=False)[0]
                   for m in net if isinstance(m, torch.nn.Linear)])
    assert hi == pytest.approx(ref, rel=1e-10)


def test_unknown_module_is_refused():
    with pytest.raises(TypeError, match="cannot bound"):
        spectral_norm_bound(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2)))


def test_conv_spectral_norm_matches_svd_of_the_explicit_operator():
    from adlkit.lipschitz import conv_spectral_norm

    torch.manual_seed(2)
    conv = torch.nn.Conv2d(2, 3, 3, stride=1, padding=1).double()
    shape = (2, 5, 5)
    # the convolution's matrix, column by column (bias removed), and its largest singular value
    n = int(np.prod(shape))
    basis = torch.eye(n, dtype=torch.float64).reshape(n, *shape)
    with torch.no_grad():
        cols = conv(basis) - conv(torch.zeros(1, *shape, dtype=torch.float64))
    M = cols.reshape(n, -1).T.numpy()
    ref = np.linalg.svd(M, compute_uv=False)[0]
    assert conv_spectral_norm(conv, shape) == pytest.approx(ref, rel=1e-6)
    net = torch.nn.Sequential(conv, torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(75, 1)).double()
    hi = spectral_norm_bound(net, input_shape=shape)
    lo = gradient_norm_lower_bound(net, torch.randn(64, *shape, dtype=torch.float64))
    assert lo <= hi
    assert hi == pytest.approx(ref * np.linalg.svd(net[3].weight.detach().numpy(), compute_uv=False)[0], rel=1e-6)
    with pytest.raises(TypeError, match="input_shape"):
        spectral_norm_bound(net)
