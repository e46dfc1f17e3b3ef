r"""A noise-conditional score network (NCSN, Song and Ermon, 2019) with annealed Langevin sampling.

Noise levels :math:`\sigma_1 > \dots > \sigma_L` (geometric). The network is
:math:`s_\theta(x, \sigma) = \mathrm{MLP}(x, \log\sigma)/\sigma` (the score of the noised data
has scale :math:`1/\sigma`). Training: denoising score matching at a random level per example,
weighted by :math:`\sigma^2` (:func:`adlkit.ebm.dsm.dsm_target`, :func:`adlkit.ebm.dsm.dsm_loss`,
the code of the ``dsm`` problem type). Sampling: for each level i, T steps of

.. math:: x \leftarrow x + \tfrac{\alpha_i}{2} s_\theta(x, \sigma_i) + \sqrt{\alpha_i}\,z,\qquad \alpha_i = r\,\sigma_i^2

(Song and Ermon's :math:`\alpha_i = \epsilon\,\sigma_i^2/\sigma_L^2` with :math:`r = \epsilon/\sigma_L^2`;
their :math:`\epsilon = 2\times10^{-5}`, :math:`\sigma_L = 0.01` is r = 0.2, the default here),

through :func:`adlkit.ebm.langevin.langevin_update` (the step of the ``langevin_step`` problem
type), then one denoising step :math:`x + \sigma_L^2 s_\theta(x, \sigma_L)` (Tweedie's formula).
Evaluation and sampling use an exponential moving average of the weights (decay ``ema``, Song and
Ermon, 2020): the last Adam iterate of a score network is noisy enough to move the samples' mode
weights.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from adlkit.ebm.dsm import dsm_loss, dsm_target
from adlkit.ebm.langevin import langevin_update
from adlkit.networks import mlp
from adlkit.train.ema import ema_copy, update_ema
from adlkit.train.estimator import TorchEstimator, as_rows, torch_generator


@dataclass
class ScoreConfig:
    dim: int
    hidden: tuple[int, ...] = (128, 128, 128)
    sigma_max: float = 1.0
    sigma_min: float = 0.01
    n_sigmas: int = 10
    lr: float = 1e-3
    ema: float = 0.999

    def __post_init__(self) -> None:
        self.hidden = tuple(int(h) for h in self.hidden)
        if not 0 < self.sigma_min < self.sigma_max or self.n_sigmas < 2 or not self.lr > 0 or not 0 <= self.ema < 1:
            raise ValueError("need 0 < sigma_min < sigma_max, n_sigmas >= 2, lr > 0 and 0 <= ema < 1")


class ScoreModule(nn.Module):
    """The noise-conditional score network as a model of :func:`adlkit.train.fit` (standardised
    data)."""

    def __init__(self, dim: int, **arguments: Any):
        super().__init__()
        self.config = c = ScoreConfig(dim=dim, **arguments)
        self.net = mlp([c.dim + 1, *c.hidden, c.dim], activation="silu")
        self.ema_net = ema_copy(self.net)
        self.steps_done = 0
        sig = torch.exp(torch.linspace(math.log(c.sigma_max), math.log(c.sigma_min), c.n_sigmas))
        self.register_buffer("sigmas", sig)
        self.register_buffer("loc", torch.zeros(c.dim))
        self.register_buffer("scale", torch.ones(c.dim))

    def get_config(self) -> dict[str, Any]:
        d = asdict(self.config)
        d.pop("dim")
        return {"dim": self.config.dim, **d, "hidden": list(self.config.hidden)}

    def score(self, x: Tensor, sigma: Tensor) -> Tensor:
        """s(x, sigma) in standardised units; ``sigma`` (N,) or a number."""
        sigma = torch.as_tensor(sigma, dtype=x.dtype).expand(x.shape[0])
        net = self.net if self.training else self.ema_net
        return net(torch.cat([x, torch.log(sigma)[:, None]], 1)) / sigma[:, None]

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"adam": torch.optim.Adam(self.net.parameters(), lr=self.config.lr)}

    def _loss(self, u: Tensor, generator: torch.Generator | None = None) -> Tensor:
        idx = torch.randint(0, self.sigmas.numel(), (u.shape[0],), generator=generator)
        sigma = self.sigmas[idx]
        noisy = u + sigma[:, None] * torch.randn(u.shape, generator=generator, dtype=u.dtype)
        target = dsm_target(u, noisy, sigma[:, None])
        return dsm_loss(self.score(noisy, sigma), target, 1.0, "none") * sigma**2  # sigma^2 weighting per example

    def train_step(self, batch: Tensor, ctx) -> dict[str, float]:
        opt = ctx.optimizers["adam"]
        opt.zero_grad(set_to_none=True)
        loss = self._loss((batch - self.loc) / self.scale).mean()
        ctx.backward(loss)
        opt.step()
        decay = min(self.config.ema, (1 + self.steps_done) / (10 + self.steps_done))  # warm-up of the average
        self.steps_done += 1
        update_ema(self.ema_net, self.net, decay)
        return {"loss": float(loss.detach())}

    def eval_loss(self, batch: Tensor) -> float:
        """The sigma^2-weighted DSM loss of the averaged weights, on fixed noise."""
        with torch.no_grad():
            return float(self._loss((batch - self.loc) / self.scale, torch.Generator().manual_seed(0)).mean())

    @torch.no_grad()
    def sample(self, n: int, steps_per_level: int = 100, step_ratio: float = 0.2, denoise: bool = True,
               generator: torch.Generator | None = None) -> Tensor:
        """Annealed Langevin from uniform starts on [-3, 3]^d (standardised), in data units."""
        dt = self.sigmas.dtype
        x = 6 * torch.rand(n, self.config.dim, generator=generator, dtype=dt) - 3
        sig_l = float(self.sigmas[-1])
        for s in self.sigmas.tolist():
            alpha = step_ratio * s**2
            for _ in range(steps_per_level):
                z = torch.randn(x.shape, generator=generator, dtype=dt)
                x = langevin_update(x, self.score(x, torch.tensor(s, dtype=dt)), alpha, z)
        if denoise:
            x = x + sig_l**2 * self.score(x, torch.tensor(sig_l, dtype=dt))
        return x * self.scale + self.loc


class ScoreModel(TorchEstimator):
    """Noise-conditional score model, a scikit-learn style estimator: ``fit(X, X_val=None)``
    trains with :func:`adlkit.train.fit`; ``sample(n)`` by annealed Langevin dynamics."""

    def __init__(self, hidden: Sequence[int] = (128, 128, 128), sigma_max: float = 1.0, sigma_min: float = 0.01,
                 n_sigmas: int = 10, lr: float = 1e-3, ema: float = 0.999, epochs: int = 200, batch_size: int = 256,
                 patience: int | None = None, max_steps: int | None = None, random_state: int = 0,
                 progress: bool = False):
        self.hidden = hidden
        self.sigma_max = sigma_max
        self.sigma_min = sigma_min
        self.n_sigmas = n_sigmas
        self.lr = lr
        self.ema = ema
        self.epochs = epochs
        self.batch_size = batch_size
        self.patience = patience
        self.max_steps = max_steps
        self.random_state = random_state
        self.progress = progress

    def fit(self, X: Any, X_val: Any = None) -> ScoreModel:
        from adlkit.train import TrainConfig, fit

        Xt = as_rows(X, torch.float32)
        Xv = None if X_val is None else as_rows(X_val, torch.float32, Xt.shape[1])
        torch.manual_seed(self.random_state)
        module = ScoreModule(Xt.shape[1], hidden=tuple(self.hidden), sigma_max=self.sigma_max,
                             sigma_min=self.sigma_min, n_sigmas=self.n_sigmas, lr=self.lr, ema=self.ema)
        module.loc.copy_(Xt.mean(0))
        module.scale.copy_(Xt.std(0))
        cfg = TrainConfig(epochs=self.epochs, batch_size=self.batch_size, seed=self.random_state, patience=self.patience,
                          max_steps=self.max_steps, progress=self.progress, restore_best=Xv is not None)
        t0 = time.perf_counter()
        self.result_ = fit(module, Xt, Xv, cfg)
        self.fit_seconds_ = time.perf_counter() - t0
        self.module_ = module.eval()
        self.n_features_in_ = Xt.shape[1]
        return self

    def sample(self, n_samples: int = 1, random_state: int | None = None, steps_per_level: int = 100,
               step_ratio: float = 0.2) -> np.ndarray:
        self._check_fitted()
        g = torch_generator(self.random_state if random_state is None else random_state)
        return self.module_.sample(n_samples, steps_per_level, step_ratio, generator=g).numpy()


def wasserstein1(x: np.ndarray, y: np.ndarray) -> float:
    """Exact W1 (POT's network simplex) between two equal-weight point clouds."""
    import ot

    M = ot.dist(np.asarray(x, np.float64), np.asarray(y, np.float64), metric="euclidean")
    return float(ot.emd2(np.full(len(x), 1 / len(x)), np.full(len(y), 1 / len(y)), M, numItermax=10_000_000))


def evaluate_toy(name: str, seed: int = 0, n: int = 2000, quick: bool = False, **settings: Any) -> dict[str, Any]:
    """Train on toy ``name`` (data units), sample n points, exact W1 to n held-out test points,
    next to the floor: W1 between n validation and n test points."""
    from adlkit.data.registry import toy_part

    X = toy_part(name, "train", 10_000, seed)
    est = ScoreModel(random_state=seed, **({"epochs": 20} if quick else {}), **settings).fit(X)
    test, val = toy_part(name, "test", n, seed), toy_part(name, "val", n, seed)
    samples = est.sample(n, random_state=seed)
    w1, floor = wasserstein1(samples, test), wasserstein1(val, test)
    return {"data": name, "w1": w1, "w1_floor": floor, "ratio": w1 / floor, "seconds": est.fit_seconds_,
            "steps": est.result_.history[-1]["step"] if est.result_.history else 0, "samples": samples, "model": est}
