"""Problem type ``bits_per_dim``: a negative log-likelihood in nats per example as bits (and
nats) per dimension, optionally moved from a dequantized density on [0, 1]^D to the discrete
scale of its K levels (modules 4 and 5).

Computed by :func:`adlkit.data.digits.bits_per_dim`, the conversion the digits likelihood table
and the flow pipeline report with.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from adlkit.core.numbers import fmt
from adlkit.solve.common import draw_number, maybe
from adlkit.solve.model import Solution
from adlkit.solve.schema import Param
from adlkit.solve.slips import LOG_BASES, Problem, SlipRule, resolve
from adlkit.solve.unit import ProblemType, in_nats

PARAMETERS = (
    Param("nll", "number", "the negative log-likelihood in nats per example (of the density on [0, 1]^D "
          "when 'levels' is given)", draw=lambda rng, d: draw_number(rng, -150, 3000)),
    Param("dims", "integer", "the number of dimensions D of one example (pixels x channels)", minimum=1,
          draw=lambda rng, d: int(rng.choice([2, 64, 784, 3072]))),
    Param("levels", "integer", "K: the data are integers 0..K-1 dequantized to [0, 1]^D as (x + u)/K",
          minimum=2, default=None, default_text="none (the nll is already on the data's own scale)",
          draw=lambda rng, d: maybe(rng, int(rng.choice([2, 17, 256])))),
)


def statement(params: dict[str, Any]) -> str:
    k = params["levels"]
    scale = (f" of a density on [0, 1]^{params['dims']} fitted to data with {k} levels dequantized as (x + u)/{k}"
             if k else "")
    return (f"A model's negative log-likelihood is {fmt(params['nll'])} nats per example{scale}, with "
            f"D = {params['dims']} dimensions. Give it in bits per dimension (and nats per dimension).")


def solve(pid: str, p: dict[str, Any]) -> Solution:
    from adlkit.data.digits import bits_per_dim

    nll, D, K = float(p["nll"]), int(p["dims"]), p["levels"]
    # the data module's conversion takes log-densities; K = 1 adds D log 1 = 0 (no change of scale)
    bpd = float(bits_per_dim(-nll, dim=D, levels=K or 1))
    npd = bpd * math.log(2.0)
    sol = Solution(pid, "bits_per_dim", answers={"bits_per_dim": bpd, "nats_per_dim": npd})
    sol.conventions = {
        "bits_per_dim": "bits/dim = NLL / (D ln 2): the nll in nats per example, divided by the dimensions and by "
                        "ln 2 (nats to bits)",
        "levels": ("the density p_u on [0, 1]^D of u = (x + U[0,1))/K is a density on the K-level scale divided by "
                   "K^D, so the discrete-scale nll is nll + D log K (a bound on -log P(x)); "
                   "bits/dim = (nll + D log K) / (D ln 2)") if K else "no levels given: the nll is used as it is",
        "nats_per_dim": "the same quantity in nats: bits/dim * ln 2",
    }
    if K:
        sol.step(f"Move the nll from the unit cube to the scale of the {K} levels: the density of u = (x + u')/{K} "
                 f"is {K}^D times the density on [0, {K})^D", formula=r"\mathrm{NLL}_K = \mathrm{NLL} + D\log K",
                 substituted=rf"{fmt(nll)} + {D}\log {K}", value=fmt(nll + D * math.log(K)))
    tot = nll + D * math.log(K) if K else nll
    sol.step("Per dimension, in nats", formula=r"\mathrm{NLL}_K / D" if K else r"\mathrm{NLL} / D",
             substituted=rf"{fmt(tot)} / {D}", value=fmt(npd))
    sol.step("In bits: divide by ln 2", formula=r"\text{bits/dim} = \frac{\text{nats/dim}}{\ln 2}",
             substituted=rf"{fmt(npd)} / {fmt(math.log(2))}", value=fmt(bpd))
    return sol


def _nats_as_bits(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    if key == "bits_per_dim" and "nats_per_dim" in answers:
        yield "the engine's nats per dimension (not divided by ln 2)", answers["nats_per_dim"]


def _no_levels(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    if problem.get("levels") is not None:
        p = copy.deepcopy(problem)
        del p["levels"]
        yield "re-solved without the D log K of the dequantization", resolve(p, key)


NATS_AS_BITS = SlipRule("nats_as_bits", "nats per dimension reported as bits (no division by ln 2)",
                        ("bits_per_dim",), _nats_as_bits)
NO_LEVELS = SlipRule("dequantization_left_out", "the D log K term of the dequantization left out",
                     ("bits_per_dim", "nats_per_dim"), _no_levels)

UNIT = ProblemType(
    name="bits_per_dim",
    summary="nats per example to bits per dimension, with the dequantization term D log K",
    parameters=PARAMETERS,
    solve=solve,
    statement=statement,
    answers=("bits_per_dim", "nats_per_dim"),
    nats=in_nats("nats_per_dim"),
    slips=(*LOG_BASES, NATS_AS_BITS, NO_LEVELS),
    example={"nll": -85.3, "dims": 64, "levels": 17},
    modules=(4, 5),
)
