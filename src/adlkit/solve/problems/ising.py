"""Problem type ``ising``: energy of a spin configuration, and (n <= 20) the exact partition
function and its Boltzmann probability (module 9).

Computed by :mod:`adlkit.ebm.rbm` (:func:`~adlkit.ebm.rbm.ising_energy` and the exact enumeration
that the RBM uses, :func:`~adlkit.ebm.rbm.log_partition_enumerate`).
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import torch

from adlkit.core.numbers import fmt, fmt_matrix, fmt_vec
from adlkit.ebm.rbm import MAX_ENUMERATE, ising_energy, ising_log_partition
from adlkit.solve.common import draw_number, maybe
from adlkit.solve.model import Solution
from adlkit.solve.schema import Param
from adlkit.solve.slips import SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType


def _spins(v: Any, params: dict[str, Any]) -> str | None:
    if not np.isin(v, (-1, 1)).all():
        return f"must be spins +1 or -1, got {v[~np.isin(v, (-1, 1))][0]:g}"
    return None


def _draw_J(rng, drawn) -> list[list[float]]:
    n = len(drawn["spins"])
    J = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            J[i, j] = J[j, i] = draw_number(rng, -1, 1)
    return [[float(a) for a in r] for r in J]


PARAMETERS = (
    Param("spins", "number_list", "the configuration s, each +1 or -1", min_len=2, check=_spins,
          draw=lambda rng, d: [int(a) for a in rng.choice([-1, 1], int(rng.integers(2, 7)))]),
    Param("J", "matrix", "the symmetric couplings J_ij (zero diagonal; each pair i<j counted once)", draw=_draw_J),
    Param("h", "number_list", "the external field h_i (a number: the same for every spin)", default=0.0,
          scalar_ok=True, draw=lambda rng, d: maybe(rng, draw_number(rng, -1, 1))),
    Param("temperature", "number", "the temperature T of p(s) = exp(-E(s)/T)/Z", default=1.0, positive=True,
          draw=lambda rng, d: maybe(rng, draw_number(rng, 0.5, 3))),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    s, J, h = params["spins"], params["J"], params["h"]
    if s is INVALID or J is INVALID:
        return params
    n = s.size
    if J.shape != (n, n):
        return {**params, "J": f.error("J", f"must be {n}x{n} (one row per spin), got {J.shape[0]}x{J.shape[1]}")}
    triangular = False
    if not np.allclose(J, J.T, rtol=0, atol=1e-12):
        if np.all(np.tril(J, -1) == 0) or np.all(np.triu(J, 1) == 0):  # each pair given once: i<j (or i>j)
            J, triangular = J + J.T - np.diag(np.diag(J)), True
        else:
            return {**params, "J": f.error("J", "must be symmetric (J_ij = J_ji), or triangular (each pair i<j once)")}
    if np.any(np.diag(J) != 0):
        return {**params, "J": f.error("J", "must have a zero diagonal (a spin does not couple to itself)")}
    if h is not INVALID and np.ndim(h) == 1 and h.size not in (1, n):
        return {**params, "h": f.error("h", f"must be a number or have {n} entries, got {h.size}")}
    return {**params, "J": J, "triangular": triangular}


def statement(params: dict[str, Any]) -> str:
    s = ", ".join(f"{int(a):+d}" for a in params["spins"])
    return (f"An Ising model has couplings J = {[[float(a) for a in r] for r in params['J']]} and field "
            f"h = {np.ravel(params['h']).tolist()} at temperature T = {params['temperature']:g}. For the "
            f"configuration s = ({s}), compute its energy and, by enumeration, Z and p(s).")


def solve(pid: str, params: dict[str, Any]) -> Solution:
    s = torch.as_tensor(np.asarray(params["spins"], dtype=np.float64))
    n = s.numel()
    J = torch.as_tensor(np.asarray(params["J"], dtype=np.float64))
    h = torch.as_tensor(np.broadcast_to(np.asarray(params["h"], dtype=np.float64), (n,)).copy())
    T = float(params["temperature"])
    E = float(ising_energy(s[None], J, h)[0])
    Z = prob = log_z = None
    if n <= MAX_ENUMERATE:
        log_z = ising_log_partition(J, h, T)
        Z, prob = math.exp(log_z), math.exp(-E / T - log_z)
    sol = Solution(pid, "ising", answers={"energy": E, "Z": Z, "probability": prob, "log_Z": log_z})
    sol.conventions = {
        "energy": "E(s) = -sum_{i<j} J_ij s_i s_j - sum_i h_i s_i (each pair once; J symmetric, zero diagonal)",
        "distribution": f"p(s) = exp(-E(s)/T) / Z, T = {T:g}",
        "couplings": ("J was given as a triangle (each pair once) and symmetrised" if params.get("triangular")
                      else "J is symmetric; the energy counts each pair i<j once (half the double sum)"),
        "exact": f"Z by enumerating all 2^n spin states when n <= {MAX_ENUMERATE} (null otherwise); log_Z its natural log",
    }
    sol.step("Read the model", formula=rf"J = {fmt_matrix(J)},\ h = {fmt_vec(h)},\ s = {fmt_vec(s)}")
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if J[i, j] != 0]
    terms = [float(J[i, j] * s[i] * s[j]) for i, j in pairs]
    inter = sum(terms)
    field = float(h @ s)
    sol.step("Interaction term: every coupled pair i < j once", formula=r"\sum_{i<j} J_{ij} s_i s_j",
             substituted=" + ".join(f"({fmt(float(J[i, j]))})({int(s[i]):+d})({int(s[j]):+d})" for i, j in pairs) or "0",
             value=fmt(inter))
    sol.step("Field term", formula=r"\sum_i h_i s_i", value=fmt(field))
    sol.step("Energy", formula=r"E(s) = -\sum_{i<j} J_{ij} s_i s_j - \sum_i h_i s_i",
             substituted=rf"-({fmt(inter)}) - ({fmt(field)})", value=fmt(E, 6))
    if log_z is not None:
        sol.step(f"Partition function: sum the Boltzmann factor over all 2^{n} = {2 ** n} configurations",
                 formula=r"Z = \sum_{s \in \{-1, 1\}^n} e^{-E(s)/T}", value=fmt(Z, 6))
        sol.step("Probability of the configuration", formula=r"p(s) = e^{-E(s)/T} / Z",
                 substituted=rf"e^{{-({fmt(E)})/{fmt(T)}}} / {fmt(Z, 6)}", value=fmt(prob, 6))
    else:
        sol.step(f"Z is a sum over 2^{n} configurations: intractable by enumeration here")
    return sol


def _without_temperature(problem: dict[str, Any], key: str, answers: dict[str, Any], unit: Any):
    if problem.get("temperature") not in (None, 1, 1.0):
        p = {k: v for k, v in problem.items() if k != "temperature"}
        yield "re-solved with T = 1 (the temperature left out of exp(-E/T))", resolve(p, key)


def _energy_sign(problem: dict[str, Any], key: str, answers: dict[str, Any], unit: Any):
    p = copy.deepcopy(problem)
    if not isinstance(p.get("J"), list):
        return
    p["J"] = [[-a if isinstance(a, (int, float)) else a for a in r] if isinstance(r, list) else r for r in p["J"]]
    if isinstance(p.get("h"), (int, float)):
        p["h"] = -p["h"]
    elif isinstance(p.get("h"), list):
        p["h"] = [-a if isinstance(a, (int, float)) else a for a in p["h"]]
    yield "re-solved with the energy's sign flipped (E = +sum J s s + sum h s: exp(+E))", resolve(p, key)


UNIT = ProblemType(
    name="ising",
    summary="Ising model: energy of a spin configuration, exact Z and its probability by enumeration",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("energy", "Z", "probability", "log_Z"),
    slips=(SlipRule("temperature_forgotten", "temperature forgotten (exp(-E) for exp(-E/T))", ("Z", "probability"),
                    _without_temperature),
           SlipRule("energy_sign", "the energy's sign (exp(+E) for exp(-E))", ("energy", "Z", "probability"), _energy_sign)),
    example={"spins": [1, -1, 1], "J": [[0, 1, 0.5], [1, 0, -1], [0.5, -1, 0]], "h": 0.2, "temperature": 2},
    modules=(9,),
)
