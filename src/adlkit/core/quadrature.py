r"""Globally adaptive Gauss-Legendre quadrature on intervals that may be infinite (float64,
vectorised numpy; no SciPy import, so that solving a sheet stays fast to start).

:func:`integrate` maps infinite ends to a finite variable,

- :math:`(-\infty, \infty)`: :math:`x = t/(1-t^2)`, :math:`t \in (-1, 1)`;
- :math:`[a, \infty)`: :math:`x = a + t/(1-t)`, :math:`t \in [0, 1)`;
- :math:`(-\infty, b]`: :math:`x = b - (1-t)/t`, :math:`t \in (0, 1]`,

splits the range at the given ``points`` (peaks, kinks; the pieces are graded geometrically
towards each point, so a narrow peak at a given point is found), and then repeatedly bisects the pieces
whose error estimate is too large. On each piece the estimate is the 21-point Gauss-Legendre
rule and its error estimate is the difference to the 10-point rule (which overestimates the
error of the 21-point rule by orders of magnitude for smooth integrands). Nodes are interior,
so the integrand is never evaluated at an infinite end.

The integrand must be vectorised: ``f(ndarray) -> ndarray`` of the same shape. A non-finite
value, or running out of subdivisions, gives ``converged=False`` (divergent or singular
integrals: :func:`adlkit.ebm.partition.partition_function` reports Z = inf then).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

_LO_N, _HI_N = 10, 21
_XL, _WL = np.polynomial.legendre.leggauss(_LO_N)
_XH, _WH = np.polynomial.legendre.leggauss(_HI_N)


@dataclass(frozen=True)
class QuadResult:
    value: float
    error: float  # estimated absolute error (conservative)
    converged: bool  # False: non-finite integrand values or too many subdivisions
    message: str = ""
    evaluations: int = 0


def _transform(a: float, b: float):
    """(t_lo, t_hi, x(t), dx/dt(t), t(x)) for the range [a, b]."""
    if math.isinf(a) and math.isinf(b):
        return (-1.0, 1.0, lambda t: t / (1 - t * t), lambda t: (1 + t * t) / (1 - t * t) ** 2,
                lambda x: 0.0 if x == 0 else (math.sqrt(1 + 4 * x * x) - 1) / (2 * x))
    if math.isinf(b):
        return (0.0, 1.0, lambda t: a + t / (1 - t), lambda t: 1 / (1 - t) ** 2,
                lambda x: (x - a) / (1 + x - a))
    if math.isinf(a):
        return (0.0, 1.0, lambda t: b - (1 - t) / t, lambda t: 1 / (t * t),
                lambda x: 1 / (1 + b - x))
    return a, b, lambda t: t, lambda t: np.ones_like(t), lambda x: x


def integrate(f: Callable[[np.ndarray], np.ndarray], a: float = -math.inf, b: float = math.inf,
              points: Iterable[float] = (), *, epsabs: float = 1e-13, epsrel: float = 1e-11,
              max_intervals: int = 4000) -> QuadResult:
    """``int_a^b f(x) dx`` for a vectorised ``f``; ``points`` are breakpoints inside (a, b)."""
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b) or a > b:
        raise ValueError(f"integration range must have a <= b, got [{a}, {b}]")
    if a == b:
        return QuadResult(0.0, 0.0, True)
    t_lo, t_hi, x_of, jac, t_of = _transform(a, b)
    cuts = sorted({t_of(float(p)) for p in points if a < p < b and math.isfinite(p)})
    cuts = [c for c in cuts if t_lo < c < t_hi]
    # grade the pieces geometrically towards each breakpoint, so that a narrow peak (or kink)
    # sitting at a breakpoint is resolved however narrow it is: Gauss nodes avoid piece ends
    base = [t_lo, *cuts, t_hi]
    graded = set(base)
    for i, c in enumerate(cuts, start=1):
        left, right = c - base[i - 1], base[i + 1] - c
        for k in range(1, 41):
            graded.add(c - left * 0.5**k)
            graded.add(c + right * 0.5**k)
    edges = np.array(sorted(graded))
    lo, hi = edges[:-1], edges[1:]
    total_done, err_done, evals = 0.0, 0.0, 0
    with np.errstate(all="ignore"):
        while True:
            mid, half = (lo + hi) / 2, (hi - lo) / 2
            th = mid[:, None] + half[:, None] * _XH[None, :]
            tl = mid[:, None] + half[:, None] * _XL[None, :]
            gh = np.asarray(f(x_of(th)), dtype=np.float64) * jac(th)
            gl = np.asarray(f(x_of(tl)), dtype=np.float64) * jac(tl)
            evals += th.size + tl.size
            if not (np.all(np.isfinite(gh)) and np.all(np.isfinite(gl))):
                return QuadResult(math.nan, math.inf, False,
                                  "the integrand is not finite on the range (divergent or singular)", evals)
            ih = half * (gh @ _WH)
            il = half * (gl @ _WL)
            err = np.abs(ih - il)
            total = total_done + float(np.sum(ih))
            tol = max(epsabs, epsrel * abs(total))
            err_all = err_done + float(np.sum(err))
            if err_all <= tol:
                return QuadResult(total, err_all, True, "", evals)
            # keep the pieces that are already good enough (their share of the tolerance),
            # bisect the others
            share = tol * (hi - lo) / (t_hi - t_lo)
            keep = err <= share
            total_done += float(np.sum(ih[keep]))
            err_done += float(np.sum(err[keep]))
            lo, hi = lo[~keep], hi[~keep]
            if lo.size == 0:  # every piece met its share, yet the sum did not (rounding)
                return QuadResult(total, err_all, True, "", evals)
            if 2 * lo.size + keep.sum() > max_intervals or np.any((hi - lo) < 1e-15 * max(1.0, abs(t_hi))):
                return QuadResult(total, err_all, False,
                                  "no convergence: the integral may diverge or be singular", evals)
            m = (lo + hi) / 2
            lo, hi = np.concatenate([lo, m]), np.concatenate([m, hi])
