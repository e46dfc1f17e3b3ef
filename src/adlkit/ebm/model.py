r"""Energy-based density models on 1-D and 2-D data.

Density :math:`p(x) = e^{-E(x)}/Z` with an MLP energy plus a Gaussian confining term, in the
standardised coordinates :math:`u = (x - m)/s` of the training data:

.. math::

    E_u(u) = \mathrm{MLP}(u) + \frac{\|u\|^2}{2 b^2}, \qquad
    \log p(x) = -E_u(u) - \log Z_u - \sum_j \log s_j,\qquad Z_u = \int e^{-E_u(u)}\,du.

The confining term (``base_std`` b) makes :math:`Z_u` finite whatever the network does, so
that quadrature on a box and annealed importance sampling from :math:`\mathcal N(0, b^2 I)`
estimate the same number. Log-densities are in nats, in the data's own units.

Training (``method``):

- ``"cd"``: persistent contrastive divergence. Negative samples come from a replay buffer of
  persistent Langevin chains (Du and Mordatch, 2019): each step takes a batch from the buffer
  (a fraction ``reinit_prob`` restarted uniformly in the data's box), runs ``langevin_steps``
  steps of Langevin dynamics (Metropolis-adjusted with ``metropolis=True``), writes the chains
  back, and descends
  :math:`\overline{E(x^+)} - \overline{E(x^-)} + \alpha\,(\overline{\mathrm{MLP}(x^+)^2} + \overline{\mathrm{MLP}(x^-)^2})`
  (means over the batch).
- ``"dsm"``: denoising score matching (Vincent, 2011) with noise ``dsm_sigma``: minimise
  :math:`\tfrac12\,\mathbb E\,\|\varepsilon - \sigma\nabla_u E_u(u + \sigma\varepsilon)\|^2` (sum over
  dimensions, mean over the batch). It learns the score of the data convolved with
  :math:`\mathcal N(0,\sigma^2 I)`; :math:`Z` still comes from quadrature or AIS.

Two objects: :class:`EBMModule` (``torch.nn.Module``, the :mod:`adlkit.train` interface) and
:class:`EBM` (scikit-learn style estimator).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from adlkit.core.config import ModelConfig
from adlkit.ebm.dsm import dsm_loss, dsm_target
from adlkit.ebm.langevin import langevin
from adlkit.networks import mlp
from adlkit.train.estimator import DensityEstimator, as_rows, torch_generator

METHODS = ("cd", "dsm")


class EnergyMLP(nn.Module):
    """MLP energy :math:`\\mathbb R^d \\to \\mathbb R`, (N, d) -> (N,), with SiLU activations
    (smooth, so Langevin gradients are well defined); built by :func:`adlkit.networks.mlp`."""

    def __init__(self, dim: int, hidden: Sequence[int] = (128, 128, 128)):
        super().__init__()
        self.net = mlp([dim, *hidden, 1], "silu")

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).squeeze(-1)


@dataclass
class EBMConfig(ModelConfig):
    """The arguments of :class:`EBMModule`, checked and normalised (stored in checkpoints).

    Args:
        dim: data dimension.
        hidden: hidden widths of the energy MLP.
        method: "cd" (persistent contrastive divergence) or "dsm" (denoising score matching).
        base_std: std b of the Gaussian confining term, in standardised units.
        lr: Adam learning rate.
        langevin_steps, step_size, noise_scale, metropolis: the CD sampler (standardised units).
        buffer_size, reinit_prob: the replay buffer of persistent chains.
        alpha: weight of the energy-magnitude regulariser of CD.
        dsm_sigma: noise level of denoising score matching (standardised units).
        box_margin: half-width added around the data's range (standardised units) for the
            uniform restarts of the chains and, with ``quad_halfwidth``, the quadrature box.
        quad_halfwidth: the quadrature box is ``[-quad_halfwidth, quad_halfwidth]^dim`` in
            standardised units; ``quad_points`` grid points per axis (trapezoid rule).
    """

    dim: int
    hidden: Sequence[int] = (128, 128, 128)
    method: str = "cd"
    base_std: float = 1.5
    lr: float = 1e-3
    langevin_steps: int = 20
    step_size: float = 2e-3
    noise_scale: float = 1.0
    metropolis: bool = True
    buffer_size: int = 10000
    reinit_prob: float = 0.05
    alpha: float = 0.01
    dsm_sigma: float = 0.1
    box_margin: float = 0.5
    quad_halfwidth: float = 6.0
    quad_points: int = 401

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        if self.dim < 1:
            raise ValueError(f"dim must be >= 1, got {self.dim}")
        for name in ("base_std", "step_size", "dsm_sigma"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        if self.buffer_size < 1 or not 0 <= self.reinit_prob <= 1 or self.langevin_steps < 1:
            raise ValueError("need buffer_size >= 1, 0 <= reinit_prob <= 1, langevin_steps >= 1")
        for name in ("dim", "langevin_steps", "buffer_size", "quad_points"):
            setattr(self, name, int(getattr(self, name)))
        for name in ("base_std", "lr", "step_size", "noise_scale", "reinit_prob", "alpha", "dsm_sigma",
                     "box_margin", "quad_halfwidth"):
            setattr(self, name, float(getattr(self, name)))
        self.hidden = tuple(int(h) for h in self.hidden)
        self.metropolis = bool(self.metropolis)


class EBMModule(nn.Module):
    """The EBM module (input (N, dim), dim 1 or 2 for quadrature; AIS works in any dim).

    ``EBMModule(dim, **arguments)``: the arguments are those of :class:`EBMConfig`, kept as
    ``config``.
    """

    def __init__(self, dim: int, **arguments: Any):
        super().__init__()
        self.config = c = EBMConfig(dim=dim, **arguments)
        self.dim = c.dim
        self.net = EnergyMLP(c.dim, c.hidden)
        self.register_buffer("loc", torch.zeros(c.dim))
        self.register_buffer("scale", torch.ones(c.dim))
        self.register_buffer("box_lo", -3 * torch.ones(c.dim))
        self.register_buffer("box_hi", 3 * torch.ones(c.dim))
        self.register_buffer("buffer", self._uniform_in_box(c.buffer_size))
        self.register_buffer("steps_done", torch.zeros((), dtype=torch.long))
        self._log_z_cache: tuple[int, float] | None = None

    # -- energies and densities -----------------------------------------------------------
    @torch.no_grad()
    def set_standardization(self, loc: Tensor, scale: Tensor, lo: Tensor, hi: Tensor) -> None:
        """Fix the data's mean/std and its box (min/max), all in data units."""
        dt = self.loc.dtype
        self.loc.copy_(torch.as_tensor(loc, dtype=dt))
        self.scale.copy_(torch.as_tensor(scale, dtype=dt).clamp_min(1e-12))
        m = self.config.box_margin
        self.box_lo.copy_((torch.as_tensor(lo, dtype=dt) - self.loc) / self.scale - m)
        self.box_hi.copy_((torch.as_tensor(hi, dtype=dt) - self.loc) / self.scale + m)
        self.buffer.copy_(self._uniform_in_box(self.buffer.shape[0]))

    def standardize(self, x: Tensor) -> Tensor:
        return (x - self.loc) / self.scale

    def energy_u(self, u: Tensor) -> Tensor:
        """:math:`E_u(u) = \\mathrm{MLP}(u) + \\|u\\|^2/(2b^2)` in standardised coordinates, (N,)."""
        b = self.config.base_std
        return self.net(u) + 0.5 * (u * u).sum(-1) / b**2

    def energy(self, x: Tensor) -> Tensor:
        """E(x) in data coordinates, (N,) (the same number as :meth:`energy_u` of u)."""
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"expected input of shape (N, {self.dim}), got {tuple(x.shape)}")
        return self.energy_u(self.standardize(x))

    def quadrature_bounds(self) -> list[tuple[float, float]]:
        h = self.config.quad_halfwidth
        return [(-h, h)] * self.dim

    def log_z_quadrature(self, n: int | None = None) -> float:
        """:math:`\\log Z_u` by the midpoint rule on the quadrature box (dim 1 or 2)."""
        from adlkit.ebm.quadrature import log_partition

        n = self.config.quad_points if n is None else int(n)
        if self.dim > 2:
            raise ValueError(f"quadrature is for 1-D and 2-D models; this one is {self.dim}-D: use AIS")
        dt = self.loc.dtype
        return log_partition(lambda u: self.energy_u(u.to(dt)), self.quadrature_bounds(), n)

    def log_z_ais(self, **kwargs: Any):
        """AIS estimate of :math:`\\log Z_u` (an :class:`~adlkit.ebm.ais.AISResult`) from N(0, b^2 I)."""
        from adlkit.ebm.ais import ais_log_partition

        dt = self.loc.dtype
        kwargs.setdefault("base_std", self.config.base_std)
        return ais_log_partition(lambda u: self.energy_u(u.to(dt)).to(torch.float64), self.dim, **kwargs)

    def log_prob(self, x: Tensor, log_z_u: float) -> Tensor:
        """:math:`\\log p(x) = -E(x) - \\log Z_u - \\sum_j\\log s_j` in nats, data units."""
        return -self.energy(x) - log_z_u - torch.log(self.scale).sum()

    # -- sampling -------------------------------------------------------------------------
    def _uniform_in_box(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        r = torch.rand(n, self.dim, generator=generator, dtype=self.loc.dtype)
        return self.box_lo + (self.box_hi - self.box_lo) * r

    def sample_u(self, n: int, n_steps: int = 500, step_size: float | None = None,
                 metropolis: bool | None = None, generator: torch.Generator | None = None) -> tuple[Tensor, float]:
        """Langevin chains from uniform starts in the box, in standardised coordinates."""
        c = self.config
        u0 = self._uniform_in_box(n, generator)
        return langevin(self.energy_u, u0, n_steps, c.step_size if step_size is None else step_size,
                        1.0, c.metropolis if metropolis is None else metropolis, generator)

    @torch.no_grad()
    def sample(self, n: int, n_steps: int = 500, generator: torch.Generator | None = None) -> Tensor:
        """Draw n samples (n, dim) in data units by Metropolis-adjusted Langevin."""
        u, _ = self.sample_u(n, n_steps, metropolis=True, generator=generator)
        return u * self.scale + self.loc

    # -- the adlkit.train interface -------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (JSON-safe), stored in checkpoints."""
        return self.config.as_dict()

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"adam": torch.optim.Adam(self.net.parameters(), lr=self.config.lr)}

    def _negatives(self, n: int) -> tuple[Tensor, Tensor, float]:
        c = self.config
        idx = torch.randint(0, self.buffer.shape[0], (n,))
        u0 = self.buffer[idx]
        fresh = torch.rand(n) < c.reinit_prob
        u0 = torch.where(fresh[:, None], self._uniform_in_box(n), u0)
        u, acc = langevin(self.energy_u, u0, c.langevin_steps, c.step_size, c.noise_scale, c.metropolis)
        return u, idx, acc

    def train_step(self, batch: Tensor, ctx) -> dict[str, float]:
        """One Adam step of persistent CD or of denoising score matching on ``batch`` (data units)."""
        c = self.config
        opt = ctx.optimizers["adam"]
        u_pos = self.standardize(batch)
        if c.method == "cd":
            u_neg, idx, acc = self._negatives(batch.shape[0])
            with torch.no_grad():
                self.buffer[idx] = u_neg
            opt.zero_grad(set_to_none=True)
            f_pos, f_neg = self.net(u_pos), self.net(u_neg)
            b2 = c.base_std ** 2
            e_pos = f_pos + 0.5 * (u_pos * u_pos).sum(-1) / b2
            e_neg = f_neg + 0.5 * (u_neg * u_neg).sum(-1) / b2
            cd = e_pos.mean() - e_neg.mean()
            loss = cd + c.alpha * (f_pos.pow(2).mean() + f_neg.pow(2).mean())
            ctx.backward(loss)
            opt.step()
            metrics = {"loss": loss.item(), "cd": cd.item(), "acceptance": acc}
        else:
            sigma = c.dsm_sigma
            eps = torch.randn_like(u_pos)
            noisy = (u_pos + sigma * eps).requires_grad_(True)
            opt.zero_grad(set_to_none=True)
            (grad,) = torch.autograd.grad(self.energy_u(noisy).sum(), noisy, create_graph=True)
            # the model's score is -dE/du; sigma^2-weighted DSM = 1/2 ||eps - sigma dE/du||^2
            loss = dsm_loss(-grad, dsm_target(u_pos, noisy, sigma), sigma, "sigma2").mean()
            ctx.backward(loss)
            opt.step()
            metrics = {"loss": loss.item()}
        self.steps_done += 1
        return metrics

    def eval_loss(self, batch: Tensor) -> float:
        """Held-out negative log-likelihood per example, with Z by quadrature (1-D/2-D; cached
        per training step). For more dimensions: the mean energy (not a likelihood)."""
        if self.dim > 2:
            return float(self.energy(batch).mean())
        step = int(self.steps_done)
        if self._log_z_cache is None or self._log_z_cache[0] != step:
            self._log_z_cache = (step, self.log_z_quadrature(min(201, self.config.quad_points)))
        return float(-self.log_prob(batch, self._log_z_cache[1]).mean())


class EBM(DensityEstimator):
    """Energy-based density model, a scikit-learn estimator (the maths: :mod:`adlkit.ebm.model`).

    ``__init__`` only stores the hyperparameters: those of :class:`EBMConfig` (same defaults),
    ``log_z_method`` and the training settings of :class:`adlkit.train.TrainConfig`.
    ``fit(X, X_val=None)`` trains with :func:`adlkit.train.fit` (early stopping on the
    held-out NLL with Z by quadrature when ``X_val`` is given), then estimates
    :math:`\\log Z` (``log_z_method``: "quadrature" for 1-D/2-D, or "ais").
    ``score_samples(X)`` is the normalised log-density in nats; ``score(X)`` its mean;
    ``sample`` draws by Metropolis-adjusted Langevin; ``energy(X)`` is E(x).

    Learned attributes: ``module_`` (:class:`EBMModule`), ``result_``, ``n_features_in_``,
    ``log_z_`` (:math:`\\log Z_u` used by ``score_samples``), ``log_z_method_``.
    """

    def __init__(
        self,
        hidden: Sequence[int] = EBMConfig.hidden,
        method: str = EBMConfig.method,
        base_std: float = EBMConfig.base_std,
        lr: float = EBMConfig.lr,
        langevin_steps: int = EBMConfig.langevin_steps,
        step_size: float = EBMConfig.step_size,
        noise_scale: float = EBMConfig.noise_scale,
        metropolis: bool = EBMConfig.metropolis,
        buffer_size: int = EBMConfig.buffer_size,
        reinit_prob: float = EBMConfig.reinit_prob,
        alpha: float = EBMConfig.alpha,
        dsm_sigma: float = EBMConfig.dsm_sigma,
        box_margin: float = EBMConfig.box_margin,
        quad_halfwidth: float = EBMConfig.quad_halfwidth,
        quad_points: int = EBMConfig.quad_points,
        log_z_method: str = "auto",
        epochs: int = 100,
        batch_size: int = 256,
        patience: int | None = 15,
        max_steps: int | None = None,
        random_state: int = 0,
        dtype: str = "float32",
        checkpoint_dir: str | None = None,
        progress: bool = False,
    ):
        self.hidden = hidden
        self.method = method
        self.base_std = base_std
        self.lr = lr
        self.langevin_steps = langevin_steps
        self.step_size = step_size
        self.noise_scale = noise_scale
        self.metropolis = metropolis
        self.buffer_size = buffer_size
        self.reinit_prob = reinit_prob
        self.alpha = alpha
        self.dsm_sigma = dsm_sigma
        self.box_margin = box_margin
        self.quad_halfwidth = quad_halfwidth
        self.quad_points = quad_points
        self.log_z_method = log_z_method
        self.epochs = epochs
        self.batch_size = batch_size
        self.patience = patience
        self.max_steps = max_steps
        self.random_state = random_state
        self.dtype = dtype
        self.checkpoint_dir = checkpoint_dir
        self.progress = progress

    #: the hyperparameters that are :class:`EBMConfig`'s (all but ``dim``)
    _MODULE_ARGS = tuple(f.name for f in fields(EBMConfig) if f.name != "dim")

    @property
    def _torch_dtype(self) -> torch.dtype:
        from adlkit.core.dtypes import torch_dtype

        return torch_dtype(self.dtype)

    def fit(self, X: Any, X_val: Any = None, resume: bool = False) -> EBM:
        """Train on X (n_samples, n_features), then estimate log Z; returns self."""
        from adlkit.train import TrainConfig, fit

        if self.log_z_method not in ("auto", "quadrature", "ais"):
            raise ValueError(f"log_z_method must be 'auto', 'quadrature' or 'ais', got {self.log_z_method!r}")
        dt = self._torch_dtype
        Xt = as_rows(X, dt)
        Xv = None if X_val is None else as_rows(X_val, dt, Xt.shape[1])
        torch.manual_seed(self.random_state)
        module = EBMModule(Xt.shape[1], **{k: getattr(self, k) for k in self._MODULE_ARGS}).to(dt)
        module.set_standardization(Xt.mean(0), Xt.std(0), Xt.min(0).values, Xt.max(0).values)
        cfg = TrainConfig(
            epochs=self.epochs, batch_size=self.batch_size, seed=self.random_state,
            patience=self.patience, max_steps=self.max_steps, checkpoint_dir=self.checkpoint_dir,
            resume=resume, progress=self.progress,
        )
        self.result_ = fit(module, Xt, Xv, cfg)
        self.module_ = module.eval()
        self.n_features_in_ = Xt.shape[1]
        self.estimate_log_z(self.log_z_method)
        return self

    @classmethod
    def from_module(cls, module: EBMModule, log_z_method: str = "auto") -> EBM:
        """Wrap a trained (e.g. loaded) :class:`EBMModule`; estimates log Z."""
        c = module.config
        est = cls(**{k: getattr(c, k) for k in cls._MODULE_ARGS}, log_z_method=log_z_method)
        est.dtype = "float64" if module.loc.dtype == torch.float64 else "float32"
        est.module_, est.n_features_in_ = module.eval(), c.dim
        est.estimate_log_z(log_z_method)
        return est

    def estimate_log_z(self, method: str = "auto", **ais_kwargs: Any) -> float:
        """Set ``log_z_`` (standardised space) by "quadrature" (1-D/2-D), "ais", or "auto"."""
        self._check_fitted()
        if method == "auto":
            method = "quadrature" if self.n_features_in_ <= 2 else "ais"
        if method == "quadrature":
            self.log_z_ = self.module_.log_z_quadrature()
            self.ais_ = None
        elif method == "ais":
            g = torch.Generator().manual_seed(self.random_state)
            self.ais_ = self.module_.log_z_ais(generator=g, **ais_kwargs)
            self.log_z_ = self.ais_.log_z
        else:
            raise ValueError(f"method must be 'auto', 'quadrature' or 'ais', got {method!r}")
        self.log_z_method_ = method
        return self.log_z_

    def energy(self, X: Any) -> np.ndarray:
        """E(x) per row."""
        self._check_fitted()
        Xt = as_rows(X, self._torch_dtype, self.n_features_in_)
        with torch.no_grad():
            return self.module_.energy(Xt).numpy()

    def score_samples(self, X: Any) -> np.ndarray:
        """Normalised log-density per row in nats (data units), with Z from ``log_z_``."""
        self._check_fitted()
        Xt = as_rows(X, self._torch_dtype, self.n_features_in_)
        with torch.no_grad():
            return self.module_.log_prob(Xt, self.log_z_).to(torch.float64).numpy()

    def sample(self, n_samples: int = 1, random_state: int | None = None, n_steps: int = 500) -> np.ndarray:
        """Draw ``n_samples`` rows by Metropolis-adjusted Langevin from uniform starts."""
        self._check_fitted()
        g = torch_generator(random_state)
        return self.module_.sample(int(n_samples), n_steps, generator=g).numpy()
