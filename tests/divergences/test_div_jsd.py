"""Jensen-Shannon divergence by quadrature, checked against mpmath and Monte Carlo; symmetry;
the GAN value at the optimal discriminator."""

import math

import mpmath as mp
import numpy as np
import pytest

from adlkit.divergences import Normal, jsd
from adlkit.gan.optimal import crossing_points, log_ratio_coefficients, optimal_discriminator_at, value_at_optimum

PAIRS = [((3, 2), (4, 1)), ((0, 1), (0, 1)), ((0, 1), (1, 1)), ((-1, 0.2), (2, 3)),
         ((0, 1), (30, 1))]


def mp_jsd(m1, v1, m2, v2):
    """JSD by definition with 25-digit quadrature: 1/2 int p log(2p/(p+q)) + 1/2 int q log(2q/(p+q))."""
    mp.mp.dps = 25

    def pdf(x, m, v):
        return mp.exp(-(x - m) ** 2 / (2 * v)) / mp.sqrt(2 * mp.pi * v)

    def h(x):
        p, q = pdf(x, m1, v1), pdf(x, m2, v2)
        out = 0
        if p > 0:
            out += p * mp.log(2 * p / (p + q))
        if q > 0:
            out += q * mp.log(2 * q / (p + q))
        return out / 2

    s = max(math.sqrt(v1), math.sqrt(v2))
    pts = sorted({m1 - 40 * s, m1, m2, (m1 + m2) / 2, m2 + 40 * s, m1 + 40 * s, m2 - 40 * s})
    return float(mp.quad(h, pts))


@pytest.mark.parametrize("p,q", PAIRS)
def test_jsd_matches_mpmath(p, q):
    assert jsd(Normal(*p), Normal(*q)) == pytest.approx(mp_jsd(*p, *q), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("p,q", PAIRS)
def test_jsd_symmetric_and_bounded(p, q):
    a, b = jsd(Normal(*p), Normal(*q)), jsd(Normal(*q), Normal(*p))
    assert a == pytest.approx(b, rel=1e-10, abs=1e-13)
    assert -1e-13 <= a <= math.log(2) + 1e-12


def test_jsd_far_apart_tends_to_log2_and_identical_is_zero():
    assert jsd(Normal(0, 1), Normal(60, 1)) == pytest.approx(math.log(2), rel=1e-10)
    assert jsd(Normal(1, 3), Normal(1, 3)) == pytest.approx(0.0, abs=1e-13)


def test_jsd_monte_carlo():
    rng = np.random.default_rng(7)
    P, Q = Normal(3, 2), Normal(4, 1)
    n = 300_000
    xp, xq = rng.normal(P.mean, P.std, n), rng.normal(Q.mean, Q.std, n)

    def half(x, A, B):
        la, lb = A.log_prob(x), B.log_prob(x)
        return math.log(2) + la - np.logaddexp(la, lb)

    sp_, sq = half(xp, P, Q), half(xq, Q, P)
    est = 0.5 * (sp_.mean() + sq.mean())
    se = 0.5 * math.sqrt(sp_.var() / n + sq.var() / n)
    assert abs(jsd(P, Q) - est) < 5 * se


def test_gan_value_at_optimum_is_minus_log4_plus_2jsd_by_direct_quadrature():
    P, G = Normal(3, 2), Normal(4, 1)
    mp.mp.dps = 30

    def pdf(x, m, v):
        return mp.exp(-(x - m) ** 2 / (2 * v)) / mp.sqrt(2 * mp.pi * v)

    def v(x):
        pd, pg = pdf(x, 3, 2), pdf(x, 4, 1)
        # log D* = log pd - log(pd + pg), log(1 - D*) = log pg - log(pd + pg)
        lm = mp.log(pd + pg)
        return pd * (mp.log(pd) - lm) + pg * (mp.log(pg) - lm)

    ref = float(mp.quad(v, [-40, 3, 4, 45]))
    assert value_at_optimum(P, G).total == pytest.approx(ref, rel=1e-9)


def test_optimal_discriminator_values_and_quadratic_form():
    P, G = Normal(3, 2), Normal(4, 1)
    xs = np.array([-2.0, 1.0, 3.0, 3.5, 4.0, 7.0])
    pd = np.exp(-(xs - 3) ** 2 / 4) / math.sqrt(4 * math.pi)
    pg = np.exp(-(xs - 4) ** 2 / 2) / math.sqrt(2 * math.pi)
    np.testing.assert_allclose(optimal_discriminator_at(P, G, xs), pd / (pd + pg), rtol=1e-13)
    t = log_ratio_coefficients(P, G)
    a, b, c = t["a"].value, t["b"].value, t["c"].value
    np.testing.assert_allclose(a * xs**2 + b * xs + c, np.log(pd / pg), rtol=1e-12, atol=1e-12)
    for r in crossing_points(P, G):
        d = optimal_discriminator_at(P, G, np.array([r]))[0]
        assert d == pytest.approx(0.5, abs=1e-12)
