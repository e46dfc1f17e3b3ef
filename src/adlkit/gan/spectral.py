r"""Spectral normalization of a critic (Miyato et al., 2018): every linear layer's weight is
divided by an estimate of its largest singular value,

.. math:: \bar W = W / \hat\sigma(W),\qquad \hat\sigma = u^\top W v,

where u and v come from :func:`adlkit.lipschitz.power_iteration` (the one implementation the
``spectral_norm`` problem type solves with), run for ``n_power_iterations`` steps from the v
kept from the previous forward pass (u = normalize(W v), then v = normalize(W^T u): the order
of ``torch.nn.utils.parametrizations.spectral_norm``, which this equals at the same u, v and
iteration count). The vectors are updated only in training mode and without gradients; the
gradient flows through :math:`\hat\sigma` to W, as in the paper.

    >>> import torch
    >>> from torch import nn
    >>> layer = spectral_norm(nn.Linear(3, 2))
    >>> bool(torch.linalg.matrix_norm(layer.weight.detach(), ord=2) < 1.01)
    True
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils import parametrize

from adlkit.lipschitz import power_iteration


class SpectralNorm(nn.Module):
    """The parametrization W -> W / sigma_hat of one weight (2-D; a conv weight is flattened to
    (out_channels, rest) as torch does). Buffers ``u`` (rows) and ``v`` (columns) persist in the
    state dict."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, eps: float = 1e-12, seed: int | None = None):
        super().__init__()
        if n_power_iterations < 1:
            raise ValueError(f"n_power_iterations must be >= 1, got {n_power_iterations}")
        self.n_power_iterations = int(n_power_iterations)
        self.eps = float(eps)
        W = weight.detach().flatten(1)
        g = torch.Generator().manual_seed(seed) if seed is not None else None
        u = torch.randn(W.shape[0], generator=g, dtype=W.dtype)
        v = torch.randn(W.shape[1], generator=g, dtype=W.dtype)
        self.register_buffer("u", nn.functional.normalize(u, dim=0, eps=self.eps).to(W.device))
        self.register_buffer("v", nn.functional.normalize(v, dim=0, eps=self.eps).to(W.device))
        with torch.no_grad():  # warm start, as torch does (15 iterations)
            res = power_iteration(W, 15, v0=self.v, eps=self.eps)
            self.u.copy_(res.u)
            self.v.copy_(res.v)

    def forward(self, weight: Tensor) -> Tensor:
        W = weight.flatten(1)
        if self.training:
            with torch.no_grad():
                res = power_iteration(W, self.n_power_iterations, v0=self.v, eps=self.eps)
                self.u.copy_(res.u)
                self.v.copy_(res.v)
        sigma = self.u @ (W @ self.v)
        return weight / sigma


def spectral_norm(module: nn.Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, seed: int | None = None) -> nn.Module:
    """Register :class:`SpectralNorm` on ``module.<name>`` (``torch.nn.utils.parametrize``); returns the module."""
    parametrize.register_parametrization(
        module, name, SpectralNorm(getattr(module, name), n_power_iterations, eps, seed))
    return module


def apply_spectral_norm(net: nn.Module, n_power_iterations: int = 1, seed: int = 0) -> nn.Module:
    """Spectral normalization on every ``nn.Linear`` and ``nn.Conv*d`` of ``net`` (in place); returns ``net``."""
    for i, m in enumerate([m for m in net.modules() if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d))]):
        spectral_norm(m, n_power_iterations=n_power_iterations, seed=seed + i)
    return net
