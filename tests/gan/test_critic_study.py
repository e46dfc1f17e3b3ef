"""Questions 4C/3A measured: the critic study's facts and `adlkit explain wgan-gp` caching."""

import json

import pytest
from typer.testing import CliRunner

from adlkit.cli import app
from adlkit.gan import critic_study


@pytest.fixture(scope="module")
def study():
    return critic_study.run(steps=60, hidden=(32, 32), n_eval=300, progress=False)


def test_clipped_critic_stays_in_bounds_and_piles_at_them(study):
    c = study["clipping"]
    assert c["max_abs_weight"] <= 0.01 + 1e-9
    assert c["share_at_bounds"] > 0.2
    # a K-Lipschitz critic: lower bound <= upper bound, and its estimate <= K * W1
    assert c["lipschitz_lower"] <= c["lipschitz_upper"]
    assert c["w_estimate"] <= c["lipschitz_upper"] * study["w1_exact"]


def test_penalised_critic_bounds_are_ordered_and_norms_grow_towards_one(study):
    g, c = study["gradient_penalty"], study["clipping"]
    assert g["lipschitz_lower"] <= g["lipschitz_upper"]
    assert g["grad_norms"]["median"] > 10 * c["grad_norms"]["median"]
    assert sum(g["grad_norm_hist"]) == 300


def test_explain_runs_once_then_reuses_its_cache(tmp_path):
    runner = CliRunner()
    cache = tmp_path / "study.json"
    r = runner.invoke(app, ["explain", "wgan-gp", "--steps", "10", "--cache", str(cache), "-q"])
    assert r.exit_code == 0, r.output
    assert "Question 4C" in r.output and "computed now" in r.output and "Lipschitz upper bound" in r.output
    assert json.loads(cache.read_text())["settings"]["steps"] == 10
    r = runner.invoke(app, ["explain", "wgan-gp", "--steps", "10", "--cache", str(cache), "-q"])
    assert r.exit_code == 0 and "cached in" in r.output


def test_a_foreign_cache_file_is_recomputed_not_a_traceback(tmp_path):
    """A cache that is not the study's JSON (here: a list) is ignored: the study runs again and
    overwrites it."""
    cache = tmp_path / "study.json"
    cache.write_text("[1, 2]")
    res, cached, err = critic_study.load_or_run(cache, steps=10, progress=False)
    assert not cached and err is None and res["settings"]["steps"] == 10
    assert json.loads(cache.read_text())["settings"]["steps"] == 10
    assert critic_study.load_or_run(cache, steps=10, progress=False)[1] is True
