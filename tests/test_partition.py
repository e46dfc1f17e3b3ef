"""Partition functions: closed forms (Gaussian by completing the square, Gamma forms) and
quadrature, against textbook values and mpmath."""

import math

import mpmath as mp
import numpy as np
import pytest

from adlkit.ebm.partition import log_partition_grid_1d, log_partition_grid_2d, partition_function


def test_sheet_gaussian_3_sqrt_pi():
    r = partition_function("exp(-(x - 2.5)^2/9)")
    assert r.method == "gaussian"
    assert r.Z == pytest.approx(3 * math.sqrt(math.pi), rel=1e-14)
    assert str(r.Z_exact) == "3*sqrt(pi)"
    assert float(r.gaussian.mean) == 2.5 and float(r.gaussian.var) == 4.5
    assert r.numeric == pytest.approx(r.Z, rel=1e-10)


@pytest.mark.parametrize("f,domain,ref", [
    ("exp(-x^4)", None, math.gamma(0.25) / 2),  # 2 Gamma(5/4)
    ("exp(-abs(x))", None, 2.0),
    ("exp(-2*x^2 + 4*x)", None, math.exp(2) * math.sqrt(math.pi / 2)),
    ("3*exp(-x^2/2)", None, 3 * math.sqrt(2 * math.pi)),
    ("exp(-x^2)", (0, 1), math.sqrt(math.pi) / 2 * math.erf(1)),
    ("exp(-x^2)", (0, "oo"), math.sqrt(math.pi) / 2),
    ("x^2*exp(-x)", (0, "oo"), 2.0),  # Gamma(3)
    ("1/(1+x^2)", None, math.pi),
    ("sigmoid(x)*(1 - sigmoid(x))", None, 1.0),
])
def test_closed_forms(f, domain, ref):
    r = partition_function(f, domain)
    assert r.Z_exact is not None
    assert r.Z == pytest.approx(ref, rel=1e-12)
    assert r.numeric == pytest.approx(ref, rel=1e-8)


def test_no_closed_form_falls_back_to_quadrature_matching_mpmath():
    r = partition_function("exp(-x^4 + sin(3*x))", timeout=1.0)
    mp.mp.dps = 25
    ref = float(mp.quad(lambda x: mp.exp(-x**4 + mp.sin(3 * x)), [-mp.inf, -1, 0, 1, mp.inf]))
    assert r.Z == pytest.approx(ref, rel=1e-9)


@pytest.mark.parametrize("f,domain", [("exp(x^2)", None), ("exp(-x)", None), ("1/(1+abs(x))", None)])
def test_not_normalisable(f, domain):
    r = partition_function(f, domain)
    assert r.Z == math.inf and not r.normalizable


def test_grids_match_closed_forms():
    lz = log_partition_grid_1d(lambda x: (x - 1) ** 2 / 2, -15, 17, 4001)
    assert lz == pytest.approx(0.5 * math.log(2 * math.pi), abs=1e-9)
    # 2-D Gaussian with covariance [[2, 0.5], [0.5, 1]]
    S = np.array([[2.0, 0.5], [0.5, 1.0]])
    P = np.linalg.inv(S)
    lz2 = log_partition_grid_2d(lambda p: 0.5 * np.einsum("ni,ij,nj->n", p, P, p), (-14, 14), (-10, 10), 401)
    assert lz2 == pytest.approx(math.log(2 * math.pi * math.sqrt(np.linalg.det(S))), abs=1e-7)


def test_narrow_bump_far_from_the_origin():
    # a Gaussian of variance 1/200 centred at 37: Z = sqrt(pi/100); quadrature must agree
    r = partition_function("exp(-100*(x - 37)^2)")
    assert r.Z == pytest.approx(math.sqrt(math.pi / 100), rel=1e-13)
    assert r.numeric == pytest.approx(math.sqrt(math.pi / 100), rel=1e-9)
    assert not r.notes
