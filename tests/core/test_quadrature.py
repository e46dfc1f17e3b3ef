"""The adaptive quadrature against mpmath on finite, half-infinite and infinite ranges, with
kinks and endpoint singularities; divergent integrals are reported as not converged."""

import math

import mpmath as mp
import numpy as np
import pytest

from adlkit.core.quadrature import integrate

CASES = [
    (lambda x: np.exp(-x * x) * np.cos(3 * x), lambda x: mp.exp(-x * x) * mp.cos(3 * x), -math.inf, math.inf, []),
    (lambda x: 1 / (1 + x**4), lambda x: 1 / (1 + x**4), -math.inf, math.inf, []),
    (lambda x: x**2 * np.exp(-x), lambda x: x**2 * mp.exp(-x), 0.0, math.inf, []),
    (lambda x: np.exp(x) / (1 + np.exp(2 * x)), lambda x: mp.exp(x) / (1 + mp.exp(2 * x)), -math.inf, 2.0, []),
    (lambda x: np.abs(np.sin(x)), lambda x: abs(mp.sin(x)), 0.0, 10.0, [math.pi, 2 * math.pi, 3 * math.pi]),
    (lambda x: np.sqrt(x) * np.log(x), lambda x: mp.sqrt(x) * mp.log(x), 0.0, 1.0, []),
    (lambda x: np.exp(-(x - 30) ** 2 / 0.02), lambda x: mp.exp(-(x - 30) ** 2 / 0.02), -math.inf, math.inf, [30.0]),
]


@pytest.mark.parametrize("f,fm,a,b,pts", CASES)
def test_against_mpmath(f, fm, a, b, pts):
    mp.mp.dps = 30
    ends = [mp.mpf(a) if math.isfinite(a) else -mp.inf, *pts, mp.mpf(b) if math.isfinite(b) else mp.inf]
    ref = float(mp.quad(fm, ends))
    r = integrate(f, a, b, pts)
    assert r.converged
    assert r.value == pytest.approx(ref, rel=1e-10, abs=1e-13)


@pytest.mark.parametrize("f,a,b", [(lambda x: np.exp(-x), -math.inf, math.inf),
                                   (lambda x: 1 / (1 + np.abs(x)), -math.inf, math.inf),
                                   (lambda x: 1 / x, 0.0, 1.0)])
def test_divergent_integrals_do_not_converge(f, a, b):
    assert not integrate(f, a, b).converged


def test_empty_and_reversed_ranges():
    assert integrate(np.exp, 1.0, 1.0).value == 0.0
    with pytest.raises(ValueError, match="a <= b"):
        integrate(np.exp, 2.0, 1.0)
