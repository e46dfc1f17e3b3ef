"""The GAN module: every objective trains, the constructor round-trips through its config."""

import math

import pytest
import torch

from adlkit.gan.metrics import wasserstein1
from adlkit.gan.models import DEFAULTS, GANModule


@pytest.mark.parametrize("loss", ["gan", "wgan", "wgan-gp"])
def test_train_step_reports_finite_metrics(loss):
    model = GANModule(loss, hidden=(16, 16))
    m = model.train_step(torch.randn(5 * 32, 2))
    assert all(math.isfinite(v) for v in m.values())
    assert {"loss", "g_loss"} <= set(m)
    assert ("value" in m) == (loss == "gan") and ("gp" in m) == (loss == "wgan-gp")


def test_paper_defaults():
    assert DEFAULTS["wgan-gp"] == {"n_critic": 5, "lr": 1e-4, "betas": (0.5, 0.9)}
    m = GANModule("wgan-gp")
    opt = m.configure_optimizers()["critic"]
    assert isinstance(opt, torch.optim.Adam) and opt.defaults["betas"] == (0.5, 0.9)
    assert m.config.gp_lambda == 10.0 and m.config.n_critic == 5
    assert isinstance(GANModule("wgan").configure_optimizers()["critic"], torch.optim.RMSprop)


def test_config_round_trip_rebuilds_the_same_model():
    a = GANModule("wgan", data_shape=[8, 8], latent_dim=4, hidden=[8], shift=0.5, scale=0.5, out_activation="tanh")
    b = GANModule(**a.get_config())
    b.load_state_dict(a.state_dict())
    z = torch.Generator().manual_seed(3)
    assert torch.equal(a.sample(5, generator=z), b.sample(5, generator=torch.Generator().manual_seed(3)))
    assert a.sample(5).shape == (5, 8, 8)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="loss must be one of"):
        GANModule("vanilla")
    with pytest.raises(ValueError, match="n_critic"):
        GANModule("wgan-gp", n_critic=0)


@pytest.mark.parametrize("loss", ["gan", "wgan-gp"])
def test_training_moves_generator_towards_a_shifted_gaussian(loss):
    # target N((3, 3), 0.25 I); the generator starts near 0. W1 must drop by more than half.
    target = lambda n: torch.randn(n, 2) * 0.5 + 3.0
    model = GANModule(loss, hidden=(32, 32), lr=2e-3, n_critic=2)
    test = target(500)
    before = wasserstein1(model.sample(500), test)
    for _ in range(300):
        model.train_step(target(2 * 64))
    after = wasserstein1(model.sample(500), test)
    assert before > 3.0 and after < 0.5 * before


def _hand_written(sizes, act, out_act=None):
    """The layers as the old hand-written MLP classes built them, in the same order:
    Linear, act, ..., Linear (then out_act)."""
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(act())
    if out_act is not None:
        layers.append(out_act())
    return torch.nn.Sequential(*layers)


def _same_weights(ours, reference, prefix):
    a, b = ours.state_dict(), {prefix + k: v for k, v in reference.state_dict().items()}
    assert list(a) == list(b)
    assert all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("out_activation", ["none", "tanh"])
def test_networks_are_the_old_layers_with_the_same_keys_and_initial_weights(out_activation):
    """The module built by adlkit.networks.mlp has the old state-dict keys, and a fixed seed
    gives bit-identical initial weights: generator first, then critic (old checkpoints load,
    runs reproduce)."""
    torch.manual_seed(7)
    model = GANModule("wgan-gp", data_shape=[3], latent_dim=2, hidden=[5, 4], out_activation=out_activation)
    torch.manual_seed(7)
    gen = _hand_written([2, 5, 4, 3], torch.nn.ReLU, torch.nn.Tanh if out_activation == "tanh" else None)
    crit = _hand_written([3, 5, 4, 1], torch.nn.ReLU)
    _same_weights(model.generator, gen, "net.")
    _same_weights(model.critic, crit, "mlp.net.")
    assert [type(m) for m in model.generator.net] == [type(m) for m in gen]


def test_discriminator_1d_is_the_old_mlp():
    from adlkit.gan.discriminator_check import Discriminator1D

    torch.manual_seed(3)
    d = Discriminator1D(0.0, 1.0, hidden=(6, 6))
    torch.manual_seed(3)
    _same_weights(d, _hand_written([1, 6, 6, 1], torch.nn.ReLU), "mlp.net.")


def test_config_validates_and_fills_the_papers_defaults():
    from adlkit.gan.models import GANConfig

    c = GANConfig("gan", hidden=[4], betas=None)
    assert (c.n_critic, c.lr, c.betas, c.hidden) == (1, 2e-4, (0.5, 0.999), (4,))
    assert GANConfig("wgan").betas is None and GANConfig("wgan").lr == 5e-5
    assert GANModule(**c.as_dict()).get_config() == c.as_dict()
    with pytest.raises(ValueError, match="scale must be > 0"):
        GANConfig(scale=[1.0, 0.0])
    with pytest.raises(ValueError, match="out_activation"):
        GANConfig(out_activation="relu")
