"""The GAN model: every objective trains, the constructor round-trips through its config."""

import math

import pytest
import torch

from adlkit.gan.metrics import wasserstein1
from adlkit.gan.models import DEFAULTS, GAN


@pytest.mark.parametrize("loss", ["gan", "wgan", "wgan-gp"])
def test_train_step_reports_finite_metrics(loss):
    model = GAN(loss, hidden=(16, 16))
    m = model.train_step(torch.randn(5 * 32, 2))
    assert all(math.isfinite(v) for v in m.values())
    assert {"loss", "g_loss"} <= set(m)
    assert ("value" in m) == (loss == "gan") and ("gp" in m) == (loss == "wgan-gp")


def test_paper_defaults():
    assert DEFAULTS["wgan-gp"] == {"n_critic": 5, "lr": 1e-4, "betas": (0.5, 0.9)}
    m = GAN("wgan-gp")
    opt = m.configure_optimizers()["critic"]
    assert isinstance(opt, torch.optim.Adam) and opt.defaults["betas"] == (0.5, 0.9)
    assert m.gp_lambda == 10.0 and m.n_critic == 5
    assert isinstance(GAN("wgan").configure_optimizers()["critic"], torch.optim.RMSprop)


def test_config_round_trip_rebuilds_the_same_model():
    a = GAN("wgan", data_shape=[8, 8], latent_dim=4, hidden=[8], shift=0.5, scale=0.5, out_activation="tanh")
    b = GAN(**a.get_config())
    b.load_state_dict(a.state_dict())
    z = torch.Generator().manual_seed(3)
    assert torch.equal(a.sample(5, generator=z), b.sample(5, generator=torch.Generator().manual_seed(3)))
    assert a.sample(5).shape == (5, 8, 8)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="loss must be one of"):
        GAN("vanilla")
    with pytest.raises(ValueError, match="n_critic"):
        GAN("wgan-gp", n_critic=0)


@pytest.mark.parametrize("loss", ["gan", "wgan-gp"])
def test_training_moves_generator_towards_a_shifted_gaussian(loss):
    # target N((3, 3), 0.25 I); the generator starts near 0. W1 must drop by more than half.
    target = lambda n: torch.randn(n, 2) * 0.5 + 3.0
    model = GAN(loss, hidden=(32, 32), lr=2e-3, n_critic=2)
    test = target(500)
    before = wasserstein1(model.sample(500), test)
    for _ in range(300):
        model.train_step(target(2 * 64))
    after = wasserstein1(model.sample(500), test)
    assert before > 3.0 and after < 0.5 * before
