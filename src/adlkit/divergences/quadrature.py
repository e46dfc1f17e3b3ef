"""Adaptive quadrature on intervals that may be infinite (QUADPACK through SciPy, float64).

:func:`integrate` splits the range at the given ``points`` (where the integrand has peaks or
kinks) and integrates each piece adaptively; infinite ends are handled by QUADPACK's
transformation on the outer pieces. Used by the JSD, the W1 quantile integral and the partition
functions of :mod:`adlkit.ebm.partition`. SciPy is imported on first call only.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Callable, Iterable


@dataclass(frozen=True)
class QuadResult:
    value: float
    error: float  # QUADPACK's estimate of the absolute error, summed over pieces
    converged: bool  # False when QUADPACK reported a problem on some piece (ier != 0)
    message: str = ""


def integrate(f: Callable[[float], float], a: float = -math.inf, b: float = math.inf,
              points: Iterable[float] = (), *, epsabs: float = 1e-13, epsrel: float = 1e-11,
              limit: int = 500) -> QuadResult:
    """``int_a^b f(x) dx`` by adaptive Gauss-Kronrod on the pieces between sorted ``points``."""
    from scipy.integrate import IntegrationWarning, quad

    if a > b:
        raise ValueError(f"integration range must have a <= b, got [{a}, {b}]")
    cuts = sorted({float(p) for p in points if a < p < b and math.isfinite(p)})
    edges = [a, *cuts, b]
    total, err, ok, msgs = 0.0, 0.0, True, []
    for lo, hi in zip(edges[:-1], edges[1:]):
        if lo == hi:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IntegrationWarning)
            val, e, info, *rest = quad(f, lo, hi, epsabs=epsabs, epsrel=epsrel, limit=limit,
                                       full_output=1)
        if rest and rest[0]:  # ier != 0 comes with a message
            ok = False
            msgs.append(str(rest[0]).splitlines()[0])
        total += val
        err += e
    return QuadResult(float(total), float(err), ok and math.isfinite(total), "; ".join(msgs))
