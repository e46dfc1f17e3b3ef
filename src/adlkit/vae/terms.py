r"""The per-example terms of the VAE objective, batched in torch.

These are the only places where :class:`adlkit.vae.VAE` computes its loss, and they delegate
to the library functions that the worked-solution engine uses for ``vae_loss`` (question 4D),
:func:`adlkit.vae.loss.reconstruction_loss` (and, for the KL term,
:func:`adlkit.divergences.kl_normal_std_normal`, which the model calls directly):

- :func:`reconstruction_nll`: :math:`-\log p(x\mid z)` summed over the data dimensions,
  by the ``bce`` (Bernoulli decoder) or ``half_mse`` (Gaussian decoder) convention;
- :func:`gaussian_log_density`: :math:`\log\mathcal N(z; \mu, \operatorname{diag} e^{\log\sigma^2})`
  (for the importance weights of the IWAE bound);
- :func:`reparameterize`: :math:`z = \mu + e^{\frac12\log\sigma^2}\varepsilon` for a given
  :math:`\varepsilon` (the model draws it; the solver's ``reparameterization`` passes it);
- :func:`elbo_estimate` and :func:`iwae_bound`: the mean log-weight and the log of the mean
  weight over k importance samples (the model's ``elbo``/``iwae`` and the solver's ``elbo``).

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


def std_from_logvar(logvar: Tensor) -> Tensor:
    r""":math:`\sigma = e^{\frac12\log\sigma^2}` (the encoder outputs log-variances)."""
    return torch.exp(0.5 * logvar)


def reparameterize(mu: Tensor, logvar: Tensor, eps: Tensor) -> Tensor:
    r"""The reparameterisation trick :math:`z = \mu + \sigma\odot\varepsilon`,
    :math:`\sigma = e^{\frac12\log\sigma^2}`, for a given standard-normal :math:`\varepsilon`
    (broadcast against ``mu``)."""
    return mu + std_from_logvar(logvar) * eps


def elbo_estimate(log_weights: Tensor, dim: int = 0) -> Tensor:
    r"""The k-sample ELBO estimate: the mean over ``dim`` of the log-weights
    :math:`\log w_i = \log p(x\mid z_i) + \log p(z_i) - \log q(z_i\mid x)`."""
    return log_weights.mean(dim)


def iwae_bound(log_weights: Tensor, dim: int = 0, k: int | None = None) -> Tensor:
    r"""The IWAE bound :math:`\log\frac1k\sum_i w_i = \operatorname{logsumexp}_i \log w_i - \log k`
    (stable: logsumexp subtracts the largest log-weight). ``k`` defaults to the size of ``dim``;
    pass it when ``log_weights`` are already log-sums of chunks of the k samples."""
    k = log_weights.shape[dim] if k is None else k
    return torch.logsumexp(log_weights, dim=dim) - math.log(k)
