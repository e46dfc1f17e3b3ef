"""Wasserstein distances: Gaussian closed forms and the W1 quantile integral against mpmath,
the folded-normal closed form and SciPy; empirical W_p against SciPy and brute-force matching."""

import itertools
import math

import mpmath as mp
import numpy as np
import pytest
from scipy.linalg import sqrtm
from scipy.optimize import linear_sum_assignment
from scipy.special import ndtr
from scipy.stats import wasserstein_distance

from adlkit.divergences import Empirical, MultivariateNormal, Normal, wasserstein, wasserstein_terms

PAIRS = [((3, 2), (4, 1)), ((0, 1), (0, 4)), ((0, 1), (2, 1)), ((-1, 0.25), (3, 9)),
         ((5, 1), (5, 1))]


def mp_quantile_wp(m1, v1, m2, v2, p):
    """(int_0^1 |F^-1(u) - G^-1(u)|^p du)^(1/p) with 30-digit quadrature, written with
    u = Phi(z): F^-1(Phi(z)) = m + s z, so the integrand is |dm + ds z|^p phi(z), split at the
    crossing of the two quantile functions."""
    mp.mp.dps = 30
    dm, ds = mp.mpf(m1) - m2, mp.sqrt(v1) - mp.sqrt(v2)
    pts = [-mp.inf, -10, 0, 10, mp.inf]
    if ds != 0:
        pts = sorted(set(pts[1:-1]) | {-dm / ds})
        pts = [-mp.inf] + pts + [mp.inf]
    val = mp.quad(lambda z: abs(dm + ds * z) ** p * mp.npdf(z), pts)
    return float(val ** (mp.mpf(1) / p))


def folded_normal_mean(a, b):
    """E|a + b Z|, Z ~ N(0, 1) (textbook folded normal mean)."""
    if b == 0:
        return abs(a)
    s = abs(b)
    return s * math.sqrt(2 / math.pi) * math.exp(-a * a / (2 * s * s)) + a * (1 - 2 * ndtr(-a / s))


@pytest.mark.parametrize("a,b", PAIRS)
def test_w2_univariate_against_quantile_integral(a, b):
    assert wasserstein(Normal(*a), Normal(*b), p=2) == pytest.approx(
        mp_quantile_wp(*a, *b, 2), rel=1e-8, abs=1e-10)


def test_w2_sheet_value():
    assert wasserstein(Normal(3, 2), Normal(4, 1), p=2) == pytest.approx(
        math.sqrt(1 + (math.sqrt(2) - 1) ** 2), rel=1e-15)


@pytest.mark.parametrize("a,b", PAIRS)
def test_w1_gaussians_of_different_variances(a, b):
    A, B = Normal(*a), Normal(*b)
    ref = folded_normal_mean(A.mean - B.mean, A.std - B.std)
    assert wasserstein(A, B, p=1) == pytest.approx(ref, rel=1e-10, abs=1e-12)
    assert wasserstein(A, B, p=1) == pytest.approx(mp_quantile_wp(*a, *b, 1), rel=1e-7, abs=1e-10)
    assert wasserstein(A, B, p=1) <= wasserstein(A, B, p=2) + 1e-12  # W1 <= W2


def test_w1_gaussians_against_scipy_on_quantile_samples():
    A, B = Normal(3, 2), Normal(4, 1)
    u = (np.arange(200_000) + 0.5) / 200_000
    est = wasserstein_distance(A.ppf(u), B.ppf(u))
    assert wasserstein(A, B, p=1) == pytest.approx(est, rel=1e-4)


def test_w2_multivariate_bures_against_scipy_sqrtm_and_diagonal_form():
    rng = np.random.default_rng(3)
    for d in (2, 3, 4):
        A_ = rng.normal(size=(d, d))
        S1 = A_ @ A_.T + 0.3 * np.eye(d)
        B_ = rng.normal(size=(d, d))
        S2 = B_ @ B_.T + 0.3 * np.eye(d)
        m1, m2 = rng.normal(size=d), rng.normal(size=d)
        r2 = sqrtm(S2)
        ref = math.sqrt(np.sum((m1 - m2) ** 2) + np.trace(S1 + S2 - 2 * np.real(sqrtm(r2 @ S1 @ r2))))
        assert wasserstein(MultivariateNormal(m1, S1), MultivariateNormal(m2, S2)) == pytest.approx(ref, rel=1e-8)
    # commuting (diagonal) covariances: sum of squared std differences
    v1, v2 = np.array([1.0, 4.0, 0.5]), np.array([2.0, 1.0, 0.5])
    ref = math.sqrt(1 + np.sum((np.sqrt(v1) - np.sqrt(v2)) ** 2))
    assert wasserstein(MultivariateNormal([0, 0, 0], np.diag(v1)),
                       MultivariateNormal([1, 0, 0], np.diag(v2))) == pytest.approx(ref, rel=1e-12)
    assert wasserstein(MultivariateNormal([3.0], [[2.0]]), MultivariateNormal([4.0], [[1.0]])) == \
        pytest.approx(wasserstein(Normal(3, 2), Normal(4, 1)), rel=1e-12)


def test_empirical_w1_matches_scipy():
    rng = np.random.default_rng(11)
    for n in (1, 5, 50, 1000):
        x, y = rng.normal(size=n), rng.standard_t(3, size=n)
        assert wasserstein(Empirical(x), Empirical(y), p=1) == pytest.approx(
            wasserstein_distance(x, y), rel=1e-12, abs=1e-14)


def test_empirical_w2_matches_optimal_assignment():
    rng = np.random.default_rng(12)
    for n in (3, 6, 40):
        x, y = rng.normal(size=n), rng.exponential(size=n)
        C = (x[:, None] - y[None, :]) ** 2
        r, c = linear_sum_assignment(C)
        assert wasserstein(Empirical(x), Empirical(y), p=2) == pytest.approx(
            math.sqrt(C[r, c].mean()), rel=1e-12)
    # and by brute force over all matchings for a tiny case
    x, y = np.array([0.0, 3.0, 1.0, 7.0]), np.array([2.0, -1.0, 5.0, 4.0])
    best = min(np.mean((x - y[list(perm)]) ** 2) for perm in itertools.permutations(range(4)))
    assert wasserstein(Empirical(x), Empirical(y), p=2) == pytest.approx(math.sqrt(best), rel=1e-14)


def test_wasserstein_errors():
    with pytest.raises(ValueError, match="equal length"):
        wasserstein(Empirical([1, 2]), Empirical([1, 2, 3]))
    with pytest.raises(ValueError, match="p must be 1 or 2"):
        wasserstein(Normal(0, 1), Normal(1, 1), p=3)
    with pytest.raises(NotImplementedError, match="no closed form"):
        wasserstein(MultivariateNormal([0, 0], np.eye(2)), MultivariateNormal([1, 0], np.eye(2)), p=1)
    assert [t.name for t in wasserstein_terms(Normal(3, 2), Normal(4, 1))] == ["mean", "std"]
