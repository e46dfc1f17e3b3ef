"""Problem type ``ddpm_posterior``: the forward-process posterior q(x_{t-1} | x_t, x_0) =
N(coef_x0 x_0 + coef_xt x_t, beta_tilde_t I) (Ho et al. 2020, eq. 6-7).

Computed by :func:`adlkit.diffusion.schedule.posterior` on the
:class:`~adlkit.diffusion.schedule.Schedule` -- the DDPM sampler's mean and variance.
"""

from __future__ import annotations

from typing import Any

from adlkit.core.numbers import fmt
from adlkit.solve.model import Solution
from adlkit.solve.problems._schedule import (
    SCHEDULE_SLIPS,
    alpha_bar_step,
    answer,
    check_t,
    draw_vector,
    length,
    read_schedule,
    reading,
    schedule_length,
    schedule_params,
    vec,
)
from adlkit.solve.schema import Param
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType

PARAMETERS = (
    Param("x0", "number_list", "the clean data x_0 (a number or a list)", scalar_ok=True,
          draw=lambda rng, d: draw_vector(rng, int(rng.integers(1, 4)), -2, 2)),
    Param("x_t", "number_list", "the noisy x_t, of the same length as x0", scalar_ok=True,
          draw=lambda rng, d: draw_vector(rng, length(d["x0"]), -2, 2)),
    *schedule_params(per_step=True),
    Param("t", "integer", "the step t (1..T)", minimum=1,
          draw=lambda rng, d: int(rng.integers(1, schedule_length(d) + 1))),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    x0, xt = params["x0"], params["x_t"]
    if x0 is not INVALID and xt is not INVALID and len(x0) != len(xt):
        f.error("x_t", f"must have the same length as 'x0' ({len(x0)}), got {len(xt)}")
    sched = read_schedule(f, params, per_step=True)
    check_t(f, sched, params["t"])
    return {**params, "sched": sched, "scalar": not isinstance(f.raw.get("x0"), list)}


def statement(p: dict[str, Any]) -> str:
    return (f"Diffusion with {reading(p['sched'])}. Given x_0 = {vec(p['x0'])} and x_t = {vec(p['x_t'])} at t = {p['t']}, "
            "compute the mean, the variance and the two coefficients of the posterior q(x_{t-1} | x_t, x_0).")


def solve(pid: str, p: dict[str, Any]) -> Solution:
    from adlkit.diffusion.schedule import posterior

    sched, t, x0, xt = p["sched"], p["t"], p["x0"], p["x_t"]
    sol = Solution(pid, "ddpm_posterior", answers={})
    ab = alpha_bar_step(sol, sched, t)
    abp = alpha_bar_step(sol, sched, t - 1, "t-1")
    a = sched.alpha(t)
    sol.step("Per-step alpha_t and beta_t", formula=r"\alpha_t = \bar\alpha_t / \bar\alpha_{t-1},\quad \beta_t = 1 - \alpha_t",
             value=rf"\alpha_t = {fmt(a)},\ \beta_t = {fmt(1 - a)}")
    mean, var, c0, ct = posterior(x0, xt, ab, abp, a)
    sol.step("Coefficient of x_0", formula=r"c_0 = \frac{\sqrt{\bar\alpha_{t-1}}\,\beta_t}{1 - \bar\alpha_t}",
             substituted=rf"\frac{{\sqrt{{{fmt(abp)}}} \cdot {fmt(1 - a)}}}{{1 - {fmt(ab)}}}", value=fmt(float(c0)))
    sol.step("Coefficient of x_t", formula=r"c_t = \frac{\sqrt{\alpha_t}\,(1 - \bar\alpha_{t-1})}{1 - \bar\alpha_t}",
             substituted=rf"\frac{{\sqrt{{{fmt(a)}}} \cdot (1 - {fmt(abp)})}}{{1 - {fmt(ab)}}}", value=fmt(float(ct)))
    sol.step("Posterior mean", formula=r"\tilde\mu_t = c_0 x_0 + c_t x_t",
             substituted=rf"{fmt(float(c0))} \cdot {vec(x0)} + {fmt(float(ct))} \cdot {vec(xt)}", value=vec(mean))
    sol.step("Posterior variance (a variance, the same in every coordinate)",
             formula=r"\tilde\beta_t = \frac{1 - \bar\alpha_{t-1}}{1 - \bar\alpha_t}\,\beta_t",
             substituted=rf"\frac{{1 - {fmt(abp)}}}{{1 - {fmt(ab)}}} \cdot {fmt(1 - a)}", value=fmt(float(var)))
    sol.answers = {"posterior_mean": answer(mean, p["scalar"]), "posterior_variance": float(var),
                   "coef_x0": float(c0), "coef_xt": float(ct)}
    sol.conventions = {
        "schedule": reading(sched),
        "indexing": "steps t = 1..T; alpha_bar_0 = 1, so at t = 1 the posterior is the point x_0 (variance 0)",
        "posterior": "q(x_{t-1} | x_t, x_0) = N(coef_x0 x_0 + coef_xt x_t, posterior_variance I) (Ho et al. 2020, eq. 7)",
    }
    return sol


UNIT = ProblemType(
    name="ddpm_posterior",
    summary="the DDPM forward-process posterior q(x_{t-1} | x_t, x_0): mean, variance, coefficients",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("posterior_mean", "posterior_variance", "coef_x0", "coef_xt"),
    slips=SCHEDULE_SLIPS,
    example={"x0": 1.0, "x_t": 0.5, "t": 2, "betas": [0.1, 0.2, 0.3]},
    modules=(8,),
)
