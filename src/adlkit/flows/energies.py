r"""The four 2-D test energies of Rezende and Mohamed (2015), Table 1: p(z) ∝ exp(-U(z)).

.. math::

    w_1(z) = \sin(2\pi z_1 / 4),\quad w_2(z) = 3 e^{-\frac12 ((z_1 - 1)/0.6)^2},\quad
    w_3(z) = 3\,\sigma((z_1 - 1)/0.3)

    U_1 = \tfrac12\left(\frac{\|z\| - 2}{0.4}\right)^2
          - \log\left(e^{-\frac12 ((z_1 - 2)/0.6)^2} + e^{-\frac12 ((z_1 + 2)/0.6)^2}\right)

    U_2 = \tfrac12\left(\frac{z_2 - w_1}{0.4}\right)^2, \quad
    U_3 = -\log\left(e^{-\frac12 ((z_2 - w_1)/0.35)^2} + e^{-\frac12 ((z_2 - w_1 + w_2)/0.35)^2}\right)

    U_4 = -\log\left(e^{-\frac12 ((z_2 - w_1)/0.4)^2} + e^{-\frac12 ((z_2 - w_1 + w_3)/0.35)^2}\right)

U2, U3 and U4 do not depend on z_1 far from the origin, so exp(-U) has infinite mass on R^2 (the
paper shows them on [-4, 4]^2). We add the envelope :math:`\tfrac12 (z_1/4)^8` to those three
(:data:`ENVELOPE`): below 1/2 inside the paper's box, it confines the mass to |z_1| < ~5, so p is
a proper density and KL(q || p) is finite. (normflows' ``Sinusoidal`` family adds
:math:`\tfrac12 (\|z\|_4 / 8)^4` instead, which spreads the mass to |z_1| ~ 12.)

:func:`log_partition` integrates exp(-U) on a grid (the true KL is the VI loss plus log Z).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

ENVELOPE = "1/2 (z1 / 4)^8, added to U2, U3, U4 so that exp(-U) is normalizable"
BOUNDS = (-4.0, 4.0, -4.0, 4.0)  # the paper's plotting box
#: a box holding all but a negligible part of each p's mass, for the quadrature of log Z
QUADRATURE_BOX = (-6.0, 6.0, -7.0, 7.0)


def _w1(z: Tensor) -> Tensor:
    return torch.sin(2 * math.pi * z[:, 0] / 4)


def _w2(z: Tensor) -> Tensor:
    return 3 * torch.exp(-0.5 * ((z[:, 0] - 1) / 0.6) ** 2)


def _w3(z: Tensor) -> Tensor:
    return 3 * torch.sigmoid((z[:, 0] - 1) / 0.3)


def _envelope(z: Tensor) -> Tensor:
    return 0.5 * (z[:, 0] / 4) ** 8


def _neg_logsumexp2(a: Tensor, b: Tensor) -> Tensor:
    return -torch.logsumexp(torch.stack([a, b]), dim=0)


def u1(z: Tensor) -> Tensor:
    r = torch.linalg.vector_norm(z, dim=1)
    return 0.5 * ((r - 2) / 0.4) ** 2 + _neg_logsumexp2(-0.5 * ((z[:, 0] - 2) / 0.6) ** 2,
                                                         -0.5 * ((z[:, 0] + 2) / 0.6) ** 2)


def u2(z: Tensor) -> Tensor:
    return 0.5 * ((z[:, 1] - _w1(z)) / 0.4) ** 2 + _envelope(z)


def u3(z: Tensor) -> Tensor:
    d = z[:, 1] - _w1(z)
    return _neg_logsumexp2(-0.5 * (d / 0.35) ** 2, -0.5 * ((d + _w2(z)) / 0.35) ** 2) + _envelope(z)


def u4(z: Tensor) -> Tensor:
    d = z[:, 1] - _w1(z)
    return _neg_logsumexp2(-0.5 * (d / 0.4) ** 2, -0.5 * ((d + _w3(z)) / 0.35) ** 2) + _envelope(z)


ENERGIES: dict[str, Callable[[Tensor], Tensor]] = {"u1": u1, "u2": u2, "u3": u3, "u4": u4}


def energy(name: str) -> Callable[[Tensor], Tensor]:
    """The energy U by name (``u1`` .. ``u4``); raises KeyError with the known names."""
    try:
        return ENERGIES[name.lower()]
    except KeyError:
        raise KeyError(f"unknown energy {name!r}: use one of {', '.join(ENERGIES)}") from None


def grid(box: tuple[float, float, float, float] = QUADRATURE_BOX, n: int = 801) -> tuple[Tensor, float]:
    """An n x n grid of points (n*n, 2), float64, and the area of one cell."""
    x0, x1, y0, y1 = box
    gx = torch.linspace(x0, x1, n, dtype=torch.float64)
    gy = torch.linspace(y0, y1, n, dtype=torch.float64)
    pts = torch.cartesian_prod(gx, gy)
    return pts, float((gx[1] - gx[0]) * (gy[1] - gy[0]))


def log_partition(name: str, n: int = 801) -> float:
    """log Z = log of the integral of exp(-U) over R^2, by the midpoint-like rule on
    :data:`QUADRATURE_BOX` (float64; the mass outside the box is below 1e-6 of Z)."""
    pts, cell = grid(QUADRATURE_BOX, n)
    with torch.no_grad():
        lp = -energy(name)(pts)
    return float(torch.logsumexp(lp, 0) + math.log(cell))
