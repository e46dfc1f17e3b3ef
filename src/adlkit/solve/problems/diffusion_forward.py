"""Problem type ``diffusion_forward``: a sample of the forward process q(x_t | x_0) =
N(sqrt(alpha_bar_t) x_0, (1 - alpha_bar_t) I), x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) eps.

Computed by :func:`adlkit.diffusion.schedule.q_sample` on the
:class:`~adlkit.diffusion.schedule.Schedule` -- what the diffusion model trains with.
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
    read_schedule,
    reading,
    schedule_length,
    schedule_params,
    vec,
)
from adlkit.solve.schema import Param
from adlkit.solve.slips import swapped
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType


def _draw_t(rng, d) -> int:
    T = schedule_length(d)
    return 1 if T is None else int(rng.integers(1, T + 1))


PARAMETERS = (
    Param("x0", "number_list", "the clean data x_0 (a number or a list)", scalar_ok=True,
          draw=lambda rng, d: draw_vector(rng, int(rng.integers(1, 4)), -2, 2)),
    Param("eps", "number_list", "the standard normal noise epsilon, of the same length as x0", scalar_ok=True,
          draw=lambda rng, d: draw_vector(rng, len(d["x0"]) if isinstance(d["x0"], list) else 1, -2, 2)),
    *schedule_params(per_step=False),
    Param("t", "integer", "the step t (1..T); with a single alpha_bar number it only labels the step", minimum=1,
          draw=_draw_t),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    x0, eps = params["x0"], params["eps"]
    if x0 is not INVALID and eps is not INVALID and len(x0) != len(eps):
        f.error("eps", f"must have the same length as 'x0' ({len(x0)}), got {len(eps)}")
    sched = read_schedule(f, params, per_step=False)
    check_t(f, sched, params["t"])
    return {**params, "sched": sched, "scalar": not isinstance(f.raw.get("x0"), list)}


def statement(p: dict[str, Any]) -> str:
    return (f"Forward diffusion: x_0 = {vec(p['x0'])}, noise eps = {vec(p['eps'])}, step t = {p['t']} "
            f"({reading(p['sched'])}). Compute alpha_bar_t, the mean and standard deviation of q(x_t | x_0), "
            "and the sample x_t.")


def solve(pid: str, p: dict[str, Any]) -> Solution:
    from adlkit.diffusion.schedule import q_sample

    sched, t, x0, eps = p["sched"], p["t"], p["x0"], p["eps"]
    sol = Solution(pid, "diffusion_forward", answers={})
    ab = alpha_bar_step(sol, sched, t)
    mean, std, x_t = q_sample(x0, eps, ab)
    sol.answers = {"alpha_bar": ab, "mean": answer(mean, p["scalar"]), "std": float(std), "x_t": answer(x_t, p["scalar"])}
    sol.step("Mean of q(x_t | x_0)", formula=r"\mu = \sqrt{\bar\alpha_t}\, x_0",
             substituted=rf"\sqrt{{{fmt(ab)}}} \cdot {vec(x0)}", value=vec(mean))
    sol.step("Standard deviation of q(x_t | x_0) (the same in every coordinate)", formula=r"\sigma = \sqrt{1 - \bar\alpha_t}",
             substituted=rf"\sqrt{{1 - {fmt(ab)}}}", value=fmt(float(std)))
    sol.step("Reparameterised sample", formula=r"x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1 - \bar\alpha_t}\,\epsilon",
             substituted=rf"{vec(mean)} + {fmt(float(std))} \cdot {vec(eps)}", value=vec(x_t))
    sol.conventions = {
        "schedule": reading(sched),
        "indexing": "steps t = 1..T; alpha_bar_0 = 1; beta_t = 1 - alpha_t",
        "forward": "q(x_t | x_0) = N(sqrt(alpha_bar_t) x_0, (1 - alpha_bar_t) I); 'std' is a standard deviation, not a variance",
    }
    return sol


UNIT = ProblemType(
    name="diffusion_forward",
    summary="forward diffusion q(x_t | x_0): alpha_bar_t from the schedule, mean, std and x_t",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("alpha_bar", "mean", "std", "x_t"),
    slips=(*SCHEDULE_SLIPS, swapped("x0_eps_swapped", "x_0 and epsilon swapped", "x0", "eps", ("mean", "x_t"))),
    example={"x0": [1.0, -0.5], "eps": [0.3, -1.2], "t": 3, "alphas": [0.9, 0.8, 0.7]},
    modules=(8,),
)
