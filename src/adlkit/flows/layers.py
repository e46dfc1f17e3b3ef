r"""Elementwise and fixed bijections used around the couplings of :class:`RealNVPFlow`.

Every layer maps data to latent in ``forward`` and back in ``inverse``; both return
``(outputs, log_abs_det)`` with ``outputs`` (N, D) and ``log_abs_det`` (N,).
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from adlkit.core.torch_compat import functorch_transforms_active


class ActNorm(nn.Module):
    r"""Per-feature affine normalisation (Kingma and Dhariwal, 2018): :math:`z = x e^{s} + b`,
    :math:`\log|\det J| = \sum_j s_j`.

    :meth:`data_init` sets ``s, b`` so that a batch leaves with zero mean and unit variance
    per feature; until then the layer is the identity. (Checkpoints written before this layer
    lost its unused ``initialized`` buffer still load: the key is dropped.)
    """

    def __init__(self, dim: int):
        super().__init__()
        self.log_scale = nn.Parameter(torch.zeros(dim))
        self.bias = nn.Parameter(torch.zeros(dim))
        self.fused = True  # False: forward as plain autograd ops, never merged into a fused stack
        self.register_load_state_dict_pre_hook(_drop_initialized)

    @torch.no_grad()
    def data_init(self, x: Tensor) -> None:
        """Initialise from a batch ``x`` (N, D) of this layer's inputs."""
        std = x.std(dim=0).clamp_min(1e-6)
        self.log_scale.copy_(-torch.log(std))
        self.bias.copy_(-x.mean(dim=0) / std)

    def fused_spec(self) -> tuple | None:
        """This layer's :data:`adlkit.flows.fused.Spec`, or None (``fused`` False, or under
        torch.func transforms)."""
        return ("actnorm", 2) if self.fused and not functorch_transforms_active() else None

    def fused_params(self) -> list[Tensor]:
        return [self.log_scale, self.bias]

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        z = torch.addcmul(self.bias, x, self.log_scale.exp())
        return z, self.log_scale.sum().expand(x.shape[0])

    def inverse(self, z: Tensor) -> tuple[Tensor, Tensor]:
        x = (z - self.bias) * torch.exp(-self.log_scale)
        return x, (-self.log_scale.sum()).expand(z.shape[0])


def _drop_initialized(module: nn.Module, state_dict: dict, prefix: str, *args: Any) -> None:
    """Load-time hook of :class:`ActNorm`: drop the ``initialized`` flag that checkpoints of
    earlier adlkit versions hold (nothing ever read it)."""
    state_dict.pop(prefix + "initialized", None)


class Logit(nn.Module):
    r"""The logit pre-processing of RealNVP (Dinh et al., 2017, section 4.1) for data in [0, 1]:

    .. math::

        p = \alpha + (1 - 2\alpha)\,u, \qquad y = \log p - \log(1 - p), \qquad
        \log\left|\frac{dy}{du}\right| = \sum_j \log(1 - 2\alpha) - \log p_j - \log(1 - p_j).

    Adding this log-determinant makes the flow's likelihood a density on the unit cube
    (the data space), not in logit space.
    """

    def __init__(self, alpha: float = 0.05):
        super().__init__()
        if not 0.0 <= alpha < 0.5:
            raise ValueError(f"alpha must be in [0, 0.5), got {alpha}")
        self.alpha = float(alpha)

    def forward(self, u: Tensor) -> tuple[Tensor, Tensor]:
        a = self.alpha
        p = u * (1.0 - 2.0 * a) + a
        log_p, log_1mp = torch.log(p), torch.log1p(-p)
        logdet = (math.log1p(-2.0 * a) - log_p - log_1mp).sum(dim=1)
        return log_p - log_1mp, logdet

    def inverse(self, y: Tensor) -> tuple[Tensor, Tensor]:
        a = self.alpha
        p = torch.sigmoid(y)
        u = (p - a) / (1.0 - 2.0 * a)
        logdet = (torch.log(p) + torch.log1p(-p) - math.log1p(-2.0 * a)).sum(dim=1)
        return u, logdet


class Permutation(nn.Module):
    """A fixed permutation of the features: ``z = x[:, perm]``, log-det 0."""

    def __init__(self, perm: Tensor):
        super().__init__()
        perm = torch.as_tensor(perm, dtype=torch.long)
        self.register_buffer("perm", perm, persistent=False)
        self.register_buffer("inv_perm", torch.argsort(perm), persistent=False)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return x.index_select(1, self.perm), x.new_zeros(x.shape[0])

    def inverse(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return z.index_select(1, self.inv_perm), z.new_zeros(z.shape[0])
