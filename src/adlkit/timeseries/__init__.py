r"""Time series (module 11): AR(p) and ARIMA(p, d, 0) point forecasts.

AR(p) with intercept c: :math:`y_t = c + \sum_{i=1}^p \phi_i y_{t-i} + \varepsilon_t`. The
h-step point forecast replaces every future noise by its mean 0 and every unknown future value by
its own forecast (the recursion), conditional on the last p observations.

ARIMA(p, d, 0): the d-th difference :math:`w_t = \nabla^d y_t` (:math:`\nabla y_t = y_t - y_{t-1}`)
follows the AR(p). Forecast w, then undo the differencing one level at a time: the forecasts of
level :math:`j-1` are the last observed value of level :math:`j-1` plus the cumulative sum of the
forecasts of level j (:func:`undifference`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["ARForecast", "ar_forecast", "difference", "undifference", "fit_ar"]


def difference(series: np.ndarray, d: int) -> list[np.ndarray]:
    """``[y, ∇y, ∇²y, ..., ∇^d y]``: every differencing level, the series first."""
    levels = [np.asarray(series, dtype=np.float64)]
    for _ in range(d):
        levels.append(np.diff(levels[-1]))
    return levels


def undifference(forecast: np.ndarray, levels: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Undo the differencing of the forecasts of the last level of ``levels`` (from
    :func:`difference`): returns the forecasts of every level, the last level's first and the
    series' last."""
    out = [np.asarray(forecast, dtype=np.float64)]
    for level in reversed(levels[:-1]):
        out.append(level[-1] + np.cumsum(out[-1]))
    return out


@dataclass
class ARForecast:
    forecast: np.ndarray  # of the series itself
    levels: list[np.ndarray]  # the series and its differences
    level_forecasts: list[np.ndarray] = field(default_factory=list)  # differenced level first


def ar_forecast(series: Sequence[float], phi: Sequence[float], c: float = 0.0, d: int = 0,
                steps: int = 1) -> ARForecast:
    """Point forecasts ``steps`` ahead of an ARIMA(p, d, 0) with AR coefficients ``phi`` (phi_1
    multiplies the latest value) and intercept ``c`` on the d-times differenced series."""
    phi = np.asarray(phi, dtype=np.float64)
    p = phi.size
    y = np.asarray(series, dtype=np.float64)
    if d < 0 or steps < 1:
        raise ValueError(f"need d >= 0 and steps >= 1, got d = {d}, steps = {steps}")
    if y.size < p + d or y.size < d + 1:
        raise ValueError(f"an AR({p}) on a {d}-times differenced series needs at least "
                         f"{max(p + d, d + 1)} values, got {y.size}")
    levels = difference(y, d)
    hist = list(levels[-1])
    fc = []
    for _ in range(steps):
        val = c + sum(phi[i] * hist[-1 - i] for i in range(p))
        fc.append(val)
        hist.append(val)
    lf = undifference(np.asarray(fc), levels)
    return ARForecast(lf[-1], levels, lf)


def fit_ar(series: Sequence[float], p: int, intercept: bool = True) -> tuple[np.ndarray, float]:
    """Conditional least squares AR(p) fit: ``(phi, c)`` minimising the one-step errors of
    ``y_t`` given its p predecessors (t = p+1..n)."""
    y = np.asarray(series, dtype=np.float64)
    if y.size <= p + int(intercept):
        raise ValueError(f"an AR({p}) fit needs more than {p + int(intercept)} values, got {y.size}")
    rows = np.stack([y[p - i - 1: y.size - i - 1] for i in range(p)], axis=1) if p else np.zeros((y.size, 0))
    A = np.hstack([rows, np.ones((rows.shape[0], 1))]) if intercept else rows
    coef, *_ = np.linalg.lstsq(A, y[p:], rcond=None)
    return coef[:p], float(coef[p]) if intercept else 0.0
