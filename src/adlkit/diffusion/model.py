r"""Denoising diffusion models (Ho et al. 2020) trained with :math:`L_{simple}`, sampled by
DDPM (ancestral) or DDIM (strided, eta), and scored by the variational bound.

Everything about the schedule and the steps is :mod:`adlkit.diffusion.schedule` -- the same
functions the solver's ``diffusion_forward``, ``ddpm_posterior``, ``ddpm_step`` and
``ddim_step`` call. Here: the noise networks and the training/evaluation around them.

- :class:`EpsMLP`: epsilon network for 2-D toys: an MLP (:func:`adlkit.networks.mlp`) on
  ``[x, emb(t)]``, emb the sinusoidal time embedding of Vaswani et al.
- :class:`EpsConv`: a small convolutional epsilon network for 8x8 images (four 3x3 convolutions,
  the time embedding added to the channels after the first two).
- :class:`DiffusionModule`: the :mod:`adlkit.train` interface (``train_step`` = one Adam step of
  :math:`L_{simple} = \mathbb E\|\epsilon - \epsilon_\theta(x_t, t)\|^2`, mean over coordinates).
- :class:`Diffusion`: the scikit-learn estimator (``fit``, ``sample``, ``score_samples``).

**The bound** (``DiffusionModule.bound``, nats per row): :math:`L_T + \sum_{t=2}^T L_{t-1} + L_0`
with one draw of :math:`x_t \sim q(x_t | x_0)` per t (an unbiased estimate of the bound; every
term in closed form): :math:`L_T = KL(q(x_T|x_0)\|N(0, I))`; :math:`L_{t-1}` the KL between the
posterior and the model step :math:`N(\mu_\theta, \sigma_t^2 I)`, sigma_t^2 the posterior variance
or beta_t (``variance``); :math:`L_0 = -\log p_\theta(x_0 | x_1)` with
:math:`p_\theta(x_0|x_1) = N(\mu_\theta(x_1), \beta_1 I)`:

- ``data="continuous"``: the Gaussian density at x_0 (a bound on a continuous density);
- ``data="binary"``: 0/1 pixels are coded as -1/+1 and the decoder is *discretized* (Ho et al.
  2020, eq. 13, with two bins split at 0): :math:`P(x_0 = \pm1) = \Phi(\pm\mu_\theta/\sqrt{\beta_1})`,
  a probability, so the bound is an upper bound on the NLL of the discrete data (bits/dim =
  nats / (64 ln 2)).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from adlkit.core.config import ModelConfig
from adlkit.diffusion.schedule import (
    Schedule,
    ddim_step,
    ddpm_step,
    posterior,
    q_sample,
    strided_timesteps,
    x0_from_eps,
)
from adlkit.networks import mlp
from adlkit.train.ema import ema_copy, ema_decay, update_ema
from adlkit.train.estimator import DensityEstimator, as_rows, torch_generator
from adlkit.train.schedules import decay_linearly, updates_done

SAMPLERS = ("ddpm", "ddim")
NETWORKS = ("mlp", "conv")
DATA_KINDS = ("continuous", "binary")
LR_DECAYS = ("none", "linear")  # Diffusion.lr_decay: constant, or linear to 0 over the run


def sinusoidal_embedding(t: Tensor, dim: int, max_period: float = 10_000.0) -> Tensor:
    """(N,) step numbers -> (N, dim): [cos(t w_k), sin(t w_k)], w_k = max_period^(-k/(dim/2))."""
    half = dim // 2
    w = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float64) / half).to(t.device)
    a = t.to(torch.float64)[:, None] * w[None]
    emb = torch.cat([torch.cos(a), torch.sin(a)], dim=1)
    if dim % 2:
        emb = torch.cat([emb, torch.zeros_like(emb[:, :1])], dim=1)
    return emb


class TimeEmbedding(nn.Module):
    """t (N,) integer steps -> :func:`sinusoidal_embedding` (N, dim) in ``dtype``.

    With ``steps`` = T the values for t = 0..T are tabulated once and looked up (t outside
    0..T is an error): the same numbers, without the cos/sin of every call. The table is
    float64 and no parameter or buffer (``.float()`` leaves it alone; it is not in the state
    dict). Without ``steps`` the values are computed."""

    def __init__(self, dim: int, steps: int | None = None):
        super().__init__()
        self.dim = int(dim)
        self.table = None if steps is None else sinusoidal_embedding(torch.arange(int(steps) + 1), self.dim)

    def forward(self, t: Tensor, dtype: torch.dtype) -> Tensor:
        if self.table is None:
            return sinusoidal_embedding(t, self.dim).to(dtype)
        if self.table.device != t.device:
            self.table = self.table.to(t.device)
        return self.table.index_select(0, t).to(dtype)


class EpsMLP(nn.Module):
    """epsilon_theta(x, t) = MLP([x, emb(t)]) for vectors (N, dim); SiLU activations. ``steps``:
    tabulate the time embedding for t = 0..steps (:class:`TimeEmbedding`; the same function)."""

    def __init__(self, dim: int, hidden: Sequence[int] = (128, 128, 128), emb_dim: int = 32,
                 steps: int | None = None):
        super().__init__()
        self.emb_dim = int(emb_dim)
        self.embed = TimeEmbedding(self.emb_dim, steps)
        self.net = mlp([dim + self.emb_dim, *hidden, dim], activation="silu")

    def forward(self, x: Tensor, t: Tensor) -> Tensor:
        return self.net(torch.cat([x, self.embed(t, x.dtype)], dim=1))


class EpsConv(nn.Module):
    """epsilon_theta for (N, H*W) one-channel images: four 3x3 convolutions ('same' padding) with
    SiLU, the time embedding (through an MLP) added to the channels after the first two."""

    def __init__(self, image_shape: Sequence[int] = (8, 8), channels: int = 64, emb_dim: int = 32,
                 steps: int | None = None):
        super().__init__()
        self.image_shape = tuple(int(s) for s in image_shape)
        self.emb_dim = int(emb_dim)
        self.embed = TimeEmbedding(self.emb_dim, steps)
        c = int(channels)
        self.time = mlp([self.emb_dim, c, 2 * c], activation="silu")
        self.c1 = nn.Conv2d(1, c, 3, padding=1)
        self.c2 = nn.Conv2d(c, c, 3, padding=1)
        self.c3 = nn.Conv2d(c, c, 3, padding=1)
        self.c4 = nn.Conv2d(c, 1, 3, padding=1)
        self.act = nn.SiLU()
        self.channels = c

    def forward(self, x: Tensor, t: Tensor) -> Tensor:
        n = x.shape[0]
        e = self.time(self.embed(t, x.dtype))
        e1, e2 = e[:, : self.channels, None, None], e[:, self.channels:, None, None]
        h = x.reshape(n, 1, *self.image_shape)
        h = self.act(self.c1(h) + e1)
        h = self.act(self.c2(h) + e2)
        h = self.act(self.c3(h))
        return self.c4(h).reshape(n, -1)


@dataclass
class DiffusionConfig(ModelConfig):
    dim: int = 2
    network: str = "mlp"
    hidden: tuple[int, ...] = (128, 128, 128)
    channels: int = 64
    emb_dim: int = 32
    image_shape: tuple[int, ...] = (8, 8)
    steps: int = 1000
    schedule: str = "linear"
    beta_start: float = 1e-4
    beta_end: float = 0.02
    cosine_s: float = 0.008
    data: str = "continuous"
    lr: float = 1e-3
    lr_decay_steps: int | None = None
    ema_decay: float | None = None

    def __post_init__(self) -> None:
        if self.ema_decay is not None:
            self.ema_decay = float(self.ema_decay)
            if not 0.0 <= self.ema_decay < 1.0:
                raise ValueError(f"ema_decay must be in [0, 1) or None, got {self.ema_decay}")
        if self.lr_decay_steps is not None:
            self.lr_decay_steps = int(self.lr_decay_steps)
            if self.lr_decay_steps < 1:
                raise ValueError(f"lr_decay_steps must be >= 1 or None, got {self.lr_decay_steps}")
        self.hidden = tuple(int(h) for h in self.hidden)
        self.image_shape = tuple(int(s) for s in self.image_shape)
        for name, value, options in (("network", self.network, NETWORKS), ("schedule", self.schedule, ("linear", "cosine")),
                                     ("data", self.data, DATA_KINDS)):
            if value not in options:
                raise ValueError(f"{name} must be one of {', '.join(options)}, got {value!r}")
        if self.network == "conv" and math.prod(self.image_shape) != self.dim:
            raise ValueError(f"the conv network needs dim = {math.prod(self.image_shape)} (image_shape {self.image_shape}), got {self.dim}")

    def make_schedule(self) -> Schedule:
        if self.schedule == "linear":
            return Schedule.linear(self.beta_start, self.beta_end, self.steps)
        return Schedule.cosine(self.steps, self.cosine_s)


class DiffusionModule(nn.Module):
    """A DDPM with an epsilon network; ``DiffusionModule(dim, **arguments)`` with the arguments
    of :class:`DiffusionConfig`. Inputs are rows (N, dim) in model space (binary data already
    coded as -1/+1: :meth:`encode`)."""

    def __init__(self, dim: int, **arguments: Any):
        super().__init__()
        self.config = c = DiffusionConfig(dim=dim, **arguments)
        self.dim = c.dim
        self.schedule = c.make_schedule()
        self.net = (EpsMLP(c.dim, c.hidden, c.emb_dim, c.steps) if c.network == "mlp"
                    else EpsConv(c.image_shape, c.channels, c.emb_dim, c.steps))
        # the moving average of net's weights that samples and scores (None: net itself)
        self.ema = None if c.ema_decay is None else ema_copy(self.net)
        # alpha_bar_0..alpha_bar_T (float64 values, cast with the module), and q(x_t | x_0)'s
        # coefficients sqrt(alpha_bar_t), sqrt(1 - alpha_bar_t) per t (q_sample's, tabulated for
        # the batched training step: a gather instead of two square roots per batch)
        ab = torch.as_tensor(self.schedule.alpha_bars)
        self.register_buffer("alpha_bars", ab)
        mean, std, _ = q_sample(torch.ones_like(ab), torch.zeros_like(ab), ab)
        self.register_buffer("q_coefficients", torch.stack([mean, std], 1), persistent=False)

    # -- coding of the data ---------------------------------------------------------------
    def encode(self, x: Tensor) -> Tensor:
        return 2 * x - 1 if self.config.data == "binary" else x

    def decode(self, x: Tensor) -> Tensor:
        return ((x + 1) / 2).clamp(0, 1) if self.config.data == "binary" else x

    @property
    def denoiser(self) -> nn.Module:
        """The network that samples and scores: the EMA of the weights when ``ema_decay`` is set,
        else the trained network."""
        return self.net if self.ema is None else self.ema

    def eps(self, x: Tensor, t: int | Tensor) -> Tensor:
        if not torch.is_tensor(t):
            t = torch.full((x.shape[0],), int(t), dtype=torch.long)
        return self.denoiser(x, t)

    # -- the adlkit.train interface -------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        return self.config.as_dict()

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        # the fused kernel: one update of all parameters instead of a loop of small tensor ops
        return {"adam": torch.optim.Adam(self.net.parameters(), lr=self.config.lr, fused=True)}

    def simple_loss(self, x0: Tensor, generator: torch.Generator | None = None, net: nn.Module | None = None) -> Tensor:
        """L_simple: t ~ U{1..T}, eps ~ N(0, I), mean over rows and coordinates of (eps - eps_theta)^2;
        x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps (:func:`q_sample`'s coefficients, tabulated)."""
        n = x0.shape[0]
        t = torch.randint(1, self.config.steps + 1, (n,), generator=generator)
        eps = torch.randn(x0.shape, generator=generator, dtype=x0.dtype)
        c = self.q_coefficients.index_select(0, t).to(x0.dtype)
        xt = torch.addcmul(c[:, :1] * x0, c[:, 1:], eps)
        return F.mse_loss((self.net if net is None else net)(xt, t), eps)

    def train_step(self, batch: Tensor, ctx) -> dict[str, float]:
        opt = ctx.optimizers["adam"]
        if self.config.lr_decay_steps is not None:  # update k runs at lr (1 - k / lr_decay_steps)
            decay_linearly([opt], self.config.lr, self.config.lr_decay_steps, clock=opt)
        opt.zero_grad(set_to_none=True)
        loss = self.simple_loss(self.encode(batch))
        ctx.backward(loss)
        opt.step()
        if self.ema is not None:  # after update k: ema <- d_k ema + (1 - d_k) net
            update_ema(self.ema, self.net, ema_decay(updates_done(opt), self.config.ema_decay))
        return {"loss": loss.item()}

    @torch.no_grad()
    def eval_loss(self, batch: Tensor) -> float:
        """Held-out L_simple of :attr:`denoiser` with fixed draws of t and eps (comparable from epoch
        to epoch)."""
        return float(self.simple_loss(self.encode(batch), torch.Generator().manual_seed(0), self.denoiser))

    # -- sampling -------------------------------------------------------------------------
    @torch.no_grad()
    def sample(self, n: int, steps: int | None = None, sampler: str = "ddpm", eta: float = 0.0,
               variance: str = "beta", generator: torch.Generator | None = None,
               trajectory: bool = False, spacing: str = "leading") -> Tensor | tuple[Tensor, list[tuple[int, Tensor]]]:
        """n rows in model space. ``ddpm``: all T ancestral steps (``steps`` must be None or T);
        ``ddim``: ``steps`` strided steps (default 50) with ``eta``, visiting the time steps of
        ``spacing`` (:func:`strided_timesteps`: leading or trailing). With ``trajectory``, also
        the list of (t, x_t) visited (x_T first, x_0 last)."""
        s, T = self.schedule, self.config.steps
        dt = self.alpha_bars.dtype
        x = torch.randn(n, self.dim, generator=generator, dtype=dt)
        path: list[tuple[int, Tensor]] = [(T, x.clone())]
        if sampler == "ddpm":
            if steps not in (None, T):
                raise ValueError(f"the DDPM sampler takes all T = {T} steps; use sampler='ddim' for {steps}")
            for t in range(T, 0, -1):
                z = torch.randn(x.shape, generator=generator, dtype=dt) if t > 1 else torch.zeros_like(x)
                _, _, _, x = ddpm_step(x, self.eps(x, t), s.alpha_bar(t), s.alpha_bar(t - 1), s.alpha(t),
                                       z=z, variance=variance, last=t == 1)
                if trajectory:
                    path.append((t - 1, x.clone()))
        elif sampler == "ddim":
            ts = strided_timesteps(T, 50 if steps is None else int(steps), spacing)
            for i, t in enumerate(ts):
                tp = ts[i + 1] if i + 1 < len(ts) else 0
                z = torch.randn(x.shape, generator=generator, dtype=dt) if eta > 0 else 0.0
                _, _, _, x = ddim_step(x, s.alpha_bar(t), s.alpha_bar(tp), eps_pred=self.eps(x, t), eta=eta, z=z)
                if trajectory:
                    path.append((tp, x.clone()))
        else:
            raise ValueError(f"sampler must be one of {', '.join(SAMPLERS)}, got {sampler!r}")
        return (x, path) if trajectory else x

    # -- the variational bound ------------------------------------------------------------
    @torch.no_grad()
    def bound(self, x0: Tensor, generator: torch.Generator | None = None, variance: str = "beta") -> Tensor:
        """The variational bound -ELBO per row in nats (module docstring), x0 in model space;
        the model's steps have sigma_t^2 = the posterior variance (``posterior``) or beta_t."""
        if variance not in ("posterior", "beta"):
            raise ValueError(f"variance must be posterior or beta, got {variance!r}")
        s, T = self.schedule, self.config.steps
        ab_T = s.alpha_bar(T)
        total = 0.5 * (ab_T * x0.pow(2) + (1 - ab_T) - 1 - math.log(1 - ab_T)).sum(1)  # L_T
        for t in range(2, T + 1):
            ab, abp, a = s.alpha_bar(t), s.alpha_bar(t - 1), s.alpha(t)
            eps = torch.randn(x0.shape, generator=generator, dtype=x0.dtype)
            _, _, xt = q_sample(x0, eps, ab)
            mean_q, var, _, _ = posterior(x0, xt, ab, abp, a)
            mean_p, _, _, _ = posterior(x0_from_eps(xt, self.eps(xt, t), ab), xt, ab, abp, a)
            vp = var if variance == "posterior" else 1 - a
            # KL(N(mean_q, var I) || N(mean_p, vp I)), per coordinate, summed
            total = total + 0.5 * (math.log(vp / var) + (var + (mean_q - mean_p).pow(2)) / vp - 1).sum(1)
        eps = torch.randn(x0.shape, generator=generator, dtype=x0.dtype)
        _, _, x1 = q_sample(x0, eps, s.alpha_bar(1))
        mu = x0_from_eps(x1, self.eps(x1, 1), s.alpha_bar(1))  # the posterior mean at t = 1 is x0_pred
        sd = math.sqrt(s.beta(1))
        if self.config.data == "binary":
            total = total - torch.special.log_ndtr(x0 * mu / sd).sum(1)  # P(x0 = +-1) = Phi(+-mu / sd)
        else:
            total = total + (0.5 * ((x0 - mu) / sd).pow(2) + math.log(sd) + 0.5 * math.log(2 * math.pi)).sum(1)
        return total


class Diffusion(DensityEstimator):
    """A denoising diffusion model, a scikit-learn estimator (the maths: :mod:`adlkit.diffusion.model`).

    ``fit(X, X_val=None)`` trains L_simple with :func:`adlkit.train.fit` (early stopping on the
    held-out L_simple when ``X_val`` is given). ``sample(n_samples, steps=None, sampler="ddpm",
    eta=0.0)`` draws rows in data space (``data="binary"``: in [0, 1]). ``score_samples(X)`` is
    minus the variational bound per row in nats: a LOWER bound on the log-likelihood (of the
    0/1 data under the discretized decoder when ``data="binary"``, of a density otherwise).
    ``network``: "mlp" (toys) or "conv" (images of ``image_shape``). ``lr_decay``: "linear" (the
    default) decays Adam's rate linearly from ``lr`` to 0 over the run (:meth:`decay_steps`; on
    8 Gaussians it halves the W1 of 4,000-step models, bench/RESULTS.md), "none" keeps it.
    ``ema_decay``: None (the default) samples and scores with the trained weights; D in [0, 1)
    with their exponential moving average (:mod:`adlkit.train.ema`, diffusers' ``EMAModel``
    update and warm-up). Learned: ``module_``,
    ``result_``, ``n_features_in_``.
    """

    def __init__(self, network: str = "mlp", hidden: Sequence[int] = (128, 128, 128), channels: int = 64,
                 emb_dim: int = 32, image_shape: Sequence[int] = (8, 8), steps: int = 1000, schedule: str = "linear",
                 beta_start: float = 1e-4, beta_end: float = 0.02, cosine_s: float = 0.008, data: str = "continuous",
                 lr: float = 1e-3, lr_decay: str = "linear", ema_decay: float | None = None, epochs: int = 100,
                 batch_size: int = 256, patience: int | None = None,
                 max_steps: int | None = None, max_seconds: float | None = None, random_state: int = 0,
                 checkpoint_dir: str | None = None, progress: bool = False):
        self.network = network
        self.hidden = hidden
        self.channels = channels
        self.emb_dim = emb_dim
        self.image_shape = image_shape
        self.steps = steps
        self.schedule = schedule
        self.beta_start = beta_start
        self.beta_end = beta_end
        self.cosine_s = cosine_s
        self.data = data
        self.lr = lr
        self.lr_decay = lr_decay
        self.ema_decay = ema_decay
        self.epochs = epochs
        self.batch_size = batch_size
        self.patience = patience
        self.max_steps = max_steps
        self.max_seconds = max_seconds
        self.random_state = random_state
        self.checkpoint_dir = checkpoint_dir
        self.progress = progress

    _MODULE_ARGS = tuple(f.name for f in fields(DiffusionConfig) if f.name not in ("dim", "lr_decay_steps"))

    def decay_steps(self, X: Tensor) -> int | None:
        """The training steps the linear decay spans (``lr_decay="linear"``) on the rows ``X``:
        the run's length, min(``max_steps``, ``epochs`` x the loop's batches per epoch); None for
        ``"none"``. A run stopped earlier (early stopping, ``max_seconds``) ends before lr reaches 0."""
        from adlkit.train import TensorBatches

        if self.lr_decay not in LR_DECAYS:
            raise ValueError(f"lr_decay must be one of {', '.join(LR_DECAYS)}, got {self.lr_decay!r}")
        if self.lr_decay == "none":
            return None
        steps = int(self.epochs) * len(TensorBatches(X, int(self.batch_size)))
        return max(1, steps if self.max_steps is None else min(steps, int(self.max_steps)))

    def fit(self, X: Any, X_val: Any = None, resume: bool = False) -> Diffusion:
        from adlkit.train import TrainConfig, fit

        binary = self.data == "binary"
        Xt = as_rows(X, torch.float32, binary=binary)
        Xv = None if X_val is None else as_rows(X_val, torch.float32, Xt.shape[1], binary=binary)
        torch.manual_seed(self.random_state)
        module = DiffusionModule(Xt.shape[1], **{k: getattr(self, k) for k in self._MODULE_ARGS},
                                 lr_decay_steps=self.decay_steps(Xt)).float()
        cfg = TrainConfig(epochs=self.epochs, batch_size=self.batch_size, seed=self.random_state,
                          patience=self.patience, max_steps=self.max_steps, max_seconds=self.max_seconds,
                          checkpoint_dir=self.checkpoint_dir, resume=resume, progress=self.progress)
        self.result_ = fit(module, Xt, Xv, cfg)
        self.module_ = module.eval()
        self.n_features_in_ = Xt.shape[1]
        return self

    @classmethod
    def from_module(cls, module: DiffusionModule) -> Diffusion:
        c = module.config
        est = cls(**{k: getattr(c, k) for k in cls._MODULE_ARGS}, lr_decay="none" if c.lr_decay_steps is None else "linear",
                  max_steps=c.lr_decay_steps)
        est.module_, est.n_features_in_ = module.eval(), c.dim
        return est

    def sample(self, n_samples: int = 1, steps: int | None = None, sampler: str = "ddpm", eta: float = 0.0,
               random_state: int | None = None, spacing: str = "leading") -> np.ndarray:
        self._check_fitted()
        x = self.module_.sample(int(n_samples), steps, sampler, eta, generator=torch_generator(random_state),
                                spacing=spacing)
        return self.module_.decode(x).to(torch.float64).numpy()

    def bound(self, X: Any, random_state: int | None = 0, batch_size: int = 512, variance: str = "beta") -> np.ndarray:
        """The variational bound (-ELBO) per row in nats (``variance``: the reverse steps' sigma_t^2,
        the posterior variance or beta_t)."""
        self._check_fitted()
        Xt = as_rows(X, torch.float32, self.n_features_in_, binary=self.data == "binary")
        g = torch_generator(random_state)
        return np.concatenate([self.module_.bound(self.module_.encode(b), g, variance).to(torch.float64).numpy()
                               for b in Xt.split(batch_size)])

    def score_samples(self, X: Any) -> np.ndarray:
        """Minus the variational bound per row in nats: a lower bound on log p(x)."""
        return -self.bound(X)


def evaluate_digits(seed: int = 0, quick: bool = False, max_seconds: float | None = None,
                    steps: int | None = None, timesteps: int = 1000, lr_decay: str = "linear") -> dict[str, Any]:
    """The diffusion row of the digits likelihood table: a conv DDPM with ``timesteps`` = T
    trained on ``density_split("digits")``'s binarized train split (held-out L_simple on val for
    early stopping; ``quick``: 32 channels, 15 epochs; ``steps`` caps the training steps and
    ``max_seconds`` the training time; ``lr_decay`` as :class:`Diffusion`'s: linear by default,
    which lowered the test bound from 41.32 to 38.48 nats in one run of 2,700 steps, bench/RESULTS.md), scored by the variational bound with the discretized
    decoder on the test split. The reverse variance of the bound (sigma_t^2 = beta_t or the
    posterior variance) is the one with the smaller bound on the VALIDATION split
    (``val_bounds``), never chosen on the test split.

    What the number is: an upper bound on -log P(x) of the 0/1 test images (a probability of the
    discrete pixels, so >= 0 per image), ``test_ll`` its mean with the sign flipped and
    ``test_ll_per_image`` the per-image values (nats; bits/dim = nats / (64 ln 2)). It compares
    with the other rows of ``adlkit compare --data digits`` (exact or bounded log P of the same
    0/1 pixels, the dequantized flow's row included: its density less 64 log 2 bounds log P(x)),
    not with a flow's bits/dim on the 17-level pixels."""
    import time

    from adlkit.data.registry import density_split

    split = density_split("digits", seed)
    est = Diffusion(network="conv", data="binary", channels=32 if quick else 64, steps=int(timesteps),
                    epochs=15 if quick else 300, batch_size=128, lr=2e-3, lr_decay=lr_decay,
                    patience=None if quick else 40,
                    max_steps=steps, max_seconds=max_seconds, random_state=seed)
    t0 = time.perf_counter()
    est.fit(split.train, split.val)
    seconds = time.perf_counter() - t0
    val = {v: float(est.bound(split.val, random_state=seed, variance=v).mean()) for v in ("beta", "posterior")}
    variance = min(val, key=val.get)
    nll = est.bound(split.test, random_state=seed + 1, variance=variance)
    samples = est.sample(100, steps=min(50, int(timesteps)), sampler="ddim", random_state=seed)
    n_params = sum(p.numel() for p in est.module_.parameters())
    return {"model": f"DDPM (conv eps-net, T={int(timesteps)})", "test_ll": -float(nll.mean()), "test_ll_per_image": -nll,
            "how": f"variational bound (upper bound on the NLL), discretized decoder on 0/1 pixels, sigma_t^2 = {variance}",
            "parameters": int(n_params), "seconds": seconds, "samples": samples, "val_bounds": val,
            "steps": est.result_.steps}
