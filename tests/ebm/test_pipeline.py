"""The EBM pipeline behind `adlkit train ebm`: registry splits, two estimates of Z, metrics.json."""

import json
import math

import pytest

from adlkit.data.registry import density_split
from adlkit.ebm.pipeline import train_and_evaluate


def test_pipeline_scores_the_test_split_and_checks_z_two_ways(tmp_path):
    """The reported test log-likelihood is the model's on the registry's TEST split (the
    validation split only early-stops); log Z at twice the grid and by AIS agree with the
    quadrature; metrics.json holds what is returned; figures are written."""
    lines = []
    rep = train_and_evaluate("moons", seed=1, out_dir=tmp_path, log=lines.append, hidden=[8], max_steps=3,
                             langevin_steps=2, buffer_size=200, plot_samples=20)
    m = rep.metrics
    _, X_val, X_test = density_split("moons", 1)
    assert m["test_loglik_nats"] == pytest.approx(rep.model.score(X_test), rel=1e-12)
    assert m["test_loglik_nats"] != pytest.approx(rep.model.score(X_val), rel=1e-6)
    assert m["test_loglik_bits_per_dim"] == pytest.approx(m["test_loglik_nats"] / (2 * math.log(2)))
    assert abs(m["log_z_quadrature_2x"] - m["log_z_quadrature"]) < 1e-4
    assert abs(m["log_z_ais"] - m["log_z_quadrature"]) < max(0.05, 4 * m["log_z_ais_stderr"])
    assert m["steps"] == 3 and m["seed"] == 1 and m["method"] == "cd"
    assert json.loads((tmp_path / "metrics.json").read_text()) == m
    assert [p.name for p in rep.files] == ["metrics.json", "curve.png", "density.png", "samples.png"]
    assert (tmp_path / "best.pt").is_file()
    assert lines[0].startswith("training EBM (cd) on moons: 10000 train / 2500 val / 5000 test")
    assert lines[-1].startswith("done: 3 steps")


def test_pipeline_is_for_the_toys():
    with pytest.raises(ValueError, match="2-D toys"):
        train_and_evaluate("digits")
