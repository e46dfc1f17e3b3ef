"""Training defaults per data set: what ``adlkit train gan --data NAME`` runs with no options.

One place for them (:data:`DATA_DEFAULTS`). :func:`adlkit.gan.trainer.load_data` takes the
network widths, noise dimension and batch size from here, :func:`adlkit.gan.trainer.train_gan`
the iteration count and the settings of the chosen loss (``by_loss``); anything the caller
passes (a command-line option, a keyword) wins over them. The data's own facts (shape, the
standardisation of the swiss roll, the tanh output and dequantization of digits) stay in
:func:`~adlkit.gan.trainer.load_data`; the loss's paper defaults (optimiser, ``n_critic``) in
:data:`adlkit.gan.models.DEFAULTS`.

The mixtures' WGAN-GP settings are those of the WGAN-GP paper's toy script (lambda 0.1, not
the paper's general 10) with 3x128 networks and a learning rate of 1e-3 (the script: 1e-4); 25
Gaussians also decays both learning rates linearly to 0 over its 12,000 iterations
(``lr_decay``: "linear", which :func:`~adlkit.gan.trainer.train_gan` turns into
``lr_decay_iters`` = the run's iterations). Measured (``bench/RESULTS.md``, "GAN defaults that
work (#15)" and the section after it): 8/8 modes on each of seeds 0-4 of 8 Gaussians (about 30 s
a run on one CPU core) and 25/25 on each of seeds 0-4 of 25 Gaussians (about 3.5 minutes). No
torch import here: the command line reads these for its help text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DataDefaults:
    """Defaults of one data set.

    ``iters``: generator iterations; ``batch_size``: real samples per critic update;
    ``model``: :class:`~adlkit.gan.models.GANConfig` arguments for every loss; ``by_loss``:
    further arguments for one loss (applied over ``model``).
    """

    iters: int
    batch_size: int = 256
    model: Mapping[str, Any] = field(default_factory=dict)
    by_loss: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def model_arguments(self, loss: str) -> dict[str, Any]:
        """The :class:`~adlkit.gan.models.GANConfig` arguments for ``loss``: ``model`` then ``by_loss[loss]``."""
        return {**self.model, **self.by_loss.get(loss, {})}


#: The mixtures' WGAN-GP settings (see the module docstring).
_MIXTURE_WGAN_GP = {"gp_lambda": 0.1, "lr": 1e-3}

DATA_DEFAULTS: dict[str, DataDefaults] = {
    "8gaussians": DataDefaults(iters=1500, model={"latent_dim": 2, "hidden": (128, 128, 128)},
                               by_loss={"wgan-gp": _MIXTURE_WGAN_GP}),
    # 25 modes: twice the iterations, and both learning rates decayed linearly to 0 (at a
    # constant 1e-3 the samples stay on a lattice of bridges between the modes)
    "25gaussians": DataDefaults(iters=12000, model={"latent_dim": 2, "hidden": (128, 128, 128)},
                                by_loss={"wgan-gp": {**_MIXTURE_WGAN_GP, "lr_decay": "linear"}}),
    "swissroll": DataDefaults(iters=2000, model={"latent_dim": 2, "hidden": (512, 512, 512)}),
    # batch 64: five critic updates of it must fit in the 1,258 training images
    "digits": DataDefaults(iters=2000, batch_size=64, model={"latent_dim": 16, "hidden": (256, 256)}),
}


def for_data(name: str) -> DataDefaults:
    """The defaults of data set ``name`` (one of :data:`adlkit.gan.TARGETS`)."""
    if name not in DATA_DEFAULTS:
        raise ValueError(f"no GAN defaults for data set {name!r}; known: {', '.join(DATA_DEFAULTS)}")
    return DATA_DEFAULTS[name]
