"""What the scikit-learn estimators of the model families share (RealNVP, VAE, EBM, GAN, ...).

- :func:`as_rows`: the one check of an input table ``X`` (n_samples, n_features) -> tensor;
- :func:`torch_generator`: a ``torch.Generator`` from a ``random_state`` (an int, or None for
  fresh noise);
- :class:`TorchEstimator`: ``BaseEstimator`` plus the fitted check; :class:`DensityEstimator`
  adds ``DensityMixin`` and the density ``score`` (the mean of ``score_samples``), written once.

An estimator's ``__init__`` only stores its hyperparameters, so ``sklearn.base.clone`` and
``GridSearchCV`` work; the fitted torch module is ``module_``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, DensityMixin
from torch import Tensor


def as_rows(X: Any, dtype: torch.dtype, dim: int | None = None, binary: bool = False) -> Tensor:
    """``X`` as a (n_samples, n_features) tensor of ``dtype``: 2-D, not empty, numeric, finite,
    with ``dim`` features when given and only 0/1 values when ``binary``; else a ValueError."""
    a = np.asarray(X)
    if a.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {a.shape}")
    if a.shape[0] == 0:
        raise ValueError("X is empty")
    if dim is not None and a.shape[1] != dim:
        raise ValueError(f"X has {a.shape[1]} features, the model was fitted with {dim}")
    if not np.issubdtype(a.dtype, np.number) and a.dtype != bool:
        raise ValueError(f"X must be numeric, got dtype {a.dtype}")
    t = torch.as_tensor(a.astype(np.float64), dtype=dtype)
    if not torch.isfinite(t).all():
        raise ValueError("X contains NaN or inf")
    if binary and not bool(((t == 0) | (t == 1)).all()):
        raise ValueError("the Bernoulli decoder needs 0/1 data (binarize first, e.g. pixel > 8)")
    return t


def torch_generator(random_state: int | None) -> torch.Generator:
    """A generator seeded with ``random_state`` (reproducible), or from fresh entropy when None."""
    g = torch.Generator()
    if random_state is None:
        g.seed()
    else:
        g.manual_seed(int(random_state))
    return g


class TorchEstimator(BaseEstimator):
    """A scikit-learn estimator whose fitted torch module is ``module_``."""

    def _check_fitted(self) -> None:
        if not hasattr(self, "module_"):
            raise RuntimeError(f"this {type(self).__name__} is not fitted yet: call fit(X) first")


class DensityEstimator(DensityMixin, TorchEstimator):
    """A density model: ``score_samples(X)`` is its log-density per row in nats."""

    def score_samples(self, X: Any) -> np.ndarray:  # pragma: no cover - every model defines it
        raise NotImplementedError

    def score(self, X: Any, y: Any = None) -> float:
        """Compute the per-sample average log-likelihood of the given data X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored (scikit-learn's API).

        Returns
        -------
        log_likelihood : float
            Mean over the rows of X of :meth:`score_samples` (the model's log-likelihood per
            row, as its ``score_samples`` documents it), in nats per sample. Higher is better,
            so ``GridSearchCV`` can select by it (as :class:`sklearn.mixture.GaussianMixture`).
        """
        return float(np.mean(self.score_samples(X)))
