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

from collections.abc import Callable

import torch
from torch import Tensor, nn

from adlkit.core.torch_compat import functorch_transforms_active
from adlkit.flows.fused import Spec, apply_stack, split_halves
from adlkit.flows.nets import MLPConditioner

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

    Attribute ``fused`` (default True): with an :class:`~adlkit.flows.nets.MLPConditioner`
    and a prefix or suffix mask, ``forward`` runs as one autograd node
    (:mod:`adlkit.flows.fused`); set it to False for the op-by-op graph of
    :meth:`forward_autograd`.
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
        # Fast path: when the pass-through block is a contiguous prefix or suffix, the layer
        # works with slices (views) and one ``cat`` instead of gathers and a scatter.
        n_a = int(mask.sum())
        if bool(mask[:n_a].all()):
            self._layout = "prefix"
        elif bool(mask[mask.numel() - n_a:].all()):
            self._layout = "suffix"
        else:
            self._layout = "general"
        self._n_a = n_a
        self.fused = True

    @property
    def dim(self) -> int:
        return int(self.mask.numel())

    def scale_shift(self, x_a: Tensor) -> tuple[Tensor, Tensor]:
        """The (possibly clamped) log-scale ``s`` and shift ``t`` given pass-through ``x_a``."""
        s, t = self.conditioner(x_a)
        shape = (x_a.shape[0], self.dim - self._n_a)
        # Plain callables (the exam's expressions) may return numbers or broadcastable tensors.
        if not (isinstance(s, Tensor) and s.shape == shape and s.dtype == x_a.dtype):
            s = torch.as_tensor(s, dtype=x_a.dtype, device=x_a.device).expand(shape)
        if not (isinstance(t, Tensor) and t.shape == shape and t.dtype == x_a.dtype):
            t = torch.as_tensor(t, dtype=x_a.dtype, device=x_a.device).expand(shape)
        if self.scale_clamp is not None:
            c = self.scale_clamp
            s = torch.tanh(s / c) * c
        return s, t

    def _split(self, x: Tensor) -> tuple[Tensor, Tensor]:
        if self._layout != "general":
            return split_halves(x, self._n_a, self._layout == "prefix")
        return x.index_select(1, self.idx_a), x.index_select(1, self.idx_b)

    def _merge(self, x: Tensor, x_a: Tensor, y_b: Tensor) -> Tensor:
        if self._layout == "prefix":
            return torch.cat((x_a, y_b), dim=1)
        if self._layout == "suffix":
            return torch.cat((y_b, x_a), dim=1)
        y = x.clone()
        y[:, self.idx_b] = y_b
        return y

    def _check(self, x: Tensor) -> None:
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"expected input of shape (N, {self.dim}), got {tuple(x.shape)}")

    def fused_spec(self) -> Spec | None:
        """This layer's :data:`adlkit.flows.fused.Spec` when ``forward`` can run fused, else None.

        torch.func transforms (jacrev, vmap) are not supported by the fused node and get None."""
        if not self.fused or self._layout == "general":
            return None
        net = self.conditioner
        if not isinstance(net, MLPConditioner) or functorch_transforms_active():
            return None
        return ("coupling", self._n_a, self._layout == "prefix", self.scale_clamp, 2 * net.n_layers)

    def fused_params(self) -> list[Tensor]:
        """The parameters that :meth:`fused_spec` counts, in the fused node's order."""
        return self.conditioner.flat_params()

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Data -> latent. Returns ``(y, log|det dy/dx|)``."""
        spec = self.fused_spec()
        if spec is None:
            return self.forward_autograd(x)
        self._check(x)
        return apply_stack(x, (spec,), self.fused_params())

    def forward_autograd(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """:meth:`forward` computed op by op, every step recorded by autograd (any conditioner,
        any mask); the reference that the fused path is tested against."""
        self._check(x)
        x_a, x_b = self._split(x)
        s, t = self.scale_shift(x_a)
        y_b = torch.addcmul(t, x_b, torch.exp(s))
        return self._merge(x, x_a, y_b), s.sum(dim=1)

    def inverse(self, y: Tensor) -> tuple[Tensor, Tensor]:
        """Latent -> data. Returns ``(x, log|det dx/dy|)`` (= minus the forward log-det)."""
        self._check(y)
        y_a, y_b = self._split(y)
        s, t = self.scale_shift(y_a)
        x_b = (y_b - t) * torch.exp(-s)
        return self._merge(y, y_a, x_b), -s.sum(dim=1)
