r"""Partition functions of torch energies in 1-D and 2-D on a grid: the question 4A machinery.

:math:`\log Z = \log\int_{\text{box}} e^{-E(x)}\,dx` by the trapezoid rule in log space, computed
by :func:`adlkit.ebm.partition.log_partition_grid_1d` / ``_2d`` (the same code the worked-solution
engine uses for grid partition functions). This module adapts a torch energy (``(N, d)`` tensor
in, ``(N,)`` out) to them. For a smooth integrand that is negligible at the edge of the box the
trapezoid rule converges faster than any power of the grid step, so doubling ``n`` is a direct
check of the discretisation error; the mass outside the box is not counted (the EBMs of
:mod:`adlkit.ebm.model` have a Gaussian confining term, and AIS over the whole space is the
independent check).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import Tensor

EnergyFn = Callable[[Tensor], Tensor]


def _numpy_energy(energy: EnergyFn, dim: int, dtype: torch.dtype, batch: int = 65536):
    def f(a: np.ndarray) -> np.ndarray:
        t = torch.as_tensor(np.asarray(a, dtype=np.float64).reshape(-1, dim), dtype=dtype)
        with torch.no_grad():
            out = torch.cat([energy(t[i:i + batch]).reshape(-1) for i in range(0, t.shape[0], batch)])
        e = out.to(torch.float64).numpy()
        if not np.isfinite(e).all():
            raise ValueError("the energy is not finite everywhere on the grid")
        return e

    return f


def log_partition(energy: EnergyFn, bounds: Sequence[tuple[float, float]], n: int = 401,
                  dtype: torch.dtype = torch.float64) -> float:
    """:math:`\\log Z` of ``energy`` over the box ``bounds`` ((lo, hi) per axis; 1 or 2 axes),
    trapezoid rule with ``n`` points per axis, nats.

    Example, question 4A (:math:`Z = 3\\sqrt\\pi`, :math:`\\log Z = 1.6705\\ldots`)::

        log_partition(lambda x: (x[:, 0] - 2.5) ** 2 / 9, [(-40, 45)], n=4001)
    """
    from adlkit.ebm.partition import log_partition_grid_1d, log_partition_grid_2d

    d = len(bounds)
    if d not in (1, 2):
        raise ValueError(f"grid quadrature is for 1-D and 2-D energies, got {d} axes")
    if n < 3:
        raise ValueError(f"need at least 3 grid points per axis, got {n}")
    for lo, hi in bounds:
        if not hi > lo:
            raise ValueError(f"empty interval ({lo}, {hi})")
    f = _numpy_energy(energy, d, dtype)
    if d == 1:
        return log_partition_grid_1d(f, float(bounds[0][0]), float(bounds[0][1]), n)
    return log_partition_grid_2d(f, tuple(map(float, bounds[0])), tuple(map(float, bounds[1])), n)
