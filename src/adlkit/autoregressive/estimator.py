"""Scikit-learn estimators of the autoregressive models: :class:`FVSBNEstimator`,
:class:`MADEEstimator`, :class:`PixelCNNEstimator` (exported as ``FVSBN``, ``MADE``, ``PixelCNN``
by the package, beside the modules' names ``*Module``).

``fit(X, X_val=None)`` trains on 0/1 rows through :func:`adlkit.train.fit` (Adam on the mean
NLL, early stopping on ``X_val``); ``score_samples`` is the exact log-likelihood per row in
nats; ``sample`` draws in the ordering; ``random_state`` seeds the initialisation, the degrees
(MADE, ``degrees='random'``), the batches and the samples.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from adlkit.autoregressive.layers import count_parameters
from adlkit.autoregressive.model import ARConfig, ARModule
from adlkit.train.estimator import DensityEstimator, as_rows, torch_generator


class _ARBase(DensityEstimator):
    _kind = ""

    def _config(self, dim: int) -> ARConfig:  # pragma: no cover - every model defines it
        raise NotImplementedError

    def fit(self, X: Any, X_val: Any = None) -> _ARBase:
        """Train on 0/1 rows X (n_samples, D); early stopping on ``X_val``; returns self."""
        from adlkit.train import TrainConfig, fit

        Xt = as_rows(X, torch.float32, binary=True)
        Xv = None if X_val is None else as_rows(X_val, torch.float32, Xt.shape[1], binary=True)
        torch.manual_seed(self.random_state)
        module = ARModule.from_config(self._config(Xt.shape[1]))
        cfg = TrainConfig(epochs=self.epochs, batch_size=self.batch_size, seed=self.random_state,
                          patience=self.patience if Xv is not None else None, max_steps=self.max_steps,
                          progress=self.progress)
        self.result_ = fit(module, Xt, Xv, cfg)
        self.module_ = module.eval()
        self.n_features_in_ = Xt.shape[1]
        return self

    def score_samples(self, X: Any) -> np.ndarray:
        """Exact log-likelihood log p(x) of each 0/1 row, nats."""
        self._check_fitted()
        Xt = as_rows(X, torch.float32, self.n_features_in_, binary=True)
        with torch.no_grad():
            return self.module_.log_prob(Xt).double().numpy()

    def sample(self, n_samples: int = 1, random_state: int | None = None) -> np.ndarray:
        """``n_samples`` 0/1 rows, each drawn one variable at a time in the ordering."""
        self._check_fitted()
        return self.module_.sample(int(n_samples), torch_generator(random_state)).double().numpy()

    def n_parameters(self) -> dict[str, int]:
        """:func:`~adlkit.autoregressive.layers.count_parameters` of the fitted module."""
        self._check_fitted()
        return count_parameters(self.module_)


class FVSBNEstimator(_ARBase):
    """Fully visible sigmoid belief net (logistic conditionals)."""

    _kind = "fvsbn"

    def __init__(self, ordering: Sequence[int] | None = None, lr: float = 1e-2, weight_decay: float = 0.0,
                 epochs: int = 500, batch_size: int = 128, max_steps: int | None = None, patience: int | None = 20,
                 random_state: int = 0, progress: bool = False):
        self.ordering = ordering
        self.lr = lr
        self.weight_decay = weight_decay
        self.epochs = epochs
        self.batch_size = batch_size
        self.max_steps = max_steps
        self.patience = patience
        self.random_state = random_state
        self.progress = progress

    def _config(self, dim: int) -> ARConfig:
        return ARConfig("fvsbn", dim, ordering=None if self.ordering is None else list(self.ordering), lr=self.lr,
                        weight_decay=self.weight_decay, seed=self.random_state)


class MADEEstimator(_ARBase):
    """MADE: masked MLP (ReLU), hidden degrees ``cyclic`` or ``random``."""

    _kind = "made"

    def __init__(self, hidden: Sequence[int] = (512,), ordering: Sequence[int] | None = None, degrees: str = "cyclic",
                 lr: float = 1e-3, weight_decay: float = 0.0, epochs: int = 500, batch_size: int = 128,
                 max_steps: int | None = None, patience: int | None = 20, random_state: int = 0,
                 progress: bool = False):
        self.hidden = hidden
        self.ordering = ordering
        self.degrees = degrees
        self.lr = lr
        self.weight_decay = weight_decay
        self.epochs = epochs
        self.batch_size = batch_size
        self.max_steps = max_steps
        self.patience = patience
        self.random_state = random_state
        self.progress = progress

    def _config(self, dim: int) -> ARConfig:
        return ARConfig("made", dim, ordering=None if self.ordering is None else list(self.ordering),
                        hidden=tuple(int(h) for h in self.hidden), degrees=self.degrees, seed=self.random_state,
                        lr=self.lr, weight_decay=self.weight_decay)


class PixelCNNEstimator(_ARBase):
    """PixelCNN on binary images of ``image_shape`` (raster order)."""

    _kind = "pixelcnn"

    def __init__(self, image_shape: Sequence[int] = (8, 8), channels: int = 32, kernel: int = 5, layers: int = 4,
                 lr: float = 1e-3, weight_decay: float = 0.0, epochs: int = 500, batch_size: int = 128,
                 max_steps: int | None = None, patience: int | None = 20, random_state: int = 0,
                 progress: bool = False):
        self.image_shape = image_shape
        self.channels = channels
        self.kernel = kernel
        self.layers = layers
        self.lr = lr
        self.weight_decay = weight_decay
        self.epochs = epochs
        self.batch_size = batch_size
        self.max_steps = max_steps
        self.patience = patience
        self.random_state = random_state
        self.progress = progress

    def _config(self, dim: int) -> ARConfig:
        return ARConfig("pixelcnn", dim, image_shape=tuple(int(s) for s in self.image_shape), channels=self.channels,
                        kernel=self.kernel, layers=self.layers, lr=self.lr, weight_decay=self.weight_decay,
                        seed=self.random_state)
