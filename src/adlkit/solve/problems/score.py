"""Problem type ``score``: the score grad_x log p(x) of an energy-based density or a Gaussian
(module 9).

Computed by the Langevin sampler's :func:`adlkit.ebm.langevin.score_of_energy` (autograd of the
energy; the partition function does not depend on x).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from adlkit.core.numbers import fmt_vec
from adlkit.solve.common import GAUSSIAN_CONVENTION, gaussian_text
from adlkit.solve.model import Solution
from adlkit.solve.problems.langevin_step import PARAMETERS as LANGEVIN
from adlkit.solve.problems.langevin_step import _score_sign, compute_score, read_source
from adlkit.solve.scores import shaped
from adlkit.solve.slips import SlipRule
from adlkit.solve.spec import Fields
from adlkit.solve.unit import ProblemType

PARAMETERS = tuple(p for p in LANGEVIN if p.name in ("x", "energy", "target"))


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    params = read_source(f, params)
    return {**params, "scalar": not isinstance(f.raw.get("x"), list)}


def statement(params: dict[str, Any]) -> str:
    src = (f"the energy E(x) = {params['energy']} (p proportional to exp(-E))" if params.get("energy") is not None
           else f"p = {gaussian_text(params['target'])}")
    x = np.ravel(params["x"]).tolist()
    return f"Compute the score grad_x log p(x) at x = {x[0] if len(x) == 1 else x} for {src}."


def solve(pid: str, params: dict[str, Any]) -> Solution:
    s, text, how = compute_score(params)
    sol = Solution(pid, "score", answers={"score": shaped(s, params["scalar"])})
    sol.conventions = {"score": "score = grad_x log p(x) = -grad_x E(x) (the Stein score; log Z does not depend on x)"}
    if how == "target":
        sol.conventions["gaussian"] = GAUSSIAN_CONVENTION
    sol.step("log p(x) = -E(x) - log Z, and log Z is a constant: the score needs no partition function",
             formula=r"\nabla_x \log p(x) = -\nabla_x E(x)")
    sol.step("Differentiate and evaluate at x", formula=text, value=fmt_vec(s))
    return sol


UNIT = ProblemType(
    name="score",
    summary="the score grad_x log p(x) of an energy or a Gaussian",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("score",),
    slips=(SlipRule("score_sign", "the score's sign (grad E for -grad E)", ("score",), _score_sign),),
    example={"x": [1.0, 2.0], "target": {"mean": [0, 1], "cov": [[2, 0.5], [0.5, 1]]}},
    modules=(9,),
)
