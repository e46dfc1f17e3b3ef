r"""Annealed importance sampling (Neal, 2001) for the partition function of an energy.

Target :math:`f(x) = e^{-E(x)}`, :math:`Z = \int f`; base :math:`\pi_0 = \mathcal N(0, s^2 I)`
(normalised). The geometric path :math:`\log f_\beta = (1-\beta)\log\pi_0 + \beta\log f`,
:math:`0=\beta_0<\dots<\beta_T=1`, and per chain

.. math::

    \log w = \sum_{t=1}^T (\beta_t - \beta_{t-1})\,\big(\log f(x_{t-1}) - \log\pi_0(x_{t-1})\big),
    \qquad x_0\sim\pi_0,\; x_t \sim K_t(\cdot\mid x_{t-1}),

where :math:`K_t` leaves :math:`f_{\beta_t}` invariant (here: Metropolis-adjusted Langevin, so
the estimator is unbiased for :math:`Z`). :math:`\hat Z = \frac1M\sum_m w_m`; its log is a
consistent estimate of :math:`\log Z`, biased low by about half the relative variance of
:math:`\hat Z`. The returned standard error is the delta-method one,
:math:`\operatorname{sd}(w)/(\bar w\sqrt M)`.

Works in any dimension: the general estimator, checked against quadrature
(:mod:`adlkit.ebm.quadrature`) where both apply.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from adlkit.ebm.langevin import energy_and_grad

EnergyFn = Callable[[Tensor], Tensor]


@dataclass
class AISResult:
    log_z: float
    stderr: float  # delta-method standard error of log Z
    log_weights: Tensor
    acceptance: float  # mean MALA acceptance over the run
    ess: float  # effective sample size of the final weights

    def __str__(self) -> str:
        return (f"log Z = {self.log_z:.4f} +- {self.stderr:.4f} (AIS, {self.log_weights.numel()} chains, "
                f"ESS {self.ess:.0f}, acceptance {self.acceptance:.2f})")


def sigmoid_schedule(n: int, rad: float = 4.0) -> Tensor:
    """Inverse temperatures 0 = beta_0 < ... < beta_n = 1, dense near both ends (Grosse et al., 2015)."""
    t = torch.sigmoid(torch.linspace(-rad, rad, n + 1, dtype=torch.float64))
    return (t - t[0]) / (t[-1] - t[0])


@torch.no_grad()
def ais_log_partition(
    energy: EnergyFn,
    dim: int,
    base_std: float = 1.0,
    n_chains: int = 1000,
    n_temps: int = 1000,
    n_steps: int = 1,
    step_size: float = 0.1,
    target_acceptance: float = 0.65,
    dtype: torch.dtype = torch.float64,
    generator: torch.Generator | None = None,
) -> AISResult:
    """AIS estimate of :math:`\\log\\int e^{-E(x)}dx` over :math:`\\mathbb R^{dim}`.

    ``energy`` maps (N, dim) to (N,). ``n_steps`` MALA steps per temperature; the step size is
    adapted between temperatures towards ``target_acceptance`` (it depends only on past
    states, so every transition still leaves its own :math:`f_\\beta` invariant).
    """
    if n_chains < 2 or n_temps < 1 or n_steps < 1 or not base_std > 0:
        raise ValueError("need n_chains >= 2, n_temps >= 1, n_steps >= 1, base_std > 0")
    betas = sigmoid_schedule(n_temps)
    s2 = base_std**2
    log_norm0 = 0.5 * dim * math.log(2 * math.pi * s2)

    def log_base(x: Tensor) -> Tensor:
        return -0.5 * (x * x).sum(-1) / s2 - log_norm0

    x = base_std * torch.randn(n_chains, dim, generator=generator, dtype=dtype)
    logw = torch.zeros(n_chains, dtype=torch.float64)
    eps = step_size
    acc_sum, acc_n = 0.0, 0
    for t in range(1, n_temps + 1):
        b0, b1 = float(betas[t - 1]), float(betas[t])
        e_x = energy(x).reshape(-1)
        logw += (b1 - b0) * (-e_x - log_base(x)).to(torch.float64)

        def u(y: Tensor, b: float = b1) -> Tensor:  # energy of f_beta (up to a constant)
            return (1 - b) * 0.5 * (y * y).sum(-1) / s2 + b * energy(y).reshape(-1)

        e, g = energy_and_grad(u, x)
        for _ in range(n_steps):
            noise = torch.randn(x.shape, generator=generator, dtype=dtype)
            prop = x - 0.5 * eps * g + math.sqrt(eps) * noise
            e_p, g_p = energy_and_grad(u, prop)
            fwd = ((prop - x + 0.5 * eps * g) ** 2).sum(-1)
            bwd = ((x - prop + 0.5 * eps * g_p) ** 2).sum(-1)
            log_alpha = -e_p + e - (bwd - fwd) / (2 * eps)
            acc = torch.log(torch.rand(n_chains, generator=generator, dtype=dtype)) < log_alpha
            x = torch.where(acc[:, None], prop, x)
            e = torch.where(acc, e_p, e)
            g = torch.where(acc[:, None], g_p, g)
            rate = float(acc.to(dtype).mean())
            acc_sum += rate
            acc_n += 1
            eps *= math.exp(0.5 * (rate - target_acceptance))
    log_z = float(torch.logsumexp(logw, 0)) - math.log(n_chains)
    w = torch.exp(logw - logw.max())
    ess = float(w.sum() ** 2 / (w * w).sum())
    stderr = float(w.std() / (w.mean() * math.sqrt(n_chains)))
    return AISResult(log_z, stderr, logw, acc_sum / max(acc_n, 1), ess)
