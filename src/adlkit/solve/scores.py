"""What the score-based problem types (``score``, ``langevin_step``) share: the energy of a spec
(an expression in ``x`` or ``x1..xd``, or a Gaussian target) as a torch function, and its score
through the Langevin sampler's own :func:`adlkit.ebm.langevin.score_of_energy`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from adlkit.core.expr import evaluate, symbol
from adlkit.ebm.langevin import score_of_energy


def variables(d: int) -> tuple[str, ...]:
    """``x`` (and ``x1``) in one dimension, ``x1..xd`` otherwise."""
    return ("x", "x1") if d == 1 else tuple(f"x{i + 1}" for i in range(d))


def expression_energy(expr: Any, d: int) -> Callable[[torch.Tensor], torch.Tensor]:
    """E(x) for rows x of shape (m, d), evaluated by the expression tree (torch backend)."""
    names = variables(d)

    def energy(x: torch.Tensor) -> torch.Tensor:
        env = {symbol(n): x[:, 0] for n in names} if d == 1 else {symbol(n): x[:, i] for i, n in enumerate(names)}
        v = evaluate(expr, env, backend="torch")
        v = torch.as_tensor(v, dtype=x.dtype)
        return v + 0.0 * x.sum(-1)  # a constant energy still has a (zero) gradient

    return energy


def gaussian_energy(mean: Sequence[float] | float, cov: Any) -> Callable[[torch.Tensor], torch.Tensor]:
    r""":math:`E(x) = \tfrac12 (x-\mu)^\top \Sigma^{-1} (x-\mu)` (the Gaussian up to its log Z)."""
    mu = torch.as_tensor(np.atleast_1d(np.asarray(mean, dtype=np.float64)))
    P = torch.as_tensor(np.linalg.inv(np.atleast_2d(np.asarray(cov, dtype=np.float64))))

    def energy(x: torch.Tensor) -> torch.Tensor:
        r = x - mu
        return 0.5 * ((r @ P) * r).sum(-1)

    return energy


def target_energy(g: Any) -> Callable[[torch.Tensor], torch.Tensor]:
    """The energy of a spec Gaussian (univariate ``Normal`` or ``MultivariateNormal``)."""
    if getattr(g, "multivariate", False):
        return gaussian_energy(g.mean, g.cov)
    return gaussian_energy([g.mean], [[g.var]])


def score_at(energy: Callable[[torch.Tensor], torch.Tensor], x: np.ndarray) -> np.ndarray:
    """The score -dE/dx at the point x (d,), by the sampler's autograd code."""
    xt = torch.as_tensor(np.asarray(x, dtype=np.float64))[None]
    return score_of_energy(energy, xt)[0].numpy()


def shaped(v: np.ndarray, scalar: bool) -> Any:
    """A number when the spec gave x as a number, else the list."""
    return float(v[0]) if scalar else v
