r"""The closed forms of the Bernoulli pixel model (question 1B), in numpy only.

Every pixel is an independent Bernoulli variable, :math:`P(x=1) = p`. With :math:`k` ones among
:math:`n` pixels the log-likelihood is :math:`\ell(p) = k\log p + (n-k)\log(1-p)`, maximised at
:math:`\hat p = k/n`. With a Beta(alpha, beta) prior the MAP estimate is the posterior mode
:math:`(k+\alpha-1)/(n+\alpha+\beta-2)`. Natural logarithms throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


def xlogy(x: Any, y: Any) -> np.ndarray:
    """``x * log(y)`` with 0 log 0 = 0 (like scipy.special.xlogy, without importing SciPy)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log(y)
    return np.where(x == 0, 0.0, out)


def bernoulli_log_likelihood(k: Any, n: Any, p: Any) -> Any:
    """:math:`k\\log p + (n-k)\\log(1-p)` with the convention 0 log 0 = 0 (elementwise)."""
    k = np.asarray(k, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    return xlogy(k, p) + xlogy(n - k, 1.0 - p)


def beta_mode(a: Any, b: Any) -> Any:
    """Mode of Beta(a, b) elementwise; requires a > 1 or b > 1 where both are positive."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if np.any((a <= 1) & (b <= 1)):
        raise ValueError("the posterior Beta(a, b) has no unique mode when a <= 1 and b <= 1")
    with np.errstate(divide="ignore", invalid="ignore"):
        mode = (a - 1) / (a + b - 2)
    mode = np.where(a <= 1, 0.0, mode)
    mode = np.where(b <= 1, 1.0, mode)
    return mode


def check_binary_images(X: Any) -> np.ndarray:
    """``X`` (n_images, ...) of 0/1 pixels as float64; a ValueError says what is wrong."""
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError(f"X must have shape (n_images, ...), got {X.shape}")
    if X.size == 0:
        raise ValueError("X is empty")
    if not np.isin(X, (0, 1)).all():
        raise ValueError("pixels must be 0 or 1 (binarize first; values are not rounded)")
    return X.astype(np.float64)


@dataclass(frozen=True)
class BernoulliFit:
    """The estimate from binary images: ``k`` ones among ``n`` pixels and ``p`` (float for one
    shared p; arrays of the image shape ``shape`` for one p per pixel position)."""

    k: float | np.ndarray
    n: float | np.ndarray
    p: float | np.ndarray
    shape: tuple[int, ...]

    def log_likelihood(self) -> float:
        """Log-likelihood of the fitted images at ``p`` (natural log)."""
        return float(np.sum(bernoulli_log_likelihood(self.k, self.n, self.p)))


def fit_bernoulli(X: Any, per_pixel: bool = False, prior: tuple[float, float] | None = None) -> BernoulliFit:
    """MLE of p from binary images ``X`` (n_images, ...), or with a Beta(alpha, beta) ``prior``
    the MAP estimate; ``per_pixel``: one p per pixel position, else one p shared by all."""
    X = check_binary_images(X)
    shape = X.shape[1:]
    if per_pixel:
        k, n = X.sum(axis=0), np.full(shape, float(X.shape[0]))
    else:
        k, n = float(X.sum()), float(X.size)
    if prior is None:
        p = np.asarray(k / n)
    else:
        alpha, beta = prior
        if not (alpha > 0 and beta > 0):
            raise ValueError(f"prior alpha and beta must be > 0, got {prior}")
        p = np.asarray(beta_mode(k + alpha, n - k + beta))
    return BernoulliFit(k, n, p if per_pixel else float(p), shape)
