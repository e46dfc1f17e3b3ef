"""Per-data-set defaults (adlkit.gan.defaults): what runs when an option is not given, and an
explicit option wins. One or two generator iterations each: no training to speak of."""

import json

import pytest
from typer.testing import CliRunner

from adlkit.cli import app
from adlkit.gan import TARGETS, defaults
from adlkit.gan.defaults import DataDefaults
from adlkit.gan.models import DEFAULTS as LOSS_DEFAULTS
from adlkit.gan.trainer import load_data, train_gan

runner = CliRunner()


def test_every_target_has_defaults_and_unknown_names_are_refused():
    assert set(defaults.DATA_DEFAULTS) == set(TARGETS)
    with pytest.raises(ValueError, match="no GAN defaults for data set 'moons'"):
        defaults.for_data("moons")


@pytest.mark.parametrize("name", TARGETS)
def test_load_data_carries_the_registry_model_settings_and_batch(name):
    d = load_data(name, n_train=2000, n_test=100)
    entry = defaults.DATA_DEFAULTS[name]
    assert d.batch_size == entry.batch_size
    for k, v in entry.model.items():
        assert d.model_kwargs[k] == v, k


def test_train_gan_takes_the_loss_settings_of_the_data_set_and_an_explicit_argument_wins():
    """25 Gaussians: the WGAN-GP run gets the entry's lambda and learning rate, not the paper's
    (GANConfig's 10 and models.DEFAULTS' 1e-4); the GAN keeps its paper learning rate; a keyword
    given by the caller replaces the entry's."""
    entry = defaults.DATA_DEFAULTS["25gaussians"]
    wgp = entry.by_loss["wgan-gp"]
    assert (wgp["gp_lambda"], wgp["lr"]) != (10.0, LOSS_DEFAULTS["wgan-gp"]["lr"])  # else this test shows nothing
    d = load_data("25gaussians", n_train=1280, n_test=100)
    c = train_gan("wgan-gp", d, iters=1, progress=False).model.config
    assert (c.gp_lambda, c.lr, c.hidden) == (wgp["gp_lambda"], wgp["lr"], tuple(entry.model["hidden"]))
    c = train_gan("gan", d, iters=1, progress=False).model.config
    assert c.lr == LOSS_DEFAULTS["gan"]["lr"] and c.gp_lambda == 10.0
    c = train_gan("wgan-gp", d, iters=1, progress=False, gp_lambda=3.0, lr=2e-4, hidden=[8, 8]).model.config
    assert (c.gp_lambda, c.lr, c.hidden) == (3.0, 2e-4, (8, 8))


def test_iters_are_required_without_a_data_set_name():
    d = load_data("8gaussians", n_train=1280, n_test=100)
    d.name = None
    with pytest.raises(ValueError, match="iters is required"):
        train_gan("wgan-gp", d, progress=False)


def test_the_command_line_runs_the_entry_and_an_option_overrides_it(tmp_path, monkeypatch):
    """`adlkit train gan --data 8gaussians` with no options runs the registry's entry (here one
    put in for the test, with values no other default has: 2 iterations, 8x8 networks, batch 16,
    lambda 0.5, lr 3e-4); each option given replaces its entry."""
    monkeypatch.setitem(defaults.DATA_DEFAULTS, "8gaussians",
                        DataDefaults(iters=2, batch_size=16, model={"latent_dim": 2, "hidden": (8, 8)},
                                     by_loss={"wgan-gp": {"gp_lambda": 0.5, "lr": 3e-4}}))
    r = runner.invoke(app, ["train", "gan", "--data", "8gaussians", "-q", "--eval-n", "0", "-o", str(tmp_path / "a")])
    assert r.exit_code == 0, r.output
    assert "2 generator iterations, batch 16" in r.output
    m = json.loads((tmp_path / "a" / "metrics.json").read_text())
    assert m["steps"] == 2
    assert (m["config"]["hidden"], m["config"]["gp_lambda"], m["config"]["lr"]) == ([8, 8], 0.5, 3e-4)
    r = runner.invoke(app, ["train", "gan", "--data", "8gaussians", "-q", "--eval-n", "0", "-o", str(tmp_path / "b"),
                            "--iters", "1", "--batch-size", "8", "--hidden", "4", "--gp-lambda", "2", "--lr", "1e-3"])
    assert r.exit_code == 0, r.output
    assert "1 generator iterations, batch 8" in r.output
    m = json.loads((tmp_path / "b" / "metrics.json").read_text())
    assert m["steps"] == 1
    assert (m["config"]["hidden"], m["config"]["gp_lambda"], m["config"]["lr"]) == ([4], 2.0, 1e-3)


def test_linear_lr_decay_follows_the_generator_step_count_and_survives_a_reload():
    """lr_decay_iters = T: generator iteration k (0-based) runs at lr (1 - k / T) in both
    optimizers; k comes from the generator optimizer's state, so a module given that state
    (as on resume) continues the decay instead of restarting it."""
    import torch

    from adlkit.gan.models import GANModule

    T, lr = 4, 1e-3
    torch.manual_seed(0)
    batch = torch.randn(5 * 8, 2)
    m = GANModule("wgan-gp", hidden=(8,), lr=lr, lr_decay_iters=T)
    for k in range(3):
        m.train_step(batch)
        for opt in m.configure_optimizers().values():
            assert [g["lr"] for g in opt.param_groups] == [pytest.approx(lr * (1 - k / T), rel=1e-12)]
    again = GANModule("wgan-gp", hidden=(8,), lr=lr, lr_decay_iters=T)
    again.load_state_dict(m.state_dict())
    for name, opt in again.configure_optimizers().items():
        opt.load_state_dict(m.configure_optimizers()[name].state_dict())
    again.train_step(batch)  # the fourth iteration, k = 3
    assert again.configure_optimizers()["critic"].param_groups[0]["lr"] == pytest.approx(lr / T, rel=1e-12)
    with pytest.raises(ValueError, match="lr_decay_iters"):
        GANModule("wgan-gp", lr_decay_iters=0)


def test_lr_decay_linear_spans_the_run_and_none_or_another_loss_keeps_lr_constant():
    d = load_data("25gaussians", n_train=1280, n_test=100)
    assert defaults.DATA_DEFAULTS["25gaussians"].by_loss["wgan-gp"].get("lr_decay") == "linear"  # else vacuous
    assert train_gan("wgan-gp", d, iters=3, progress=False).model.config.lr_decay_iters == 3
    assert train_gan("wgan-gp", d, iters=3, progress=False, lr_decay="none").model.config.lr_decay_iters is None
    assert train_gan("gan", d, iters=3, progress=False).model.config.lr_decay_iters is None
    assert train_gan("gan", d, iters=3, progress=False, lr_decay="linear").model.config.lr_decay_iters == 3
    with pytest.raises(ValueError, match="lr_decay must be one of none, linear"):
        train_gan("wgan-gp", d, iters=1, progress=False, lr_decay="cosine")
