"""Problem type ``ddim_step``: one DDIM step x_t -> x_{t_prev} (Song et al. 2021, eq. 12),
x_prev = sqrt(abar_prev) x0_pred + sqrt(1 - abar_prev - sigma^2) eps_pred + sigma z, with
sigma = eta sqrt((1 - abar_prev)/(1 - abar_t)) sqrt(1 - abar_t/abar_prev) or given.

Computed by :func:`adlkit.diffusion.schedule.ddim_step` -- the step the DDIM sampler of
:class:`adlkit.diffusion.Diffusion` takes (over strided time steps).
"""

from __future__ import annotations

import math
from typing import Any

from adlkit.core.numbers import fmt
from adlkit.solve.common import draw_number, maybe
from adlkit.solve.model import Solution
from adlkit.solve.problems._schedule import (
    SCHEDULE_SLIPS,
    SIGMA_LEFT_OUT,
    alpha_bar_step,
    answer,
    draw_vector,
    length,
    read_schedule,
    reading,
    schedule_length,
    schedule_params,
    vec,
)
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import Problem, SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType


def _unit_open(v: float, params: dict[str, Any]) -> str | None:
    return None if 0 < v < 1 else f"must lie in (0, 1), got {v:g}"


def _unit_half_open(v: float, params: dict[str, Any]) -> str | None:
    return None if 0 < v <= 1 else f"must lie in (0, 1], got {v:g}"


def _draw_abar_t(rng, d):
    return draw_number(rng, 0.1, 0.6, 2) if rng.random() < 0.4 else OMIT


def _draw_t(rng, d):
    if "alpha_bar_t" in d:
        return OMIT
    return int(rng.integers(1, schedule_length(d) + 1))


def _draw_t_prev(rng, d):
    if "t" not in d:
        return OMIT
    return maybe(rng, int(rng.integers(0, d["t"])))


PARAMETERS = (
    Param("x_t", "number_list", "the current sample x_t (a number or a list)", scalar_ok=True,
          draw=lambda rng, d: draw_vector(rng, int(rng.integers(1, 4)), -2, 2)),
    Param("eps_pred", "number_list", "the predicted noise (give this or x0_pred), of the same length as x_t", scalar_ok=True,
          default=None, draw=lambda rng, d: draw_vector(rng, length(d["x_t"]), -2, 2) if rng.random() < 0.7 else OMIT),
    Param("x0_pred", "number_list", "the predicted clean x_0 (give this or eps_pred)", scalar_ok=True, default=None,
          draw=lambda rng, d: OMIT if "eps_pred" in d else draw_vector(rng, length(d["x_t"]), -2, 2)),
    Param("alpha_bar_t", "number", "alpha_bar at the current step, in (0, 1) (with alpha_bar_prev; or a schedule and t)",
          default=None, check=_unit_open, draw=_draw_abar_t),
    Param("alpha_bar_prev", "number", "alpha_bar at the step the DDIM step goes to, in (0, 1], >= alpha_bar_t",
          default=None, check=_unit_half_open,
          draw=lambda rng, d: round(d["alpha_bar_t"] + draw_number(rng, 0.05, 0.35, 2), 2) if "alpha_bar_t" in d else OMIT),
    *schedule_params(per_step=True, skip_if=("alpha_bar_t",)),
    Param("t", "integer", "the current step t (1..T), with a schedule", default=None, minimum=1, draw=_draw_t),
    Param("t_prev", "integer", "the step the DDIM step goes to (0 <= t_prev < t; 0 means alpha_bar = 1)", default=None,
          default_text="t - 1", minimum=0, draw=_draw_t_prev),
    Param("eta", "number", "eta: sigma = eta * sqrt((1 - abar_prev)/(1 - abar_t)) * sqrt(1 - abar_t/abar_prev)",
          default=0.0, minimum=0, draw=lambda rng, d: maybe(rng, float(rng.choice([0.0, 0.5, 1.0])))),
    Param("sigma", "number", "the step's noise std sigma directly (instead of eta)", default=None, minimum=0,
          draw=lambda rng, d: OMIT),
    Param("z", "number_list", "the standard normal noise z of the step", scalar_ok=True, default=0.0,
          draw=lambda rng, d: maybe(rng, draw_vector(rng, length(d["x_t"]), -2, 2), 0.6)),
)

_SCHEDULE_FORMS = ("alphas", "betas", "alpha_bar", "schedule")


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    xt = params["x_t"]
    out = dict(params)
    given = [k for k in ("eps_pred", "x0_pred") if f.has(k)]
    if len(given) != 1:
        f.error("eps_pred", "give exactly one of eps_pred and x0_pred" + (" (both were given)" if given else ""))
    for k in (*given, *(["z"] if f.has("z") else [])):
        v = params[k]
        if xt is not INVALID and v is not INVALID and len(v) != len(xt):
            f.error(k, f"must have the same length as 'x_t' ({len(xt)}), got {len(v)}")
    if f.has("sigma") and f.has("eta"):
        f.error("sigma", "give eta or sigma, not both")
    numbers = f.has("alpha_bar_t") or f.has("alpha_bar_prev")
    sched_given = any(f.has(k) for k in _SCHEDULE_FORMS)
    ab = abp = INVALID
    if numbers and (sched_given or f.has("t") or f.has("t_prev")):
        f.error("alpha_bar_t", "give alpha_bar_t and alpha_bar_prev, or a schedule with t (and t_prev), not both")
    elif numbers:
        for k in ("alpha_bar_t", "alpha_bar_prev"):
            if not f.has(k):
                f.error(k, "is required with " + ("alpha_bar_prev" if k == "alpha_bar_t" else "alpha_bar_t"))
        ab, abp = params["alpha_bar_t"], params["alpha_bar_prev"]
        if ab is not INVALID and abp is not INVALID and abp is not None and ab is not None and abp < ab:
            f.error("alpha_bar_prev", f"must be >= alpha_bar_t ({ab:g}): a step goes towards less noise, got {abp:g}")
            abp = INVALID
        out["sched"] = None
    else:
        sched = read_schedule(f, params, per_step=True)
        out["sched"] = sched
        t, tp = params["t"], params["t_prev"]
        if not f.has("t"):
            f.error("t", "is required with a schedule")
        elif sched is not INVALID and t is not INVALID:
            if t > sched.steps:
                f.error("t", f"must be a step of the schedule, 1 <= t <= T = {sched.steps}, got {t}")
            else:
                tp = t - 1 if tp is None else tp
                if tp is not INVALID and tp >= t:
                    f.error("t_prev", f"must be < t ({t}): the step goes back towards t = 0, got {tp}")
                elif tp is not INVALID:
                    ab, abp = sched.alpha_bar(t), sched.alpha_bar(tp)
                    out["t_prev"] = tp
                    if ab >= 1:
                        f.error("t", f"has alpha_bar_t = 1 (no noise): there is nothing to denoise at t = {t}")
                        ab = INVALID
    out["alpha_bar_t"], out["alpha_bar_prev"] = ab, abp
    if INVALID not in (ab, abp) and len(given) == 1 and params["eta"] is not INVALID and params["sigma"] is not INVALID:
        from adlkit.diffusion.schedule import ddim_sigma

        sigma = params["sigma"] if f.has("sigma") else ddim_sigma(ab, abp, params["eta"])
        if sigma * sigma > 1 - abp + 1e-12:
            name = "sigma" if f.has("sigma") else "eta"
            f.error(name, f"gives sigma^2 = {sigma * sigma:.6g} > 1 - alpha_bar_prev = {1 - abp:.6g}: "
                          "sqrt(1 - alpha_bar_prev - sigma^2) is not real")
    out["scalar"] = not isinstance(f.raw.get("x_t"), list)
    return out


def statement(p: dict[str, Any]) -> str:
    given = (f"the network predicts the noise eps = {vec(p['eps_pred'])}" if p["eps_pred"] is not None
             else f"the network predicts x_0 = {vec(p['x0_pred'])}")
    where = (f"alpha_bar_t = {fmt(p['alpha_bar_t'])} and alpha_bar_prev = {fmt(p['alpha_bar_prev'])}" if p["sched"] is None
             else f"{reading(p['sched'])}, stepping from t = {p['t']} to t_prev = {p['t_prev']}")
    noise = f"sigma = {fmt(p['sigma'])}" if p["sigma"] is not None else f"eta = {fmt(p['eta'])}"
    return (f"DDIM sampling with {where}. At x_t = {vec(p['x_t'])}, {given}; {noise}, z = {vec(p['z'])}. "
            "Compute the predicted x_0, the predicted noise, sigma and x_prev.")


def solve(pid: str, p: dict[str, Any]) -> Solution:
    from adlkit.diffusion.schedule import ddim_step

    sol = Solution(pid, "ddim_step", answers={})
    if p["sched"] is None:
        ab, abp = p["alpha_bar_t"], p["alpha_bar_prev"]
        sol.step("alpha_bar_t and alpha_bar_prev are given (cumulative)",
                 formula=r"\bar\alpha_t,\ \bar\alpha_{prev}", value=rf"{fmt(ab)},\ {fmt(abp)}")
    else:
        ab = alpha_bar_step(sol, p["sched"], p["t"])
        abp = alpha_bar_step(sol, p["sched"], p["t_prev"], "prev")
    xt, z = p["x_t"], p["z"]
    x0, eps, sigma, xp = ddim_step(xt, ab, abp, eps_pred=p["eps_pred"], x0_pred=p["x0_pred"], eta=p["eta"],
                                   sigma=p["sigma"], z=z)
    if p["eps_pred"] is not None:
        sol.step("Predicted x_0 from the predicted noise",
                 formula=r"\hat x_0 = \frac{x_t - \sqrt{1 - \bar\alpha_t}\,\hat\epsilon}{\sqrt{\bar\alpha_t}}",
                 substituted=rf"\frac{{{vec(xt)} - \sqrt{{1 - {fmt(ab)}}} \cdot {vec(eps)}}}{{\sqrt{{{fmt(ab)}}}}}", value=vec(x0))
    else:
        sol.step("Predicted noise from the predicted x_0",
                 formula=r"\hat\epsilon = \frac{x_t - \sqrt{\bar\alpha_t}\,\hat x_0}{\sqrt{1 - \bar\alpha_t}}",
                 substituted=rf"\frac{{{vec(xt)} - \sqrt{{{fmt(ab)}}} \cdot {vec(x0)}}}{{\sqrt{{1 - {fmt(ab)}}}}}", value=vec(eps))
    if p["sigma"] is not None:
        sol.step("sigma is given", formula=r"\sigma", value=fmt(float(sigma)))
    else:
        sol.step(f"sigma from eta = {fmt(p['eta'])}" + (" (deterministic DDIM)" if p["eta"] == 0 else ""),
                 formula=r"\sigma = \eta\sqrt{\frac{1 - \bar\alpha_{prev}}{1 - \bar\alpha_t}}\sqrt{1 - \frac{\bar\alpha_t}{\bar\alpha_{prev}}}",
                 substituted=rf"{fmt(p['eta'])}\sqrt{{\frac{{1 - {fmt(abp)}}}{{1 - {fmt(ab)}}}}}\sqrt{{1 - \frac{{{fmt(ab)}}}{{{fmt(abp)}}}}}",
                 value=fmt(float(sigma)))
    room = max(1 - abp - float(sigma) ** 2, 0.0)
    sol.step("DDIM update: predicted x_0 at the new noise level, the direction pointing to x_t, and fresh noise",
             formula=r"x_{prev} = \sqrt{\bar\alpha_{prev}}\,\hat x_0 + \sqrt{1 - \bar\alpha_{prev} - \sigma^2}\,\hat\epsilon + \sigma z",
             substituted=rf"{fmt(math.sqrt(abp))} \cdot {vec(x0)} + {fmt(math.sqrt(room))} \cdot {vec(eps)} + {fmt(float(sigma))} \cdot {vec(z)}",
             value=vec(xp))
    sol.answers = {"x0_pred": answer(x0, p["scalar"]), "eps_pred": answer(eps, p["scalar"]), "sigma": float(sigma),
                   "x_prev": answer(xp, p["scalar"])}
    sol.conventions = {
        "schedule": ("alpha_bar_t and alpha_bar_prev given (cumulative)" if p["sched"] is None
                     else reading(p["sched"]) + "; t_prev = 0 means alpha_bar = 1"),
        "prediction": "eps_pred predicts the noise, x0_pred the clean sample; the other follows from x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps",
        "sigma": "a standard deviation; eta = 0 is deterministic DDIM, eta = 1 gives the DDPM posterior's std",
        "clipping": "x0_pred is not clipped",
    }
    return sol


def _prediction_swapped(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    """The given prediction read as the other one (a noise prediction used as x_0, or back)."""
    for a, b in (("eps_pred", "x0_pred"), ("x0_pred", "eps_pred")):
        if a in problem and b not in problem:
            p = {k: v for k, v in problem.items() if k != a}
            p[b] = problem[a]
            yield f"re-solved reading the given {a} as {b}", resolve(p, key)


UNIT = ProblemType(
    name="ddim_step",
    summary="one DDIM step (eta or sigma; strided steps): x0_pred, eps_pred, sigma, x_prev",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("x0_pred", "eps_pred", "sigma", "x_prev"),
    slips=(*SCHEDULE_SLIPS, SIGMA_LEFT_OUT,
           SlipRule("x0_eps_swapped", "the x_0 and epsilon predictions swapped", ("x0_pred", "eps_pred", "x_prev"),
                    _prediction_swapped)),
    example={"x_t": [0.8, -0.3], "eps_pred": [0.5, -0.2], "alpha_bar_t": 0.5, "alpha_bar_prev": 0.8, "eta": 0.0},
    modules=(8,),
)
