"""The VAE as a scikit-learn estimator: :class:`VAE` trains a
:class:`~adlkit.vae.model.VAEModule` through :func:`adlkit.train.fit` and scores held-out data
by the IWAE bound (see :mod:`adlkit.vae.model` for the maths)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor

from adlkit.core.dtypes import torch_dtype
from adlkit.train.estimator import DensityEstimator, as_rows, torch_generator
from adlkit.vae.model import LIKELIHOODS, VAEConfig, VAEModule


class VAE(DensityEstimator):
    """Variational autoencoder, a scikit-learn estimator (see :mod:`adlkit.vae.model` for the maths).

    ``__init__`` only stores the hyperparameters (``sklearn.base.clone`` and ``GridSearchCV``
    work). ``fit(X, X_val=None)`` trains with :func:`adlkit.train.fit` (early stopping on the
    held-out negative ELBO when ``X_val`` is given); ``score_samples(X)`` is the
    importance-sampled log-likelihood (IWAE bound, ``n_importance`` samples) per row in nats,
    ``score(X)`` its mean; ``elbo(X)`` the ELBO; ``sample``, ``encode``, ``decode``.
    ``random_state`` (an int) seeds the initialisation, the batches, and the importance
    samples of ``score_samples``.

    ``likelihood="auto"`` picks Bernoulli for 0/1 data and Gaussian (learned per-dimension
    std) otherwise. ``warmup_epochs`` ramps the KL weight from 0 to ``beta``. The module's
    arguments go through :class:`VAEConfig`.

    Learned attributes: ``module_`` (:class:`VAEModule`), ``result_`` (the loop's
    :class:`~adlkit.train.TrainResult`), ``n_features_in_``, ``likelihood_``.
    """

    def __init__(
        self,
        latent_dim: int = 16,
        hidden: Sequence[int] = (256, 256),
        likelihood: str = "auto",
        decoder_std: float | None = None,
        beta: float = 1.0,
        warmup_epochs: int = 0,
        lr: float = 1e-3,
        epochs: int = 200,
        batch_size: int = 128,
        patience: int | None = 20,
        max_steps: int | None = None,
        n_importance: int = 5000,
        random_state: int = 0,
        dtype: str = "float32",
        image_shape: Sequence[int] | None = None,
        checkpoint_dir: str | None = None,
        progress: bool = False,
        architecture: str = "mlp",
        channels: Sequence[int] = (32, 64),
    ):
        self.latent_dim = latent_dim
        self.hidden = hidden
        self.likelihood = likelihood
        self.decoder_std = decoder_std
        self.beta = beta
        self.warmup_epochs = warmup_epochs
        self.lr = lr
        self.epochs = epochs
        self.batch_size = batch_size
        self.patience = patience
        self.max_steps = max_steps
        self.n_importance = n_importance
        self.random_state = random_state
        self.dtype = dtype
        self.image_shape = image_shape
        self.checkpoint_dir = checkpoint_dir
        self.progress = progress
        self.architecture = architecture
        self.channels = channels

    def _likelihood_for(self, X: np.ndarray) -> str:
        if self.likelihood == "auto":
            return "bernoulli" if np.isin(X, (0, 1)).all() else "gaussian"
        if self.likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood must be 'auto' or one of {LIKELIHOODS}, got {self.likelihood!r}")
        return self.likelihood

    def fit(self, X: Any, X_val: Any = None, resume: bool = False) -> VAE:
        """Train on X (n_samples, n_features), early-stopping on ``X_val`` when given; returns
        self. ``resume``: continue from ``checkpoint_dir/last.pt``."""
        from adlkit.train import TrainConfig, fit

        dt = torch_dtype(self.dtype)
        lik = self._likelihood_for(np.asarray(X))
        Xt = as_rows(X, dt, binary=lik == "bernoulli")
        Xv = None if X_val is None else as_rows(X_val, dt, Xt.shape[1], binary=lik == "bernoulli")
        n = Xt.shape[0]
        steps_per_epoch = max(1, n // min(self.batch_size, n))
        config = VAEConfig(
            dim=Xt.shape[1], latent_dim=self.latent_dim, hidden=self.hidden, likelihood=lik,
            decoder_std=self.decoder_std, beta=self.beta,
            warmup_steps=int(self.warmup_epochs) * steps_per_epoch, lr=self.lr, image_shape=self.image_shape,
            architecture=self.architecture, channels=self.channels,
        )
        torch.manual_seed(self.random_state)
        module = VAEModule.from_config(config).to(dt)
        cfg = TrainConfig(
            epochs=self.epochs, batch_size=self.batch_size, seed=self.random_state,
            patience=self.patience, max_steps=self.max_steps, checkpoint_dir=self.checkpoint_dir,
            resume=resume, progress=self.progress,
        )
        self.result_ = fit(module, Xt, Xv, cfg)
        self.module_ = module.eval()
        self.n_features_in_ = Xt.shape[1]
        self.likelihood_ = lik
        return self

    @classmethod
    def from_module(cls, module: VAEModule, n_importance: int = 5000, random_state: int = 0) -> VAE:
        """Wrap a trained (e.g. loaded) :class:`VAEModule` as a fitted estimator whose
        hyperparameters are the module's config."""
        c = module.config
        est = cls(latent_dim=c.latent_dim, hidden=c.hidden, likelihood=c.likelihood, decoder_std=c.decoder_std,
                  beta=c.beta, lr=c.lr, image_shape=c.image_shape, n_importance=n_importance,
                  architecture=c.architecture, channels=c.channels,
                  random_state=random_state,
                  dtype="float64" if next(module.parameters()).dtype == torch.float64 else "float32")
        est.module_, est.n_features_in_, est.likelihood_ = module.eval(), c.dim, c.likelihood
        return est

    def _X(self, X: Any) -> Tensor:
        self._check_fitted()
        return as_rows(X, torch_dtype(self.dtype), self.n_features_in_, binary=self.likelihood_ == "bernoulli")

    def score_samples(self, X: Any, k: int | None = None, random_state: int | None = None,
                      batch_size: int = 64) -> np.ndarray:
        """Importance-sampled log-likelihood (IWAE bound with k = ``n_importance``) per row, nats.

        Seeded by ``random_state`` (default: the estimator's) without touching the global RNG.
        """
        Xt = self._X(X)
        k = self.n_importance if k is None else int(k)
        with torch.random.fork_rng(), torch.no_grad():
            torch.manual_seed(self.random_state if random_state is None else int(random_state))
            out = [self.module_.iwae(Xt[i:i + batch_size], k) for i in range(0, Xt.shape[0], batch_size)]
        return torch.cat(out).numpy()

    def elbo(self, X: Any, random_state: int | None = None) -> np.ndarray:
        """One-sample ELBO per row, nats (its mean over many rows estimates the mean ELBO)."""
        Xt = self._X(X)
        with torch.random.fork_rng(), torch.no_grad():
            torch.manual_seed(self.random_state if random_state is None else int(random_state))
            return self.module_.elbo(Xt).numpy()

    def encode(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(mu, logvar)`` of q(z|x) for each row."""
        Xt = self._X(X)
        with torch.no_grad():
            mu, logvar = self.module_.encode(Xt)
        return mu.numpy(), logvar.numpy()

    def decode(self, Z: Any) -> np.ndarray:
        """Decoder mean for latent codes Z (n, latent_dim): pixel probabilities or Gaussian means."""
        self._check_fitted()
        Zt = torch.as_tensor(np.asarray(Z, dtype=np.float64), dtype=torch_dtype(self.dtype))
        if Zt.ndim != 2 or Zt.shape[1] != self.module_.latent_dim:
            raise ValueError(f"Z must have shape (n, {self.module_.latent_dim}), got {tuple(Zt.shape)}")
        with torch.no_grad():
            out, _ = self.module_.decode(Zt)
        return (torch.sigmoid(out) if self.likelihood_ == "bernoulli" else out).numpy()

    def sample(self, n_samples: int = 1, random_state: int | None = None, mean: bool = False) -> np.ndarray:
        """Draw ``n_samples`` rows from the model (``mean=True``: the decoder means)."""
        self._check_fitted()
        return self.module_.sample(int(n_samples), generator=torch_generator(random_state), mean=mean).numpy()
