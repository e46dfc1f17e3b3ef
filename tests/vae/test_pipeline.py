"""adlkit.vae.pipeline without the CLI: what bench/ and notebooks call."""

import json

import numpy as np
import pytest

from adlkit.data.registry import density_split
from adlkit.vae.pipeline import train_vae, write_samples


def test_train_vae_reports_the_test_split_and_writes_its_files(tmp_path):
    """The metrics are the fitted estimator's scores on the registry's test split (the IWAE
    estimate recomputed here with the same seed), and every listed file exists."""
    lines = []
    run = train_vae("moons", tmp_path / "v", hidden=(8,), max_steps=3, n_importance=10, progress=False,
                    log=lines.append)
    assert "loss = mean over batch of [Gaussian NLL (learned std) summed over 2 dims" in lines[0]
    m = json.loads((tmp_path / "v" / "metrics.json").read_text())
    assert m == run.metrics and m["steps"] == 3 and m["latent_dim"] == 2
    X_test = density_split("moons", 0).test
    assert m["test_iwae_nats"] == pytest.approx(float(run.model.score_samples(X_test).mean()), rel=1e-6)
    assert m["test_iwae_bits_per_dim"] == pytest.approx(-m["test_iwae_nats"] / (2 * np.log(2)))
    assert [p.name for p in run.files][:3] == ["best.pt", "last.pt", "metrics.json"]
    assert {"samples.png", "density.png", "latent.png"} <= {p.name for p in run.files}
    assert all(p.is_file() for p in run.files)
    npy, png = write_samples(run.model, 6, tmp_path / "s", seed=1)
    assert np.load(npy).shape == (6, 2) and png.is_file()
