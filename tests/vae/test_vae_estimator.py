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
