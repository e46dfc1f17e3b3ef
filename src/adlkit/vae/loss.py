r"""The VAE loss: reconstruction by a stated convention plus the Gaussian KL of
:mod:`adlkit.divergences` (negative ELBO up to constants).

Conventions (explicit, because they are what users trip over):

- ``half_mse`` (default, the course's): :math:`\frac{1}{2}\sum_j (x_j - \hat x_j)^2` -- the
  negative log-likelihood of a unit-variance Gaussian decoder without its constant;
- ``mse``: :math:`\sum_j (x_j - \hat x_j)^2` (sum, not mean, of squared errors);
- ``bce``: :math:`-\sum_j [x_j\log\hat x_j + (1-x_j)\log(1-\hat x_j)]` with
  :math:`\hat x \in (0, 1)` (probabilities, not logits; torch clamps each log at -100).

Every sum runs over the LAST dimension (the data dimensions; flatten images first), so inputs
of shape (batch, D) give one loss per example, shape (batch,): average over the batch yourself.
The KL is :math:`\mathrm{KL}(q(z|x)\,\|\,\mathcal{N}(0, I))` from
:func:`adlkit.divergences.kl_normal_std_normal` (the registry's Gaussian KL closed form,
:func:`adlkit.divergences.kl_normal`, on tensors), summed over latent dimensions.
``beta`` scales the KL (beta-VAE; 1 is the ELBO).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from adlkit.divergences import kl_normal_std_normal, kl_normal_std_normal_elementwise

RECONSTRUCTIONS = ("half_mse", "mse", "bce")


class VAELoss(NamedTuple):
    total: Tensor  # (...,) reconstruction + beta * kl
    reconstruction: Tensor  # (...,)
    kl: Tensor  # (...,)


def reconstruction_elementwise(x: Tensor, x_hat: Tensor, convention: str = "half_mse") -> Tensor:
    """Per-coordinate reconstruction loss, same shape as ``x``."""
    if convention == "half_mse":
        return 0.5 * (x - x_hat).pow(2)
    if convention == "mse":
        return (x - x_hat).pow(2)
    if convention == "bce":
        return F.binary_cross_entropy(x_hat, x, reduction="none")
    raise ValueError(f"reconstruction must be one of {', '.join(RECONSTRUCTIONS)}, got {convention!r}")


def reconstruction_loss(x: Tensor, x_hat: Tensor, convention: str = "half_mse") -> Tensor:
    """Reconstruction loss summed over the last dimension: (..., D) -> (...)."""
    x, x_hat = torch.broadcast_tensors(x, x_hat)
    return reconstruction_elementwise(x, x_hat, convention).sum(dim=-1)


def vae_loss(x: Tensor, x_hat: Tensor, mu: Tensor, logvar: Tensor,
             reconstruction: str = "half_mse", beta: float = 1.0) -> VAELoss:
    """Per-example VAE loss: ``reconstruction_loss(x, x_hat) + beta * KL(N(mu, e^logvar) || N(0, I))``.

    ``x``, ``x_hat``: (..., D); ``mu``, ``logvar``: (..., d) with the same leading shape."""
    rec = reconstruction_loss(x, x_hat, reconstruction)
    kl = kl_normal_std_normal(mu, logvar)
    return VAELoss(rec + beta * kl, rec, kl)


__all__ = ["VAELoss", "vae_loss", "reconstruction_loss", "reconstruction_elementwise",
           "kl_normal_std_normal", "kl_normal_std_normal_elementwise", "RECONSTRUCTIONS"]
