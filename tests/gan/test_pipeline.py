"""The GAN pipeline behind `adlkit train gan`: train, evaluate on held-out data, metrics.json."""

import json

from adlkit.gan.models import GANModule
from adlkit.gan.pipeline import train_and_evaluate
from adlkit.gan.trainer import load_data


def test_pipeline_writes_what_it_returns(tmp_path):
    """metrics.json holds the returned metrics: the steps run, the config that rebuilds the
    model, and the held-out evaluation (W1 above its floor after two iterations, 8 modes)."""
    lines = []
    d = load_data("8gaussians", n_train=320, n_test=100)
    rep = train_and_evaluate("wgan-gp", d, iters=2, batch_size=32, out_dir=tmp_path, eval_n=100, progress=False,
                             log=lines.append, hidden=[8, 8])
    m = rep.metrics
    assert rep.metrics_path == tmp_path / "metrics.json"
    assert json.loads(rep.metrics_path.read_text()) == m
    assert m["steps"] == 2 and m["data"] == "8gaussians" and m["loss"] == "wgan-gp"
    assert GANModule(**m["config"]).get_config() == rep.run.model.get_config()
    e = m["eval"]
    assert e["n"] == 100 and e["w1"] > e["w1_floor"] > 0 and e["mode_coverage"]["n_modes"] == 8
    assert lines[0] == (f"training wgan-gp on 8gaussians: 320 training rows, 2 generator iterations, batch 32; "
                        f"output in {tmp_path}/")
    assert lines[1].startswith("done: 2 generator iterations")
    for f in ("best.pt", "last.pt", "samples.png", "snapshots.npz"):
        assert (tmp_path / f).is_file(), f


def test_no_evaluation_and_no_files_when_not_asked():
    rep = train_and_evaluate("gan", load_data("8gaussians", n_train=64, n_test=10), iters=1, batch_size=32,
                             eval_n=0, progress=False, hidden=[4])
    assert "eval" not in rep.metrics and rep.metrics_path is None
