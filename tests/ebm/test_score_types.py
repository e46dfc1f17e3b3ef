"""``partition_function`` (energy, temperature, at, discrete), ``score``, ``langevin_step`` and
``dsm`` against independent references: mpmath quadrature, mpmath numerical differentiation,
closed forms written here; the bad inputs of the brief; the slips ``adlkit check`` names."""

from __future__ import annotations

import json
import math

import mpmath as mp
import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from adlkit.check import check_answers
from adlkit.cli import app
from adlkit.ebm.dsm import dsm_loss, dsm_target
from adlkit.ebm.langevin import langevin, langevin_update
from adlkit.solve import solve_spec


def _solve(problem: dict) -> dict:
    return solve_spec({"problems": [problem]}).results[0].answers


# -- partition_function, extended ----------------------------------------------------------------
@pytest.mark.parametrize("energy, mpE, T, domain", [
    ("(x - 1)^2/2", lambda x: (x - 1) ** 2 / 2, 2.0, None),
    ("x^4 - x^2", lambda x: x**4 - x**2, 0.7, None),
    ("abs(x)", lambda x: abs(x), 3.0, [-1, 2]),
    ("3*x^2 + x", lambda x: 3 * x**2 + x, 0.5, None),
])
def test_energy_partition_function_and_density_equal_mpmath_quadrature(energy, mpE, T, domain):
    a, b = (-mp.inf, mp.inf) if domain is None else domain
    Z = mp.quad(lambda x: mp.exp(-mpE(x) / T), [a, 0, b] if a < 0 < b else [a, b])
    spec = {"type": "partition_function", "energy": energy, "temperature": T, "at": [0.0, 0.5]}
    if domain is not None:
        spec["domain"] = domain
    r = _solve(spec)
    assert r["Z"] == pytest.approx(float(Z), rel=1e-9)
    np.testing.assert_allclose(r["density"], [float(mp.exp(-mpE(mp.mpf(x)) / T) / Z) for x in (0.0, 0.5)], rtol=1e-9)


def test_quadratic_energy_completes_the_square():
    sol = solve_spec({"problems": [{"type": "partition_function", "energy": "(x - 1)^2/2", "temperature": 2}]}).results[0]
    assert sol.answers["Z_exact"] == "2*sqrt(pi)"  # sigma^2 = T = 2: Z = sqrt(2 pi T)
    assert any("Complete the square" in s.text for s in sol.steps)


def test_discrete_energies_boltzmann():
    E, T = [0.0, 1.0, 2.5, -0.5], 0.8
    w = np.exp(-np.array(E) / T)
    r = _solve({"type": "partition_function", "energies": E, "temperature": T})
    assert r["Z"] == pytest.approx(w.sum(), rel=1e-13)
    np.testing.assert_allclose(r["probabilities"], w / w.sum(), rtol=1e-13)


def test_old_partition_specs_keep_their_answers():
    r = _solve({"type": "partition_function", "f": "exp(-(x - 2.5)^2/9)"})
    assert r["Z"] == pytest.approx(3 * math.sqrt(math.pi), rel=1e-12) and r["Z_exact"] == "3*sqrt(pi)"
    assert r["density"] is None and r["probabilities"] is None


# -- score and Langevin ---------------------------------------------------------------------------
def test_score_of_an_energy_equals_mpmath_derivative_of_log_density():
    E = lambda x1, x2: x1**4 / 4 + x1 * x2 + mp.exp(x2) / 2
    x = (0.7, -0.3)
    ref = [-mp.diff(lambda t: E(t, x[1]), x[0]), -mp.diff(lambda t: E(x[0], t), x[1])]
    r = _solve({"type": "score", "x": list(x), "energy": "x1^4/4 + x1*x2 + exp(x2)/2"})
    np.testing.assert_allclose(r["score"], [float(v) for v in ref], rtol=1e-10)


def test_score_of_a_gaussian_target_equals_the_log_pdf_derivative():
    from scipy.stats import multivariate_normal

    mean, cov, x = np.array([0.0, 1.0]), np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([1.0, 2.0])
    lp = multivariate_normal(mean, cov).logpdf
    h = 1e-5
    ref = [(lp(x + h * e) - lp(x - h * e)) / (2 * h) for e in np.eye(2)]
    r = _solve({"type": "score", "x": x.tolist(), "target": {"mean": mean.tolist(), "cov": cov.tolist()}})
    np.testing.assert_allclose(r["score"], ref, rtol=1e-7)
    r1 = _solve({"type": "score", "x": 2.0, "target": "N(1, 4)"})  # -(x - mu)/var
    assert r1["score"] == pytest.approx(-0.25)


@pytest.mark.parametrize("form", ["half", "full"])
def test_langevin_step_by_the_formula(form):
    x, eps, z = np.array([1.0, -0.5]), 0.1, np.array([0.3, -0.2])
    s = -np.array([x[0] + x[1] / 2, 2 * x[1] + x[0] / 2])  # -grad of x1^2/2 + x2^2 + x1 x2/2
    ref = x + eps / 2 * s + math.sqrt(eps) * z if form == "half" else x + eps * s + math.sqrt(2 * eps) * z
    r = _solve({"type": "langevin_step", "x": x.tolist(), "energy": "x1^2/2 + x2^2 + x1*x2/2", "step_size": eps,
                "noise": z.tolist(), "form": form})
    np.testing.assert_allclose(r["score"], s, rtol=1e-12)
    np.testing.assert_allclose(r["x_next"], ref, rtol=1e-12)


def test_the_sampler_moves_through_the_same_update():
    """langevin() without Metropolis from a fixed seed equals the update applied by hand."""
    E = lambda x: 0.5 * (x**2).sum(-1)
    x0 = torch.tensor([[1.0, -2.0]], dtype=torch.float64)
    g = torch.Generator().manual_seed(5)
    out, _ = langevin(E, x0, 3, 0.2, generator=g)
    g = torch.Generator().manual_seed(5)
    x = x0.clone()
    for _ in range(3):
        z = torch.randn(x.shape, generator=g, dtype=x.dtype)
        x = x + 0.1 * (-x) + math.sqrt(0.2) * z
    torch.testing.assert_close(out, x)
    with pytest.raises(ValueError):
        langevin_update(x, x, -0.1)


# -- DSM ------------------------------------------------------------------------------------------
def test_dsm_target_and_loss_by_hand():
    r = _solve({"type": "dsm", "x": [1.0, -1.0], "sigma": 0.5, "x_noisy": [1.2, -1.4], "s_pred": [-0.5, 1.0]})
    np.testing.assert_allclose(r["dsm_target"], [-0.8, 1.6])  # -(0.2, -0.4)/0.25
    assert r["dsm_loss"] == pytest.approx(0.5 * (0.3**2 + 0.6**2))
    r = _solve({"type": "dsm", "x": 1.0, "sigma": 0.5, "eps": 2.0, "s_pred": 1.0, "weighting": "sigma2"})
    assert r["dsm_target"] == pytest.approx(-4.0) and r["dsm_loss"] == pytest.approx(0.25 * 0.5 * 25)


def test_sigma2_weighted_dsm_is_the_ebm_objective():
    """sigma^2/2 ||s + eps/sigma||^2 = 1/2 ||eps - sigma dE/dx||^2 with s = -dE/dx (the EBM's loss)."""
    torch.manual_seed(0)
    u, eps, grad, sigma = torch.randn(7, 3), torch.randn(7, 3), torch.randn(7, 3), 0.3
    ours = dsm_loss(-grad, dsm_target(u, u + sigma * eps, sigma), sigma, "sigma2")
    torch.testing.assert_close(ours, 0.5 * ((eps - sigma * grad) ** 2).sum(-1))


# -- bad input: exit 2, one line naming the id and the field ---------------------------------------
BAD = [
    ({"type": "rbm", "W": [[1, 0], [0, 1]], "b": [0, 0], "c": [0, 0], "v": [1, 0.5]}, "v", "binary"),
    ({"type": "ising", "spins": [1, 2, -1], "J": [[0, 1, 0], [1, 0, 0], [0, 0, 0]]}, "spins", "+1 or -1"),
    ({"type": "langevin_step", "x": 1, "energy": "x^2", "step_size": -0.1}, "step_size", "> 0"),
    ({"type": "pca", "X": [[1, 2], [3, 4], [5, 7]], "k": 3}, "k", "at most"),
    ({"type": "ar_forecast", "series": [1, 2], "phi": [0.5, 0.2], "d": 1}, "series", "too short"),
    ({"type": "ising", "spins": [1, -1, 1], "J": [[0, 1, 2], [0.5, 0, 0], [1, 0, 0]]}, "J", "symmetric"),
    ({"type": "rbm", "W": [[1, 0], [0, 1]], "b": [0], "c": [0, 0], "v": [1, 0]}, "b", "2 entries"),
    ({"type": "partition_function", "energies": [1, 2], "temperature": 0}, "temperature", "> 0"),
]


@pytest.mark.parametrize("problem, field, words", BAD, ids=[b[1] + "-" + b[0]["type"] for b in BAD])
def test_bad_input_exits_2_naming_id_and_field(tmp_path, problem, field, words):
    p = tmp_path / "s.json"
    p.write_text(json.dumps({"problems": [{"id": "q7", **problem}]}))
    r = CliRunner().invoke(app, ["solve", str(p), "--format", "json"])
    assert r.exit_code == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"q7: field '{field}' ") and words in lines[0], lines


# -- slips: the wrong value worked out here with the mistake made, named by adlkit check -----------
SLIPS = [
    ({"type": "partition_function", "energies": [0, 1, 2], "temperature": 2}, "Z",
     sum(math.exp(-e) for e in (0, 1, 2)), "temperature_forgotten"),
    ({"type": "partition_function", "energies": [0, 1, 2], "temperature": 2}, "Z",
     sum(math.exp(e / 2) for e in (0, 1, 2)), "energy_sign"),
    ({"type": "ising", "spins": [1, -1], "J": [[0, 1], [1, 0]], "temperature": 2}, "probability",
     math.exp(-1) / (2 * math.exp(1) + 2 * math.exp(-1)), "temperature_forgotten"),  # E(s) = +1
    ({"type": "langevin_step", "x": 1.0, "energy": "x^2/2", "step_size": 0.2}, "x_next", 1.0 - 0.2 * 1.0, "langevin_eps_half"),
    ({"type": "langevin_step", "x": 1.0, "energy": "x^2/2", "step_size": 0.2}, "x_next", 1.0 + 0.1 * 1.0, "score_sign"),
    ({"type": "score", "x": 2.0, "energy": "x^2"}, "score", 4.0, "score_sign"),
    ({"type": "dsm", "x": 1.0, "sigma": 0.5, "x_noisy": 1.5}, "dsm_target", 2.0, "dsm_target_sign"),
    ({"type": "pca", "X": [[0, 0], [2, 0], [0, 2], [2, 2.5]]}, "covariance",
     np.cov(np.array([[0, 0], [2, 0], [0, 2], [2, 2.5]]), rowvar=False, ddof=0).tolist(), "covariance_over_n"),
    ({"type": "ar_forecast", "series": [1, 2, 4], "phi": [0.5], "d": 1, "steps": 2}, "forecast",
     [4 + 1.0, 4 + 0.5], "differencing_undone_wrongly"),
]


@pytest.mark.parametrize("problem, key, wrong, slip", SLIPS, ids=[f"{s[0]['type']}-{s[3]}" for s in SLIPS])
def test_slip_is_named(tmp_path, problem, key, wrong, slip):
    exam = tmp_path / "exam.json"
    exam.write_text(json.dumps({"problems": [{"id": "q", **problem}]}))
    [v] = check_answers({"q": {key: wrong}}, exam).verdicts
    assert not v.correct and v.slip is not None and v.slip.name == slip, v


def test_eigenvector_sign_slip(tmp_path):
    X = [[0, 0], [2, 0], [0, 2], [2, 2.5]]
    exam = tmp_path / "exam.json"
    exam.write_text(json.dumps({"problems": [{"id": "q", "type": "pca", "X": X, "k": 1}]}))
    comps = _solve({"type": "pca", "X": X, "k": 1})["components"]
    [v] = check_answers({"q": {"components": (-np.asarray(comps)).tolist()}}, exam).verdicts
    assert not v.correct and v.slip is not None and v.slip.name == "eigenvector_sign"
