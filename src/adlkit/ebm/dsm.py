r"""Denoising score matching (Vincent, 2011): the regression target and the loss.

Perturb a data point with Gaussian noise, :math:`\tilde x = x + \sigma\epsilon`. The score of the
perturbation kernel :math:`q_\sigma(\tilde x \mid x) = \mathcal N(x, \sigma^2 I)` is

.. math:: \nabla_{\tilde x}\log q_\sigma(\tilde x\mid x) = -\frac{\tilde x - x}{\sigma^2} = -\frac{\epsilon}{\sigma},

and a model :math:`s_\theta(\tilde x)` trained to regress on it (the loss
:math:`\tfrac12\|s_\theta(\tilde x) - t\|^2`, optionally weighted by :math:`\sigma^2`, which keeps
the scale of the loss the same at every noise level: Song and Ermon, 2019) learns the score of the
noised data density :math:`\nabla \log q_\sigma(\tilde x)`. The EBM (:mod:`adlkit.ebm.model`,
``method="dsm"``) and the noise-conditional score model train through these two functions.
"""

from __future__ import annotations

from typing import Any

WEIGHTINGS = ("none", "sigma2")


def dsm_target(x: Any, x_noisy: Any, sigma: float) -> Any:
    r""":math:`-(\tilde x - x)/\sigma^2` (tensors or arrays, any shape; sigma a number or
    broadcastable: one level per example)."""
    ok = (sigma > 0).all() if hasattr(sigma, "all") else sigma > 0
    if not ok:
        raise ValueError(f"need sigma > 0, got {sigma}")
    return -(x_noisy - x) / sigma**2


def dsm_loss(s_pred: Any, target: Any, sigma: float = 1.0, weighting: str = "none") -> Any:
    r"""Per example: :math:`\tfrac12 w(\sigma)\,\|s - t\|^2` summed over the last axis, with
    :math:`w = 1` (``"none"``) or :math:`w = \sigma^2` (``"sigma2"``). The caller averages over
    the batch."""
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, got {weighting!r}")
    w = sigma**2 if weighting == "sigma2" else 1.0
    return 0.5 * w * ((s_pred - target) ** 2).sum(-1)
