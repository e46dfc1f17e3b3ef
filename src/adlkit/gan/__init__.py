"""Generative adversarial networks: the original GAN, WGAN (weight clipping) and WGAN-GP.

Submodules load on first use (``adlkit.gan.models`` or attribute access), so that
``import adlkit.gan`` stays cheap:

- :mod:`adlkit.gan.optimal` -- the optimal discriminator D* and the game's value at it
- :mod:`adlkit.gan.losses` -- GAN and Wasserstein losses (sign conventions documented there)
- :mod:`adlkit.gan.penalty` -- gradient penalty on interpolates, weight clipping
- :mod:`adlkit.gan.models` -- MLP generator and critic, the :class:`~adlkit.gan.models.GAN` model
- :mod:`adlkit.gan.metrics` -- exact W1 (POT), mode coverage, nearest-neighbour distances
- :mod:`adlkit.gan.trainer` -- training through the shared loop, sample plots, evaluation
- :mod:`adlkit.gan.discriminator_check` -- question 4B: a trained discriminator against D*
- :mod:`adlkit.gan.critic_study` -- questions 3A/4C: clipping vs gradient penalty, measured
"""

from __future__ import annotations

import importlib

_SUBMODULES = {"optimal", "losses", "penalty", "models", "metrics", "trainer", "discriminator_check",
               "critic_study"}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"adlkit.gan.{name}")
    raise AttributeError(f"module 'adlkit.gan' has no attribute {name!r}")
