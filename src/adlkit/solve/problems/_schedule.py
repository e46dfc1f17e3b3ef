"""The noise schedule of the four diffusion types (``diffusion_forward``, ``ddpm_posterior``,
``ddpm_step``, ``ddim_step``), in one place: its spec fields, their draws, reading them into an
:class:`adlkit.diffusion.schedule.Schedule` (the sampler's schedule), the steps that say which
reading was used, and the slips that misread it. Not a problem type (the registry skips ``_``
modules)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from adlkit.core.numbers import fmt
from adlkit.solve.common import draw_number, draw_numbers
from adlkit.solve.model import Solution
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import Problem, SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields

FORMS = ("alphas", "betas", "alpha_bar", "schedule")
SCHEDULE_HELP = ("{kind: linear, beta_start, beta_end, steps} (beta_t = linspace(beta_start, beta_end, steps)[t-1]) "
                 "or {kind: cosine, steps, s} (alpha_bar_t = f(t)/f(0), f(t) = cos^2(((t/steps) + s)/(1 + s) pi/2))")
READING = {
    "alphas": "per-step alphas alpha_1..alpha_T given; alpha_bar_t = alpha_1 * ... * alpha_t (their product)",
    "betas": "per-step betas given; alpha_t = 1 - beta_t and alpha_bar_t = prod_{s<=t} (1 - beta_s)",
    "alpha_bar": "cumulative alpha_bar given (not per-step); alpha_t = alpha_bar_t / alpha_bar_{t-1}",
    "linear": "linear schedule: beta_t = linspace(beta_start, beta_end, steps)[t-1], alpha_bar_t = prod_{s<=t} (1 - beta_s)",
    "cosine": "cosine schedule: alpha_bar_t = f(t)/f(0), f(t) = cos^2(((t/steps) + s)/(1 + s) pi/2), no clipping",
}


def _check_schedule(v: dict[str, Any], params: dict[str, Any]) -> str | None:
    from adlkit.diffusion.schedule import SCHEDULE_KINDS

    kind = v.get("kind")
    if kind not in SCHEDULE_KINDS:
        return f"must have kind linear or cosine, got {kind!r}"
    allowed = {"kind", "beta_start", "beta_end", "steps"} if kind == "linear" else {"kind", "steps", "s"}
    extra = set(v) - allowed
    if extra:
        return f"has unknown key(s) {', '.join(sorted(extra))} for kind {kind} (allowed: {', '.join(sorted(allowed))})"
    steps = v.get("steps", 1000)
    if isinstance(steps, bool) or not isinstance(steps, (int, float)) or steps != int(steps) or not 1 <= steps <= 100_000:
        return f"steps must be a whole number in 1..100000, got {steps!r}"
    for k, default in (("beta_start", 1e-4), ("beta_end", 0.02), ("s", 0.008)):
        if k in allowed:
            x = v.get(k, default)
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 <= x < 1:
                return f"{k} must be a number in [0, 1), got {x!r}"
    return None


def _draw_form(rng: np.random.Generator, drawn: dict[str, Any], form: str, per_step: bool,
               skip_if: tuple[str, ...] = ()) -> Any:
    if any(k in drawn for k in skip_if):
        return OMIT
    # one form per draw: alphas with probability 1/4, else betas 1/3, else alpha_bar 1/2, else schedule
    i = FORMS.index(form)
    if any(k in drawn for k in FORMS[:i]) or rng.random() >= 1 / (len(FORMS) - i):
        return OMIT
    n = int(rng.integers(2, 6))
    if form == "alphas":
        return [draw_number(rng, 0.8, 0.99, 2) for _ in range(n)]
    if form == "betas":
        return [draw_number(rng, 0.01, 0.2, 2) for _ in range(n)]
    if form == "alpha_bar":
        if not per_step and rng.random() < 0.4:
            return draw_number(rng, 0.1, 0.95, 2)
        ab = sorted({draw_number(rng, 0.1, 0.99, 2) for _ in range(n)}, reverse=True)
        return ab
    if rng.random() < 0.5:
        return {"kind": "linear", "beta_start": 0.0001, "beta_end": 0.02, "steps": int(rng.choice([10, 100, 1000]))}
    return {"kind": "cosine", "steps": int(rng.choice([10, 100, 1000])), "s": 0.008}


def draw_vector(rng: np.random.Generator, n: int, lo: float, hi: float) -> Any:
    """A drawn x (a number when n = 1, else a list of n), in the spec's form."""
    return draw_number(rng, lo, hi) if n == 1 else draw_numbers(rng, n, lo, hi)


def length(v: Any) -> int:
    """How many coordinates a number-or-list field holds."""
    return len(v) if isinstance(v, list) else 1


def schedule_length(drawn: dict[str, Any]) -> int | None:
    """T of a drawn schedule (None for a single alpha_bar number)."""
    for k in ("alphas", "betas", "alpha_bar"):
        if k in drawn:
            return len(drawn[k]) if isinstance(drawn[k], list) else None
    return int(drawn["schedule"]["steps"]) if "schedule" in drawn else None


def schedule_params(per_step: bool, skip_if: tuple[str, ...] = ()) -> tuple[Param, ...]:
    """The four schedule fields (exactly one is given). ``per_step``: the type needs alpha_t as
    well as alpha_bar_t, so a single alpha_bar number is not enough; ``skip_if``: fields whose
    draw replaces the schedule's."""
    ab_help = ("cumulative alpha_bar_1..alpha_bar_T (a list)" if per_step else
               "cumulative alpha_bar_1..alpha_bar_T (a list), or the number alpha_bar_t itself")
    return (
        Param("alphas", "number_list", "per-step alpha_1..alpha_T, each in (0, 1] (alpha_bar_t is their product)",
              default=None, draw=lambda rng, d: _draw_form(rng, d, "alphas", per_step, skip_if)),
        Param("betas", "number_list", "per-step beta_1..beta_T, each in [0, 1) (alpha_t = 1 - beta_t)",
              default=None, draw=lambda rng, d: _draw_form(rng, d, "betas", per_step, skip_if)),
        Param("alpha_bar", "number_list", ab_help, default=None, scalar_ok=not per_step,
              draw=lambda rng, d: _draw_form(rng, d, "alpha_bar", per_step, skip_if)),
        Param("schedule", "mapping", SCHEDULE_HELP, default=None, check=_check_schedule,
              draw=lambda rng, d: _draw_form(rng, d, "schedule", per_step, skip_if)),
    )


def schedule_from_mapping(v: dict[str, Any]) -> Any:
    """The :class:`Schedule` of a checked ``schedule`` mapping (linear or cosine)."""
    from adlkit.diffusion.schedule import Schedule

    if v.get("kind") == "linear":
        return Schedule.linear(float(v.get("beta_start", 1e-4)), float(v.get("beta_end", 0.02)), int(v.get("steps", 1000)))
    return Schedule.cosine(int(v.get("steps", 1000)), float(v.get("s", 0.008)))


def read_schedule(f: Fields, params: dict[str, Any], *, per_step: bool, t_field: str = "t") -> Any:
    """The :class:`Schedule` of exactly one given schedule field, or INVALID (faults recorded).
    A single alpha_bar number (``per_step`` False) reads as ``("alpha_bar_t", value)``."""
    from adlkit.diffusion.schedule import Schedule, ScheduleError

    given = [k for k in FORMS if f.has(k)]
    if not given:
        f.error("alphas", "is required: give the schedule as exactly one of alphas, betas, alpha_bar, schedule")
        return INVALID
    if len(given) > 1:
        f.error(given[1], f"gives a second schedule (with '{given[0]}'): give exactly one of alphas, betas, alpha_bar, schedule")
        return INVALID
    form = given[0]
    v = params[form]
    if v is INVALID:
        return INVALID
    try:
        if form == "alphas":
            return Schedule.from_alphas(v)
        if form == "betas":
            return Schedule.from_betas(v)
        if form == "alpha_bar":
            if len(v) == 1 and not per_step and not isinstance(f.raw["alpha_bar"], list):
                if not 0 < v[0] <= 1:
                    f.error("alpha_bar", f"must lie in (0, 1], got {v[0]:g}")
                    return INVALID
                return ("alpha_bar_t", float(v[0]))
            return Schedule.from_alpha_bar(v)
        return schedule_from_mapping(v)
    except ScheduleError as err:
        f.error(form, str(err))
        return INVALID


def check_t(f: Fields, sched: Any, t: Any, name: str = "t", minimum: int = 1) -> bool:
    """Record an error unless the step ``t`` lies in the schedule."""
    if t is INVALID or sched is INVALID or isinstance(sched, tuple):
        return t is not INVALID
    if not minimum <= t <= sched.steps:
        f.error(name, f"must be a step of the schedule, {minimum} <= {name} <= T = {sched.steps}, got {t}")
        return False
    return True


def reading(sched: Any) -> str:
    return READING["alpha_bar"] if isinstance(sched, tuple) else READING[sched.reading]


def alpha_bar_step(sol: Solution, sched: Any, t: int, sym: str = "t") -> float:
    """Step: alpha_bar_t from the schedule, saying which reading it is; returns the value."""
    if isinstance(sched, tuple):
        sol.step(f"alpha_bar_{sym} is given (cumulative, not per-step)", formula=rf"\bar\alpha_{{{sym}}}",
                 value=fmt(sched[1]))
        return sched[1]
    ab = sched.alpha_bar(t)
    if t == 0:
        sol.step(r"alpha_bar_0 = 1 (no noise at step 0)", formula=r"\bar\alpha_0 = 1")
        return ab
    if sched.reading in ("alphas", "betas") and t <= 6:
        factors = " \\cdot ".join(fmt(float(a)) for a in sched.alphas[:t])
        pre = "alpha_s = 1 - beta_s, " if sched.reading == "betas" else ""
        sol.step(f"alpha_bar_{sym} from the per-step {sched.reading}: {pre}the product over s = 1..{t}",
                 formula=rf"\bar\alpha_{{{sym}}} = \prod_{{s=1}}^{{{t}}} \alpha_s", substituted=factors, value=fmt(ab))
    elif sched.reading == "alpha_bar":
        sol.step(f"alpha_bar_{sym} is given (cumulative): entry {t} of alpha_bar",
                 formula=rf"\bar\alpha_{{{sym}}} = \bar\alpha_{{{t}}}", value=fmt(ab))
    else:
        sol.step(f"alpha_bar_{sym} ({READING[sched.reading]})",
                 formula=rf"\bar\alpha_{{{sym}}} = \prod_{{s=1}}^{{{t}}} \alpha_s", value=fmt(ab))
    return ab


# -- slips: the schedule misread ------------------------------------------------------------------
def _per_step_list(problem: Problem) -> list[float] | None:
    from adlkit.diffusion.schedule import ScheduleError

    if isinstance(problem.get("alphas"), list):
        return list(problem["alphas"])
    if isinstance(problem.get("betas"), list):
        return [1.0 - b for b in problem["betas"]]
    v = problem.get("schedule")
    if isinstance(v, dict) and _check_schedule(v, {}) is None:
        try:
            return [float(a) for a in schedule_from_mapping(v).alphas]
        except ScheduleError:
            return None
    return None


def _alpha_as_cumulative(problem: Problem, key: str, answers: dict[str, Any], unit: Any):
    alphas = _per_step_list(problem)
    if alphas is not None:
        p = {k: v for k, v in copy.deepcopy(problem).items() if k not in FORMS}
        p["alpha_bar"] = alphas
        yield "re-solved reading the per-step alphas as the cumulative alpha_bar", resolve(p, key)


def _beta_as_alpha(problem: Problem, key: str, answers: dict[str, Any], unit: Any):
    p = {k: v for k, v in copy.deepcopy(problem).items() if k not in FORMS}
    if isinstance(problem.get("betas"), list):
        p["alphas"] = problem["betas"]
        yield "re-solved reading the betas as alphas", resolve(p, key)
    elif isinstance(problem.get("alphas"), list):
        p["betas"] = problem["alphas"]
        yield "re-solved reading the alphas as betas", resolve(p, key)


ALPHA_AS_CUMULATIVE = SlipRule("alpha_as_cumulative", "per-step alpha_t used as the cumulative alpha_bar_t", (),
                               _alpha_as_cumulative)
BETA_AS_ALPHA = SlipRule("beta_as_alpha", "beta_t used as alpha_t (or alpha as beta)", (), _beta_as_alpha)
SCHEDULE_SLIPS = (ALPHA_AS_CUMULATIVE, BETA_AS_ALPHA)


def _sigma_left_out(problem: Problem, key: str, answers: dict[str, Any], unit: Any):
    z = problem.get("z")
    if z is not None and z != 0 and z != [0] * (len(z) if isinstance(z, list) else 0):
        p = copy.deepcopy(problem)
        p.pop("z")
        yield "re-solved without the noise term sigma z", resolve(p, key)


SIGMA_LEFT_OUT = SlipRule("sigma_left_out", "the noise term sigma z left out of x_prev", ("x_prev",), _sigma_left_out)


def vec(v: Any) -> str:
    a = np.atleast_1d(np.asarray(v, dtype=np.float64))
    return fmt(float(a[0])) if a.size == 1 else "[" + ", ".join(fmt(float(x)) for x in a) + "]"


def answer(v: Any, scalar: bool) -> Any:
    """A number when the input was a number, else a list."""
    a = np.atleast_1d(np.asarray(v, dtype=np.float64))
    return float(a[0]) if scalar else [float(x) for x in a]
