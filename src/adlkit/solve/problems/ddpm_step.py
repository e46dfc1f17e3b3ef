"""Problem type ``ddpm_step``: one ancestral DDPM step x_t -> x_{t-1} from a noise prediction
(Ho et al. 2020, Algorithm 2), with sigma_t^2 = beta_t or the posterior variance.

Computed by :func:`adlkit.diffusion.schedule.ddpm_step` -- the step the DDPM sampler of
:class:`adlkit.diffusion.Diffusion` takes.
"""

from __future__ import annotations

from typing import Any

from adlkit.core.numbers import fmt
from adlkit.solve.common import maybe
from adlkit.solve.model import Solution
from adlkit.solve.problems._schedule import (
    SCHEDULE_SLIPS,
    SIGMA_LEFT_OUT,
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

VARIANCE = {"beta": "sigma_t^2 = beta_t (Ho et al.'s first choice; diffusers' fixed_large)",
            "posterior": "sigma_t^2 = the posterior variance (1 - alpha_bar_{t-1})/(1 - alpha_bar_t) beta_t (diffusers' fixed_small)"}


PARAMETERS = (
    Param("x_t", "number_list", "the current sample x_t (a number or a list)", scalar_ok=True,
          draw=lambda rng, d: draw_vector(rng, int(rng.integers(1, 4)), -2, 2)),
    Param("eps_pred", "number_list", "the network's noise prediction eps_theta(x_t, t), of the same length as x_t",
          scalar_ok=True, draw=lambda rng, d: draw_vector(rng, length(d["x_t"]), -2, 2)),
    *schedule_params(per_step=True),
    Param("t", "integer", "the step t (1..T); the step goes to t - 1", minimum=1,
          draw=lambda rng, d: int(rng.integers(1, schedule_length(d) + 1))),
    Param("z", "number_list", "the standard normal noise z of the step (unused at t = 1)", scalar_ok=True, default=0.0,
          draw=lambda rng, d: maybe(rng, draw_vector(rng, length(d["x_t"]), -2, 2), 0.7)),
    Param("variance", "choice", "sigma_t^2: beta (beta_t) or posterior (the posterior variance)", choices=tuple(VARIANCE),
          default="beta", draw=lambda rng, d: maybe(rng, str(rng.choice(list(VARIANCE))))),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    xt, eps, z = params["x_t"], params["eps_pred"], params["z"]
    if xt is not INVALID and eps is not INVALID and len(xt) != len(eps):
        f.error("eps_pred", f"must have the same length as 'x_t' ({len(xt)}), got {len(eps)}")
    if f.has("z") and xt is not INVALID and z is not INVALID and len(z) != len(xt):
        f.error("z", f"must have the same length as 'x_t' ({len(xt)}), got {len(z)}")
    sched = read_schedule(f, params, per_step=True)
    check_t(f, sched, params["t"])
    return {**params, "sched": sched, "scalar": not isinstance(f.raw.get("x_t"), list)}


def statement(p: dict[str, Any]) -> str:
    return (f"DDPM sampling with {reading(p['sched'])}. At t = {p['t']}, x_t = {vec(p['x_t'])} and the network predicts "
            f"the noise eps = {vec(p['eps_pred'])}; the step's noise is z = {vec(p['z'])} and {VARIANCE[p['variance']]}. "
            "Compute the predicted x_0, the mean of p(x_{t-1} | x_t), sigma_t and x_{t-1}.")


def solve(pid: str, p: dict[str, Any]) -> Solution:
    from adlkit.diffusion.schedule import ddpm_step

    sched, t, xt, eps, z = p["sched"], p["t"], p["x_t"], p["eps_pred"], p["z"]
    sol = Solution(pid, "ddpm_step", answers={})
    ab = alpha_bar_step(sol, sched, t)
    abp = alpha_bar_step(sol, sched, t - 1, "t-1")
    a = sched.alpha(t)
    sol.step("Per-step alpha_t and beta_t", formula=r"\alpha_t = \bar\alpha_t / \bar\alpha_{t-1},\quad \beta_t = 1 - \alpha_t",
             value=rf"\alpha_t = {fmt(a)},\ \beta_t = {fmt(1 - a)}")
    x0, mean, sigma, xp = ddpm_step(xt, eps, ab, abp, a, z=z, variance=p["variance"], last=t == 1)
    sol.step("Predicted x_0 (invert the forward process at the predicted noise)",
             formula=r"\hat x_0 = \frac{x_t - \sqrt{1 - \bar\alpha_t}\,\hat\epsilon}{\sqrt{\bar\alpha_t}}",
             substituted=rf"\frac{{{vec(xt)} - \sqrt{{1 - {fmt(ab)}}} \cdot {vec(eps)}}}{{\sqrt{{{fmt(ab)}}}}}", value=vec(x0))
    sol.step("Mean of p(x_{t-1} | x_t): the posterior mean at the predicted x_0",
             formula=r"\mu_\theta = \frac{1}{\sqrt{\alpha_t}}\left(x_t - \frac{\beta_t}{\sqrt{1 - \bar\alpha_t}}\,\hat\epsilon\right)",
             substituted=rf"\frac{{1}}{{\sqrt{{{fmt(a)}}}}}\left({vec(xt)} - \frac{{{fmt(1 - a)}}}{{\sqrt{{1 - {fmt(ab)}}}}} \cdot {vec(eps)}\right)",
             value=vec(mean))
    if t == 1:
        sol.step("Last step (t = 1): no noise is added, sigma = 0 and x_0 = the mean", formula=r"\sigma_1 = 0", value="0")
    elif p["variance"] == "beta":
        sol.step("sigma_t^2 = beta_t", formula=r"\sigma_t = \sqrt{\beta_t}", substituted=rf"\sqrt{{{fmt(1 - a)}}}",
                 value=fmt(float(sigma)))
    else:
        sol.step("sigma_t^2 = the posterior variance",
                 formula=r"\sigma_t = \sqrt{\frac{1 - \bar\alpha_{t-1}}{1 - \bar\alpha_t}\,\beta_t}",
                 substituted=rf"\sqrt{{\frac{{1 - {fmt(abp)}}}{{1 - {fmt(ab)}}} \cdot {fmt(1 - a)}}}", value=fmt(float(sigma)))
    sol.step("Ancestral step", formula=r"x_{t-1} = \mu_\theta + \sigma_t z",
             substituted=rf"{vec(mean)} + {fmt(float(sigma))} \cdot {vec(z)}", value=vec(xp))
    sol.answers = {"x0_pred": answer(x0, p["scalar"]), "mean": answer(mean, p["scalar"]), "sigma": float(sigma),
                   "x_prev": answer(xp, p["scalar"])}
    sol.conventions = {
        "schedule": reading(sched),
        "indexing": "steps t = 1..T; the step goes from t to t - 1; alpha_bar_0 = 1",
        "prediction": "eps_pred is the network's prediction of the NOISE epsilon (not of x_0)",
        "variance": VARIANCE[p["variance"]] + "; 'sigma' is a standard deviation; at t = 1 sigma = 0 (no noise)",
        "clipping": "x0_pred is not clipped",
    }
    return sol


UNIT = ProblemType(
    name="ddpm_step",
    summary="one DDPM ancestral step from a noise prediction: x0_pred, mean, sigma, x_{t-1}",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("x0_pred", "mean", "sigma", "x_prev"),
    slips=(*SCHEDULE_SLIPS, SIGMA_LEFT_OUT),
    example={"x_t": [0.5, -1.0], "eps_pred": [0.2, -0.4], "t": 3, "alphas": [0.95, 0.9, 0.85], "z": [0.1, 0.3],
             "variance": "beta"},
    modules=(8,),
)
