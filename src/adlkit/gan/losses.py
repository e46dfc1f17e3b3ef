r"""GAN and Wasserstein losses. Every function returns a scalar to MINIMISE.

Conventions (logits, not probabilities, so that the losses are computed stably):

- The GAN discriminator outputs a logit :math:`a(x)`; :math:`D(x) = \sigma(a(x))` is the
  probability that :math:`x` is real. The value of the minimax game is
  :math:`V(D, G) = \mathbb{E}_{x \sim p_{data}}[\log D(x)] + \mathbb{E}_{z}[\log(1 - D(G(z)))]`
  (Goodfellow et al., 2014); at the optimal discriminator :math:`V = -\log 4 + 2\,\mathrm{JSD}`.
  The discriminator maximises :math:`V`, so :func:`discriminator_loss` is :math:`-V`.
- Minimax generator loss: :math:`\mathbb{E}_z[\log(1 - D(G(z)))]` (saturates when D rejects
  the fakes); non-saturating: :math:`-\mathbb{E}_z[\log D(G(z))]`.
- A Wasserstein critic :math:`f` outputs an unbounded score, high on real data. The
  **Wasserstein estimate** is :math:`\hat W = \mathbb{E}[f(x_{real})] - \mathbb{E}[f(x_{fake})]`:
  the Kantorovich-Rubinstein dual evaluated at the current critic; it is a lower bound of
  :math:`K \cdot W_1` when :math:`f` is K-Lipschitz. :func:`critic_loss` is :math:`-\hat W`
  (plus a penalty, added by the caller) and the generator minimises :math:`-\mathbb{E}[f(G(z))]`.

- Hinge (Lim and Ye 2017; Miyato et al. 2018): the critic minimises
  :math:`\mathbb{E}[\max(0, 1 - f(x_{real}))] + \mathbb{E}[\max(0, 1 + f(x_{fake}))]`, the
  generator :math:`-\mathbb{E}[f(G(z))]`.
- Least squares (LSGAN, Mao et al. 2017, targets a = 0, b = c = 1): the discriminator minimises
  :math:`\frac12\mathbb{E}[(D(x_{real}) - 1)^2] + \frac12\mathbb{E}[D(x_{fake})^2]`, the generator
  :math:`\frac12\mathbb{E}[(D(G(z)) - 1)^2]`; D is the output as given.

:func:`probability_to_logit` turns probabilities D(x) into the logits these functions take
(:math:`a = \log D - \log(1 - D)`, so that softplus(-a) = -log D exactly).

All inputs are critic/discriminator outputs of shape (N,) or (N, 1).
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor


def gan_value(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    r""":math:`V(D, G) = \mathbb{E}\log\sigma(a_{real}) + \mathbb{E}\log(1 - \sigma(a_{fake}))` (nats)."""
    # log sigma(a) = -softplus(-a);  log(1 - sigma(a)) = -softplus(a)
    return -F.softplus(-real_logits).mean() - F.softplus(fake_logits).mean()


def discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """Binary cross-entropy of the discriminator, real = 1, fake = 0: equals ``-gan_value``."""
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def generator_loss_minimax(fake_logits: Tensor) -> Tensor:
    r"""The generator's side of the minimax game: :math:`\mathbb{E}_z \log(1 - D(G(z)))`."""
    return -F.softplus(fake_logits).mean()


def generator_loss_nonsaturating(fake_logits: Tensor) -> Tensor:
    r"""The non-saturating heuristic: :math:`-\mathbb{E}_z \log D(G(z))`."""
    return F.softplus(-fake_logits).mean()


def wasserstein_estimate(real_scores: Tensor, fake_scores: Tensor) -> Tensor:
    r""":math:`\hat W = \mathbb{E}[f(x_{real})] - \mathbb{E}[f(x_{fake})]`."""
    return real_scores.mean() - fake_scores.mean()


def critic_loss(real_scores: Tensor, fake_scores: Tensor) -> Tensor:
    r"""The critic minimises :math:`\mathbb{E}[f(x_{fake})] - \mathbb{E}[f(x_{real})] = -\hat W`."""
    return fake_scores.mean() - real_scores.mean()


def wasserstein_generator_loss(fake_scores: Tensor) -> Tensor:
    r"""The generator minimises :math:`-\mathbb{E}_z[f(G(z))]`."""
    return -fake_scores.mean()


def hinge_discriminator_loss(real_scores: Tensor, fake_scores: Tensor) -> Tensor:
    r"""The hinge critic loss :math:`\mathbb{E}[\max(0, 1 - f_{real})] + \mathbb{E}[\max(0, 1 + f_{fake})]`."""
    return F.relu(1.0 - real_scores).mean() + F.relu(1.0 + fake_scores).mean()


def hinge_generator_loss(fake_scores: Tensor) -> Tensor:
    r"""The hinge generator loss :math:`-\mathbb{E}[f(G(z))]` (as the Wasserstein one)."""
    return -fake_scores.mean()


def least_squares_discriminator_loss(real_out: Tensor, fake_out: Tensor) -> Tensor:
    r"""LSGAN: :math:`\frac12\mathbb{E}[(D_{real} - 1)^2] + \frac12\mathbb{E}[D_{fake}^2]`."""
    return 0.5 * ((real_out - 1.0) ** 2).mean() + 0.5 * (fake_out ** 2).mean()


def least_squares_generator_loss(fake_out: Tensor) -> Tensor:
    r"""LSGAN: :math:`\frac12\mathbb{E}[(D(G(z)) - 1)^2]`."""
    return 0.5 * ((fake_out - 1.0) ** 2).mean()


def probability_to_logit(p: Tensor) -> Tensor:
    """The logit log p - log(1 - p) of probabilities in [0, 1] (+-inf at 1 and 0)."""
    import torch

    return torch.log(p) - torch.log1p(-p)
