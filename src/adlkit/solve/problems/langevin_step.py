"""Problem type ``langevin_step``: one step of (unadjusted) Langevin dynamics (module 9).

Computed by the EBM's Langevin sampler: the score by :func:`adlkit.ebm.langevin.score_of_energy`
(autograd of the energy) and the move by :func:`adlkit.ebm.langevin.langevin_update`, the update
every sampler of :mod:`adlkit.ebm` applies.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import sympy as sp
import torch

from adlkit.core.expr import evaluate, symbol
from adlkit.core.latex import tex
from adlkit.core.numbers import fmt, fmt_vec
from adlkit.ebm.langevin import FORMS, langevin_update
from adlkit.solve.common import GAUSSIAN_CONVENTION, draw_gaussian, draw_number, draw_numbers, gaussian_text, maybe
from adlkit.solve.model import Solution
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.scores import expression_energy, score_at, shaped, target_energy, variables
from adlkit.solve.slips import SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType

SOURCES = ("energy", "score", "target")


def _dim(params: dict[str, Any]) -> int | None:
    x = params.get("x")
    return None if x is None or x is INVALID else int(np.size(x))


def _vars(params: dict[str, Any]):
    d = _dim(params)
    return None if d is None else variables(d)


def _draw_x(rng, drawn) -> Any:
    return draw_number(rng, -2, 2) if rng.random() < 0.5 else draw_numbers(rng, 2, -2, 2)


def _draw_source(which: str):
    def draw(rng, drawn) -> Any:
        if any(s in drawn for s in SOURCES):
            return OMIT
        d = 1 if not isinstance(drawn["x"], list) else len(drawn["x"])
        pick = SOURCES[int(rng.integers(3))] if which == "energy" else which
        if pick != which:
            return OMIT
        if which == "energy":
            a = draw_number(rng, 0.5, 2)
            return f"{a}*x^2/2" if d == 1 else f"{a}*(x1^2 + x2^2)/2 + x1*x2/4"
        if which == "score":
            return f"-{draw_number(rng, 0.5, 2)}*x" if d == 1 else ["-x1 + 0.5*x2", "-x2"]
        return draw_gaussian(rng, {"x": drawn["x"]}) if d == 1 else \
            {"mean": draw_numbers(rng, 2, -1, 1), "cov": [[2.0, 0.5], [0.5, 1.0]]}
    return draw


PARAMETERS = (
    Param("x", "number_list", "the current point x_t (a number, or a list for d dimensions)", scalar_ok=True, draw=_draw_x),
    Param("energy", "expression", "the energy E(x), p proportional to exp(-E): in x (d = 1) or x1..xd",
          variables=_vars, when=lambda f: f.has("energy"), draw=_draw_source("energy")),
    Param("score", "expressions", "the score grad log p(x) itself: one expression per coordinate", variables=_vars,
          count=_dim, per="coordinate of x", when=lambda f: f.has("score"), draw=_draw_source("score")),
    Param("target", "gaussian", "a Gaussian target p (its score is -Sigma^-1 (x - mu))", when=lambda f: f.has("target"),
          draw=_draw_source("target")),
    Param("step_size", "number", "the step size epsilon > 0", positive=True,
          draw=lambda rng, d: draw_number(rng, 0.01, 0.5, 2)),
    Param("noise", "number_list", "the standard-normal draw z (a number, or one per coordinate)", default=0.0,
          scalar_ok=True, draw=lambda rng, d: maybe(rng, draw_number(rng, -1.5, 1.5))),
    Param("form", "choice", "half: x + (eps/2) grad log p + sqrt(eps) z; full: x + eps grad log p + sqrt(2 eps) z",
          default="half", choices=FORMS, draw=lambda rng, d: maybe(rng, str(rng.choice(FORMS)))),
)


def read_source(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    """Exactly one of energy / score / target (shared by ``score``: only energy and target there)."""
    given = [k for k in SOURCES if f.has(k)]
    allowed = [k for k in SOURCES if k in f.schema]
    if not given:
        f.error(allowed[0], f"is required (give one of {', '.join(allowed)})")
        return {**params, allowed[0]: INVALID}
    if len(given) > 1:
        f.error(given[1], f"cannot be given together with '{given[0]}': give one of {', '.join(allowed)}")
        return {**params, given[1]: INVALID}
    d, t = _dim(params), params.get("target")
    if d is not None and t is not None and t is not INVALID and t.dim != d:
        return {**params, "target": f.error("target", f"must have the dimension of x ({d}), got {t.dim}")}
    return params


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    params = read_source(f, params)
    d, z = _dim(params), params.get("noise")
    if d is not None and z is not INVALID and np.size(z) not in (1, d):
        params = {**params, "noise": f.error("noise", f"must be a number or have {d} entries (one per coordinate), got {np.size(z)}")}
    return {**params, "scalar": not isinstance(f.raw.get("x"), list)}


def compute_score(params: dict[str, Any]) -> tuple[np.ndarray, str, str]:
    """(score at x, its formula, how it was obtained) for the energy, score or target of a spec."""
    x = np.atleast_1d(np.asarray(params["x"], dtype=np.float64))
    d = x.size
    if params.get("score") is not None:
        names = variables(d)
        env = {symbol(n): x[0] for n in names} if d == 1 else {symbol(n): x[i] for i, n in enumerate(names)}
        s = np.array([float(evaluate(e, env)) for e in params["score"]])
        return s, r"\nabla_x \log p(x) = " + ", ".join(tex(e) for e in params["score"]), "given"
    if params.get("energy") is not None:
        E = params["energy"]
        grads = [sp.diff(E, symbol(n)) for n in (("x",) if d == 1 and E.has(symbol("x")) else
                                                 ("x1",) if d == 1 else variables(d))]
        text = (r"\nabla_x \log p(x) = -\nabla_x E(x) = " + ", ".join(tex(-g) for g in grads))
        return score_at(expression_energy(E, d), x), text, "energy"
    g = params["target"]
    return (score_at(target_energy(g), x), r"\nabla_x \log \mathcal N(x; \mu, \Sigma) = -\Sigma^{-1}(x - \mu)",
            "target")


def statement(params: dict[str, Any]) -> str:
    src = (f"the energy E(x) = {params['energy']}" if params.get("energy") is not None else
           f"the score {', '.join(map(str, params['score']))}" if params.get("score") is not None else
           f"the target {gaussian_text(params['target'])}")
    x = np.ravel(params["x"]).tolist()
    return (f"Take one Langevin step from x = {x[0] if len(x) == 1 else x} for {src}, with step size "
            f"epsilon = {params['step_size']:g} and noise z = {np.ravel(params['noise']).tolist()} "
            f"({params['form']} form).")


def solve(pid: str, params: dict[str, Any]) -> Solution:
    x = np.atleast_1d(np.asarray(params["x"], dtype=np.float64))
    eps, form = float(params["step_size"]), params["form"]
    z = np.broadcast_to(np.asarray(params["noise"], dtype=np.float64), x.shape).copy()
    s, text, how = compute_score(params)
    x_next = langevin_update(torch.as_tensor(x), torch.as_tensor(s), eps, torch.as_tensor(z), form).numpy()
    sc = params["scalar"]
    sol = Solution(pid, "langevin_step", answers={"score": shaped(s, sc), "x_next": shaped(x_next, sc)})
    sol.conventions = {
        "form": ("half: x_next = x + (eps/2) grad log p(x) + sqrt(eps) z (the default)" if form == "half" else
                 "full: x_next = x + eps grad log p(x) + sqrt(2 eps) z"),
        "score": "score = grad_x log p(x) = -grad_x E(x): the partition function does not depend on x",
        "noise": "z is the given standard-normal draw (0: the deterministic drift only)",
    }
    if how == "target":
        sol.conventions["gaussian"] = GAUSSIAN_CONVENTION
    sol.step("The score of the target at the current point", formula=text, value=fmt_vec(s))
    if form == "half":
        sol.step("Langevin update: half a step along the score, plus noise of variance eps",
                 formula=r"x_{t+1} = x_t + \frac{\epsilon}{2}\nabla_x \log p(x_t) + \sqrt{\epsilon}\,z",
                 substituted=rf"{fmt_vec(x)} + \frac{{{fmt(eps)}}}{{2}}{fmt_vec(s)} + \sqrt{{{fmt(eps)}}}\,{fmt_vec(z)}",
                 value=fmt_vec(x_next, 6))
    else:
        sol.step("Langevin update: a full step along the score, plus noise of variance 2 eps",
                 formula=r"x_{t+1} = x_t + \epsilon\nabla_x \log p(x_t) + \sqrt{2\epsilon}\,z",
                 substituted=rf"{fmt_vec(x)} + {fmt(eps)}{fmt_vec(s)} + \sqrt{{2 \cdot {fmt(eps)}}}\,{fmt_vec(z)}",
                 value=fmt_vec(x_next, 6))
    return sol


def _other_form(problem: dict[str, Any], key: str, answers: dict[str, Any], unit: Any):
    p = copy.deepcopy(problem)
    p["form"] = "full" if problem.get("form", "half") == "half" else "half"
    yield f"re-solved in the {p['form']} form (eps against eps/2 in the drift)", resolve(p, key)


def negated_source(problem: dict[str, Any]) -> dict[str, Any] | None:
    """The problem with the score's sign flipped (the energy or the given score negated)."""
    p = copy.deepcopy(problem)
    if isinstance(problem.get("energy"), str):
        p["energy"] = f"-({problem['energy']})"
    elif isinstance(problem.get("score"), str):
        p["score"] = f"-({problem['score']})"
    elif isinstance(problem.get("score"), list) and all(isinstance(e, str) for e in problem["score"]):
        p["score"] = [f"-({e})" for e in problem["score"]]
    else:
        return None
    return p


def _score_sign(problem: dict[str, Any], key: str, answers: dict[str, Any], unit: Any):
    p = negated_source(problem)
    if p is not None:
        yield "re-solved with the score's sign flipped (+grad E for -grad E)", resolve(p, key)


UNIT = ProblemType(
    name="langevin_step",
    summary="one Langevin dynamics step from an energy, a score or a Gaussian target",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("score", "x_next"),
    slips=(SlipRule("langevin_eps_half", "eps against eps/2 in the Langevin step", ("x_next",), _other_form),
           SlipRule("score_sign", "the score's sign (grad E for -grad E)", ("score", "x_next"), _score_sign)),
    example={"x": [1.0, -0.5], "energy": "x1^2/2 + x2^2 + x1*x2/2", "step_size": 0.1, "noise": [0.3, -0.2]},
    modules=(9,),
)
