r"""Langevin samplers for an energy :math:`E(x)`, target :math:`p(x) \propto e^{-E(x)}`.

Unadjusted Langevin (ULA), step size :math:`\epsilon`:

.. math:: x_{t+1} = x_t - \tfrac{\epsilon}{2}\nabla E(x_t) + \sqrt{\epsilon}\,\xi_t,\qquad \xi_t\sim\mathcal N(0, I).

Its stationary law is :math:`p` up to an :math:`O(\epsilon)` bias. The Metropolis-adjusted
version (MALA, Roberts and Tweedie, 1996) accepts the same proposal with probability
:math:`\min\big(1, \frac{p(x')\,q(x\mid x')}{p(x)\,q(x'\mid x)}\big)`, which makes :math:`p`
exactly invariant. ``noise_scale < 1`` gives the "decoupled" sampler used to train EBMs
(Du and Mordatch, 2019); it no longer targets :math:`p` and is off by default.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

EnergyFn = Callable[[Tensor], Tensor]


def energy_and_grad(energy: EnergyFn, x: Tensor) -> tuple[Tensor, Tensor]:
    """``(E(x), dE/dx)`` per row, without building a graph through the parameters."""
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        e = energy(x)
        (g,) = torch.autograd.grad(e.sum(), x)
    return e.detach(), g.detach()


FORMS = ("half", "full")


def langevin_update(x: Tensor, score: Tensor, step_size: float, noise: Tensor | float = 0.0,
                    form: str = "half") -> Tensor:
    r"""One Langevin update from ``x`` given the score :math:`\nabla_x \log p(x)` there and the
    standard-normal draw ``noise``:

    - ``"half"`` (the course's form, and the sampler's): :math:`x + \tfrac{\epsilon}{2}\,s(x) + \sqrt{\epsilon}\,z`;
    - ``"full"``: :math:`x + \epsilon\,s(x) + \sqrt{2\epsilon}\,z` (the same chain with the step
      size doubled).

    Every sampler here (:func:`langevin`, and the annealed sampler of the score model) moves its
    points through this function.
    """
    if not step_size > 0:
        raise ValueError(f"need step_size > 0, got {step_size}")
    if form == "half":
        return x + 0.5 * step_size * score + math.sqrt(step_size) * noise
    if form == "full":
        return x + step_size * score + math.sqrt(2.0 * step_size) * noise
    raise ValueError(f"form must be one of {FORMS}, got {form!r}")


def score_of_energy(energy: EnergyFn, x: Tensor, temperature: float = 1.0) -> Tensor:
    r"""The score of :math:`p \propto e^{-E/T}`: :math:`\nabla_x \log p(x) = -\nabla_x E(x) / T`
    (autograd; the partition function does not depend on x)."""
    return -energy_and_grad(energy, x)[1] / temperature


def langevin(
    energy: EnergyFn,
    x0: Tensor,
    n_steps: int,
    step_size: float,
    noise_scale: float = 1.0,
    metropolis: bool = False,
    generator: torch.Generator | None = None,
) -> tuple[Tensor, float]:
    """Run ``n_steps`` of (Metropolis-adjusted) Langevin from ``x0`` (N, D).

    Returns ``(x, acceptance_rate)``; the rate is 1.0 without Metropolis correction.
    """
    if n_steps < 0 or not step_size > 0:
        raise ValueError(f"need n_steps >= 0 and step_size > 0, got {n_steps}, {step_size}")
    x = x0.detach().clone()
    e, g = energy_and_grad(energy, x)
    accepted, total = 0.0, 0
    half = 0.5 * step_size
    for _ in range(n_steps):
        noise = torch.randn(x.shape, generator=generator, dtype=x.dtype, device=x.device)
        prop = langevin_update(x, -g, step_size, noise_scale * noise)
        if not metropolis:
            x = prop
            e, g = energy_and_grad(energy, x)
            continue
        e_p, g_p = energy_and_grad(energy, prop)
        # log q(x | x') - log q(x' | x) with q(y | x) = N(y; x - eps/2 grad E(x), eps I)
        fwd = ((prop - x + half * g) ** 2).sum(-1)
        bwd = ((x - prop + half * g_p) ** 2).sum(-1)
        log_alpha = -e_p + e - (bwd - fwd) / (2 * step_size)
        u = torch.rand(log_alpha.shape, generator=generator, dtype=x.dtype, device=x.device)
        acc = torch.log(u) < log_alpha
        x = torch.where(acc[:, None], prop, x)
        e = torch.where(acc, e_p, e)
        g = torch.where(acc[:, None], g_p, g)
        accepted += float(acc.to(x.dtype).mean())
        total += 1
    return x.detach(), (accepted / total if total else 1.0)
