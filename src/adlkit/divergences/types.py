"""Distribution types the divergence registries dispatch on.

The registries (:mod:`adlkit.divergences.registry`) are keyed by these classes, the way
``torch.distributions.kl`` is keyed by distribution classes:

- :class:`Normal` -- univariate Gaussian, parameterised by mean and VARIANCE (the course writes
  N(3, 2) for mean 3 and variance 2);
- :class:`MultivariateNormal` -- mean vector and symmetric positive definite covariance;
- :class:`Empirical` -- a 1-D sample, the empirical distribution putting mass 1/n on each point.

The Gaussians validate their parameters once, on construction (the spec reader of
:mod:`adlkit.solve` builds them directly and words their :class:`ParameterError` in the spec's
syntax); ``dim`` and ``multivariate`` tell the two apart.

All numerics are float64.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


class ParameterError(ValueError):
    """A distribution parameter that fails its check. ``param`` names it (``"mean"``, ``"var"``,
    ``"std"``, ``"cov"``) and ``check`` says which check failed (``"finite"``, ``"positive"``,
    ``"shape"``, ``"symmetric"``, ``"positive_definite"``), so that a reader of a spec can word
    the fault in its own syntax."""

    def __init__(self, param: str, check: str, message: str):
        super().__init__(message)
        self.param = param
        self.check = check


def _finite(param: str, v: float, what: str) -> float:
    if not math.isfinite(v):
        raise ParameterError(param, "finite", f"{what} must be finite, got {v}")
    return v


@dataclass(frozen=True, eq=False)
class Normal:
    """N(mean, var): univariate Gaussian with mean ``mean`` and VARIANCE ``var`` > 0.

    Raises :class:`ParameterError` (a ValueError) for a non-finite mean or variance or a
    variance that is not > 0."""

    mean: float
    var: float

    dim = 1
    multivariate = False

    def __post_init__(self) -> None:
        m = _finite("mean", float(self.mean), "mean")
        v = _finite("var", float(self.var), "variance")
        if not v > 0:
            raise ParameterError("var", "positive", f"variance must be > 0, got {v}")
        object.__setattr__(self, "mean", m)
        object.__setattr__(self, "var", v)

    @classmethod
    def from_std(cls, mean: float, std: float) -> Normal:
        """N(mean, std**2) from a standard deviation ``std`` > 0."""
        _finite("mean", float(mean), "mean")
        s = _finite("std", float(std), "std")
        if not s > 0:
            raise ParameterError("std", "positive", f"std must be > 0, got {std}")
        try:
            var = s ** 2
        except OverflowError:
            raise ParameterError("var", "finite", f"variance std**2 must be finite, got std = {std}") from None
        return cls(mean, var)

    @property
    def std(self) -> float:
        return math.sqrt(self.var)

    def log_prob(self, x):
        """log density at ``x`` (numpy array or float), natural log."""
        x = np.asarray(x, dtype=np.float64)
        return -0.5 * (x - self.mean) ** 2 / self.var - 0.5 * math.log(2 * math.pi * self.var)

    def pdf(self, x):
        return np.exp(self.log_prob(x))

    def ppf(self, u):
        """Quantile function F^{-1}(u) = mean + std * Phi^{-1}(u)."""
        from scipy.special import ndtri

        return self.mean + self.std * ndtri(np.asarray(u, dtype=np.float64))

    def __repr__(self) -> str:
        return f"Normal(mean={self.mean:g}, var={self.var:g})"


@dataclass(frozen=True, eq=False)
class MultivariateNormal:
    """N(mean, cov) in d dimensions; ``cov`` must be symmetric positive definite.

    Raises :class:`ParameterError` (a ValueError) for a non-finite mean or covariance, a
    covariance of the wrong shape, or one that is not symmetric positive definite."""

    mean: np.ndarray
    cov: np.ndarray

    multivariate = True

    def __post_init__(self) -> None:
        m = np.asarray(self.mean, dtype=np.float64).reshape(-1)
        c = np.asarray(self.cov, dtype=np.float64)
        d = m.shape[0]
        if not np.all(np.isfinite(m)):
            raise ParameterError("mean", "finite", "mean must be finite")
        if c.shape != (d, d):
            raise ParameterError("cov", "shape", f"cov must be {d}x{d} for a mean of length {d}, got shape {c.shape}")
        if not np.all(np.isfinite(c)):
            raise ParameterError("cov", "finite", "cov must be finite")
        if not np.allclose(c, c.T, rtol=1e-12, atol=1e-12):
            raise ParameterError("cov", "symmetric", "cov must be symmetric")
        try:
            chol = np.linalg.cholesky(c)
        except np.linalg.LinAlgError:
            raise ParameterError("cov", "positive_definite", "cov must be positive definite") from None
        object.__setattr__(self, "mean", m)
        object.__setattr__(self, "cov", c)
        object.__setattr__(self, "_chol", chol)

    @property
    def dim(self) -> int:
        return int(self.mean.shape[0])

    @property
    def scale_tril(self) -> np.ndarray:
        return self._chol  # type: ignore[attr-defined]

    def log_prob(self, x):
        """log density at points ``x`` of shape (..., d)."""
        x = np.asarray(x, dtype=np.float64)
        diff = x - self.mean
        sol = np.linalg.solve(self._chol, diff[..., None])[..., 0]  # type: ignore[attr-defined]
        logdet = 2.0 * np.sum(np.log(np.diag(self._chol)))  # type: ignore[attr-defined]
        return -0.5 * np.sum(sol**2, axis=-1) - 0.5 * (self.dim * math.log(2 * math.pi) + logdet)

    def __repr__(self) -> str:
        return f"MultivariateNormal(mean={self.mean.tolist()}, cov={self.cov.tolist()})"


@dataclass(frozen=True, eq=False)
class Empirical:
    """The empirical distribution of a 1-D sample (mass 1/n at each point)."""

    samples: np.ndarray

    def __post_init__(self) -> None:
        s = np.asarray(self.samples, dtype=np.float64)
        if s.ndim != 1 or s.size == 0:
            raise ValueError(f"samples must be a non-empty 1-D array, got shape {s.shape}")
        if not np.all(np.isfinite(s)):
            raise ValueError("samples must be finite")
        object.__setattr__(self, "samples", s)

    @property
    def n(self) -> int:
        return int(self.samples.shape[0])

    def __repr__(self) -> str:
        return f"Empirical(n={self.n})"


@dataclass(frozen=True, eq=False)
class Discrete:
    """A discrete distribution on the real line: mass ``probs[i]`` at ``support[i]`` (support
    0, 1, ..., k-1 when not given). The probabilities must be >= 0 and sum to 1 (to 1e-9); the
    support points must be finite and distinct. Stored sorted by support point.

    Raises :class:`ParameterError` (a ValueError) with ``param`` ``"probs"`` or ``"support"``."""

    probs: np.ndarray
    support: np.ndarray | None = None

    dim = 1
    multivariate = False

    def __post_init__(self) -> None:
        p = np.asarray(self.probs, dtype=np.float64).reshape(-1)
        if p.size == 0:
            raise ParameterError("probs", "shape", "probs must not be empty")
        if not np.all(np.isfinite(p)):
            raise ParameterError("probs", "finite", "probs must be finite")
        if np.any(p < 0):
            raise ParameterError("probs", "positive", f"probs must be >= 0, got {float(p[p < 0][0]):g}")
        if not math.isclose(float(p.sum()), 1.0, rel_tol=0, abs_tol=1e-9):
            raise ParameterError("probs", "sum", f"probs must sum to 1, got {float(p.sum()):.12g}")
        s = (np.arange(p.size, dtype=np.float64) if self.support is None
             else np.asarray(self.support, dtype=np.float64).reshape(-1))
        if s.shape != p.shape:
            raise ParameterError("support", "shape", f"support must have one point per probability ({p.size}), got {s.size}")
        if not np.all(np.isfinite(s)):
            raise ParameterError("support", "finite", "support must be finite")
        if np.unique(s).size != s.size:
            raise ParameterError("support", "distinct", "support points must be distinct")
        order = np.argsort(s, kind="stable")
        object.__setattr__(self, "probs", p[order])
        object.__setattr__(self, "support", s[order])

    @property
    def mean(self) -> float:
        return float(self.probs @ self.support)

    def prob(self, x: float) -> float:
        """The mass at the point ``x`` (0 off the support)."""
        hit = np.nonzero(self.support == x)[0]
        return float(self.probs[hit[0]]) if hit.size else 0.0

    def cdf(self, x):
        """F(x) = P(X <= x), right-continuous."""
        x = np.asarray(x, dtype=np.float64)
        c = np.concatenate([[0.0], np.cumsum(self.probs)])
        return c[np.searchsorted(self.support, x, side="right")]

    def ppf(self, u):
        """Quantile F^{-1}(u) = the smallest support point x with F(x) >= u (u in (0, 1])."""
        u = np.asarray(u, dtype=np.float64)
        c = np.cumsum(self.probs)
        c[-1] = 1.0
        i = np.clip(np.searchsorted(c, u, side="left"), 0, self.support.size - 1)
        return self.support[i]

    def __repr__(self) -> str:
        return f"Discrete(probs={self.probs.tolist()}, support={self.support.tolist()})"


@dataclass(frozen=True, eq=False)
class Uniform:
    """The uniform distribution U(low, high) on the interval [low, high], low < high.

    Raises :class:`ParameterError` (a ValueError) for non-finite ends or low >= high."""

    low: float
    high: float

    dim = 1
    multivariate = False

    def __post_init__(self) -> None:
        a = _finite("low", float(self.low), "the lower end a")
        b = _finite("high", float(self.high), "the upper end b")
        if not a < b:
            raise ParameterError("high", "order", f"a uniform U(a, b) needs a < b, got a = {a:g}, b = {b:g}")
        object.__setattr__(self, "low", a)
        object.__setattr__(self, "high", b)

    @property
    def width(self) -> float:
        return self.high - self.low

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    @property
    def var(self) -> float:
        return self.width ** 2 / 12.0

    def log_prob(self, x):
        x = np.asarray(x, dtype=np.float64)
        inside = (x >= self.low) & (x <= self.high)
        return np.where(inside, -math.log(self.width), -np.inf)

    def pdf(self, x):
        x = np.asarray(x, dtype=np.float64)
        return np.where((x >= self.low) & (x <= self.high), 1.0 / self.width, 0.0)

    def cdf(self, x):
        x = np.asarray(x, dtype=np.float64)
        return np.clip((x - self.low) / self.width, 0.0, 1.0)

    def ppf(self, u):
        return self.low + self.width * np.asarray(u, dtype=np.float64)

    def __repr__(self) -> str:
        return f"Uniform({self.low:g}, {self.high:g})"
