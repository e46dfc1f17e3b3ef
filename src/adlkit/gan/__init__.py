"""Generative adversarial networks: the original GAN, WGAN (weight clipping) and WGAN-GP.

The estimator :class:`adlkit.gan.GAN` (scikit-learn API, :mod:`adlkit.gan.estimator`) trains a
:class:`~adlkit.gan.models.GANModule` (its arguments: :class:`~adlkit.gan.models.GANConfig`).
Submodules load on first use (``adlkit.gan.models`` or attribute access), so that
``import adlkit.gan`` stays cheap:

- :mod:`adlkit.gan.optimal` -- the optimal discriminator D* and the game's value at it
- :mod:`adlkit.gan.losses` -- GAN and Wasserstein losses (sign conventions documented there)
- :mod:`adlkit.gan.penalty` -- gradient penalty on interpolates, weight clipping
- :mod:`adlkit.gan.spectral` -- spectral normalization of the critic (power iteration)
- :mod:`adlkit.gan.models` -- MLP generator and critic, the :class:`~adlkit.gan.models.GANModule`
- :mod:`adlkit.gan.estimator` -- the :class:`~adlkit.gan.estimator.GAN` estimator
- :mod:`adlkit.gan.metrics` -- exact W1 (POT), mode coverage, nearest-neighbour distances
- :mod:`adlkit.gan.trainer` -- training through the shared loop, sample plots, evaluation
- :mod:`adlkit.gan.pipeline` -- train, evaluate and write metrics.json (``adlkit train gan``)
- :mod:`adlkit.gan.discriminator_check` -- question 4B: a trained discriminator against D*
- :mod:`adlkit.gan.critic_study` -- questions 3A/4C: clipping vs gradient penalty, measured
"""

from __future__ import annotations

import importlib
from typing import Any

#: The objectives (:mod:`adlkit.gan.models`), the generator losses of "gan", and the targets
#: that :mod:`adlkit.gan.trainer` knows (registered data sets). Here, without torch, so that the
#: CLI can offer them as choices cheaply.
LOSSES = ("gan", "wgan", "wgan-gp")
GENERATOR_LOSSES = ("nonsaturating", "minimax")
TARGETS = ("8gaussians", "25gaussians", "swissroll", "digits")
LR_DECAYS = ("none", "linear")  # train_gan's lr_decay: constant, or linear to 0 over the run
#: Critic normalizations (:class:`~adlkit.gan.models.GANConfig` ``critic_norm``).
CRITIC_NORMS = ("none", "spectral")

_SUBMODULES = {"optimal", "losses", "penalty", "models", "estimator", "metrics", "trainer", "pipeline",
               "discriminator_check", "critic_study", "spectral"}
_LAZY = {"GAN": "adlkit.gan.estimator", "GANModule": "adlkit.gan.models", "GANConfig": "adlkit.gan.models"}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"adlkit.gan.{name}")
    raise AttributeError(f"module 'adlkit.gan' has no attribute {name!r}")
