"""`adlkit train vae|ebm`, `adlkit sample vae|ebm`, `adlkit compare`: tiny runs and bad input."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from adlkit.cli import app

runner = CliRunner()


def test_train_and_sample_vae_and_ebm(tmp_path):
    """Tiny runs write checkpoints, plots and metrics; the checkpoints sample through the CLI."""
    r = runner.invoke(app, ["train", "vae", "--data", "moons", "--max-steps", "3", "--hidden", "8",
                            "--n-importance", "10", "-q", "-o", str(tmp_path / "v")])
    assert r.exit_code == 0, r.output
    assert "sum" in r.output and "mean over batch" in r.output  # the reduction is stated
    m = json.loads((tmp_path / "v" / "metrics.json").read_text())
    assert m["test_iwae_nats"] >= m["test_elbo_nats"] - 0.5 and m["steps"] == 3
    for f in ("best.pt", "samples.png", "latent.png", "density.png"):
        assert (tmp_path / "v" / f).is_file(), f
    r = runner.invoke(app, ["train", "ebm", "--data", "moons", "--max-steps", "3", "--hidden", "8", "--no-ais",
                            "--langevin-steps", "2", "--plot-samples", "50", "-q", "-o", str(tmp_path / "e")])
    assert r.exit_code == 0, r.output
    for f in ("best.pt", "density.png", "samples.png", "metrics.json"):
        assert (tmp_path / "e" / f).is_file(), f
    r = runner.invoke(app, ["sample", "vae", str(tmp_path / "v" / "best.pt"), "-n", "7", "-o", str(tmp_path / "s")])
    assert r.exit_code == 0, r.output
    assert np.load(tmp_path / "s" / "vae_samples.npy").shape == (7, 2)
    r = runner.invoke(app, ["sample", "ebm", str(tmp_path / "e" / "best.pt"), "-n", "5", "--steps", "3",
                            "-o", str(tmp_path / "s")])
    assert r.exit_code == 0, r.output
    assert np.load(tmp_path / "s" / "ebm_samples.npy").shape == (5, 2)
    r = runner.invoke(app, ["sample", "vae", str(tmp_path / "e" / "best.pt")])
    assert r.exit_code == 2 and "not a VAE" in r.output


@pytest.mark.parametrize("args,msg", [
    (["train", "vae", "--data", "mnist"], "unknown data set"),
    (["train", "ebm", "--data", "digits"], "unknown data set"),
    (["train", "ebm", "--method", "mle"], "expected cd or dsm"),
    (["train", "vae", "--hidden", "a,b"], "comma-separated"),
    (["sample", "ebm", "/nonexistent/best.pt"], "no such checkpoint"),
    (["compare", "--data", "nope"], "unknown data set"),
])
def test_bad_input_is_one_message_and_exit_2(args, msg):
    r = runner.invoke(app, args)
    assert r.exit_code == 2
    assert msg in " ".join(r.output.split())
    assert "Traceback" not in r.output


def test_not_a_checkpoint(tmp_path):
    p = tmp_path / "x.pt"
    p.write_bytes(b"not a checkpoint")
    r = runner.invoke(app, ["sample", "ebm", str(p)])
    assert r.exit_code == 2 and "is not an adlkit checkpoint" in " ".join(r.output.split())


def test_format_table_states_units_and_conversion():
    from adlkit.compare import format_table

    rows = [{"model": "m", "loglik_nats": -1.0, "stderr_nats": 0.01, "bits_per_dim": 1 / (2 * np.log(2)),
             "estimator": "exact"}]
    t = format_table(rows, "moons")
    assert "nats" in t and "bits/dim = -loglik / (2 ln 2)" in t and "0.7213" in t
