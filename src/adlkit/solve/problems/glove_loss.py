"""Problem type ``glove_loss``: GloVe's weighted least-squares term for one or several pairs.

Computed by :func:`adlkit.embeddings.objectives.glove_pair`, whose weighting
:func:`~adlkit.embeddings.objectives.glove_weight` is the one :class:`adlkit.embeddings.GloVe`
trains with (its kernel descends half of this loss; tests/embeddings/test_objectives.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from adlkit.core.numbers import fmt, par
from adlkit.solve.common import draw_numbers, maybe
from adlkit.solve.model import Solution
from adlkit.solve.schema import Param
from adlkit.solve.slips import Problem, SlipRule
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType


def _check_counts(X: Any, params: dict[str, Any]) -> str | None:
    return "must be > 0 (GloVe fits log X over the non-zero counts only)" if np.any(X <= 0) else None


def _draw_x(rng, d):
    n = int(rng.integers(1, 4))
    d["_n"], d["_d"] = n, int(rng.integers(2, 4))
    xs = [float(int(rng.choice([1, 3, 10, 50, 100, 250]))) for _ in range(n)]
    return xs[0] if n == 1 else xs


def _vecs(rng, d):
    v = [draw_numbers(rng, d["_d"], -1, 1) for _ in range(d["_n"])]
    return v[0] if d["_n"] == 1 else v


def _bias(rng, d):
    b = draw_numbers(rng, d["_n"], -1, 1)
    return b[0] if d["_n"] == 1 else b


def _clean(rng, d):
    d.pop("_n", None), d.pop("_d", None)
    return maybe(rng, 0.75)


PARAMETERS = (
    Param("X", "number_list", "the co-occurrence count X_ij (a number, or a list: one per pair)", scalar_ok=True,
          check=_check_counts, draw=_draw_x),
    Param("w", "rows", "the word vector w_i (or one row per pair)", draw=_vecs),
    Param("w_context", "rows", "the context vector w~_j (or one row per pair)", draw=_vecs),
    Param("b", "number_list", "the word bias b_i (or one per pair)", scalar_ok=True, draw=_bias),
    Param("b_context", "number_list", "the context bias b~_j (or one per pair)", scalar_ok=True, draw=_bias),
    Param("x_max", "number", "the count where the weight reaches 1", positive=True, default=100.0,
          draw=lambda rng, d: maybe(rng, 100.0)),
    Param("alpha", "number", "the weighting exponent", positive=True, default=0.75, draw=_clean),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    X = params["X"]
    single = not isinstance(f.raw.get("X"), list)
    if X is INVALID:
        return {**params, "single": single}
    n = X.size
    for k in ("w", "w_context", "b", "b_context"):
        v = params[k]
        if v is not INVALID and v.shape[0] != n:
            f.error(k, f"must give one {'vector' if k.startswith('w') else 'number'} per pair ({n}), got {v.shape[0]}")
    w, c = params["w"], params["w_context"]
    if w is not INVALID and c is not INVALID and w.shape[1] != c.shape[1]:
        f.error("w_context", f"must have the length of 'w' ({w.shape[1]}), got {c.shape[1]}")
    return {**params, "single": single}


def statement(p: dict[str, Any]) -> str:
    pairs = "; ".join(f"X = {x:g}, w = {list(map(float, w))}, w~ = {list(map(float, c))}, b = {b:g}, b~ = {bc:g}"
                      for x, w, c, b, bc in zip(p["X"], p["w"], p["w_context"], p["b"], p["b_context"]))
    return (f"GloVe with x_max = {p['x_max']:g} and alpha = {p['alpha']:g}: for {pairs}, compute the weight f(X), "
            "the residual w . w~ + b + b~ - log X and the weighted squared loss.")


def solve(pid: str, p: dict[str, Any]) -> Solution:
    from adlkit.embeddings.objectives import glove_pair

    r = glove_pair(p["X"], p["w"], p["w_context"], p["b"], p["b_context"], p["x_max"], p["alpha"])
    one = (lambda a: float(a[0])) if p["single"] else (lambda a: a.tolist())
    total = float(r["loss"].sum())
    sol = Solution(pid, "glove_loss", answers={"weight": one(r["weight"]), "residual": one(r["residual"]),
                                               "loss": total if not p["single"] else float(r["loss"][0])})
    sol.conventions = {
        "weight": f"f(X) = min(1, (X / x_max)^alpha), x_max = {p['x_max']:g}, alpha = {p['alpha']:g}",
        "residual": "w . w~ + b + b~ - log X (natural log)",
        "loss": "f(X) residual^2 (Pennington et al.'s J, no 1/2)" + ("; summed over the pairs" if not p["single"] else ""),
    }
    for i in range(p["X"].size):
        x = float(p["X"][i])
        tag = f" (pair {i + 1})" if not p["single"] else ""
        dot = float(p["w"][i] @ p["w_context"][i])
        sol.step(f"Weight{tag}", formula=r"f(X) = \min\left(1, (X/x_{max})^{\alpha}\right)",
                 substituted=rf"\min\left(1, ({fmt(x)}/{fmt(p['x_max'])})^{{{fmt(p['alpha'])}}}\right)",
                 value=fmt(r["weight"][i]))
        sol.step(f"Residual{tag}", formula=r"w^\top \tilde w + b + \tilde b - \log X",
                 substituted=rf"{fmt(dot)} + {par(p['b'][i])} + {par(p['b_context'][i])} - \log {fmt(x)}",
                 value=fmt(r["residual"][i]))
        sol.step(f"Weighted squared error{tag}", formula=r"f(X)\,r^2",
                 substituted=rf"{fmt(r['weight'][i])} \cdot {par(r['residual'][i])}^2", value=fmt(r["loss"][i]))
    if not p["single"]:
        sol.step("Total over the pairs", formula=r"J = \sum f(X_{ij}) r_{ij}^2", value=fmt(total))
    return sol


def _half(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    if key == "loss" and isinstance(answers.get("loss"), float):
        yield "the engine's loss halved (the 1/2 f r^2 that the AdaGrad kernel descends)", answers["loss"] / 2


def _log10(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    from adlkit.solve import validate_spec

    try:
        _, [(_, _, p)] = validate_spec({"problems": [problem]})
    except Exception:
        return
    shift = np.log(p["X"]) - np.log10(p["X"])
    res = np.asarray(answers["residual"], dtype=float) + shift
    if key == "residual":
        yield "the residual with log10 X instead of ln X", (float(res) if p["single"] else res.tolist())


HALF = SlipRule("half_loss", "the 1/2 of the gradient-descent cost added to the loss", ("loss",), _half)
LOG10 = SlipRule("log10_counts", "log base 10 of the count instead of the natural log", ("residual",), _log10)

UNIT = ProblemType(
    name="glove_loss",
    summary="GloVe term for one or several pairs: weight f(X), residual, weighted squared loss",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("weight", "residual", "loss"),
    slips=(HALF, LOG10),
    example={"X": 10, "w": [0.5, -0.2], "w_context": [0.3, 0.8], "b": 0.1, "b_context": -0.2},
    modules=(10,),
)
