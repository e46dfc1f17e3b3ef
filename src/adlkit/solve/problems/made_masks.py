"""Problem type ``made_masks``: the masks of MADE (Germain et al., 2015) for given degrees.

Computed by :func:`adlkit.autoregressive.masks.made_masks`, the mask builder of the MADE model
(:class:`adlkit.autoregressive.MADEModule`), and :func:`~adlkit.autoregressive.masks.connectivity`
(which inputs reach each output through unmasked weights).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from adlkit.core.numbers import fmt_matrix
from adlkit.solve.model import Solution
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import Problem, SlipRule
from adlkit.solve.spec import INVALID
from adlkit.solve.unit import ProblemType

MAX_INPUTS = 32
MAX_UNITS = 64


def _D(params: dict[str, Any]) -> int | None:
    D = params.get("inputs", INVALID)
    return None if D is INVALID else int(D)


def _check_ordering(v: Any, params: dict[str, Any]) -> str | None:
    D = _D(params)
    if not all(float(a) == int(a) for a in v):
        return f"must list whole numbers (the degree of each input), got {v.tolist()}"
    if D is not None and sorted(int(a) for a in v) != list(range(1, D + 1)):
        return f"must be a permutation of 1..{D} (the degree m(d) of each input d), got {[int(a) for a in v]}"
    return None


def _check_hidden(v: list[list[int]], params: dict[str, Any]) -> str | None:
    D = _D(params)
    if len(v) > 8 or any(len(r) > MAX_UNITS for r in v):
        return f"must have at most 8 layers of at most {MAX_UNITS} units (the masks are printed in full)"
    if D is not None:
        for li, r in enumerate(v, start=1):
            bad = [a for a in r if not 1 <= a <= D - 1]
            if bad:
                return (f"layer {li} has the degree {bad[0]}: a hidden unit's degree must be in 1..{D - 1} "
                        f"(D - 1, with D = {D} inputs)")
    return None


def _draw_ordering(rng, drawn):
    D = drawn["inputs"]
    return OMIT if rng.random() < 0.4 else [int(a) + 1 for a in rng.permutation(D)]


def _draw_hidden(rng, drawn):
    D = drawn["inputs"]
    return [[int(a) for a in rng.integers(1, D, size=int(rng.integers(2, 7)))] for _ in range(int(rng.integers(1, 3)))]


PARAMETERS = (
    Param("inputs", "integer", "D, the number of inputs (and outputs)", minimum=2, maximum=MAX_INPUTS,
          draw=lambda rng, d: int(rng.integers(2, 6))),
    Param("ordering", "number_list", "the degree m(d) of each input d (its place in the ordering), a permutation of 1..D",
          default=lambda p: np.arange(1, (_D(p) or 0) + 1, dtype=np.float64), default_text="1..D",
          check=_check_ordering, draw=_draw_ordering),
    Param("hidden_degrees", "integer_lists", "each hidden layer's list of unit degrees, each in 1..D-1",
          check=_check_hidden, draw=_draw_hidden),
)


def statement(p: dict[str, Any]) -> str:
    m = [int(a) for a in p["ordering"]]
    layers = "; ".join(f"layer {i}: {r}" for i, r in enumerate(p["hidden_degrees"], start=1))
    return (f"A MADE has D = {p['inputs']} inputs with degrees m(d) = {m} and hidden layers with unit "
            f"degrees {layers}. Write every mask matrix, say which inputs each output depends on, and "
            "check that the network is autoregressive.")


def compute(p: dict[str, Any], strict_output: bool = True) -> dict[str, Any]:
    """The answers, through the MADE mask builder (``strict_output=False``: the >= slip)."""
    from adlkit.autoregressive.masks import connectivity, made_masks

    m = [int(a) for a in p["ordering"]]
    masks = made_masks(m, p["hidden_degrees"], strict_output=strict_output)
    conn = connectivity(masks)
    deps = [[int(j) + 1 for j in np.flatnonzero(conn[i])] for i in range(len(m))]
    auto = all(m[j - 1] < m[i] for i in range(len(m)) for j in deps[i])
    return {"masks": [M.tolist() for M in masks], "output_dependencies": deps, "autoregressive": bool(auto),
            "_conn": conn}


def solve(pid: str, p: dict[str, Any]) -> Solution:
    m = [int(a) for a in p["ordering"]]
    D = len(m)
    hidden = p["hidden_degrees"]
    r = compute(p)
    conn = r.pop("_conn")
    sol = Solution(pid, "made_masks", answers=r)
    sol.conventions = {
        "degrees": "ordering[d] is m(d), the degree of input d (its position in the autoregressive order); "
                   "output d models p(x_d | the inputs of smaller degree)",
        "hidden rule": "a hidden unit k of layer l connects to unit k' of the layer below when m^l(k) >= m^(l-1)(k')",
        "output rule": "output d connects to hidden unit k of the last layer when m(d) > m^L(k) (strict)",
        "shape": "each mask is (out, in) like a torch Linear weight: row = unit of the upper layer, "
                 "column = unit of the lower layer; masks listed from the input to the output",
        "indices": "inputs, outputs and units are numbered from 1 in the steps; output_dependencies lists 1-based "
                   "input indices",
        "reference": "Germain, Gregor, Murray, Larochelle (2015), MADE, eq. 12-13",
    }
    degs = [rf"m = ({', '.join(str(v) for v in m)})"]
    degs += [rf"m^{{{i}}} = ({', '.join(str(v) for v in row)})" for i, row in enumerate(hidden, start=1)]
    sol.step("Degree table: input d's degree m(d) in 1..D is its place in the ordering (inputs d = 1.."
             f"{D} in order); the hidden units' degrees m^l(k) in 1..D-1 as given",
             value=r",\quad ".join(degs))
    for i, M in enumerate(r["masks"], start=1):
        last = i == len(r["masks"])
        if last:
            rule = rf"M^{{\mathrm{{out}}}}_{{dk}} = [\, m(d) > m^{{{len(hidden)}}}(k) \,]"
            text = f"Output mask ({D} x {len(hidden[-1])}): output d keeps unit k only if m(d) > m(k), strictly"
        else:
            rule = rf"M^{{{i}}}_{{kk'}} = [\, m^{{{i}}}(k) \ge {'m' if i == 1 else f'm^{{{i - 1}}}'}(k') \,]"
            text = (f"Mask of hidden layer {i} ({len(hidden[i - 1])} x {len(M[0])}): unit k keeps unit k' below "
                    "when its degree is at least as large")
        sol.step(text, formula=rule, value=fmt_matrix(np.asarray(M, dtype=float)))
    sol.step("Which inputs reach each output: the product of the masks, output to input, is positive",
             formula="C = " + " ".join([r"M^{\mathrm{out}}", *[f"M^{{{i}}}" for i in range(len(hidden), 0, -1)]]) + " > 0",
             value=fmt_matrix(conn.astype(float)))
    lines = []
    for d in range(D):
        before = [j + 1 for j in range(D) if m[j] < m[d]]
        seen = r["output_dependencies"][d]
        note = "" if seen == before else f" ({len(before) - len(seen)} of the {len(before)} allowed not reached)"
        lines.append(f"output {d + 1} (m = {m[d]}) sees {', '.join(f'x{j}' for j in seen) or 'no input'}{note}")
    sol.step("Output dependencies, the nonzero columns of each row of C: " + "; ".join(lines),
             value=", ".join(rf"\{{{', '.join(f'x_{{{j}}}' for j in seen)}\}}" for seen in r["output_dependencies"]))
    sol.step("Autoregressive check: every output sees only inputs of smaller degree",
             formula=r"C_{dj} = 1 \Rightarrow m(j) < m(d)", value=str(r["autoregressive"]).lower())
    return sol


def _with_ge_at_output(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    from adlkit.solve import validate_spec
    from adlkit.solve.spec import SpecError

    try:
        _, [(_, _, params)] = validate_spec({"problems": [problem]})
    except (SpecError, ValueError):
        return
    wrong = compute(params, strict_output=False)
    if key in wrong:
        yield "re-solved with m(d) >= m(k) at the output layer (output d then sees input d itself)", wrong[key]


GE_AT_OUTPUT = SlipRule("made_output_ge", ">= used at the output layer instead of > (an output sees its own input)",
                        ("masks", "output_dependencies", "autoregressive"), _with_ge_at_output)

UNIT = ProblemType(
    name="made_masks",
    summary="MADE's mask matrices from the degrees of inputs and hidden units, and what each output sees",
    parameters=PARAMETERS,
    solve=solve,
    statement=statement,
    answers=("masks", "output_dependencies", "autoregressive"),
    slips=(GE_AT_OUTPUT,),
    example={"inputs": 3, "ordering": [2, 1, 3], "hidden_degrees": [[1, 2, 1, 2]]},
    modules=(4,),
)
