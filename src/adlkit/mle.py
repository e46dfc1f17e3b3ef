r"""Maximum-likelihood (and MAP) estimation of Bernoulli pixel models (question 1B).

Every pixel is an independent Bernoulli variable, :math:`P(x=1) = p`. With :math:`k` ones among
:math:`n` pixels the log-likelihood is :math:`\ell(p) = k\log p + (n-k)\log(1-p)`, maximised at
:math:`\hat p = k/n`. With a Beta(alpha, beta) prior the MAP estimate is the posterior mode
:math:`(k+\alpha-1)/(n+\alpha+\beta-2)`. ``per_pixel=True`` fits one p per pixel position.
Natural logarithms throughout.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin


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


class Bernoulli(DensityMixin, BaseEstimator):
    """Independent-pixel Bernoulli model, a scikit-learn estimator.

    ``__init__`` only stores the hyperparameters (``sklearn.base.clone`` and ``GridSearchCV``
    work, e.g. over ``prior``). ``fit(X)`` returns self; ``score_samples(X)`` is log P(x) per
    image in nats, ``score(X)`` its mean; ``sample(n_samples, random_state)``.

    Args:
        per_pixel: one p per pixel position (True) or one shared p (False).
        prior: optional ``(alpha, beta)`` of a Beta prior; then ``p_`` is the MAP estimate.
        eps: probabilities are clipped to ``[eps, 1 - eps]`` in :meth:`score_samples` only when
            given (default 0: an impossible pixel scores -inf, as the likelihood says).

    Learned attributes: ``p_`` (float or (H, W) array), ``k_`` (ones), ``n_`` (pixels),
    ``shape_`` (image shape).
    """

    def __init__(self, per_pixel: bool = False, prior: tuple[float, float] | None = None,
                 eps: float = 0.0):
        self.per_pixel = per_pixel
        self.prior = prior
        self.eps = eps

    @staticmethod
    def _validate(X: Any) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim < 2:
            raise ValueError(f"X must have shape (n_images, ...), got {X.shape}")
        if X.size == 0:
            raise ValueError("X is empty")
        if not np.isin(X, (0, 1)).all():
            raise ValueError("pixels must be 0 or 1 (binarize first; values are not rounded)")
        return X.astype(np.float64)

    def fit(self, X: Any, X_val: Any = None) -> Bernoulli:
        """Fit to binary images ``X`` of shape (n_images, ...); returns self. The estimate is
        closed-form, so ``X_val`` (the estimators' common signature) is not used."""
        X = self._validate(X)
        self.shape_ = X.shape[1:]
        if self.per_pixel:
            self.k_ = X.sum(axis=0)
            self.n_ = np.full(self.shape_, float(X.shape[0]))
        else:
            self.k_ = float(X.sum())
            self.n_ = float(X.size)
        if self.prior is None:
            self.p_ = np.asarray(self.k_ / self.n_)
        else:
            alpha, beta = self.prior
            if not (alpha > 0 and beta > 0):
                raise ValueError(f"prior alpha and beta must be > 0, got {self.prior}")
            self.p_ = np.asarray(beta_mode(self.k_ + alpha, self.n_ - self.k_ + beta))
        if not self.per_pixel:
            self.p_ = float(self.p_)
        return self

    def _p(self) -> np.ndarray:
        if not hasattr(self, "p_"):
            raise RuntimeError("this Bernoulli is not fitted yet: call fit(X) first")
        p = np.broadcast_to(np.asarray(self.p_, dtype=np.float64), self.shape_)
        if self.eps:
            p = np.clip(p, self.eps, 1 - self.eps)
        return p

    def log_likelihood(self) -> float:
        """Log-likelihood of the training data at ``p_`` (natural log)."""
        return float(np.sum(bernoulli_log_likelihood(self.k_, self.n_, self.p_)))

    def score_samples(self, X: Any) -> np.ndarray:
        """Log-likelihood of each image, shape (n_images,)."""
        X = self._validate(X)
        if X.shape[1:] != tuple(self.shape_):
            raise ValueError(f"images must have shape {tuple(self.shape_)}, got {X.shape[1:]}")
        p = self._p()
        ll = xlogy(X, p) + xlogy(1 - X, 1 - p)
        return ll.reshape(X.shape[0], -1).sum(axis=1)

    def score(self, X: Any, y: Any = None) -> float:
        """Compute the per-sample average log-likelihood of the given data X.

        Parameters
        ----------
        X : array-like of shape (n_images, ...), binary
        y : ignored (scikit-learn's API).

        Returns
        -------
        log_likelihood : float
            Mean over the images of :meth:`score_samples` (the exact log P(x)), in nats per
            image; -inf if an image has a pixel the model gives probability 0. Higher is
            better, so ``GridSearchCV`` can select by it.
        """
        return float(np.mean(self.score_samples(X)))

    def sample(self, n_samples: int = 1, random_state: int | np.random.Generator | None = None) -> np.ndarray:
        """Draw ``n_samples`` binary images, shape (n_samples, *shape_)."""
        rng = np.random.default_rng(random_state)
        p = self._p()
        return (rng.random((n_samples, *self.shape_)) < p).astype(np.int64)
