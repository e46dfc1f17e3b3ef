"""The ``change_of_variables`` problem type, computed by adlkit.flows.change: against closed
forms (scipy.stats densities of transformed normals) and numpy's slogdet / multivariate normal."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from adlkit.solve import SpecError, solve_one


def test_exp_of_a_standard_normal_is_log_normal():
    xs = [0.2, 0.5, 1.0, 2.0, 7.5]
    a = solve_one("change_of_variables", f="exp(z)", at=xs).answers
    assert a["inverse"] == "log(x)"
    assert np.allclose(a["z"], np.log(xs), atol=1e-13)
    assert np.allclose(a["density"], stats.lognorm(s=1.0).pdf(xs), rtol=1e-12)
    assert np.allclose(a["log_density"], stats.lognorm(s=1.0).logpdf(xs), atol=1e-12)
    assert np.allclose(a["log_det"], np.log(xs), atol=1e-13)  # log|d e^z/dz| = z = log x


def test_affine_1d_with_a_gaussian_base_given_by_its_variance():
    # z ~ N(1, 4) (variance 4), x = 3 z - 2 ~ N(1, 36)
    xs = [-3.0, 0.0, 4.0]
    a = solve_one("change_of_variables", f="3*z - 2", base="N(1, 4)", at=xs).answers
    assert np.allclose(a["density"], stats.norm(1, 6).pdf(xs), rtol=1e-12)
    # decreasing map: x = -2 z with z ~ N(0, 1) is N(0, 4)
    a = solve_one("change_of_variables", f="-2*z", at=xs).answers
    assert np.allclose(a["density"], stats.norm(0, 2).pdf(xs), rtol=1e-12)
    assert a["det"] == pytest.approx([-2.0] * 3)


def test_no_closed_form_inverse_falls_back_to_root_finding():
    # x = z + tanh(z): by the inverse-function rule p(x) = phi(z) / (1 + sech^2 z)
    a = solve_one("change_of_variables", f="z + tanh(z)", at=[-1.0, 0.3, 2.0]).answers
    assert a["inverse"] is None
    z = np.asarray(a["z"])
    assert np.allclose(z + np.tanh(z), [-1.0, 0.3, 2.0], atol=1e-13)
    assert np.allclose(a["density"], stats.norm.pdf(z) / (2 - np.tanh(z) ** 2), rtol=1e-12)


def test_sigmoid_of_a_normal_is_logit_normal():
    xs = [0.1, 0.5, 0.8]
    a = solve_one("change_of_variables", f="sigmoid(z)", at=xs).answers
    x = np.asarray(xs)
    logit = np.log(x / (1 - x))
    assert np.allclose(a["density"], stats.norm.pdf(logit) / (x * (1 - x)), rtol=1e-10)


def test_linear_map_against_the_multivariate_normal_and_slogdet():
    rng = np.random.default_rng(0)
    for d in (1, 2, 3):
        A = rng.normal(size=(d, d))
        b = rng.normal(size=d)
        X = rng.normal(size=(4, d))
        a = solve_one("change_of_variables", A=A.tolist(), b=b.tolist(), at=X.tolist()).answers
        ref = stats.multivariate_normal(mean=b, cov=A @ A.T)
        assert np.allclose(a["log_density"], ref.logpdf(X), atol=1e-10)
        sign, logabs = np.linalg.slogdet(A)
        assert a["log_det"] == pytest.approx(logabs, abs=1e-12)
        assert a["det"] == pytest.approx(sign * math.exp(logabs), rel=1e-12)
        assert a["invertible"] is True


def test_singular_linear_map_has_no_density_and_is_not_an_error():
    a = solve_one("change_of_variables", A=[[1, 2], [2, 4]], at=[[1, 1]]).answers
    assert a["invertible"] is False and a["det"] == 0.0
    assert a["density"] is None and a["z"] is None


def test_bad_input_names_the_field():
    with pytest.raises(SpecError, match="field 'f' is not strictly monotone"):
        solve_one("change_of_variables", f="z^2", at=[1])
    with pytest.raises(SpecError, match="field 'at' has x = -1 outside the range of f"):
        solve_one("change_of_variables", f="exp(z)", at=[-1])
    with pytest.raises(SpecError, match="field 'A' must be square"):
        solve_one("change_of_variables", A=[[1, 2]], at=[[1]])
    with pytest.raises(SpecError, match="field 'at' must hold vectors of length 2"):
        solve_one("change_of_variables", A=[[1, 0], [0, 1]], at=[[1, 2, 3]])
    with pytest.raises(SpecError, match="field 'f' cannot be given together with 'A'"):
        solve_one("change_of_variables", A=[[1]], f="z", at=[[1]])
    with pytest.raises(SpecError, match="field 'f' is required"):
        solve_one("change_of_variables", at=[1])


def test_check_names_the_log_det_sign_and_bits_slips():
    from adlkit.check import Tolerance, find_slip

    problem = {"id": "q", "type": "change_of_variables", "f": "exp(z)", "at": [0.5, 2]}
    a = solve_one("change_of_variables", f="exp(z)", at=[0.5, 2]).answers
    wrong = (np.asarray(a["log_pz"]) + np.asarray(a["log_det"])).tolist()
    slip = find_slip(problem, "log_density", wrong, a, Tolerance())
    assert slip is not None and slip.name == "log_det_sign"
    slip = find_slip(problem, "log_density", (np.asarray(a["log_density"]) / math.log(2)).tolist(), a, Tolerance())
    assert slip is not None and slip.name == "log_base_2"
