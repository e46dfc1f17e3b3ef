r"""The GAN as a scikit-learn estimator: :class:`GAN` around :class:`~adlkit.gan.models.GANModule`.

    >>> from adlkit.data import registry
    >>> X = registry.load("8gaussians", n_train=2000).train
    >>> gan = GAN("wgan-gp", hidden=(64, 64), iters=200).fit(X)   # doctest: +SKIP
    >>> gan.sample(5, random_state=0).shape                          # doctest: +SKIP
    (5, 2)

A GAN has no likelihood, so there is no ``score_samples``; :meth:`GAN.score` is minus the
exact W1 to the rows it is given (higher is better, as scikit-learn's model selection expects).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import check_array

from adlkit.gan.models import GANConfig
from adlkit.train.estimator import TorchEstimator, torch_generator

#: the hyperparameters that are :class:`~adlkit.gan.models.GANConfig`'s besides ``loss`` (the
#: estimator reads ``data_shape`` from X and records no target name)
_MODULE_ARGS = tuple(f.name for f in fields(GANConfig) if f.name not in ("loss", "data_shape", "target"))


def _rows(X: Any, what: str = "X") -> np.ndarray:
    """X as a finite numeric array (n_samples, ...) with at least one row and two axes."""
    return check_array(X, allow_nd=True, dtype="numeric", input_name=what)


class GAN(TorchEstimator):
    r"""A GAN, WGAN or WGAN-GP on rows of X (n_samples, *data_shape), scikit-learn style.

    ``__init__`` only stores the hyperparameters: ``loss`` and the network and optimiser
    arguments of :class:`~adlkit.gan.models.GANConfig` (same defaults: None for ``n_critic``,
    ``lr`` and ``betas`` picks the paper's values for the loss, :data:`adlkit.gan.models.DEFAULTS`),
    (``lr_decay_iters=iters`` decays both learning rates linearly to 0 over the run, as the
    25 Gaussians default of ``adlkit train gan`` does), then the training budget: ``iters`` generator iterations, each with ``n_critic`` critic
    updates on ``batch_size`` real rows apiece. ``random_state`` seeds the initial weights, the
    batches and the noise.

    ``fit(X, X_val=None)`` trains through :func:`adlkit.gan.trainer.train_gan` (the shared loop,
    what ``adlkit train gan`` runs). A GAN has no held-out loss to select on: the final weights
    are kept, and ``X_val`` only provides the held-out points of ``samples.png`` when
    ``checkpoint_dir`` is set (``best.pt``, ``last.pt``, ``snapshots.npz`` go there too).

    Learned attributes: ``module_`` (:class:`~adlkit.gan.models.GANModule`), ``run_`` (the
    :class:`~adlkit.gan.trainer.GANRun`: steps, training time, snapshots), ``data_shape_``.
    """

    def __init__(
        self,
        loss: str = GANConfig.loss,
        latent_dim: int = GANConfig.latent_dim,
        hidden: Sequence[int] = GANConfig.hidden,
        n_critic: int | None = GANConfig.n_critic,
        lr: float | None = GANConfig.lr,
        betas: Sequence[float] | None = GANConfig.betas,
        clip: float = GANConfig.clip,
        gp_lambda: float = GANConfig.gp_lambda,
        generator_loss: str = GANConfig.generator_loss,
        shift: float | Sequence[float] = GANConfig.shift,
        scale: float | Sequence[float] = GANConfig.scale,
        out_activation: str = GANConfig.out_activation,
        critic_norm: str = GANConfig.critic_norm,
        n_power_iterations: int = GANConfig.n_power_iterations,
        lr_decay_iters: int | None = GANConfig.lr_decay_iters,
        iters: int = 2000,
        batch_size: int = 256,
        random_state: int = 0,
        checkpoint_dir: str | None = None,
        progress: bool = False,
    ):
        self.loss = loss
        self.latent_dim = latent_dim
        self.hidden = hidden
        self.n_critic = n_critic
        self.lr = lr
        self.betas = betas
        self.clip = clip
        self.gp_lambda = gp_lambda
        self.generator_loss = generator_loss
        self.shift = shift
        self.scale = scale
        self.out_activation = out_activation
        self.critic_norm = critic_norm
        self.n_power_iterations = n_power_iterations
        self.lr_decay_iters = lr_decay_iters
        self.iters = iters
        self.batch_size = batch_size
        self.random_state = random_state
        self.checkpoint_dir = checkpoint_dir
        self.progress = progress

    def fit(self, X: Any, X_val: Any = None) -> GAN:
        """Train on the rows of X (n_samples, *data_shape); returns self."""
        from adlkit.gan.trainer import Data, train_gan

        x = _rows(X)
        xv = x if X_val is None else _rows(X_val, "X_val")
        if xv.shape[1:] != x.shape[1:]:
            raise ValueError(f"X_val rows have shape {xv.shape[1:]}, X rows {x.shape[1:]}")
        data = Data(None, torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(xv, dtype=torch.float32),
                    {"data_shape": list(x.shape[1:])})
        run = train_gan(self.loss, data, iters=self.iters, batch_size=self.batch_size, seed=self.random_state, out_dir=self.checkpoint_dir,
                        progress=self.progress, **{k: getattr(self, k) for k in _MODULE_ARGS})
        self.run_ = run
        self.module_ = run.model.eval()
        self.data_shape_ = tuple(x.shape[1:])
        return self

    def sample(self, n_samples: int = 1, random_state: int | None = None) -> np.ndarray:
        """``n_samples`` generated rows (n_samples, *data_shape), float32, in the data's units;
        the noise is drawn from ``random_state`` (None: a fresh seed)."""
        self._check_fitted()
        g = torch_generator(random_state)
        return self.module_.sample(int(n_samples), generator=g).numpy()

    def score(self, X: Any, y: Any = None) -> float:
        r"""Minus the exact Wasserstein-1 distance between ``len(X)`` generated rows (noise from
        ``random_state``, so the score is repeatable) and the rows of X, in the data's units
        (:func:`adlkit.gan.metrics.wasserstein1`, POT's exact solver, Euclidean ground cost).

        A GAN has no likelihood, so this is not a log-likelihood; it is negated so that higher
        is better, as ``GridSearchCV`` and ``cross_val_score`` maximise. Two finite samples of the
        same distribution are not at distance 0 (2,000 points of the 8 Gaussians: 0.10-0.13),
        so compare models on the same X. Cost O(n^3) in the rows: keep X to a few thousand.
        ``y`` is ignored.
        """
        from adlkit.gan.metrics import wasserstein1

        self._check_fitted()
        x = _rows(X)
        if x.shape[1:] != self.data_shape_:
            raise ValueError(f"X rows have shape {x.shape[1:]}, the model generates {self.data_shape_}")
        return -wasserstein1(self.sample(x.shape[0], random_state=self.random_state), x)
