"""The convolutional VAE: encoder and decoder of a :class:`~adlkit.vae.model.VAEModule` built
from layer lists by :func:`adlkit.networks.build` (the builder the solver's ``network_params``
counts with), and :func:`evaluate_digits`, its row of the binarized-digits likelihood table.

Encoder (input (N, H W)): reshape to [1, H, W]; conv2d c1 3x3 same, ReLU; conv2d c2 3x3
stride 2 same, ReLU; flatten; dense hidden[0], ReLU (if ``hidden``); dense 2 x latent (mean and
log-variance). Decoder (input (..., latent)): dense hidden[0], ReLU; dense c2 (H/2)(W/2), ReLU;
reshape [c2, H/2, W/2]; conv_transpose2d c1 3x3 stride 2 same (H/2 -> H), ReLU; conv2d m 3x3
same; flatten to m H W (m = 2 for a Gaussian decoder with a learned std: the means, then the
log-stds). :func:`encoder_layers` and :func:`decoder_layers` give the layer lists themselves,
so ``adlkit solve`` can count the same networks.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np
from torch import Tensor, nn

from adlkit.networks import build

if TYPE_CHECKING:
    from adlkit.vae.model import VAEConfig


def check_conv_config(c: VAEConfig) -> None:
    """The conv architecture needs an image shape (H, W) with even sides and D = H W."""
    if c.image_shape is None or len(c.image_shape) != 2:
        raise ValueError("architecture 'conv' needs image_shape (H, W)")
    h, w = c.image_shape
    if h * w != c.dim or h % 2 or w % 2:
        raise ValueError(f"architecture 'conv' needs even image sides with H W = dim; got {c.image_shape}, dim {c.dim}")
    if len(c.channels) != 2 or min(c.channels) < 1:
        raise ValueError(f"channels must be two positive numbers, got {c.channels}")


def encoder_layers(c: VAEConfig) -> tuple[list[int], list[dict[str, Any]]]:
    """The encoder's input shape and layer list (the ``network_params`` spec form)."""
    h, w = c.image_shape
    c1, c2 = c.channels
    layers: list[dict[str, Any]] = [
        {"type": "reshape", "shape": [1, h, w]},
        {"type": "conv2d", "filters": c1, "kernel": 3, "padding": "same", "activation": "relu"},
        {"type": "conv2d", "filters": c2, "kernel": 3, "stride": 2, "padding": "same", "activation": "relu"},
        {"type": "flatten"},
    ]
    if c.hidden:
        layers.append({"type": "dense", "units": c.hidden[0], "activation": "relu"})
    layers.append({"type": "dense", "units": 2 * c.latent_dim})
    return [c.dim], layers


def decoder_layers(c: VAEConfig, outputs_per_pixel: int = 1) -> tuple[list[int], list[dict[str, Any]]]:
    """The decoder's input shape and layer list."""
    h, w = c.image_shape
    c1, c2 = c.channels
    layers: list[dict[str, Any]] = []
    if c.hidden:
        layers.append({"type": "dense", "units": c.hidden[0], "activation": "relu"})
    layers += [
        {"type": "dense", "units": c2 * (h // 2) * (w // 2), "activation": "relu"},
        {"type": "reshape", "shape": [c2, h // 2, w // 2]},
        {"type": "conv_transpose2d", "filters": c1, "kernel": 3, "stride": 2, "padding": "same", "activation": "relu"},
        {"type": "conv2d", "filters": outputs_per_pixel, "kernel": 3, "padding": "same"},
        {"type": "flatten"},
    ]
    return [c.latent_dim], layers


class LeadingDims(nn.Module):
    """A network on (N, D) applied to (..., D): the leading axes are folded into the batch
    (the IWAE decodes (k, N, latent) draws at once)."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: Tensor) -> Tensor:
        lead = x.shape[:-1]
        y = self.net(x.reshape(-1, x.shape[-1]))
        return y.reshape(*lead, y.shape[-1])


def conv_encoder(c: VAEConfig) -> nn.Module:
    shape, layers = encoder_layers(c)
    return build(shape, layers)


def conv_decoder(c: VAEConfig, outputs_per_pixel: int = 1) -> nn.Module:
    shape, layers = decoder_layers(c, outputs_per_pixel)
    return LeadingDims(build(shape, layers))


#: the digits-table settings: those of the MLP VAE's row (latent 16, 6000 steps, patience 30);
#: channels (16, 32) keep the IWAE's k = 5000 decodes per test image affordable on a CPU
DIGITS_SETTINGS = {"latent_dim": 16, "hidden": (256,), "channels": (16, 32), "likelihood": "bernoulli",
                   "epochs": 100_000, "patience": 30, "batch_size": 128, "image_shape": (8, 8)}
DIGITS_STEPS = (6000, 400)  # (full, quick)
DIGITS_IMPORTANCE = (5000, 200)


def evaluate_digits(seed: int = 0, quick: bool = False, steps: int | None = None,
                    k: int | None = None) -> dict[str, Any]:
    """The convolutional VAE on ``density_split("digits")`` (binarized): trained through
    :func:`adlkit.train.fit` (early stopping on the validation negative ELBO), scored by the IWAE
    bound on the test images. Returns the likelihood table's row (see COMMON contract):
    ``model``, ``test_ll`` (mean IWAE bound, nats per image), ``how``, ``parameters``,
    ``seconds`` (training), ``test_ll_per_image`` (n_test,), ``samples`` (64 decoder means in [0, 1], (64, 64)). ``steps`` and
    ``k`` override the step budget and the importance samples (the bench's reduced runs)."""
    import torch

    from adlkit.data.registry import density_split
    from adlkit.vae.estimator import VAE

    s = density_split("digits", seed=seed)
    k = DIGITS_IMPORTANCE[1 if quick else 0] if k is None else int(k)
    steps = DIGITS_STEPS[1 if quick else 0] if steps is None else int(steps)
    vae = VAE(architecture="conv", random_state=seed, n_importance=k, max_steps=steps, **DIGITS_SETTINGS)
    t = time.perf_counter()
    vae.fit(s.train, s.val)
    secs = time.perf_counter() - t
    ll = vae.score_samples(s.test)
    g = torch.Generator().manual_seed(seed)
    samples = vae.module_.sample(64, generator=g, mean=True).double().numpy()
    params = sum(p.numel() for p in vae.module_.parameters())
    return {"model": "conv VAE (latent 16)", "test_ll": float(np.mean(ll)), "test_ll_per_image": np.asarray(ll),
            "how": f"IWAE k={k}",
            "parameters": int(params), "seconds": secs, "samples": np.clip(samples, 0.0, 1.0),
            "steps": int(vae.result_.steps)}
