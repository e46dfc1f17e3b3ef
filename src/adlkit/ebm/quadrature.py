r"""Partition functions of energies in 1-D and 2-D by quadrature on a grid.

:math:`Z = \int e^{-E(x)}\,dx` over a box is approximated by the midpoint rule on ``n`` cells
per axis, computed in log space (``logsumexp``) so that large energies do not underflow:

.. math:: \log Z \approx \log\sum_{c} e^{-E(x_c)} + \log|\text{cell}|.

For a smooth integrand that is negligible at the edge of the box the midpoint rule converges
faster than any power of the cell width, so doubling ``n`` is a direct check of the error; the
mass outside the box is not counted (choose the box so that it is negligible: the EBMs of
:mod:`adlkit.ebm.model` have a Gaussian confining term for this reason). This is the numerical
counterpart of question 4A's exact partition function (``adlkit.ebm.partition``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
from torch import Tensor

EnergyFn = Callable[[Tensor], Tensor]


def grid(bounds: Sequence[tuple[float, float]], n: int, dtype: torch.dtype = torch.float64) -> tuple[Tensor, list[Tensor], float]:
    """Midpoints of an ``n``-per-axis grid over ``bounds`` (one (lo, hi) per axis, 1 or 2 axes).

    Returns ``(points (n**d, d), axes, cell_volume)``; points are in ``indexing="ij"`` order.
    """
    d = len(bounds)
    if d not in (1, 2):
        raise ValueError(f"grid quadrature is for 1-D and 2-D energies, got {d} axes")
    if n < 2:
        raise ValueError(f"need at least 2 grid points per axis, got {n}")
    axes, vol = [], 1.0
    for lo, hi in bounds:
        if not hi > lo:
            raise ValueError(f"empty interval ({lo}, {hi})")
        h = (hi - lo) / n
        axes.append(torch.linspace(lo + h / 2, hi - h / 2, n, dtype=dtype))
        vol *= h
    mesh = torch.meshgrid(*axes, indexing="ij")
    return torch.stack([m.reshape(-1) for m in mesh], dim=1), axes, vol


@torch.no_grad()
def energies_on(energy: EnergyFn, points: Tensor, batch: int = 65536) -> Tensor:
    """E at each row of ``points``, evaluated in batches."""
    return torch.cat([energy(points[i:i + batch]).reshape(-1) for i in range(0, points.shape[0], batch)])


def log_partition(energy: EnergyFn, bounds: Sequence[tuple[float, float]], n: int = 512,
                  dtype: torch.dtype = torch.float64) -> float:
    """:math:`\\log Z` of ``energy`` over the box ``bounds`` by the midpoint rule (nats).

    ``energy`` maps (N, d) to (N,). Example, question 4A (:math:`Z = 3\\sqrt\\pi`)::

        log_partition(lambda x: (x[:, 0] - 2.5) ** 2 / 9, [(-40, 45)], n=4000)  # 1.6709...
    """
    pts, _, vol = grid(bounds, n, dtype)
    e = energies_on(energy, pts).to(torch.float64)
    if not torch.isfinite(e).all():
        raise ValueError("the energy is not finite everywhere on the grid")
    return float(torch.logsumexp(-e, 0)) + math.log(vol)


def log_density_on_grid(energy: EnergyFn, bounds: Sequence[tuple[float, float]], n: int = 200,
                        log_z: float | None = None, dtype: torch.dtype = torch.float64) -> tuple[Tensor, list[Tensor]]:
    """Normalised log-density :math:`-E - \\log Z` on the grid (shape (n,) or (n, n)) and its axes.

    ``log_z`` defaults to the quadrature over the same grid.
    """
    pts, axes, vol = grid(bounds, n, dtype)
    e = energies_on(energy, pts).to(torch.float64)
    if log_z is None:
        log_z = float(torch.logsumexp(-e, 0)) + math.log(vol)
    return (-e - log_z).reshape(*([n] * len(bounds))), axes
