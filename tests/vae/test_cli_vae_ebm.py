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


@pytest.mark.parametrize("where", ["/proc/x", "under-a-file"])
def test_train_vae_bad_output_folder_is_one_line_and_exit_2_before_training(tmp_path, monkeypatch, where):
    """`train vae --out` an unwritable folder: exit 2, one line on stderr, no traceback,
    nothing trained (checked before any work)."""
    from adlkit.vae import VAE

    calls: list = []
    monkeypatch.setattr(VAE, "fit", lambda self, *a, **k: calls.append(a) or self)
    if where == "under-a-file":
        (tmp_path / "a-file").write_text("x")
        where = str(tmp_path / "a-file" / "run")
    r = runner.invoke(app, ["train", "vae", "--data", "moons", "--max-steps", "3", "-q", "-o", where])
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("error:") and r.stderr.strip().count("\n") == 0 and where in r.stderr
    assert "Traceback" not in r.output and "training VAE" not in r.output
    assert calls == []


def test_sample_vae_bad_checkpoints_are_one_line_and_exit_2(tmp_path):
    """`sample vae` of a file that is not an adlkit checkpoint, of another model's checkpoint,
    or of a missing file: exit 2, one line on stderr, no traceback, nothing written."""
    from adlkit.flows import RealNVPFlow
    from adlkit.train import save_checkpoint

    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint at all")
    other = tmp_path / "flow.pt"
    save_checkpoint(RealNVPFlow(2, n_couplings=1, hidden=(3,)), other)
    for path, msg in [(junk, "is not an adlkit checkpoint"), (other, "holds a RealNVPFlow, not a VAE"),
                      (tmp_path / "missing.pt", "no such checkpoint")]:
        r = runner.invoke(app, ["sample", "vae", str(path), "-o", str(tmp_path / "s")])
        assert r.exit_code == 2, r.output
        assert r.stderr.startswith("error:") and r.stderr.strip().count("\n") == 0 and msg in r.stderr
        assert "Traceback" not in r.output and not (tmp_path / "s").exists()
