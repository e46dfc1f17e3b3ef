"""``adlkit train fvsbn|made|pixelcnn``: files written, the checkpoint reloads to the same
likelihood, bad options exit 2 with one line."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from adlkit.cli import app
from adlkit.data.registry import density_split
from adlkit.train import load_model


@pytest.mark.parametrize("kind, extra", [("fvsbn", []), ("made", ["--hidden", "64"]),
                                         ("pixelcnn", ["--channels", "8", "--layers", "1"])])
def test_train_writes_a_checkpoint_that_reloads_to_the_same_likelihood(tmp_path, kind, extra):
    r = CliRunner().invoke(app, ["train", kind, "--max-steps", "20", "-q", "-o", str(tmp_path), *extra])
    assert r.exit_code == 0, r.output
    assert {p.name for p in tmp_path.iterdir()} >= {"best.pt", "samples.npy", "samples.png", "metrics.json"}
    m = json.loads((tmp_path / "metrics.json").read_text())
    X_test = list(density_split("digits", 0))[2]
    module = load_model(tmp_path / "best.pt")
    with torch.no_grad():
        ll = module.log_prob(torch.tensor(X_test, dtype=torch.float32)).numpy()
    assert np.mean(ll) == pytest.approx(m["test_loglik_nats"], rel=1e-5)
    S = np.load(tmp_path / "samples.npy")
    assert S.shape == (100, 64) and set(np.unique(S)) <= {0.0, 1.0}


@pytest.mark.parametrize("args, needle", [
    (["train", "made", "--data", "moons"], "--data"),
    (["train", "pixelcnn", "--kernel", "4"], "--kernel"),
    (["train", "made", "--degrees", "sideways"], "--degrees"),
])
def test_bad_options_exit_2_with_one_line(tmp_path, args, needle):
    r = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "o")])
    assert r.exit_code == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]
