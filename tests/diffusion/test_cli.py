"""``adlkit train diffusion`` and ``adlkit sample diffusion`` end to end, tiny."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from adlkit.cli import app


def test_train_then_sample_with_ddim(tmp_path):
    out = tmp_path / "run"
    r = CliRunner().invoke(app, ["train", "diffusion", "--data", "moons", "--hidden", "8", "--steps", "20",
                                 "--epochs", "1", "--max-steps", "3", "-q", "-o", str(out)])
    assert r.exit_code == 0, r.output
    m = json.loads((out / "metrics.json").read_text())
    assert m["steps"] == 3 and np.isfinite(m["test_bound_nats"])
    assert {"samples.png", "forward.png", "trajectories.png", "best.pt"} <= {p.name for p in out.iterdir()}
    r = CliRunner().invoke(app, ["sample", "diffusion", str(out / "best.pt"), "--sampler", "ddim", "--steps", "5", "-n", "7"])
    assert r.exit_code == 0, r.output
    assert np.load(out / "diffusion_samples.npy").shape == (7, 2)
    r = CliRunner().invoke(app, ["sample", "diffusion", str(out / "best.pt"), "--sampler", "ddim", "--steps", "4",
                                 "--spacing", "trailing", "-n", "5"])
    assert r.exit_code == 0, r.output
    assert np.load(out / "diffusion_samples.npy").shape == (5, 2)
    r = CliRunner().invoke(app, ["sample", "diffusion", str(out / "best.pt"), "--sampler", "ddim", "--spacing", "middle"])
    assert r.exit_code == 2 and "--spacing" in r.stderr
    r = CliRunner().invoke(app, ["sample", "diffusion", str(out / "best.pt"), "--sampler", "ddim", "--steps", "50"])
    assert r.exit_code == 2 and "exceeds the model's T = 20" in r.stderr


def test_an_unknown_lr_decay_is_refused_with_the_option_named(tmp_path):
    r = CliRunner().invoke(app, ["train", "diffusion", "--data", "moons", "--lr-decay", "cosine", "-o", str(tmp_path / "r")])
    assert r.exit_code == 2 and "--lr-decay" in r.stderr and "none or linear" in r.stderr


def test_ema_through_the_cli_is_in_the_checkpoint_and_a_decay_outside_0_1_is_refused(tmp_path):
    from adlkit.train import load_model

    out = tmp_path / "run"
    r = CliRunner().invoke(app, ["train", "diffusion", "--data", "moons", "--hidden", "8", "--steps", "20",
                                 "--epochs", "1", "--max-steps", "3", "--ema", "0.99", "-q", "-o", str(out)])
    assert r.exit_code == 0, r.output
    m = load_model(out / "best.pt")
    assert m.config.ema_decay == 0.99 and m.ema is not None
    r = CliRunner().invoke(app, ["train", "diffusion", "--data", "moons", "--ema", "1", "-o", str(tmp_path / "r")])
    assert r.exit_code == 2 and "--ema" in r.stderr and "[0, 1)" in r.stderr
