"""Problem type ``rbm``: energy, free energy and conditionals of a binary RBM (module 9), and its
exact partition function and marginal p(v) when it is small enough to enumerate.

Computed by :mod:`adlkit.ebm.rbm` (the functions the trained RBM uses; Z by its one exact
enumeration, :func:`adlkit.ebm.rbm.log_partition_enumerate`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from adlkit.core.numbers import fmt, fmt_matrix, fmt_vec
from adlkit.ebm.rbm import (
    MAX_ENUMERATE,
    rbm_energy,
    rbm_free_energy,
    rbm_log_partition,
    rbm_p_h_given_v,
    rbm_p_v_given_h,
)
from adlkit.solve.common import draw_numbers
from adlkit.solve.model import Solution
from adlkit.solve.schema import Param
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType


def _binary(v: Any, params: dict[str, Any]) -> str | None:
    if not np.isin(v, (0, 1)).all():
        bad = v[~np.isin(v, (0, 1))][0]
        return f"must be binary (every unit 0 or 1), got {bad:g}"
    return None


def _draw_W(rng, drawn) -> list[list[float]]:
    nv, nh = int(rng.integers(2, 5)), int(rng.integers(1, 4))
    return [draw_numbers(rng, nh, -1.5, 1.5) for _ in range(nv)]


PARAMETERS = (
    Param("W", "matrix", "the weights W (n_v x n_h): row i is visible unit i", draw=_draw_W),
    Param("b", "number_list", "the visible biases (n_v)", draw=lambda rng, d: draw_numbers(rng, len(d["W"]), -1, 1)),
    Param("c", "number_list", "the hidden biases (n_h)", draw=lambda rng, d: draw_numbers(rng, len(d["W"][0]), -1, 1)),
    Param("v", "number_list", "the visible state, binary (n_v)", check=_binary,
          draw=lambda rng, d: [int(a) for a in rng.integers(0, 2, len(d["W"]))]),
    Param("h", "number_list", "a hidden state, binary (n_h), for E(v, h) and p(v | h)", default=None, check=_binary,
          draw=lambda rng, d: [int(a) for a in rng.integers(0, 2, len(d["W"][0]))] if rng.random() < 0.6 else None),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    W = params["W"]
    if W is INVALID:
        return params
    nv, nh = W.shape
    for name, n, what in (("b", nv, "n_v, the rows of W"), ("c", nh, "n_h, the columns of W"),
                          ("v", nv, "n_v, the rows of W"), ("h", nh, "n_h, the columns of W")):
        val = params.get(name)
        if val is not None and val is not INVALID and val.size != n:
            params = {**params, name: f.error(name, f"must have {n} entries ({what}), got {val.size}")}
    return params


def _plain(v: Any) -> str:
    return "[" + ", ".join(f"{float(a):g}" for a in np.ravel(v)) + "]"


def statement(params: dict[str, Any]) -> str:
    W = params["W"]
    h = "" if params.get("h") is None else f" and the hidden state h = {_plain(params['h'])}"
    return (f"A binary RBM has weights W = {[[float(a) for a in r] for r in W]} ({W.shape[0]} visible, "
            f"{W.shape[1]} hidden units), visible biases b = {_plain(params['b'])} and hidden biases "
            f"c = {_plain(params['c'])}. For the visible state v = {_plain(params['v'])}{h}, compute the free "
            "energy, p(h | v), the energy and p(v | h), and, if feasible, Z and p(v).")


def solve(pid: str, params: dict[str, Any]) -> Solution:
    t = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64))
    W, b, c, v = t(params["W"]), t(params["b"]), t(params["c"]), t(params["v"])
    h = None if params.get("h") is None else t(params["h"])
    nv, nh = W.shape
    F = float(rbm_free_energy(v[None], W, b, c)[0])
    ph = rbm_p_h_given_v(v[None], W, c)[0].numpy()
    E = pv_h = None
    if h is not None:
        E = float(rbm_energy(v[None], h[None], W, b, c)[0])
        pv_h = rbm_p_v_given_h(h[None], W, b)[0].numpy()
    Z = p_v = log_z = None
    if nv + nh <= MAX_ENUMERATE:
        log_z = rbm_log_partition(W, b, c)
        Z, p_v = math.exp(log_z), math.exp(-F - log_z)
    sol = Solution(pid, "rbm", answers={"free_energy": F, "p_h_given_v": ph, "energy": E, "p_v_given_h": pv_h,
                                        "Z": Z, "p_v": p_v, "log_Z": log_z})
    sol.conventions = {
        "energy": "E(v, h) = -b^T v - c^T h - v^T W h; p(v, h) = exp(-E(v, h)) / Z (temperature 1)",
        "shapes": "W is n_v x n_h (row i: visible unit i); b visible biases, c hidden biases",
        "free_energy": "F(v) = -log sum_h exp(-E(v, h)) = -b^T v - sum_j softplus(c_j + (W^T v)_j), so p(v) = exp(-F(v)) / Z",
        "conditionals": "p_h_given_v[j] = p(h_j = 1 | v) = sigmoid(c_j + (W^T v)_j); "
                        "p_v_given_h[i] = p(v_i = 1 | h) = sigmoid(b_i + (W h)_i)",
        "exact": f"Z and p_v by enumerating all 2^(n_v + n_h) joint states when n_v + n_h <= {MAX_ENUMERATE} "
                 "(null otherwise); log_Z its natural log",
    }
    sol.step("Read the RBM", formula=rf"W = {fmt_matrix(W)},\ b = {fmt_vec(b)},\ c = {fmt_vec(c)},\ v = {fmt_vec(v)}")
    pre = (c + v @ W).numpy()
    sol.step("Hidden pre-activations: the hidden units are independent given v", formula=r"c + W^\top v",
             value=fmt_vec(pre))
    sol.step("Each hidden unit's conditional", formula=r"p(h_j = 1 \mid v) = \sigma\left(c_j + (W^\top v)_j\right)",
             value=fmt_vec(ph))
    sol.step("Free energy: sum the hidden units out in closed form",
             formula=r"F(v) = -b^\top v - \sum_j \log\left(1 + e^{c_j + (W^\top v)_j}\right)",
             substituted=rf"-{fmt(float(v @ b))} - " + " - ".join(rf"\log(1 + e^{{{fmt(a)}}})" for a in pre),
             value=fmt(F, 6))
    if h is not None:
        sol.step("Energy of the joint state", formula=r"E(v, h) = -b^\top v - c^\top h - v^\top W h",
                 substituted=rf"-{fmt(float(v @ b))} - {fmt(float(h @ c))} - {fmt(float(v @ W @ h))}", value=fmt(E, 6))
        sol.step("Each visible unit's conditional (independent given h)",
                 formula=r"p(v_i = 1 \mid h) = \sigma\left(b_i + (W h)_i\right)",
                 substituted=fmt_vec((b + W @ h).numpy()), value=fmt_vec(pv_h))
    if log_z is not None:
        sol.step(f"Exact partition function: enumerate all 2^{nv + nh} = {2 ** (nv + nh)} joint states",
                 formula=r"Z = \sum_{v, h} e^{-E(v, h)} = \sum_v e^{-F(v)}", value=fmt(Z, 6))
        sol.step("Marginal probability of v", formula=r"p(v) = e^{-F(v)} / Z", value=fmt(p_v, 6))
    else:
        sol.step(f"Z needs a sum over 2^{nv + nh} states: intractable here (AIS estimates it for large models)")
    return sol


UNIT = ProblemType(
    name="rbm",
    summary="binary RBM: energy, free energy, p(h|v), p(v|h), and exact Z and p(v) by enumeration",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("free_energy", "p_h_given_v", "energy", "p_v_given_h", "Z", "p_v", "log_Z"),
    example={"W": [[1, -1], [0.5, 2], [-1, 0]], "b": [0.1, -0.2, 0.3], "c": [0, 0.5], "v": [1, 0, 1], "h": [1, 0]},
    modules=(9,),
)
