"""adlkit.flows.pipeline without the CLI: what bench/ and notebooks call."""

import json

import numpy as np
import pytest

from adlkit.data import digits, registry, toys
from adlkit.flows.pipeline import flow_data, train_flow, write_samples


def test_flow_data_uses_the_registry_splits():
    """Toys: the registry's train / validation / test samples; digits: its fixed split, held-out
    rows dequantised with fixed noise; an array: a seeded 90/10 split, no test rows."""
    d = flow_data("moons", seed=3, n_train=400)
    s = registry.load("moons", 3, n_train=400, n_val=200, n_test=200)
    assert d.kind == "toy" and d.transform is None
    for a, b in zip((d.train, d.val, d.test), s):
        np.testing.assert_array_equal(a, b)
    g = flow_data("digits")
    s = registry.load("digits")
    np.testing.assert_array_equal(g.val, digits.dequantize(s.val, random_state=1))
    assert g.kind == "digits" and g.transform is digits.dequantize and g.train.dtype == np.float64
    X = np.arange(60.0).reshape(30, 2)
    a = flow_data(X, seed=1)
    assert a.test is None and len(a.val) == 3 and sorted(np.concatenate([a.train, a.val])[:, 0]) == list(X[:, 0])


def test_train_flow_on_an_array_returns_metrics_and_files(tmp_path):
    X = toys.sample("circles", 300, random_state=0)
    lines = []
    run = train_flow(X, tmp_path / "run", couplings=2, hidden=(8,), epochs=2, progress=False, log=lines.append)
    assert lines and lines[0].startswith("training RealNVP on array: 270 train / 30 held-out rows")
    assert [p.name for p in run.files] == ["best.pt", "last.pt", "curve.png", "samples.png", "density.png",
                                           "metrics.json"]
    assert all(p.is_file() for p in run.files)
    m = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert m == run.metrics and "test_nll_nats" not in m
    assert m["held_out_nll_nats"] == pytest.approx(-run.model.score(flow_data(X).val), abs=1e-6)
    assert run.summary.startswith(f"done: {m['steps']} steps, epochs, best epoch")
    npy, png = write_samples(run.model, 11, tmp_path / "s", seed=2)
    assert np.load(npy).shape == (11, 2) and png.is_file()
    np.testing.assert_array_equal(np.load(npy), run.model.sample(11, random_state=2))
