"""The Bernoulli pixel model as a scikit-learn estimator (question 1B, and real digits).

The estimate is the closed form of :mod:`adlkit.mle.closed_form`; this class adds the
estimator API (``fit``, ``score_samples``, ``score``, ``sample``, ``clone``, ``GridSearchCV``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin

from adlkit.mle.closed_form import bernoulli_log_likelihood, check_binary_images, fit_bernoulli, xlogy


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

    def fit(self, X: Any, X_val: Any = None) -> Bernoulli:
        """Fit to binary images ``X`` of shape (n_images, ...); returns self. The estimate is
        closed-form, so ``X_val`` (the estimators' common signature) is not used."""
        fit = fit_bernoulli(X, self.per_pixel, self.prior)
        self.k_, self.n_, self.p_, self.shape_ = fit.k, fit.n, fit.p, fit.shape
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
        X = check_binary_images(X)
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
