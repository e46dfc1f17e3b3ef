r"""Batched torch versions of the Gaussian KL closed forms, for use inside models.

These are the KL terms of the VAE loss (:mod:`adlkit.vae.loss` calls them). Differentiable,
any dtype/device of the inputs; the sum runs over the LAST dimension (the latent dimensions),
so an input of shape (batch, d) gives one KL per example, shape (batch,). Natural logarithms.

.. math::

    \mathrm{KL}(\mathcal{N}(\mu, \sigma^2) \| \mathcal{N}(0, 1))
        = -\frac{1}{2}\sum_j \left(1 + \log\sigma_j^2 - \mu_j^2 - \sigma_j^2\right)

    \mathrm{KL}(\mathcal{N}(\mu_q, \sigma_q^2) \| \mathcal{N}(\mu_p, \sigma_p^2))
        = \frac{1}{2}\sum_j \left(\log\frac{\sigma_{p,j}^2}{\sigma_{q,j}^2}
          + \frac{\sigma_{q,j}^2 + (\mu_{q,j} - \mu_{p,j})^2}{\sigma_{p,j}^2} - 1\right)
"""

from __future__ import annotations

import torch
from torch import Tensor


def kl_normal_std_normal_elementwise(mu: Tensor, logvar: Tensor) -> Tensor:
    """Per-dimension KL(N(mu, exp(logvar)) || N(0, 1)), same shape as the inputs."""
    return -0.5 * (1.0 + logvar - mu.pow(2) - logvar.exp())


def kl_normal_std_normal(mu: Tensor, logvar: Tensor) -> Tensor:
    """KL(N(mu, diag(exp(logvar))) || N(0, I)) summed over the last dimension.

    ``mu``, ``logvar``: (..., d) -> (...). The VAE's KL term (course form
    -1/2 sum(1 + log sigma^2 - mu^2 - sigma^2))."""
    mu, logvar = torch.broadcast_tensors(mu, logvar)
    return kl_normal_std_normal_elementwise(mu, logvar).sum(dim=-1)


def kl_diag_normal_elementwise(mu_q: Tensor, logvar_q: Tensor, mu_p: Tensor,
                               logvar_p: Tensor) -> Tensor:
    """Per-dimension KL(N(mu_q, exp(logvar_q)) || N(mu_p, exp(logvar_p)))."""
    return 0.5 * (logvar_p - logvar_q
                  + (logvar_q.exp() + (mu_q - mu_p).pow(2)) * torch.exp(-logvar_p) - 1.0)


def kl_diag_normal(mu_q: Tensor, logvar_q: Tensor, mu_p: Tensor, logvar_p: Tensor) -> Tensor:
    """KL between diagonal Gaussians q || p, summed over the last dimension: (..., d) -> (...).

    Use for a learned prior p (e.g. a conditional VAE); with mu_p = 0, logvar_p = 0 it equals
    :func:`kl_normal_std_normal`."""
    mu_q, logvar_q, mu_p, logvar_p = torch.broadcast_tensors(mu_q, logvar_q, mu_p, logvar_p)
    return kl_diag_normal_elementwise(mu_q, logvar_q, mu_p, logvar_p).sum(dim=-1)
