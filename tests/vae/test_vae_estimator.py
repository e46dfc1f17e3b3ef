"""The VAE estimator: scikit-learn contract, training through adlkit.train, save/load."""

import numpy as np
import pytest
import torch

from adlkit.vae import VAE, VAEModule


def _binary(n=200, d=16, seed=0):
    """Two prototype patterns with 5% flipped pixels: a VAE must beat independent pixels."""
    rng = np.random.default_rng(seed)
    protos = rng.integers(0, 2, (2, d))
    X = protos[rng.integers(0, 2, n)]
    flip = rng.random((n, d)) < 0.05
    return np.where(flip, 1 - X, X)


def test_sklearn_contract_and_bad_input():
    X = _binary()
    vae = VAE(latent_dim=2, hidden=(16,), epochs=2, batch_size=50, n_importance=10)
    assert not hasattr(vae, "module_")
    with pytest.raises(RuntimeError, match="not fitted"):
        vae.score_samples(X)
    assert vae.fit(X) is vae
    assert vae.likelihood_ == "bernoulli" and vae.n_features_in_ == 16
    s = vae.score_samples(X[:5])
    assert s.shape == (5,) and vae.score(X[:5]) == pytest.approx(s.mean())
    with pytest.raises(ValueError, match="features"):
        vae.score_samples(X[:, :3])
    with pytest.raises(ValueError, match="0/1"):
        vae.score_samples(X[:5] * 0.5)
    np.testing.assert_array_equal(vae.sample(4, random_state=3), vae.sample(4, random_state=3))
    assert set(np.unique(vae.sample(50, random_state=1))) <= {0.0, 1.0}
    mu, logvar = vae.encode(X[:3])
    assert mu.shape == logvar.shape == (3, 2) and vae.decode(mu).shape == (3, 16)


def test_vae_beats_independent_pixels_on_two_patterns():
    """On data from two prototypes, the IWAE log-likelihood of a trained VAE exceeds the exact
    log-likelihood of the per-pixel Bernoulli model fitted to the same data (adlkit.mle)."""
    from adlkit.mle import Bernoulli

    X, Xt = _binary(400, seed=0), _binary(200, seed=1)
    # same prototypes: seed 0's patterns, fresh flips and choices
    rng = np.random.default_rng(1)
    protos = np.random.default_rng(0).integers(0, 2, (2, 16))
    Xt = protos[rng.integers(0, 2, 200)]
    Xt = np.where(rng.random(Xt.shape) < 0.05, 1 - Xt, Xt)
    vae = VAE(latent_dim=2, hidden=(32,), epochs=400, max_steps=600, patience=None, batch_size=100,
              n_importance=200).fit(X)
    bern = Bernoulli(per_pixel=True, prior=(2, 2)).fit(X)
    assert vae.score(Xt) > bern.score(Xt) + 1.0


def test_save_load_roundtrip(tmp_path):
    """The loop's checkpoint rebuilds the module from its own arguments (weights_only load):
    identical parameters and identical IWAE estimates under the same seed."""
    from adlkit.train import load_model

    X = np.random.default_rng(0).standard_normal((120, 2))
    vae = VAE(latent_dim=2, hidden=(8,), epochs=2, batch_size=40, patience=None, checkpoint_dir=str(tmp_path),
              n_importance=20).fit(X, X[:40])
    assert vae.likelihood_ == "gaussian"
    m = load_model(tmp_path / "best.pt")
    assert isinstance(m, VAEModule) and m.get_config() == vae.module_.get_config()
    for a, b in zip(m.state_dict().values(), vae.module_.state_dict().values()):
        torch.testing.assert_close(a, b)
    v2 = VAE.from_module(m, n_importance=20)
    np.testing.assert_allclose(v2.score_samples(X[:10], random_state=5), vae.score_samples(X[:10], random_state=5))


# -- the estimator API, the config, the MLP builder, old checkpoints ------------------------------

TINY = dict(hidden=(8,), epochs=100, max_steps=3, patience=None, batch_size=50, n_importance=5)


def test_clone_gives_an_unfitted_estimator_with_equal_params():
    from sklearn.base import clone

    hidden = [8]
    vae = VAE(latent_dim=2, random_state=4, **{**TINY, "hidden": hidden})
    assert vae.hidden is hidden  # __init__ stores what it is given
    for v in (vae, vae.fit(_binary(100))):
        c = clone(v)
        assert type(c) is VAE and not hasattr(c, "module_") and c.get_params() == v.get_params()


def test_grid_search_over_the_latent_dimension_selects_by_score():
    """GridSearchCV (cv=2) over latent_dim: each split score is VAE.score of a clone fitted on
    the other fold (recomputed by hand), and the best has the best mean."""
    from sklearn.model_selection import GridSearchCV, KFold

    X = _binary(200)
    grid = {"latent_dim": [1, 3]}
    gs = GridSearchCV(VAE(**TINY), grid, cv=2).fit(X)
    by_hand = [[VAE(**TINY, latent_dim=d).fit(X[tr]).score(X[te]) for tr, te in KFold(2).split(X)]
               for d in grid["latent_dim"]]
    for i, folds in enumerate(by_hand):
        for k, s in enumerate(folds):
            assert gs.cv_results_[f"split{k}_test_score"][i] == pytest.approx(s, rel=1e-6)
    assert gs.best_params_["latent_dim"] == grid["latent_dim"][int(np.argmax([np.mean(f) for f in by_hand]))]


def test_config_checks_and_is_what_the_checkpoint_stores():
    from adlkit.vae import VAEConfig

    m = VAEModule(5, latent_dim=2, hidden=(7,), likelihood="gaussian", decoder_std=1)
    assert m.get_config() == {"dim": 5, "latent_dim": 2, "hidden": [7], "likelihood": "gaussian", "decoder_std": 1.0,
                              "beta": 1.0, "warmup_steps": 0, "lr": 1e-3, "eval_samples": 1, "image_shape": None,
                              "architecture": "mlp", "channels": [32, 64]}
    assert VAEModule.from_config(VAEConfig(**m.get_config())).get_config() == m.get_config()
    for bad, msg in [(dict(likelihood="poisson"), "likelihood must be one of"), (dict(latent_dim=0), "latent_dim"),
                     (dict(decoder_std=0.0, likelihood="gaussian"), "decoder_std"), (dict(beta=-1), "beta")]:
        with pytest.raises(ValueError, match=msg):
            VAEModule(4, **bad)


def test_networks_are_the_hand_written_mlps():
    """Encoder and decoder (adlkit.networks.mlp) have the keys and, from one seed, the very
    weights of the hand-written Linear/ReLU stacks they replace."""
    from torch import nn

    torch.manual_seed(0)
    m = VAEModule(10, latent_dim=3, hidden=(16, 8), likelihood="gaussian")
    torch.manual_seed(0)
    enc = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 6))
    dec = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 20))
    want = {**{f"encoder.{k}": v for k, v in enc.state_dict().items()},
            **{f"decoder.{k}": v for k, v in dec.state_dict().items()}}
    got = {k: v for k, v in m.state_dict().items() if k != "steps_done"}
    assert list(got) == list(want) and all(torch.equal(got[k], want[k]) for k in want)


def test_a_checkpoint_of_the_earlier_code_loads():
    """A checkpoint written by commit b3b6339 loads (weights_only) and gives the encoder
    means, decoder outputs and KL weight that code computed."""
    import json
    from pathlib import Path

    from adlkit.train import load_model

    data = Path(__file__).parent / "data"
    ref = json.loads((data / "vae_b3b6339.json").read_text())
    m = load_model(data / "vae_b3b6339.ckpt")
    assert isinstance(m, VAEModule) and m.config.beta == 0.5 and m.config.warmup_steps == 3
    assert m.kl_weight() == ref["kl_weight"]
    with torch.no_grad():
        np.testing.assert_allclose(m.encode(torch.tensor(ref["x"], dtype=torch.float32))[0].numpy(), ref["encode_mu"],
                                   rtol=1e-6)
        np.testing.assert_allclose(m.decode(torch.tensor(ref["z"]))[0].numpy(), ref["decode"], rtol=1e-6)
    assert VAE.from_module(m).likelihood_ == "gaussian"
