"""Bad input to the sheet's types: exit 2, nothing on stdout, one message naming id and field."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from adlkit.cli import app

runner = CliRunner()


def _solve(tmp_path, problem):
    spec = {"problems": [{"id": "q3", **problem}]}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    return runner.invoke(app, ["solve", str(path), "--format", "json"])


CASES = [
    ({"type": "kl", "p": {"mean": 0, "var": -1}, "q": "N(0, 1)"}, "q3: field 'p' var must be > 0, got -1"),
    ({"type": "kl", "p": "N(3, -2)", "q": "N(0, 1)"}, "q3: field 'p' variance must be > 0, got -2"),
    ({"type": "kl", "p": "N(0, 1)", "q": {"mean": [0, 0], "cov": [[1, 2], [2, 1]]}},
     "q3: field 'q' cov must be positive definite"),
    ({"type": "kl", "p": "N(0, 1)", "q": {"mean": [0, 0], "cov": [[1, 0], [0, 1]]}},
     "q3: field 'q' must have the same dimension as 'p' (1), got 2"),
    ({"type": "wasserstein", "a_samples": [1, 2, 3], "b_samples": [1, 2]},
     "q3: field 'b_samples' must have the same length as 'a_samples' (3), got 2"),
    ({"type": "wasserstein", "p": 3, "a": "N(0, 1)", "b": "N(1, 1)"}, "q3: field 'p' must be one of 1, 2, got 3"),
    ({"type": "wasserstein", "p": True, "a": "N(0, 1)", "b": "N(1, 1)"}, "q3: field 'p' must be one of 1, 2, got True"),
    ({"type": "wasserstein", "p": 1, "a": {"mean": [0, 0], "cov": [[1, 0], [0, 1]]},
      "b": {"mean": [1, 0], "cov": [[1, 0], [0, 1]]}},
     "q3: field 'p' must be 2 for multivariate Gaussians (W1 has no closed form there), got 1"),
    ({"type": "wasserstein", "a": "N(0, 1)", "b": "N(1, 1)", "a_samples": [1], "b_samples": [2]},
     "q3: field 'a_samples' give either Gaussians 'a', 'b' or samples 'a_samples', 'b_samples', not both"),
    ({"type": "jsd", "p": {"mean": [0], "cov": [[1]]}, "q": "N(0, 1)"},
     "q3: field 'p' must be univariate here (give 'var' or 'std', not 'cov')"),
    ({"type": "lipschitz", "f": "__import__('os')"},
     "q3: field 'f' is not a valid expression: underscores are not allowed in expressions"),
    ({"type": "lipschitz", "f": "x.real"}, "q3: field 'f' is not a valid expression: not allowed in an expression: attribute access"),
    ({"type": "lipschitz", "f": "cosh(x)"}, "q3: field 'f' is not a valid expression: unknown function 'cosh'"),
    ({"type": "lipschitz", "f": "x^2", "domain": [1, -1]}, "q3: field 'domain' must have a < b, got [1, -1]"),
    ({"type": "lipschitz", "f": "x^2", "domain": [0]}, "q3: field 'domain' must be [a, b]"),
    ({"type": "lipschitz", "f": "log(x)"}, "q3: field 'f' is not defined (not real) at x = "),
    ({"type": "lipschitz", "f": "1/x", "domain": [-1, 1]}, "q3: field 'f' is not finite at x = 0"),
    ({"type": "partition_function", "f": "x - 1", "domain": [0, 2]},
     "q3: field 'f' must be a non-negative (unnormalised) density"),
    ({"type": "partition_function", "f": "0*x"}, "q3: field 'f' is zero everywhere on the domain"),
    ({"type": "partition_function", "f": "exp(-x^2)", "domain": [2, 2]}, "q3: field 'domain' must have a < b, got [2, 2]"),
    ({"type": "vae_loss", "x": [1, 2], "x_hat": [1], "mu": 0, "logvar": 0},
     "q3: field 'x_hat' must have the same length as 'x' (2), got 1"),
    ({"type": "vae_loss", "x": 1, "x_hat": 1, "mu": [0, 1], "logvar": [0]},
     "q3: field 'logvar' must have the same length as 'mu' (2), got 1"),
    ({"type": "vae_loss", "x": 1, "x_hat": 1.5, "mu": 0, "logvar": 0, "reconstruction": "bce"},
     "q3: field 'x_hat' must lie strictly between 0 and 1"),
    ({"type": "vae_loss", "x": 1, "x_hat": 1, "mu": 0, "logvar": 0, "reconstruction": "l1"},
     "q3: field 'reconstruction' must be one of half_mse, mse, bce, got 'l1'"),
    ({"type": "optimal_discriminator", "p_data": "N(0, 1)", "p_g": "M(1, 2)"},
     "q3: field 'p_g' must be a Gaussian like"),
    ({"type": "optimal_discriminator", "p_data": "N(0, 1)", "p_g": "N(1, 1)", "at": ["a"]},
     "q3: field 'at' must be a list of finite numbers"),
]


@pytest.mark.parametrize("problem,message", CASES, ids=[c[1][:48] for c in CASES])
def test_bad_input_exit_2_names_id_and_field(tmp_path, problem, message):
    r = _solve(tmp_path, problem)
    assert r.exit_code == 2, r.stdout
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert any(line.startswith(message) for line in lines), (message, lines)
    assert len(lines) == 1, lines


def test_non_normalisable_density_is_solved_with_Z_inf(tmp_path):
    r = _solve(tmp_path, {"type": "partition_function", "f": "exp(x^2)"})
    assert r.exit_code == 0
    a = json.loads(r.stdout)["results"][0]["answers"]
    assert a["Z"] == "inf" and a["Z_exact"] == "oo" and a["normalizable"] is False
