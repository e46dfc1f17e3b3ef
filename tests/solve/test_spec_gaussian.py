"""The spec's Gaussians are adlkit.divergences' own types: every spelling reads into a
``Normal`` or ``MultivariateNormal``, whose construction is the one place the numbers are
checked; the spec words each refusal in the syntax the user wrote."""

from __future__ import annotations

import numpy as np
import pytest

from adlkit.divergences import MultivariateNormal, Normal
from adlkit.divergences.types import ParameterError
from adlkit.solve import SpecError, solve_one
from adlkit.solve.spec import INVALID, parse_gaussian, variance_spelled


def _read(v, univariate=False):
    faults = []
    g = parse_gaussian(v, lambda msg: faults.append(msg) or INVALID, univariate=univariate)
    return g, faults


@pytest.mark.parametrize("raw, mean, var", [
    ("N(3, 2)", 3.0, 2.0),  # the course's notation: the second number is the VARIANCE
    (" n(-1.5 ,0.25) ", -1.5, 0.25),
    ({"mean": 3, "var": 2}, 3.0, 2.0),
    ({"mean": 3, "std": 2}, 3.0, 4.0),
])
def test_univariate_spellings_read_into_the_library_normal(raw, mean, var):
    g, faults = _read(raw)
    assert faults == [] and type(g) is Normal and not g.multivariate and g.dim == 1
    assert (g.mean, g.var) == (mean, var)


def test_covariance_reads_into_the_library_multivariate_normal():
    g, faults = _read({"mean": [0, 1], "cov": [[2, 0.5], [0.5, 1]]})
    assert faults == [] and type(g) is MultivariateNormal and g.multivariate and g.dim == 2
    np.testing.assert_array_equal(g.cov, [[2, 0.5], [0.5, 1]])
    np.testing.assert_array_equal(g.scale_tril, np.linalg.cholesky([[2, 0.5], [0.5, 1]]))


@pytest.mark.parametrize("make, param, check", [
    (lambda: Normal(0, -1), "var", "positive"),
    (lambda: Normal(float("nan"), 1), "mean", "finite"),
    (lambda: Normal.from_std(0, 0), "std", "positive"),
    (lambda: Normal.from_std(0, 1e-200), "var", "positive"),  # the variance underflows to 0
    (lambda: MultivariateNormal([0, 0], [[1, 0.5], [0, 1]]), "cov", "symmetric"),
    (lambda: MultivariateNormal([0, 0], [[1, 2], [2, 1]]), "cov", "positive_definite"),
])
def test_the_types_name_the_parameter_and_the_check(make, param, check):
    with pytest.raises(ParameterError) as err:
        make()
    assert isinstance(err.value, ValueError) and (err.value.param, err.value.check) == (param, check)


@pytest.mark.parametrize("raw, message", [
    ("N(0, -2)", "variance must be > 0, got -2"),
    ("N(inf, 1)", "mean and variance must be finite"),
    ({"mean": 0, "var": -1}, "var must be > 0, got -1"),
    ({"mean": float("inf"), "var": 1}, "mean must be a finite number, got inf"),
    ({"mean": 0, "std": -2.5}, "std must be > 0, got -2.5"),
    ({"mean": 0, "std": float("inf")}, "std must be a finite number, got inf"),
    ({"mean": [0, float("nan")], "cov": [[1, 0], [0, 1]]},
     "mean must be a list of finite numbers when 'cov' is given, got [0, nan]"),
    ({"mean": [0, 0], "cov": [[1, 0], [0, float("inf")]]}, "cov must be a 2x2 matrix of finite numbers"),
    ({"mean": [0, 0], "cov": [[1, 0.5], [0, 1]]}, "cov must be symmetric"),
    ({"mean": [0, 0], "cov": [[1, 2], [2, 1]]}, "cov must be positive definite"),
])
def test_refusals_of_the_types_are_worded_in_the_spelling_used(raw, message):
    g, faults = _read(raw)
    assert g is INVALID and faults == [message]


@pytest.mark.parametrize("std", [1e-200, 1e200])
def test_a_std_whose_variance_under_or_overflows_is_one_spec_error(std):
    # std**2 is 0 or overflows: one message naming the field, not a traceback
    with pytest.raises(SpecError) as err:
        solve_one("kl", id="q", p={"mean": 0, "std": std}, q="N(0, 1)")
    [line] = err.value.messages
    assert line.startswith("q: field 'p' is not a valid Gaussian: variance")


def test_variance_spelled_finds_only_gaussians_given_by_their_variance():
    assert variance_spelled("N(3, 2)").var == 2.0 and variance_spelled({"mean": 1, "var": 3}).mean == 1.0
    assert variance_spelled({"mean": 1, "std": 3}) is None  # given by its std
    assert variance_spelled({"mean": [1], "cov": [[3]]}) is None and variance_spelled("N(0, -1)") is None
