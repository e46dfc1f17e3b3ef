r"""The per-example terms of the VAE objective, batched in torch.

These are the only places where :class:`adlkit.vae.VAE` computes its loss, and they delegate
to the library functions that the worked-solution engine uses for ``vae_loss`` (question 4D),
:func:`adlkit.vae.loss.reconstruction_loss` (and, for the KL term,
:func:`adlkit.divergences.kl_normal_std_normal`, which the model calls directly):

- :func:`reconstruction_nll`: :math:`-\log p(x\mid z)` summed over the data dimensions,
  by the ``bce`` (Bernoulli decoder) or ``half_mse`` (Gaussian decoder) convention;
- :func:`gaussian_log_density`: :math:`\log\mathcal N(z; \mu, \operatorname{diag} e^{\log\sigma^2})`
  (for the importance weights of the IWAE bound).

All return one value per example: shape ``x.shape[:-1]`` (the last axis is summed).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from adlkit.vae.loss import reconstruction_loss

_LOG_2PI = math.log(2.0 * math.pi)
#: Bernoulli logits are clamped to this range, so that the probabilities stay inside
#: [sigmoid(-15), sigmoid(15)] = [3.1e-7, 1 - 3.1e-7], representable in float32 (the ``bce``
#: convention takes probabilities). The clamp is part of the decoder: p(x|z) stays normalised.
LOGIT_CLAMP = 15.0


def bernoulli_probs(logits: Tensor) -> Tensor:
    r"""Decoder probabilities :math:`\sigma(\mathrm{clamp}(\ell, \pm 15))`."""
    return torch.sigmoid(logits.clamp(-LOGIT_CLAMP, LOGIT_CLAMP))


def reconstruction_nll(x: Tensor, out: Tensor, likelihood: str, log_std: Tensor | None = None) -> Tensor:
    r""":math:`-\log p(x\mid z)` in nats, summed over the last axis.

    ``likelihood="bernoulli"``: ``out`` are logits; ``reconstruction_loss(x, p, "bce")``.
    ``likelihood="gaussian"``: ``out`` is the mean and ``log_std`` the log standard deviation
    (broadcastable); ``reconstruction_loss(x / sigma, mean / sigma, "half_mse")`` (the course's
    convention on standardised residuals) plus the normaliser
    :math:`\sum_j\log\sigma_j + \tfrac D2\log 2\pi`.
    """
    if likelihood == "bernoulli":
        x = torch.broadcast_to(x, out.shape)
        return reconstruction_loss(x, bernoulli_probs(out), "bce")
    if likelihood == "gaussian":
        if log_std is None:
            log_std = torch.zeros_like(out)
        log_std = torch.broadcast_to(log_std, out.shape)
        inv = torch.exp(-log_std)
        return (reconstruction_loss(x * inv, out * inv, "half_mse") + log_std.sum(-1)
                + 0.5 * out.shape[-1] * _LOG_2PI)
    raise ValueError(f"likelihood must be 'bernoulli' or 'gaussian', got {likelihood!r}")


def gaussian_log_density(z: Tensor, mu: Tensor, logvar: Tensor) -> Tensor:
    r""":math:`\log\mathcal N(z; \mu, \operatorname{diag} e^{\log\sigma^2})`, summed over the last axis."""
    return -0.5 * (_LOG_2PI + logvar + (z - mu) ** 2 * torch.exp(-logvar)).sum(-1)
