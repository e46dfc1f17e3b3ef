"""Discrete and uniform distributions (adlkit.divergences.extended) against independent
references: scipy.stats.entropy for discrete KL, scipy quadrature for uniform and mixed pairs,
scipy.stats.wasserstein_distance and POT for 1-D W1/W2."""

from __future__ import annotations

import math

import numpy as np
import ot
import pytest
from scipy import integrate, stats

from adlkit.divergences import Discrete, Normal, Uniform, jsd, kl, wasserstein
from adlkit.divergences.types import ParameterError

P = [0.2, 0.5, 0.3]
Q = [0.1, 0.6, 0.3]


def test_discrete_kl_matches_scipy_entropy_both_directions():
    assert kl(Discrete(P), Discrete(Q)) == pytest.approx(stats.entropy(P, Q), rel=1e-13)
    assert kl(Discrete(Q), Discrete(P)) == pytest.approx(stats.entropy(Q, P), rel=1e-13)


def test_discrete_kl_on_different_supports_aligns_points_and_is_inf_where_q_has_no_mass():
    p = Discrete([0.5, 0.5], support=[2, 7])
    q = Discrete([0.25, 0.25, 0.5], support=[7, 1, 2])
    # on the union {1, 2, 7}: p = (0, .5, .5), q = (.25, .5, .25)
    assert kl(p, q) == pytest.approx(stats.entropy([0, 0.5, 0.5], [0.25, 0.5, 0.25]), rel=1e-13)
    assert kl(q, p) == math.inf  # q has mass at 1, p has none
    assert stats.entropy([0.25, 0.5, 0.25], [0, 0.5, 0.5]) == math.inf


def test_discrete_jsd_matches_scipy_jensenshannon_squared():
    from scipy.spatial.distance import jensenshannon

    assert jsd(Discrete(P), Discrete(Q)) == pytest.approx(jensenshannon(P, Q) ** 2, rel=1e-12)
    assert jsd(Discrete([1, 0]), Discrete([0, 1])) == pytest.approx(math.log(2), rel=1e-15)


def _quad_kl(p, q, lo, hi, pts=()):
    f = lambda x: 0.0 if p.pdf(x) == 0 else float(p.pdf(x) * (np.log(p.pdf(x)) - q.log_prob(x)))
    return integrate.quad(f, lo, hi, points=pts or None, limit=200, epsabs=1e-13, epsrel=1e-12)[0]


def test_uniform_kls_against_quadrature_and_infinite_when_not_nested():
    a, b = Uniform(0.5, 1.5), Uniform(-1, 2)
    assert kl(a, b) == pytest.approx(_quad_kl(a, b, 0.5, 1.5), rel=1e-12)
    assert kl(b, a) == math.inf
    n = Normal(0.3, 2.0)
    assert kl(a, n) == pytest.approx(_quad_kl(a, n, 0.5, 1.5), rel=1e-12)
    assert kl(n, a) == math.inf
    assert kl(Discrete(P), n) == math.inf and kl(n, Discrete(P)) == math.inf


def _quad_jsd(p, q, lo, hi, pts):
    def half(a, b):
        def f(x):
            pa, pb = float(a.pdf(x)), float(b.pdf(x))
            return 0.0 if pa == 0 else pa * math.log(2 * pa / (pa + pb))
        return integrate.quad(f, lo, hi, points=pts, limit=400, epsabs=1e-13, epsrel=1e-12)[0]
    return 0.5 * half(p, q) + 0.5 * half(q, p)


def test_uniform_and_mixed_jsd_against_quadrature():
    a, b = Uniform(0, 1), Uniform(0.5, 2)
    assert jsd(a, b) == pytest.approx(_quad_jsd(a, b, 0, 2, [0.5, 1]), rel=1e-10)
    n = Normal(0.5, 0.25)
    assert jsd(a, n) == pytest.approx(_quad_jsd(a, n, -10, 10, [0, 0.5, 1]), rel=1e-8)
    assert jsd(n, a) == pytest.approx(jsd(a, n), rel=1e-10)
    assert jsd(Discrete(P), n) == pytest.approx(math.log(2))  # mutually singular


DISCRETE_PAIRS = [
    (Discrete(P), Discrete([0.5, 0.5], support=[0.5, 3])),
    (Discrete([0.1, 0.2, 0.3, 0.4], support=[-2, 0, 1, 5]), Discrete([0.7, 0.3], support=[1, 2])),
]


@pytest.mark.parametrize("a, b", DISCRETE_PAIRS)
def test_discrete_w1_matches_scipy_and_w2_matches_pot(a, b):
    assert wasserstein(a, b, p=1) == pytest.approx(
        stats.wasserstein_distance(a.support, b.support, a.probs, b.probs), rel=1e-12)
    w2 = math.sqrt(ot.emd2(a.probs, b.probs, ot.dist(a.support[:, None], b.support[:, None])))
    assert wasserstein(a, b, p=2) == pytest.approx(w2, rel=1e-9)


def _quad_quantile(a, b, p, pts=()):
    f = lambda u: abs(float(a.ppf(u)) - float(b.ppf(u))) ** p
    return integrate.quad(f, 0, 1, points=pts or None, limit=400, epsabs=1e-13, epsrel=1e-12)[0] ** (1 / p)


@pytest.mark.parametrize("p", [1, 2])
def test_uniform_and_mixed_wasserstein_against_quadrature(p):
    u1, u2 = Uniform(0, 1), Uniform(0.2, 3)
    assert wasserstein(u1, u2, p=p) == pytest.approx(_quad_quantile(u1, u2, p), rel=1e-10)
    n = Normal(1, 2)
    assert wasserstein(u2, n, p=p) == pytest.approx(_quad_quantile(u2, n, p), rel=1e-7)
    d = Discrete(P)
    assert wasserstein(d, u2, p=p) == pytest.approx(_quad_quantile(d, u2, p, [0.2, 0.7]), rel=1e-9)
    assert wasserstein(d, n, p=p) == pytest.approx(_quad_quantile(d, n, p, [0.2, 0.7]), rel=1e-7)


def test_uniform_w2_is_the_location_scale_formula():
    # uniforms are a location-scale family: W2^2 = (mean difference)^2 + (std difference)^2
    a, b = Uniform(-1, 3), Uniform(2, 2.5)
    expect = math.sqrt((a.mean - b.mean) ** 2 + (math.sqrt(a.var) - math.sqrt(b.var)) ** 2)
    assert wasserstein(a, b, p=2) == pytest.approx(expect, rel=1e-13)


def test_bad_parameters_are_refused():
    with pytest.raises(ParameterError, match="sum to 1"):
        Discrete([0.5, 0.6])
    with pytest.raises(ParameterError, match=">= 0"):
        Discrete([1.5, -0.5])
    with pytest.raises(ParameterError, match="distinct"):
        Discrete([0.5, 0.5], support=[1, 1])
    with pytest.raises(ParameterError, match="a < b"):
        Uniform(2, 1)
