"""`adlkit train flow` / `adlkit sample flow` through typer, on real data, with bad input."""

import json

import numpy as np
import pytest
import torch
import typer
from typer.testing import CliRunner

from adlkit.commands import flows as cmd
from adlkit.data import registry, toys
from adlkit.train import load_model


@pytest.fixture
def app():
    app = typer.Typer()
    groups = {"app": app}
    for name in ("train", "sample"):
        groups[name] = typer.Typer()
        app.add_typer(groups[name], name=name)
    cmd.register(groups)
    return app


TINY = ["--epochs", "2", "--couplings", "2", "--hidden", "8", "--quiet"]


def test_train_and_sample_moons(app, tmp_path):
    """Training writes checkpoints, plots and metrics; the reported held-out NLL is that of
    the saved best checkpoint on the same held-out points; sampling writes N rows."""
    out = tmp_path / "run"
    r = CliRunner().invoke(app, ["train", "flow", "--data", "moons", "--n-train", "400", "-o", str(out), *TINY])
    assert r.exit_code == 0, r.output
    for f in ("best.pt", "last.pt", "curve.png", "density.png", "samples.png", "metrics.json"):
        assert (out / f).is_file(), f
    metrics = json.loads((out / "metrics.json").read_text())
    flow = load_model(out / "best.pt")
    split = registry.load("moons", 0, n_train=400, n_val=200, n_test=200)  # the command's split
    X_val = torch.tensor(split.val, dtype=torch.float32)
    with torch.no_grad():
        assert -flow.log_prob(X_val).mean().item() == pytest.approx(metrics["held_out_nll_nats"], abs=1e-4)
    r = CliRunner().invoke(app, ["sample", "flow", str(out / "best.pt"), "-n", "37", "-o", str(tmp_path / "s")])
    assert r.exit_code == 0, r.output
    assert np.load(tmp_path / "s" / "flow_samples.npy").shape == (37, 2)
    assert (tmp_path / "s" / "flow_samples.png").is_file()


def test_train_from_csv_with_header(app, tmp_path):
    path = tmp_path / "pts.csv"
    X = toys.sample("circles", 300, random_state=0)
    np.savetxt(path, X, delimiter=",", header="a,b", comments="")
    r = CliRunner().invoke(app, ["train", "flow", "--data", str(path), "-o", str(tmp_path / "run"), *TINY])
    assert r.exit_code == 0, r.output
    assert load_model(tmp_path / "run" / "best.pt").get_config()["standardize"] is True


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "flow", "--data", "mooons"], "unknown data 'mooons'"),
        (["train", "flow", "--data", "missing.csv"], "no such file"),
        (["train", "flow", "--hidden", "64,x"], "comma-separated positive integers"),
        (["sample", "flow", "nothere.pt"], "no such checkpoint"),
        (["sample", "flow", "bad.csv", "-n", "0"], "-n"),
    ],
)
def test_bad_input_is_one_clear_error(app, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2
    assert message in r.output
    assert "Traceback" not in r.output


def test_unreadable_csv_is_a_clear_error(app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("x,y\n1,2\n3,oops\n")
    r = CliRunner().invoke(app, ["train", "flow", "--data", str(path)])
    assert r.exit_code == 2 and "cannot read" in r.output and "Traceback" not in r.output


def _never_fit(monkeypatch) -> list:
    """Replace RealNVP.fit by a recorder: the command must fail before any training."""
    from adlkit.flows import RealNVP

    calls: list = []
    monkeypatch.setattr(RealNVP, "fit", lambda self, *a, **k: calls.append(a) or self)
    return calls


@pytest.mark.parametrize("where", ["/proc/x", "under-a-file"])
def test_bad_output_folder_is_one_line_and_exit_2_before_training(app, tmp_path, monkeypatch, where):
    """`train flow --out` an unwritable folder: exit 2, one line on stderr, no traceback, and
    nothing trained (checked before any work)."""
    calls = _never_fit(monkeypatch)
    if where == "under-a-file":
        (tmp_path / "a-file").write_text("x")
        where = str(tmp_path / "a-file" / "run")
    r = CliRunner().invoke(app, ["train", "flow", "--data", "moons", "-o", where, *TINY])
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("error:") and r.stderr.strip().count("\n") == 0 and where in r.stderr
    assert "Traceback" not in r.output and "training RealNVP" not in r.output
    assert calls == []


def test_bad_checkpoints_are_one_line_and_exit_2(app, tmp_path):
    """`sample flow` of a file that is not an adlkit checkpoint, or of another model's
    checkpoint: exit 2, one line on stderr saying so, no traceback, nothing written."""
    from adlkit.train import save_checkpoint
    from adlkit.vae import VAEModule

    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"PK\x03\x04 this is no checkpoint")
    other = tmp_path / "vae.pt"
    save_checkpoint(VAEModule(4, latent_dim=2, hidden=(3,)), other)
    for path, msg in [(junk, "is not an adlkit checkpoint"), (other, "holds a VAEModule, not a flow")]:
        r = CliRunner().invoke(app, ["sample", "flow", str(path), "-o", str(tmp_path / "s")])
        assert r.exit_code == 2, r.output
        assert r.stderr.startswith("error:") and r.stderr.strip().count("\n") == 0 and msg in r.stderr
        assert "Traceback" not in r.output and not (tmp_path / "s").exists()
