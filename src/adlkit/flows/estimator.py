"""RealNVP as a scikit-learn estimator: :class:`RealNVP` trains a
:class:`~adlkit.flows.realnvp.RealNVPFlow` through :func:`adlkit.train.fit`.

Kept apart from the module so that the flows' layers load without scikit-learn (the worked
solutions use them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

import numpy as np
import torch

from adlkit.core.dtypes import torch_dtype
from adlkit.flows.realnvp import RealNVPConfig, RealNVPFlow
from adlkit.train.estimator import DensityEstimator, as_rows, torch_generator

#: The hyperparameters of :class:`RealNVP` that go to :class:`RealNVPConfig` (all its fields but ``dim``).
MODULE_PARAMS = tuple(f.name for f in fields(RealNVPConfig) if f.name != "dim")


class RealNVP(DensityEstimator):
    """RealNVP density estimator, a scikit-learn estimator.

    ``__init__`` only stores the hyperparameters (``sklearn.base.clone`` and ``GridSearchCV``
    work). ``fit(X, X_val=None)`` trains with :func:`adlkit.train.fit` (early stopping on
    ``X_val`` when given); ``score_samples(X)`` is log p(x) per row in nats; ``score(X)`` its
    mean; ``sample(n_samples, random_state)`` returns an (n_samples, D) array. Data are float32
    by default (``dtype="float64"`` on request). The flow's hyperparameters are the fields of
    :class:`RealNVPConfig`; ``epochs``, ``batch_size``, ``patience``, ``max_steps`` and
    ``random_state`` (an int: the initialisation and the batches) go to the loop.

    Learned attributes: ``module_`` (the :class:`RealNVPFlow`), ``result_`` (the loop's
    :class:`~adlkit.train.TrainResult`), ``n_features_in_``.
    """

    def __init__(
        self,
        n_couplings: int = 8,
        hidden: Sequence[int] = (64, 64),
        mask: str = "alternate",
        image_shape: Sequence[int] | None = None,
        scale_clamp: float | None = 5.0,
        actnorm: bool = False,
        logit_alpha: float | None = None,
        standardize: bool = False,
        lr: float = 1e-3,
        weight_decay: float = 0.0,
        epochs: int = 100,
        batch_size: int = 256,
        patience: int | None = 10,
        max_steps: int | None = None,
        random_state: int = 0,
        dtype: str = "float32",
        checkpoint_dir: str | None = None,
        progress: bool = False,
    ):
        self.n_couplings = n_couplings
        self.hidden = hidden
        self.mask = mask
        self.image_shape = image_shape
        self.scale_clamp = scale_clamp
        self.actnorm = actnorm
        self.logit_alpha = logit_alpha
        self.standardize = standardize
        self.lr = lr
        self.weight_decay = weight_decay
        self.epochs = epochs
        self.batch_size = batch_size
        self.patience = patience
        self.max_steps = max_steps
        self.random_state = random_state
        self.dtype = dtype
        self.checkpoint_dir = checkpoint_dir
        self.progress = progress

    def fit(self, X: Any, X_val: Any = None, transform=None, resume: bool = False) -> RealNVP:
        """Train on X (n_samples, n_features), early-stopping on ``X_val`` when given; returns
        self. ``transform`` is applied to every training batch (e.g. dequantisation);
        ``resume``: continue from ``checkpoint_dir/last.pt``."""
        from adlkit.train import TrainConfig, fit

        dt = torch_dtype(self.dtype)
        Xt = as_rows(X, dt)
        Xv = None if X_val is None else as_rows(X_val, dt, Xt.shape[1])
        config = RealNVPConfig(dim=Xt.shape[1], **{k: getattr(self, k) for k in MODULE_PARAMS})
        torch.manual_seed(self.random_state)
        flow = RealNVPFlow.from_config(config).to(dt)
        if self.standardize:
            flow.set_standardization(Xt.mean(0), Xt.std(0))
        cfg = TrainConfig(
            epochs=self.epochs, batch_size=self.batch_size, seed=self.random_state, patience=self.patience,
            max_steps=self.max_steps, checkpoint_dir=self.checkpoint_dir, resume=resume,
            progress=self.progress,
        )
        self.result_ = fit(flow, Xt, Xv, cfg, transform=transform)
        self.module_ = flow.eval()
        self.n_features_in_ = Xt.shape[1]
        return self

    @torch.no_grad()
    def score_samples(self, X: Any, batch_size: int = 4096) -> np.ndarray:
        """log p(x) in nats for each row of X, shape (n_samples,)."""
        self._check_fitted()
        Xt = as_rows(X, torch_dtype(self.dtype), self.n_features_in_)
        out = [self.module_.log_prob(Xt[i : i + batch_size]) for i in range(0, Xt.shape[0], batch_size)]
        return torch.cat(out).numpy()

    def sample(self, n_samples: int = 1, random_state: int | None = None) -> np.ndarray:
        """Draw ``n_samples`` rows, shape (n_samples, n_features); ``random_state`` (an int)
        makes the draw reproducible, None draws fresh noise."""
        self._check_fitted()
        return self.module_.sample(int(n_samples), generator=torch_generator(random_state)).numpy()

    @classmethod
    def from_module(cls, module: RealNVPFlow) -> RealNVP:
        """Wrap a trained (e.g. loaded) :class:`RealNVPFlow` as a fitted estimator whose
        hyperparameters are the module's config."""
        c = module.config
        dtype = "float64" if next(module.parameters()).dtype == torch.float64 else "float32"
        est = cls(**{k: getattr(c, k) for k in MODULE_PARAMS}, dtype=dtype)
        est.module_, est.n_features_in_ = module.eval(), c.dim
        return est
