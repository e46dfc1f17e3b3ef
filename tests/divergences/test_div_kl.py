"""KL divergence: closed forms against mpmath quadrature, Monte Carlo and torch.distributions."""

import math

import mpmath as mp
import numpy as np
import pytest
import torch

from adlkit.divergences import KL, MultivariateNormal, Normal, kl, kl_terms, register_kl

PAIRS = [((3, 2), (4, 1)), ((4, 1), (3, 2)), ((0, 1), (0, 1)), ((-2, 0.3), (1.5, 4.0)),
         ((10, 25), (9, 0.5))]


def mp_kl(m1, v1, m2, v2):
    """KL by its definition, int p log(p/q), with 30-digit tanh-sinh quadrature."""
    mp.mp.dps = 30
    m1, v1, m2, v2 = map(mp.mpf, (m1, v1, m2, v2))

    def lp(x, m, v):
        return -(x - m) ** 2 / (2 * v) - mp.log(2 * mp.pi * v) / 2

    s = mp.sqrt(v1)
    pts = [m1 - 40 * s, m1 - 5 * s, m1, m1 + 5 * s, m1 + 40 * s]
    return float(mp.quad(lambda x: mp.exp(lp(x, m1, v1)) * (lp(x, m1, v1) - lp(x, m2, v2)), pts))


@pytest.mark.parametrize("p,q", PAIRS)
def test_univariate_kl_matches_mpmath_quadrature(p, q):
    assert kl(Normal(*p), Normal(*q)) == pytest.approx(mp_kl(*p, *q), rel=1e-12, abs=1e-14)


def test_sheet_values_and_asymmetry():
    # the sheet: KL(N(3,2)||N(4,1)) = 1 - log(2)/2, KL(N(4,1)||N(3,2)) = log(2)/2 (variances)
    pq, qp = kl(Normal(3, 2), Normal(4, 1)), kl(Normal(4, 1), Normal(3, 2))
    assert pq == pytest.approx(1 - math.log(2) / 2, rel=1e-14)
    assert qp == pytest.approx(math.log(2) / 2, rel=1e-14)
    assert abs(pq - qp) > 0.3  # KL is not symmetric
    assert mp_kl(3, 2, 4, 1) != pytest.approx(mp_kl(4, 1, 3, 2), rel=1e-3)


def test_univariate_kl_terms_are_the_sheet_terms():
    t = kl_terms(Normal(3, 2), Normal(4, 1))
    assert [x.name for x in t] == ["log_std_ratio", "quadratic", "constant"]
    assert t["log_std_ratio"].value == pytest.approx(math.log(1 / math.sqrt(2)), rel=1e-14)
    assert t["quadratic"].value == pytest.approx(1.5)
    assert sum(x.value for x in t) == pytest.approx(t.total, rel=1e-15)


@pytest.mark.parametrize("p,q", PAIRS[:4])
def test_univariate_kl_monte_carlo(p, q):
    rng = np.random.default_rng(0)
    P, Q = Normal(*p), Normal(*q)
    x = rng.normal(P.mean, P.std, 400_000)
    llr = P.log_prob(x) - Q.log_prob(x)
    se = llr.std() / math.sqrt(x.size)
    assert abs(kl(P, Q) - llr.mean()) < 5 * se + 1e-12


def _random_spd(rng, d):
    A = rng.normal(size=(d, d))
    return A @ A.T + 0.5 * np.eye(d)


@pytest.mark.parametrize("d,seed", [(2, 1), (3, 2), (5, 3)])
def test_multivariate_kl_monte_carlo_and_torch(d, seed):
    rng = np.random.default_rng(seed)
    P = MultivariateNormal(rng.normal(size=d), _random_spd(rng, d))
    Q = MultivariateNormal(rng.normal(size=d), _random_spd(rng, d))
    x = rng.multivariate_normal(P.mean, P.cov, 200_000)
    llr = P.log_prob(x) - Q.log_prob(x)
    se = llr.std() / math.sqrt(len(x))
    assert abs(kl(P, Q) - llr.mean()) < 5 * se
    tp = torch.distributions.MultivariateNormal(torch.tensor(P.mean), torch.tensor(P.cov))
    tq = torch.distributions.MultivariateNormal(torch.tensor(Q.mean), torch.tensor(Q.cov))
    assert kl(P, Q) == pytest.approx(float(torch.distributions.kl_divergence(tp, tq)), rel=1e-10)


def test_multivariate_kl_in_one_dimension_equals_univariate():
    assert kl(MultivariateNormal([3.0], [[2.0]]), MultivariateNormal([4.0], [[1.0]])) == \
        pytest.approx(1 - math.log(2) / 2, rel=1e-14)


def test_multivariate_kl_diagonal_is_a_sum_of_univariate_kls():
    m1, v1, m2, v2 = [0, 1, 2], [1, 2, 3], [1, 1, 0], [2, 0.5, 1]
    ref = sum(mp_kl(*a) for a in zip(m1, v1, m2, v2))
    assert kl(MultivariateNormal(m1, np.diag(v1)), MultivariateNormal(m2, np.diag(v2))) == \
        pytest.approx(ref, rel=1e-12)


def test_invalid_parameters_raise():
    with pytest.raises(ValueError, match="variance must be > 0"):
        Normal(0, -1)
    with pytest.raises(ValueError, match="positive definite"):
        MultivariateNormal([0, 0], [[1, 2], [2, 1]])
    with pytest.raises(ValueError, match="symmetric"):
        MultivariateNormal([0, 0], [[1, 0.5], [0.2, 1]])


def test_registry_dispatch_by_type():
    class Wide(Normal):
        pass

    # a subclass dispatches to the (Normal, Normal) closed form
    assert kl(Wide(3, 2), Normal(4, 1)) == pytest.approx(1 - math.log(2) / 2)
    with pytest.raises(NotImplementedError, match=r"kl is not implemented for \(Normal, MultivariateNormal\)"):
        kl(Normal(0, 1), MultivariateNormal([0.0], [[1.0]]))

    class Point:
        pass

    from adlkit.core.terms import Terms

    @register_kl(Point, Point)
    def _zero(p, q):
        return Terms([], 0.0)

    try:
        assert kl(Point(), Point()) == 0.0
    finally:
        del KL._table[(Point, Point)]
