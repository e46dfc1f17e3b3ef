"""The convolutional VAE: its networks are the builder's (the solver's network_params counts the
very layer lists the module is built from), it decodes (k, N, latent) draws as the IWAE needs,
the decoder's Bernoulli outputs are normalised (IWAE on all 2^4 images of a 2x2 'image' sums to
at most 1), and a short training through adlkit.train lowers the held-out negative ELBO."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from adlkit.solve import solve_spec
from adlkit.vae import VAE, VAEConfig, VAEModule
from adlkit.vae.conv import decoder_layers, encoder_layers


def _module(**kw) -> VAEModule:
    return VAEModule(64, latent_dim=4, hidden=(32,), architecture="conv", channels=(4, 8), image_shape=(8, 8), **kw)


def test_parameter_count_is_network_params_of_the_same_layer_lists():
    m = _module()
    total = 0
    for shape, layers in (encoder_layers(m.config), decoder_layers(m.config)):
        sol = solve_spec({"problems": [{"id": "q", "type": "network_params", "input_shape": shape,
                                        "layers": layers}]}).results[0]
        assert sol.answers["warnings"] == []
        total += sol.answers["total_parameters"]
    assert total == sum(p.numel() for p in m.parameters())
    # by hand: enc conv (9+1)4 + (36+1)8 + dense (128+1)32 + (32+1)8; dec (4+1)32 + (32+1)128 + convT (72+1)4 + (36+1)1
    assert total == 40 + 296 + 4128 + 264 + 160 + 4224 + 292 + 37


def test_shapes_with_leading_sample_axes_and_a_learned_std():
    m = _module()
    x = torch.bernoulli(torch.full((5, 64), 0.5))
    mu, logvar = m.encode(x)
    assert mu.shape == logvar.shape == (5, 4)
    assert m.log_weights(x, 3).shape == (3, 5) and m.iwae(x, 7).shape == (5,)
    g = VAEModule(64, latent_dim=4, hidden=(), architecture="conv", channels=(4, 8), image_shape=(8, 8),
                  likelihood="gaussian")
    out, log_std = g.decode(torch.zeros(2, 3, 4))
    assert out.shape == log_std.shape == (2, 3, 64)


def test_bernoulli_decoder_is_normalised_on_a_tiny_image():
    """p(x) = E_z p(x|z) sums to 1 over the 16 binary 2x2 images; the IWAE bound with a large k
    estimates p(x) from below, so the estimated total is close to 1 and not above it."""
    torch.manual_seed(0)
    m = VAEModule(4, latent_dim=2, hidden=(8,), architecture="conv", channels=(2, 2), image_shape=(2, 2)).double()
    X = torch.tensor(list(itertools.product([0.0, 1.0], repeat=4)), dtype=torch.float64)
    total = float(torch.exp(m.iwae(X, 20_000)).sum())
    assert 0.97 < total <= 1.0 + 1e-3


def test_conv_config_faults():
    with pytest.raises(ValueError, match="image_shape"):
        VAEConfig(64, architecture="conv")
    with pytest.raises(ValueError, match="even image sides"):
        VAEConfig(49, architecture="conv", image_shape=(7, 7))
    with pytest.raises(ValueError, match="architecture"):
        VAEConfig(64, architecture="transformer")


def test_short_training_lowers_the_held_out_negative_elbo():
    from adlkit.data.digits import binarize, load_digits

    X, Xv = (binarize(load_digits(s)[0])[:300].astype(np.float64) for s in ("train", "val"))
    vae = VAE(architecture="conv", channels=(4, 8), hidden=(32,), latent_dim=4, image_shape=(8, 8),
              epochs=1000, max_steps=60, patience=None, batch_size=64, n_importance=20, random_state=0)
    untrained = VAE(architecture="conv", channels=(4, 8), hidden=(32,), latent_dim=4, image_shape=(8, 8),
                    epochs=1, max_steps=1, patience=None, batch_size=64, n_importance=20, random_state=0)
    after = vae.fit(X, Xv).score(Xv)
    before = untrained.fit(X, Xv).score(Xv)
    assert math.isfinite(after) and after > before + 5
    back = VAE.from_module(VAEModule.from_config(VAEConfig(**vae.module_.get_config())))
    assert back.architecture == "conv" and back.channels == (4, 8)
