"""Training through the shared loop: checkpoints hold the constructor arguments, load, resume."""

import json

import numpy as np
import pytest
import torch

from adlkit.gan.models import GANModule
from adlkit.gan.trainer import evaluate, load_data, train_gan
from adlkit.train import load_checkpoint, load_model

TINY = {"hidden": [16, 16]}


def _small_data():
    # 320 rows = 2 generator iterations per epoch at batch 32 x n_critic 5
    return load_data("8gaussians", n_train=320, n_test=500, seed=0)


def test_checkpoint_stores_config_and_loads_the_same_generator(tmp_path):
    run = train_gan("wgan-gp", _small_data(), iters=3, batch_size=32, out_dir=tmp_path, progress=False, **TINY)
    ck = load_checkpoint(tmp_path / "best.pt")  # weights_only=True inside
    assert ck["model_config"]["loss"] == "wgan-gp" and ck["model_config"]["hidden"] == [16, 16]
    assert ck["model_config"]["target"] == "8gaussians"
    model = load_model(tmp_path / "best.pt")
    assert isinstance(model, GANModule)
    a = model.sample(10, generator=torch.Generator().manual_seed(1))
    b = run.model.sample(10, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b)
    assert (tmp_path / "samples.png").stat().st_size > 0
    snaps = np.load(tmp_path / "snapshots.npz")
    assert snaps["samples"].shape[1:] == (1000, 2) and snaps["steps"][-1] == 3


@pytest.mark.parametrize("loss", ["wgan", "wgan-gp"])
def test_resume_reproduces_an_uninterrupted_run(tmp_path, loss):
    straight = train_gan(loss, _small_data(), iters=4, batch_size=32, out_dir=tmp_path / "a", progress=False, **TINY)
    train_gan(loss, _small_data(), iters=2, batch_size=32, out_dir=tmp_path / "b", progress=False, **TINY)
    resumed = train_gan(loss, _small_data(), iters=4, batch_size=32, out_dir=tmp_path / "b", resume=True,
                        progress=False, **TINY)
    assert resumed.steps == 4
    for (k, p), q in zip(straight.model.state_dict().items(), resumed.model.state_dict().values()):
        assert torch.equal(p, q), k


def test_evaluate_reports_w1_floor_and_modes(tmp_path):
    run = train_gan("gan", _small_data(), iters=2, batch_size=32, progress=False, **TINY)
    m = evaluate(run.model, n=300)
    assert m["target"] == "8gaussians" and m["w1"] > m["w1_floor"] > 0
    assert m["mode_coverage"]["n_modes"] == 8
    json.dumps(m)


def test_unknown_data_set_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown data set"):
        load_data("cifar")


def test_a_checkpoint_of_the_old_class_name_loads(tmp_path):
    """Checkpoints written before the rename name the class "adlkit.gan.models:GAN" (same
    config and state-dict keys): they load as a GANModule with the same weights."""
    run = train_gan("wgan", _small_data(), iters=1, batch_size=32, out_dir=tmp_path, progress=False, **TINY)
    ck = torch.load(tmp_path / "best.pt", weights_only=True)
    assert ck["model_class"] == "adlkit.gan.models:GANModule"
    ck["model_class"] = "adlkit.gan.models:GAN"
    torch.save(ck, tmp_path / "old.pt")
    model = load_model(tmp_path / "old.pt")
    assert type(model) is GANModule
    for k, v in run.model.state_dict().items():
        assert torch.equal(model.state_dict()[k], v), k
