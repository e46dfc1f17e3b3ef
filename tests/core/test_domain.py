"""One reading of a domain for the solver, the Lipschitz analysis and the partition function."""

import math

import pytest
import sympy as sp

from adlkit.core.domain import domain_latex, parse_domain, sympy_bound


@pytest.mark.parametrize("raw,expected", [
    (None, (-math.inf, math.inf)), (["-oo", "oo"], (-math.inf, math.inf)), ([0, "inf"], (0.0, math.inf)),
    ([-1, 2.5], (-1.0, 2.5)), (("-infinity", 3), (-math.inf, 3.0)),
])
def test_parse(raw, expected):
    assert parse_domain(raw) == expected


@pytest.mark.parametrize("raw,msg", [([1, 1], "a < b"), ([2, 1], "a < b"), ([1], r"\[a, b\]"), (["x", 1], "numbers"),
                                     ([True, 2], "numbers"), (5, r"\[a, b\]")])
def test_refused(raw, msg):
    with pytest.raises(ValueError, match=msg):
        parse_domain(raw)


def test_formats():
    assert domain_latex((-math.inf, math.inf)) == r"\mathbb{R}"
    assert domain_latex((0.0, math.inf)) == r"[0, \infty)"
    assert sympy_bound(math.inf) is sp.oo and sympy_bound(0.5) == sp.Rational(1, 2)
