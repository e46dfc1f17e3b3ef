r"""Restricted Boltzmann machines and Ising models: energies, conditionals and exact enumeration.

A binary RBM with visible units :math:`v \in \{0,1\}^{n_v}`, hidden units
:math:`h \in \{0,1\}^{n_h}`, weights :math:`W` (:math:`n_v \times n_h`) and biases b (visible), c
(hidden):

.. math::
    E(v, h) = -b^\top v - c^\top h - v^\top W h,\qquad p(v, h) = e^{-E(v,h)}/Z,

    F(v) = -\log \sum_h e^{-E(v,h)} = -b^\top v - \sum_j \operatorname{softplus}(c_j + (W^\top v)_j),

    p(h_j = 1\mid v) = \sigma(c_j + (W^\top v)_j),\qquad p(v_i = 1\mid h) = \sigma(b_i + (W h)_i).

An Ising model on spins :math:`s \in \{-1,+1\}^n` with symmetric couplings J (each pair i < j once)
and field h at temperature T: :math:`E(s) = -\sum_{i<j} J_{ij} s_i s_j - \sum_i h_i s_i`,
:math:`p(s) = e^{-E(s)/T}/Z`.

:func:`log_partition_enumerate` is the one exact enumeration both use: it walks every state of
:math:`n \le 20` units in chunks (log-sum-exp), so Z and exact probabilities are available for
models small enough to check AIS and the solver against.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn
from torch.nn.functional import softplus

MAX_ENUMERATE = 20  # units; 2^20 states


def all_states(n: int, values: Sequence[float] = (0.0, 1.0), start: int = 0, stop: int | None = None,
               dtype: torch.dtype = torch.float64) -> Tensor:
    """States ``start .. stop-1`` (of ``2^n``) of n two-valued units, as rows; state k's unit i is
    bit ``n-1-i`` of k (the first unit is the most significant: the order of ``itertools.product``)."""
    stop = 2**n if stop is None else stop
    k = torch.arange(start, stop, dtype=torch.int64)
    bits = (k[:, None] >> torch.arange(n - 1, -1, -1, dtype=torch.int64)[None, :]) & 1
    lo, hi = values
    return (lo + (hi - lo) * bits.to(dtype)).to(dtype)


def log_partition_enumerate(energy: Callable[[Tensor], Tensor], n: int, values: Sequence[float] = (0.0, 1.0),
                            temperature: float = 1.0, chunk: int = 1 << 15,
                            dtype: torch.dtype = torch.float64) -> float:
    r""":math:`\log Z = \log \sum_x e^{-E(x)/T}` over all :math:`2^n` states of n two-valued units
    (``values``), exactly, for :math:`n \le 20`. ``energy`` maps (m, n) states to (m,) energies."""
    if not 1 <= n <= MAX_ENUMERATE:
        raise ValueError(f"exact enumeration needs 1 <= n <= {MAX_ENUMERATE} units, got {n}")
    parts = []
    with torch.no_grad():
        for start in range(0, 2**n, chunk):
            s = all_states(n, values, start, min(2**n, start + chunk), dtype)
            parts.append(torch.logsumexp(-energy(s).to(dtype) / temperature, 0))
    return float(torch.logsumexp(torch.stack(parts), 0))


# -- RBM ------------------------------------------------------------------------------------------
def rbm_energy(v: Tensor, h: Tensor, W: Tensor, b: Tensor, c: Tensor) -> Tensor:
    """:math:`E(v, h) = -b^T v - c^T h - v^T W h`, per row of v and h."""
    return -(v @ b) - (h @ c) - ((v @ W) * h).sum(-1)


def rbm_free_energy(v: Tensor, W: Tensor, b: Tensor, c: Tensor) -> Tensor:
    r""":math:`F(v) = -b^T v - \sum_j \mathrm{softplus}(c_j + (W^T v)_j)`, per row of v."""
    return -(v @ b) - softplus(c + v @ W).sum(-1)


def rbm_p_h_given_v(v: Tensor, W: Tensor, c: Tensor) -> Tensor:
    return torch.sigmoid(c + v @ W)


def rbm_p_v_given_h(h: Tensor, W: Tensor, b: Tensor) -> Tensor:
    return torch.sigmoid(b + h @ W.T)


def rbm_log_partition(W: Tensor, b: Tensor, c: Tensor) -> float:
    r"""Exact :math:`\log Z` by enumerating every joint state (v, h) of the
    :math:`n_v + n_h \le 20` units."""
    nv, nh = W.shape

    def joint(s: Tensor) -> Tensor:
        return rbm_energy(s[:, :nv], s[:, nv:], W, b, c)

    return log_partition_enumerate(joint, nv + nh, dtype=W.dtype)


class RBM(nn.Module):
    """A Bernoulli-Bernoulli RBM: parameters ``W`` (n_v x n_h), ``b`` (visible), ``c`` (hidden);
    the energies and conditionals are the functions above."""

    def __init__(self, n_visible: int, n_hidden: int, init_std: float = 0.01,
                 generator: torch.Generator | None = None, dtype: torch.dtype = torch.float32):
        super().__init__()
        self.W = nn.Parameter(init_std * torch.randn(n_visible, n_hidden, generator=generator, dtype=dtype))
        self.b = nn.Parameter(torch.zeros(n_visible, dtype=dtype))
        self.c = nn.Parameter(torch.zeros(n_hidden, dtype=dtype))

    @property
    def n_visible(self) -> int:
        return self.W.shape[0]

    @property
    def n_hidden(self) -> int:
        return self.W.shape[1]

    def energy(self, v: Tensor, h: Tensor) -> Tensor:
        return rbm_energy(v, h, self.W, self.b, self.c)

    def free_energy(self, v: Tensor) -> Tensor:
        return rbm_free_energy(v, self.W, self.b, self.c)

    def p_h_given_v(self, v: Tensor) -> Tensor:
        return rbm_p_h_given_v(v, self.W, self.c)

    def p_v_given_h(self, h: Tensor) -> Tensor:
        return rbm_p_v_given_h(h, self.W, self.b)

    def gibbs(self, v: Tensor, k: int = 1, generator: torch.Generator | None = None) -> Tensor:
        """k steps of block Gibbs sampling v -> h -> v (sampled binary states)."""
        for _ in range(k):
            h = torch.bernoulli(self.p_h_given_v(v), generator=generator)
            v = torch.bernoulli(self.p_v_given_h(h), generator=generator)
        return v

    def log_partition_exact(self) -> float:
        """Exact log Z by enumerating the visible states through the free energy (n_v <= 20):
        the same :func:`log_partition_enumerate` on F(v)."""
        with torch.no_grad():
            return log_partition_enumerate(self.free_energy, self.n_visible, dtype=self.W.dtype)


# -- Ising ----------------------------------------------------------------------------------------
def ising_energy(s: Tensor, J: Tensor, h: Tensor) -> Tensor:
    r""":math:`E(s) = -\sum_{i<j} J_{ij} s_i s_j - \sum_i h_i s_i` per row of s (J symmetric, zero
    diagonal: :math:`\sum_{i<j} = \tfrac12 s^\top J s`)."""
    return -0.5 * ((s @ J) * s).sum(-1) - s @ h


def ising_log_partition(J: Tensor, h: Tensor, temperature: float = 1.0) -> float:
    """Exact log Z over the 2^n spin states (n <= 20)."""
    return log_partition_enumerate(lambda s: ising_energy(s, J, h), J.shape[0], (-1.0, 1.0),
                                   temperature, dtype=J.dtype)

