r"""The affine coupling layer of RealNVP (Dinh, Sohl-Dickstein and Bengio, 2017).

With a boolean ``mask`` (True = the coordinate passes through, written :math:`x_a`; False =
transformed, written :math:`x_b`), the layer maps data to latent (``forward``):

.. math::

    y_a = x_a, \qquad y_b = x_b \odot \exp(s(x_a)) + t(x_a),
    \qquad \log|\det J| = \sum_j s_j(x_a).

The Jacobian is triangular (after ordering a before b) with diagonal ``[1, ..., exp(s)]``, so the
log-determinant is the sum of the log-scales. ``inverse`` undoes it:
:math:`x_b = (y_b - t(y_a)) \odot \exp(-s(y_a))`, with log-determinant :math:`-\sum_j s_j`.

The same class answers question 1A of the exam sheet (with ``s`` and ``t`` given as
expressions) and is the building block of :class:`adlkit.flows.RealNVP`.

Example::

    >>> import torch
    >>> from adlkit.flows import AffineCoupling, split_mask
    >>> layer = AffineCoupling(split_mask(2, 1), lambda xa: (0.5 * xa, 2 * xa + 1))
    >>> y, logdet = layer(torch.tensor([[1.0, 1.0]]))
    >>> y, logdet   # y = [1, e^0.5 + 3], log|det J| = 0.5
    (tensor([[1.0000, 4.6487]]), tensor([0.5000]))
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor, nn

Conditioner = Callable[[Tensor], tuple[Tensor, Tensor]]


def split_mask(dim: int, split: int, flip: bool = False) -> Tensor:
    """Boolean mask of length ``dim``: the first ``split`` coordinates pass through.

    With ``flip=True`` the LAST ``split`` coordinates pass through instead.
    """
    if not 1 <= split < dim:
        raise ValueError(f"split must be in [1, {dim - 1}], got {split}")
    mask = torch.zeros(dim, dtype=torch.bool)
    if flip:
        mask[dim - split:] = True
    else:
        mask[:split] = True
    return mask


class AffineCoupling(nn.Module):
    """Affine coupling layer; ``forward`` (data -> latent) and ``inverse`` both return
    ``(outputs, log_abs_det)`` with ``outputs`` of shape (N, D) and ``log_abs_det`` (N,).

    Args:
        mask: bool tensor (D,), True where the coordinate passes through unchanged.
        conditioner: maps the pass-through part (N, |a|) to ``(s, t)``, each (N, |b|).
            An ``nn.Module`` is registered as a submodule (its parameters train).
        scale_clamp: if given, the raw log-scale is soft-clipped, ``s = c * tanh(s_raw / c)``,
            which bounds |s| < c and keeps the inverse stable (None = use s as is, as the
            exam sheet does).
    """

    def __init__(self, mask: Tensor, conditioner: Conditioner, scale_clamp: float | None = None):
        super().__init__()
        mask = torch.as_tensor(mask, dtype=torch.bool)
        if mask.ndim != 1 or mask.all() or not mask.any():
            raise ValueError("mask must be 1-D with at least one pass-through and one transformed coordinate")
        self.register_buffer("mask", mask, persistent=False)
        self.register_buffer("idx_a", torch.nonzero(mask).flatten(), persistent=False)
        self.register_buffer("idx_b", torch.nonzero(~mask).flatten(), persistent=False)
        self.conditioner = conditioner
        self.scale_clamp = scale_clamp

    @property
    def dim(self) -> int:
        return int(self.mask.numel())

    def scale_shift(self, x_a: Tensor) -> tuple[Tensor, Tensor]:
        """The (possibly clamped) log-scale ``s`` and shift ``t`` given pass-through ``x_a``."""
        s, t = self.conditioner(x_a)
        n_b = self.idx_b.numel()
        s = torch.as_tensor(s, dtype=x_a.dtype, device=x_a.device).expand(x_a.shape[0], n_b)
        t = torch.as_tensor(t, dtype=x_a.dtype, device=x_a.device).expand(x_a.shape[0], n_b)
        if self.scale_clamp is not None:
            c = self.scale_clamp
            s = c * torch.tanh(s / c)
        return s, t

    def _check(self, x: Tensor) -> None:
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"expected input of shape (N, {self.dim}), got {tuple(x.shape)}")

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Data -> latent. Returns ``(y, log|det dy/dx|)``."""
        self._check(x)
        x_a = x.index_select(1, self.idx_a)
        x_b = x.index_select(1, self.idx_b)
        s, t = self.scale_shift(x_a)
        y_b = x_b * torch.exp(s) + t
        y = x.clone()
        y[:, self.idx_b] = y_b
        return y, s.sum(dim=1)

    def inverse(self, y: Tensor) -> tuple[Tensor, Tensor]:
        """Latent -> data. Returns ``(x, log|det dx/dy|)`` (= minus the forward log-det)."""
        self._check(y)
        y_a = y.index_select(1, self.idx_a)
        y_b = y.index_select(1, self.idx_b)
        s, t = self.scale_shift(y_a)
        x_b = (y_b - t) * torch.exp(-s)
        x = y.clone()
        x[:, self.idx_b] = x_b
        return x, -s.sum(dim=1)
