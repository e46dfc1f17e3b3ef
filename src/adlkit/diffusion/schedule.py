"""The noise schedule and the one-step formulas of DDPM and DDIM, shared by the samplers, the
training loss and the solver's problem types (``diffusion_forward``, ``ddpm_posterior``,
``ddpm_step``, ``ddim_step``).

Indexing (CONTRACT.md): steps are t = 1..T; ``alpha_t`` is the per-step factor, ``beta_t =
1 - alpha_t`` and ``alpha_bar_t = alpha_1 * ... * alpha_t`` (cumulative), with ``alpha_bar_0 =
1`` (no noise). diffusers' schedulers index the same quantities from 0: its ``alphas_cumprod[i]``
is our ``alpha_bar(i + 1)``.

The formulas take their coefficients as Python floats or tensors broadcastable to ``x`` and
``x`` as a float, a numpy array or a torch tensor, and compute with that array's own functions,
so the sampler (torch, batched) and the solver (numpy, float64) run the same lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

SCHEDULE_KINDS = ("linear", "cosine")


class ScheduleError(ValueError):
    """An impossible schedule or step; ``field`` names the input at fault (for the solver)."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def _sqrt(v: Any) -> Any:
    """sqrt with the argument's own library (torch tensors stay tensors)."""
    if hasattr(v, "sqrt") and not isinstance(v, (float, int, np.generic, np.ndarray)):
        return v.sqrt()
    return np.sqrt(v) if isinstance(v, np.ndarray) else math.sqrt(v)


@dataclass(frozen=True)
class Schedule:
    """A variance schedule of T steps: per-step ``alphas`` (alpha_1..alpha_T, float64) and how
    it was given (``reading``: which of alphas, betas, alpha_bar, linear, cosine)."""

    alphas: np.ndarray
    reading: str

    def __post_init__(self) -> None:
        a = np.asarray(self.alphas, dtype=np.float64)
        if a.ndim != 1 or a.size < 1:
            raise ScheduleError(self.reading, "must give at least one step")
        if not np.all(np.isfinite(a)) or np.any(a <= 0) or np.any(a > 1):
            i = int(np.argmax(~((a > 0) & (a <= 1))))
            raise ScheduleError(self.reading, f"gives alpha_{i + 1} = {a[i]:.6g}: every per-step alpha must lie in (0, 1]")
        object.__setattr__(self, "alphas", a)

    # -- the ways a question gives a schedule ------------------------------------------------
    @classmethod
    def from_alphas(cls, alphas: Any) -> Schedule:
        return cls(np.asarray(alphas, dtype=np.float64), "alphas")

    @classmethod
    def from_betas(cls, betas: Any) -> Schedule:
        b = np.asarray(betas, dtype=np.float64)
        if np.any(b < 0) or np.any(b >= 1):
            i = int(np.argmax((b < 0) | (b >= 1)))
            raise ScheduleError("betas", f"gives beta_{i + 1} = {b[i]:.6g}: every beta must lie in [0, 1)")
        return cls(1.0 - b, "betas")

    @classmethod
    def from_alpha_bar(cls, alpha_bar: Any) -> Schedule:
        """Cumulative alpha-bar_1..alpha-bar_T given: alpha_t = alpha_bar_t / alpha_bar_{t-1}."""
        ab = np.asarray(alpha_bar, dtype=np.float64)
        if np.any(ab <= 0) or np.any(ab > 1):
            i = int(np.argmax((ab <= 0) | (ab > 1)))
            raise ScheduleError("alpha_bar", f"gives alpha_bar_{i + 1} = {ab[i]:.6g}: alpha-bar must lie in (0, 1]")
        prev = np.concatenate([[1.0], ab[:-1]])
        if np.any(ab > prev):
            i = int(np.argmax(ab > prev))
            raise ScheduleError("alpha_bar", f"increases at step {i + 1} ({prev[i]:.6g} -> {ab[i]:.6g}): "
                                             "alpha-bar is a product of factors in (0, 1], so it never increases")
        return cls(ab / prev, "alpha_bar")

    @classmethod
    def linear(cls, beta_start: float = 1e-4, beta_end: float = 0.02, steps: int = 1000) -> Schedule:
        """beta_t = linspace(beta_start, beta_end, steps)[t - 1] (Ho et al. 2020)."""
        if int(steps) != steps or steps < 1:
            raise ScheduleError("schedule", f"steps must be a whole number >= 1, got {steps!r}")
        for name, b in (("beta_start", beta_start), ("beta_end", beta_end)):
            if not 0 <= b < 1:
                raise ScheduleError("schedule", f"{name} must lie in [0, 1), got {b!r}")
        s = cls(1.0 - np.linspace(beta_start, beta_end, int(steps), dtype=np.float64), "linear")
        return s

    @classmethod
    def cosine(cls, steps: int = 1000, s: float = 0.008) -> Schedule:
        """alpha_bar_t = f(t)/f(0), f(t) = cos^2(((t/T) + s)/(1 + s) pi/2) (Nichol & Dhariwal
        2021), exactly: no clipping of beta_t (diffusers' squaredcos_cap_v2 clips it at 0.999)."""
        if int(steps) != steps or steps < 1:
            raise ScheduleError("schedule", f"steps must be a whole number >= 1, got {steps!r}")
        if not s >= 0:
            raise ScheduleError("schedule", f"s must be >= 0, got {s!r}")
        t = np.arange(int(steps) + 1, dtype=np.float64)
        f = np.cos(((t / steps) + s) / (1 + s) * math.pi / 2) ** 2
        ab = f / f[0]
        # cos(pi/2)^2 is ~1e-33 in floating point, not 0: alpha_T stays in (0, 1]
        return cls(ab[1:] / ab[:-1], "cosine")

    # -- the quantities at step t ---------------------------------------------------------------
    @property
    def steps(self) -> int:
        return int(self.alphas.size)

    @property
    def betas(self) -> np.ndarray:
        return 1.0 - self.alphas

    @property
    def alpha_bars(self) -> np.ndarray:
        """alpha_bar_0..alpha_bar_T (T + 1 values, alpha_bar_0 = 1)."""
        return np.concatenate([[1.0], np.cumprod(self.alphas)])

    def check_t(self, t: int, field: str = "t", minimum: int = 1) -> int:
        if int(t) != t or not minimum <= t <= self.steps:
            raise ScheduleError(field, f"must be a step of the schedule, {minimum} <= {field} <= {self.steps}, got {t!r}")
        return int(t)

    def alpha(self, t: int) -> float:
        return float(self.alphas[self.check_t(t) - 1])

    def beta(self, t: int) -> float:
        return float(1.0 - self.alphas[self.check_t(t) - 1])

    def alpha_bar(self, t: int) -> float:
        """alpha_bar_t for t = 0..T (alpha_bar_0 = 1)."""
        return float(self.alpha_bars[self.check_t(t, minimum=0)])


# -- the forward process ------------------------------------------------------------------------
def q_sample(x0: Any, eps: Any, alpha_bar_t: Any) -> tuple[Any, Any, Any]:
    """q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I): (mean, std, x_t = mean + std eps)."""
    mean = _sqrt(alpha_bar_t) * x0
    std = _sqrt(1.0 - alpha_bar_t)
    return mean, std, mean + std * eps


def posterior_coefficients(alpha_bar_t: Any, alpha_bar_prev: Any, alpha_t: Any) -> tuple[Any, Any, Any]:
    """q(x_{t-1} | x_t, x_0) = N(coef_x0 x_0 + coef_xt x_t, variance):
    coef_x0 = sqrt(abar_{t-1}) beta_t / (1 - abar_t), coef_xt = sqrt(alpha_t)(1 - abar_{t-1})/(1 - abar_t),
    variance = (1 - abar_{t-1}) / (1 - abar_t) beta_t (Ho et al. 2020, eq. 7)."""
    beta_t = 1.0 - alpha_t
    coef_x0 = _sqrt(alpha_bar_prev) * beta_t / (1.0 - alpha_bar_t)
    coef_xt = _sqrt(alpha_t) * (1.0 - alpha_bar_prev) / (1.0 - alpha_bar_t)
    variance = (1.0 - alpha_bar_prev) / (1.0 - alpha_bar_t) * beta_t
    return coef_x0, coef_xt, variance


def posterior(x0: Any, x_t: Any, alpha_bar_t: Any, alpha_bar_prev: Any, alpha_t: Any) -> tuple[Any, Any, Any, Any]:
    """(mean, variance, coef_x0, coef_xt) of q(x_{t-1} | x_t, x_0)."""
    c0, ct, var = posterior_coefficients(alpha_bar_t, alpha_bar_prev, alpha_t)
    return c0 * x0 + ct * x_t, var, c0, ct


def x0_from_eps(x_t: Any, eps: Any, alpha_bar_t: Any) -> Any:
    """x0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t) (inverting q_sample)."""
    return (x_t - _sqrt(1.0 - alpha_bar_t) * eps) / _sqrt(alpha_bar_t)


def eps_from_x0(x_t: Any, x0: Any, alpha_bar_t: Any) -> Any:
    """eps = (x_t - sqrt(abar_t) x0) / sqrt(1 - abar_t)."""
    return (x_t - _sqrt(alpha_bar_t) * x0) / _sqrt(1.0 - alpha_bar_t)


# -- the reverse steps ------------------------------------------------------------------------
DDPM_VARIANCES = ("beta", "posterior")


def ddpm_sigma(alpha_bar_t: float, alpha_bar_prev: float, alpha_t: float, variance: str = "beta") -> float:
    """sigma_t of the DDPM step: sqrt(beta_t) (``beta``; diffusers' fixed_large) or the posterior's
    std (``posterior``; fixed_small)."""
    if variance not in DDPM_VARIANCES:
        raise ScheduleError("variance", f"must be one of {', '.join(DDPM_VARIANCES)}, got {variance!r}")
    if variance == "beta":
        return _sqrt(1.0 - alpha_t)
    return _sqrt(posterior_coefficients(alpha_bar_t, alpha_bar_prev, alpha_t)[2])


def ddpm_step(x_t: Any, eps_pred: Any, alpha_bar_t: float, alpha_bar_prev: float, alpha_t: float,
              z: Any = 0.0, variance: str = "beta", last: bool = False) -> tuple[Any, Any, Any, Any]:
    """One ancestral step x_t -> x_{t-1}: (x0_pred, mean, sigma, x_prev).

    x0_pred from the noise prediction, mean = the posterior mean at x0_pred (equal to
    (x_t - beta_t / sqrt(1 - abar_t) eps) / sqrt(alpha_t)), x_prev = mean + sigma z; at the last
    step (t = 1, ``last``) no noise is added: sigma = 0 (Ho et al. 2020, Algorithm 2)."""
    x0_pred = x0_from_eps(x_t, eps_pred, alpha_bar_t)
    mean, _, _, _ = posterior(x0_pred, x_t, alpha_bar_t, alpha_bar_prev, alpha_t)
    sigma = 0.0 if last else ddpm_sigma(alpha_bar_t, alpha_bar_prev, alpha_t, variance)
    return x0_pred, mean, sigma, mean + sigma * z


def ddim_sigma(alpha_bar_t: Any, alpha_bar_prev: Any, eta: float) -> Any:
    """sigma = eta sqrt((1 - abar_prev)/(1 - abar_t)) sqrt(1 - abar_t/abar_prev) (Song et al. 2021,
    eq. 16): eta = 0 is the deterministic DDIM, eta = 1 the DDPM posterior's std."""
    return eta * _sqrt((1.0 - alpha_bar_prev) / (1.0 - alpha_bar_t)) * _sqrt(1.0 - alpha_bar_t / alpha_bar_prev)


def ddim_step(x_t: Any, alpha_bar_t: Any, alpha_bar_prev: Any, *, eps_pred: Any = None, x0_pred: Any = None,
              eta: float = 0.0, sigma: Any = None, z: Any = 0.0) -> tuple[Any, Any, Any, Any]:
    """One DDIM step x_t -> x_{t_prev}: (x0_pred, eps_pred, sigma, x_prev) with
    x_prev = sqrt(abar_prev) x0_pred + sqrt(1 - abar_prev - sigma^2) eps_pred + sigma z.
    Exactly one of ``eps_pred`` and ``x0_pred`` is given (the other follows from x_t); sigma is
    given, or ``eta`` sets it (:func:`ddim_sigma`)."""
    if (eps_pred is None) == (x0_pred is None):
        raise ScheduleError("eps_pred", "give exactly one of eps_pred and x0_pred")
    if eps_pred is None:
        eps_pred = eps_from_x0(x_t, x0_pred, alpha_bar_t)
    else:
        x0_pred = x0_from_eps(x_t, eps_pred, alpha_bar_t)
    if sigma is None:
        sigma = ddim_sigma(alpha_bar_t, alpha_bar_prev, eta)
    room = 1.0 - alpha_bar_prev - sigma * sigma
    if np.any(np.asarray(room) < -1e-12):
        raise ScheduleError("sigma", f"sigma^2 = {float(sigma * sigma):.6g} exceeds 1 - alpha_bar_prev = "
                                     f"{float(1.0 - alpha_bar_prev):.6g}: no such DDIM step")
    room = room.clamp(min=0.0) if hasattr(room, "clamp") else max(float(room), 0.0)
    x_prev = _sqrt(alpha_bar_prev) * x0_pred + _sqrt(room) * eps_pred + sigma * z
    return x0_pred, eps_pred, sigma, x_prev


SPACINGS = ("leading", "trailing", "quadratic")


def strided_timesteps(steps: int, n: int, spacing: str = "leading") -> list[int]:
    """The n time steps t (1-based, descending) a strided sampler visits in a T-step schedule;
    each step goes to the next one, the last to t = 0 (alpha_bar_0 = 1). ``spacing``:

    - ``leading``: t = 1 + k * (T // n), k = n-1..0 (the DDIM paper's "uniform" sub-sequence,
      diffusers' default): from 1 + (n-1)(T // n) down to t = 1;
    - ``trailing``: t = round(T - k * T / n), k = 0..n-1 (diffusers' "trailing"; Lin et al.
      2024): from t = T, where x_T ~ N(0, I) is the model's own start, down to about T / n;
    - ``quadratic``: t = 1 + floor((k sqrt(0.8 T) / (n - 1))^2), k = n-1..0 (the DDIM paper's
      "quad" sub-sequence, Song et al. 2021, appendix D.2, as in its code and latent
      diffusion's): steps crowd near t = 0, where the data's fine structure is resolved; where
      two k give the same t the larger is moved up by one, so that there are n distinct steps.

    For ``leading`` and ``trailing`` these are diffusers' ``timesteps`` + 1. For T % n == 0
    diffusers' step to t - T // n is the next visited step; otherwise its trailing step still
    jumps T // n and leaves the visited sequence, while these steps always go to the next
    visited one (diffusers has no quadratic spacing)."""
    if not 1 <= n <= steps:
        raise ScheduleError("steps", f"the number of sampling steps must lie in 1..{steps}, got {n}")
    if spacing == "leading":
        ratio = steps // n
        return [1 + k * ratio for k in reversed(range(n))]
    if spacing == "trailing":
        return [int(v) for v in np.round(np.arange(steps, 0, -steps / n))[:n].astype(np.int64)]
    if spacing == "quadratic":
        ts: list[int] = []
        for v in (np.linspace(0.0, math.sqrt(0.8 * steps), n) ** 2).astype(np.int64) + 1:
            ts.append(max(int(v), ts[-1] + 1) if ts else int(v))
        return ts[::-1]
    raise ScheduleError("spacing", f"must be one of {', '.join(SPACINGS)}, got {spacing!r}")
