r"""Question 4B on a trained model: a discriminator trained on samples against the closed form.

Data :math:`p_{data} = \mathcal N(3, 2)` (variance 2) and a fixed "generator"
:math:`p_g = \mathcal N(4, 1)`. A small MLP discriminator is trained with the discriminator's
loss of :mod:`adlkit.gan.losses` on fresh samples of both every step (so it sees the densities,
not a finite data set), then compared on a grid with the sheet solver's
:math:`D^*(x) = p_{data}(x) / (p_{data}(x) + p_g(x))` (:mod:`adlkit.gan.optimal`).

Reported: the max and mean absolute gap :math:`|D(x) - D^*(x)|` on the **bulk** of the data
range -- between the 0.5 % and 99.5 % quantiles of the even mixture
:math:`(p_{data} + p_g) / 2`, where the discriminator sees data -- and over the wider plotted
range; and the value of the game :math:`V(D, G)` of the trained discriminator (a Monte Carlo
integral on a fine grid, by the trapezoidal rule) against
:math:`V(D^*, G) = -\log 4 + 2\,\mathrm{JSD}(p_{data}\|p_g)`, which no discriminator exceeds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from adlkit.gan import losses as L
from adlkit.gan.models import MLP


@dataclass
class DiscriminatorCheck:
    """Trained discriminator vs D*: grid (G,), both curves (G,), gaps, values (nats)."""

    grid: np.ndarray
    d_trained: np.ndarray
    d_star: np.ndarray
    bulk: tuple[float, float]
    max_gap_bulk: float
    mean_gap_bulk: float
    max_gap_all: float
    value_trained: float
    value_star: float
    info: dict = field(default_factory=dict)

    def summary(self) -> dict:
        return {"bulk": [round(v, 4) for v in self.bulk], "max_gap_bulk": self.max_gap_bulk,
                "mean_gap_bulk": self.mean_gap_bulk, "max_gap_plotted_range": self.max_gap_all,
                "value_trained": self.value_trained,
                "value_star": self.value_star, "value_gap": self.value_star - self.value_trained, **self.info}


def _normals(p_data: Sequence[float], p_g: Sequence[float]):
    from adlkit.divergences import Normal

    return Normal(*p_data), Normal(*p_g)


def mixture_quantiles(p_data, p_g, qs: Sequence[float]) -> list[float]:
    """Quantiles of the even mixture of two univariate Gaussians (``Normal``s), by root finding."""
    from scipy.optimize import brentq
    from scipy.stats import norm

    def cdf(x: float) -> float:
        return 0.5 * (norm.cdf(x, p_data.mean, p_data.std) + norm.cdf(x, p_g.mean, p_g.std))

    lo = min(p_data.mean - 12 * p_data.std, p_g.mean - 12 * p_g.std)
    hi = max(p_data.mean + 12 * p_data.std, p_g.mean + 12 * p_g.std)
    return [float(brentq(lambda x: cdf(x) - q, lo, hi, xtol=1e-12)) for q in qs]


class Discriminator1D(nn.Module):
    """A ReLU MLP on standardised 1-D inputs: x (N,) -> logit (N,); D(x) = sigmoid(logit)."""

    def __init__(self, loc: float, scale: float, hidden: Sequence[int] = (64, 64)):
        super().__init__()
        self.loc, self.scale = float(loc), float(scale)
        self.mlp = MLP(1, 1, hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(((x - self.loc) / self.scale).unsqueeze(1)).squeeze(1)


def train_discriminator(p_data=(3.0, 2.0), p_g=(4.0, 1.0), steps: int = 3000, batch_size: int = 2048,
                        lr: float = 2e-3, hidden: Sequence[int] = (64, 64), seed: int = 0,
                        progress: bool = False) -> Discriminator1D:
    """Train a discriminator on fresh samples of N(mean, VARIANCE) ``p_data`` vs ``p_g``; Adam
    with a cosine learning-rate decay to 0 (the last steps average out the sampling noise)."""
    pd, pg = _normals(p_data, p_g)
    torch.manual_seed(seed)
    mix_mean = 0.5 * (pd.mean + pg.mean)
    mix_std = math.sqrt(0.5 * (pd.var + pg.var) + 0.25 * (pd.mean - pg.mean) ** 2)
    D = Discriminator1D(mix_mean, mix_std, hidden)
    opt = torch.optim.Adam(D.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    from tqdm.auto import tqdm

    bar = tqdm(range(steps), desc="discriminator", disable=not progress, leave=False)
    for _ in bar:
        xr = pd.mean + pd.std * torch.randn(batch_size)
        xg = pg.mean + pg.std * torch.randn(batch_size)
        loss = L.discriminator_loss(D(xr), D(xg))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        bar.set_postfix(value=f"{-float(loss.detach()):.4f}")
    return D.eval()


def compare(d_fn: Callable[[np.ndarray], np.ndarray], p_data=(3.0, 2.0), p_g=(4.0, 1.0),
            logit_fn: Callable[[torch.Tensor], torch.Tensor] | None = None, n_grid: int = 801,
            n_quad: int = 200_001) -> DiscriminatorCheck:
    r"""Compare a discriminator ``d_fn`` (x (G,) -> D(x) (G,), probabilities) with D* of the
    sheet solver. The value of the game of the discriminator,
    :math:`V(D) = \int p_{data} \log D + p_g \log(1 - D)\,dx`, is integrated by the
    trapezoidal rule over +-12 standard deviations on ``n_quad`` points, from ``logit_fn``
    (x (N,) float32 -> logits, stable) or else from ``d_fn``."""
    from adlkit.gan.optimal import optimal_discriminator_at, value_at_optimum

    pd, pg = _normals(p_data, p_g)
    lo, hi, b_lo, b_hi = mixture_quantiles(pd, pg, [0.0005, 0.9995, 0.005, 0.995])
    grid = np.linspace(lo, hi, n_grid)
    d = np.asarray(d_fn(grid), dtype=np.float64)
    ds = np.asarray(optimal_discriminator_at(pd, pg, grid), dtype=np.float64)
    gap = np.abs(d - ds)
    in_bulk = (grid >= b_lo) & (grid <= b_hi)
    q = np.linspace(min(pd.mean - 12 * pd.std, pg.mean - 12 * pg.std),
                    max(pd.mean + 12 * pd.std, pg.mean + 12 * pg.std), n_quad)
    if logit_fn is not None:
        with torch.no_grad():
            a = logit_fn(torch.as_tensor(q, dtype=torch.float32)).double()
        log_d, log_1md = (-torch.nn.functional.softplus(-a)).numpy(), (-torch.nn.functional.softplus(a)).numpy()
    else:
        pq = np.clip(np.asarray(d_fn(q), dtype=np.float64), 1e-300, 1.0)
        log_d, log_1md = np.log(pq), np.log(np.clip(1.0 - pq, 1e-300, 1.0))
    integrand = pd.pdf(q) * log_d + pg.pdf(q) * log_1md
    value = float(np.sum(0.5 * (integrand[1:] + integrand[:-1]) * np.diff(q)))
    return DiscriminatorCheck(
        grid=grid, d_trained=d, d_star=ds, bulk=(b_lo, b_hi),
        max_gap_bulk=float(gap[in_bulk].max()), mean_gap_bulk=float(gap[in_bulk].mean()),
        max_gap_all=float(gap.max()),
        value_trained=value,
        value_star=float(value_at_optimum(pd, pg).total),
    )


def run(p_data=(3.0, 2.0), p_g=(4.0, 1.0), steps: int = 3000, seed: int = 0, progress: bool = False,
        **train_kwargs) -> DiscriminatorCheck:
    """Train (:func:`train_discriminator`) and :func:`compare`."""
    D = train_discriminator(p_data, p_g, steps=steps, seed=seed, progress=progress, **train_kwargs)

    def d_fn(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return torch.sigmoid(D(torch.as_tensor(x, dtype=torch.float32))).double().numpy()

    check = compare(d_fn, p_data, p_g, logit_fn=D)
    check.info = {"steps": steps, "seed": seed, "p_data": list(p_data), "p_g": list(p_g)}
    return check


def plot(check: DiscriminatorCheck, path: str | Path) -> Path:
    """D(x) and D*(x) over the grid, the bulk shaded, the gap on a second panel."""
    from adlkit.plotting import save, subplots

    fig, (a1, a2) = subplots(2, 1, figsize=(6, 5), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    a1.plot(check.grid, check.d_star, "k-", label="D*(x) (closed form)")
    a1.plot(check.grid, check.d_trained, "r--", label="trained D(x)")
    for ax in (a1, a2):
        ax.axvspan(*check.bulk, color="0.92", zorder=0)
    a1.set_ylabel("D(x)")
    a1.legend(fontsize=8)
    a1.set_title(f"data N{tuple(check.info.get('p_data', ()))}, generator N{tuple(check.info.get('p_g', ()))}"
                 f": max gap on bulk {check.max_gap_bulk:.3f}", fontsize=9)
    a2.plot(check.grid, np.abs(check.d_trained - check.d_star), "b-")
    a2.set_ylabel("|D - D*|")
    a2.set_xlabel("x")
    return save(fig, path)
