"""Problem type ``spectral_norm``: the power iteration of a spectrally normalized critic
(Miyato et al., 2018), one row per iteration beside the exact largest singular value, and the
normalized weight W / sigma.

Computed by :func:`adlkit.lipschitz.power_iteration`, the function the SN-GAN critic of
:mod:`adlkit.gan.spectral` calls on its weights; the exact value is numpy's SVD.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from adlkit.core.numbers import fmt, fmt_matrix, fmt_vec
from adlkit.lipschitz import power_iteration
from adlkit.solve.common import draw_number
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType

AGREE = 1e-9  # relative: the estimate "equals" the exact norm below this


def _direct(f: Fields) -> bool:
    return f.has("sigma") or f.has("weight")


def _draw_W(rng: np.random.Generator, d: dict[str, Any]) -> Any:
    if rng.random() < 0.2:
        return OMIT
    m, n = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    W = rng.integers(-3, 4, size=(m, n)).astype(float)
    W[0, 0] = float(rng.integers(1, 4))  # never the zero matrix
    return W.tolist()


def _draw_start(which: str):
    def draw(rng: np.random.Generator, d: dict[str, Any]) -> Any:
        if "W" not in d or rng.random() < 0.6 or (which == "v0" and "u0" in d):
            return OMIT
        W = np.asarray(d["W"], dtype=np.float64)
        A = W.T if which == "u0" else W
        n = A.shape[1]
        x = rng.integers(-2, 3, size=n).astype(float)
        x[int(rng.integers(n))] = 1.0
        if not np.any(A @ x):  # in the null space: start from e1, which W[0, 0] != 0 makes valid
            x = np.eye(n)[0]
        return x.tolist()
    return draw


def _check_start(which: str):
    def check(x: Any, params: dict[str, Any]) -> str | None:
        W = params.get("W")
        if W is INVALID or W is None:
            return None
        n = W.shape[0] if which == "u0" else W.shape[1]
        what = "rows" if which == "u0" else "columns"
        if x.size != n:
            return f"must have one entry per {what[:-1]} of W ({n} {what}), got {x.size}"
        if not np.any(x):
            return "must not be the zero vector"
        return None
    return check


PARAMETERS = (
    Param("W", "matrix", "the weight matrix (m x n, a list of rows)", when=lambda f: not _direct(f), draw=_draw_W),
    Param("iterations", "integer", "number of power iterations", default=1, minimum=1, maximum=10_000,
          when=lambda f: not _direct(f), draw=lambda rng, d: int(rng.integers(1, 4)) if "W" in d else OMIT),
    Param("u0", "number_list", "start vector u (length = rows of W); an iteration is v = normalize(W^T u), "
          "then u = normalize(W v)", default=None, default_text="e1 (when v0 is not given)",
          when=lambda f: not _direct(f) and not f.has("v0"), check=_check_start("u0"), draw=_draw_start("u0")),
    Param("v0", "number_list", "start vector v (length = columns of W), instead of u0; an iteration is "
          "u = normalize(W v), then v = normalize(W^T u)", default=None, default_text="none (start from u0)",
          when=lambda f: not _direct(f) and not f.has("u0"), check=_check_start("v0"), draw=_draw_start("v0")),
    Param("sigma", "number", "a given spectral norm (instead of W): normalize 'weight' by it", positive=True,
          when=_direct, draw=lambda rng, d: OMIT if "W" in d else draw_number(rng, 0.5, 5)),
    Param("weight", "matrix", "the weight (number or matrix) to divide by 'sigma'", scalar_ok=True, when=_direct,
          draw=lambda rng, d: OMIT if "W" in d else
          (draw_number(rng, -3, 3) if rng.random() < 0.5 else [[draw_number(rng, -3, 3) for _ in range(2)] for _ in range(2)])),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    if _direct(f):
        if f.has("W"):
            f.error("W", "give either 'W' (power iteration) or 'sigma' and 'weight', not both")
        for name in ("iterations", "u0", "v0"):
            if f.has(name):
                f.error(name, "belongs to the power iteration of 'W', not to the 'sigma' and 'weight' form")
        return {**params, "form": "direct"}
    if f.has("u0") and f.has("v0"):
        f.error("v0", "give u0 or v0, not both")
    W = params.get("W")
    if W is not INVALID and W is not None and not np.any(W):
        f.error("W", "must not be the zero matrix (its spectral norm is 0: nothing to normalize)")
    elif W is not INVALID and W is not None:
        u0, v0 = params.get("u0"), params.get("v0")
        if v0 is not None and v0 is not INVALID and not np.any(W @ v0):
            f.error("v0", "lies in the null space of W (W v0 = 0): the power iteration cannot start from it")
        elif v0 is None and u0 is not INVALID:
            start = u0 if u0 is not None else np.eye(W.shape[0])[0]
            if not np.any(W.T @ start):
                f.error("u0", ("is orthogonal to the range of W (W^T u0 = 0)" if u0 is not None else
                               "defaults to e1, which is orthogonal to the range of W (the first row of W is 0)") +
                        ": the power iteration cannot start from it; give another u0 or v0")
    return {**params, "form": "iteration"}


def statement(params: dict[str, Any]) -> str:
    if params["form"] == "direct":
        w = params["weight"]
        wt = fmt(w) if isinstance(w, float | int) else str(np.asarray(w).tolist())
        return (f"A spectrally normalized layer has the estimate sigma = {fmt(params['sigma'])}. "
                f"Give the normalized weight for the weight {wt}.")
    W, k = params["W"], params["iterations"]
    if params.get("v0") is not None:
        start = f"v0 = {params['v0'].tolist()}"
    elif params.get("u0") is not None:
        start = f"u0 = {params['u0'].tolist()}"
    else:
        start = "u0 = e1"
    return (f"Run {k} power iteration(s) from {start} on W = {W.tolist()} to estimate its spectral norm, as "
            "spectral normalization does; compare with the exact largest singular value and give W / sigma.")


def solve(pid: str, params: dict[str, Any]) -> Solution:
    sol = Solution(pid, "spectral_norm", answers={})
    if params["form"] == "direct":
        return _solve_direct(sol, params)
    W = np.asarray(params["W"], dtype=np.float64)
    k = int(params["iterations"])
    u0, v0 = params.get("u0"), params.get("v0")
    res = power_iteration(W, k, u0=u0, v0=v0)
    exact = float(np.linalg.svd(W, compute_uv=False)[0])
    sigma = float(res.sigma)
    Wn = W / sigma
    sol.answers = {"sigma": sigma, "sigma_exact": exact, "W_normalized": Wn.tolist(),
                   "u": [float(x) for x in res.u], "v": [float(x) for x in res.v],
                   "weight_normalized": Wn.tolist()}
    from_u = res.start == "u"
    sol.conventions = {
        "iteration": ("from u0 (default e1): v = normalize(W^T u), then u = normalize(W v)" if from_u else
                      "from v0: u = normalize(W v), then v = normalize(W^T u) (the order of "
                      "torch.nn.utils.parametrizations.spectral_norm)"),
        "normalize": "x / ||x||_2 (Euclidean norm); the start vector is normalized first",
        "sigma": "the estimate u^T W v after the iterations (at most the largest singular value)",
        "sigma_exact": "the largest singular value of W (numpy SVD)",
        "W_normalized": "W / sigma with the estimate sigma, as the critic uses it; weight_normalized is the same here",
    }
    x0 = (u0 if u0 is not None else np.eye(W.shape[0])[0]) if from_u else v0
    start = fmt_vec(np.asarray(x0) / np.linalg.norm(x0))
    sol.step("The spectral norm is the largest singular value; the power iteration estimates it with two "
             "vectors u and v that converge to the top left and right singular vectors",
             formula=(r"v := \frac{W^\top u}{\|W^\top u\|},\quad u := \frac{W v}{\|W v\|},\quad "
                      r"\hat\sigma = u^\top W v" if from_u else
                      r"u := \frac{W v}{\|W v\|},\quad v := \frac{W^\top u}{\|W^\top u\|},\quad "
                      r"\hat\sigma = u^\top W v"))
    sol.step(f"Start from {'u' if from_u else 'v'}_0 (normalized)",
             formula=rf"W = {fmt_matrix(W)},\quad {'u' if from_u else 'v'}_0 = {start}")
    rows = []
    for s in res.steps:
        first, second = (("v", s.v), ("u", s.u)) if from_u else (("u", s.u), ("v", s.v))
        rows.append(Step(f"iteration {s.iteration}: sigma estimate {fmt(float(s.sigma), 6)}, "
                         f"exact {fmt(exact, 6)}",
                         formula=rf"{first[0]}_{s.iteration} = {fmt_vec(first[1])},\ {second[0]}_{s.iteration} = "
                                 rf"{fmt_vec(second[1])},\ \hat\sigma_{s.iteration} = u^\top W v",
                         value=rf"{fmt(float(s.sigma), 6)}\ \text{{(exact }} {fmt(exact, 6)})"))
    sol.step(f"Iterate {k} time(s): one row per iteration, the estimate beside the exact value", substeps=rows)
    sol.step("The exact largest singular value (SVD of W), for comparison",
             formula=r"\sigma_{\max}(W) = \sqrt{\lambda_{\max}(W^\top W)}", value=fmt(exact, 6))
    if math.isclose(sigma, exact, rel_tol=AGREE, abs_tol=0.0):
        sol.step(f"After {k} iteration(s) the estimate equals the exact norm (to 1e-9 relative)",
                 formula=rf"\hat\sigma = {fmt(sigma, 6)} = \sigma_{{\max}}")
    else:
        sol.step(f"The estimate differs from the exact norm after {k} iteration(s): the power iteration approaches "
                 "sigma_max from below (u^T W v <= sigma_max for unit u, v), so W / sigma_hat can have a norm "
                 "slightly above 1; a critic keeps u between training steps, so in practice one iteration per step is used (Miyato et al. 2018)",
                 formula=rf"\hat\sigma = {fmt(sigma, 6)} < {fmt(exact, 6)} = \sigma_{{\max}},\quad "
                         rf"\|W/\hat\sigma\|_2 = {fmt(exact / sigma, 6)}")
    sol.step("Normalize the weight by the estimate", formula=r"\bar W = W / \hat\sigma",
             substituted=rf"{fmt_matrix(W)} / {fmt(sigma, 6)}", value=fmt_matrix(Wn))
    return sol


def _solve_direct(sol: Solution, params: dict[str, Any]) -> Solution:
    sigma, w = float(params["sigma"]), params["weight"]
    W = np.atleast_2d(np.asarray(w, dtype=np.float64))
    exact = float(np.linalg.svd(W, compute_uv=False)[0])
    out = (float(w) / sigma) if np.ndim(w) == 0 else (np.asarray(w) / sigma).tolist()
    sol.answers = {"sigma": sigma, "sigma_exact": exact, "W_normalized": out, "u": None, "v": None,
                   "weight_normalized": out}
    sol.conventions = {
        "sigma": "the given spectral-norm estimate; the weight is divided by it",
        "sigma_exact": "the largest singular value of the given weight (|w| for a number), for comparison",
        "u, v": "null: no power iteration is run in this form",
    }
    sol.step("Spectral normalization divides the weight by its spectral norm (here: the given sigma)",
             formula=r"\bar W = W / \sigma", substituted=rf"{fmt_matrix(W) if np.ndim(w) else fmt(float(w))} / {fmt(sigma)}",
             value=fmt_matrix(out) if np.ndim(w) else fmt(out))
    if not math.isclose(sigma, exact, rel_tol=AGREE):
        sol.step("The given sigma is not the weight's own largest singular value, so the normalized weight's "
                 "spectral norm is not 1", formula=rf"\sigma_{{\max}}(W) = {fmt(exact, 6)},\quad "
                                                   rf"\|\bar W\|_2 = {fmt(exact / sigma, 6)}")
    return sol


def _estimate_for_exact() -> SlipRule:
    """The power iteration's estimate given for the exact norm, and back; W normalized by the
    exact norm instead of the estimate."""

    def candidates(problem: dict[str, Any], key: str, answers: dict[str, Any], unit: ProblemType):
        if answers.get("u") is None:
            return
        if key == "sigma_exact":
            yield "the power iteration's estimate u^T W v given as the exact largest singular value", answers["sigma"]
        elif key == "sigma":
            yield "the exact largest singular value given instead of the estimate after the iterations", answers["sigma_exact"]
        elif key in ("W_normalized", "weight_normalized"):
            W = np.asarray(problem["W"], dtype=np.float64)
            yield "W divided by the exact largest singular value instead of the estimate", (W / answers["sigma_exact"]).tolist()

    return SlipRule("estimate_vs_exact", "power-iteration estimate and exact spectral norm confused",
                    ("sigma", "sigma_exact", "W_normalized", "weight_normalized"), candidates)


def _order_swapped() -> SlipRule:
    """The start vector read as the other one: u0 given, v0 used (or back)."""

    def candidates(problem: dict[str, Any], key: str, answers: dict[str, Any], unit: ProblemType):
        if "W" not in problem:
            return
        p = dict(problem)
        W = np.asarray(problem["W"], dtype=np.float64)
        if W.shape[0] != W.shape[1]:
            return
        if "v0" in p:
            p["u0"] = p.pop("v0")
        else:
            p["v0"] = p.pop("u0", [1.0] + [0.0] * (W.shape[1] - 1))
        yield "re-solved starting from the other vector (u and v updates in the other order)", resolve(p, key)

    return SlipRule("iteration_order", "the update order of u and v swapped", ("sigma", "u", "v"), candidates)


UNIT = ProblemType(
    name="spectral_norm",
    summary="spectral normalization: power iteration for the largest singular value, W / sigma",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("sigma", "sigma_exact", "W_normalized", "u", "v", "weight_normalized"),
    slips=(_estimate_for_exact(), _order_swapped()),
    example={"W": [[2, 1], [1, 3]], "iterations": 2},
    modules=(7,),
)
