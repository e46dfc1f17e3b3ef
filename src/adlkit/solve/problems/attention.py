"""Problem type ``attention``: scaled dot-product attention, one head or several.

Computed by :func:`adlkit.lm.transformer.multi_head` (the head split and
:func:`adlkit.lm.transformer.attention`), which the transformer language model's
:class:`~adlkit.lm.transformer.MultiHeadAttention` runs.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from adlkit.core.numbers import fmt, fmt_matrix
from adlkit.solve.common import draw_numbers, maybe
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import Problem, SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType

MAX_SIZE = 64  # positions and widths: the matrices are printed in full


def _direct(f: Fields) -> bool:
    return not f.has("X")


def _draw_matrix(rows: int, cols: int):
    return lambda rng, d: [draw_numbers(rng, cols, -2, 2) for _ in range(rows)]


def _draw_shape(rng, d):
    d["_t"] = int(rng.integers(2, 5))
    d["_d"] = int(rng.choice([2, 4]))
    d["_x"] = bool(rng.random() < 0.4)
    return OMIT


def _draw_field(name: str):
    def draw(rng, d):
        if "_t" not in d:
            _draw_shape(rng, d)
        t, w, use_x = d["_t"], d["_d"], d["_x"]
        if name in ("Q", "K", "V"):
            return OMIT if use_x else _draw_matrix(t, w)(rng, d)
        if name == "X":
            return _draw_matrix(t, 3)(rng, d) if use_x else OMIT
        return _draw_matrix(3, w)(rng, d) if use_x else OMIT
    return draw


def _cleanup(rng, d):
    for k in ("_t", "_d", "_x"):
        d.pop(k, None)
    return OMIT


def _draw_heads(rng, d):
    w = d.get("_d", 2)
    return maybe(rng, int(rng.choice([h for h in (1, 2) if w % h == 0])))


PARAMETERS = (
    Param("Q", "rows", "the queries, one row per position (or give X and W_q)", when=_direct,
          missing="is required (or give X with W_q, W_k, W_v)", draw=_draw_field("Q")),
    Param("K", "rows", "the keys, one row per position", when=_direct, draw=_draw_field("K")),
    Param("V", "rows", "the values, one row per position (as many rows as K)", when=_direct,
          draw=_draw_field("V")),
    Param("X", "rows", "the inputs, one row per position (instead of Q, K, V: Q = X W_q, ...)",
          when=lambda f: f.has("X"), draw=_draw_field("X")),
    Param("W_q", "matrix", "the query projection (d_in x d_k; Q = X W_q)", when=lambda f: f.has("X"),
          draw=_draw_field("W_q")),
    Param("W_k", "matrix", "the key projection (d_in x d_k)", when=lambda f: f.has("X"), draw=_draw_field("W_k")),
    Param("W_v", "matrix", "the value projection (d_in x d_v)", when=lambda f: f.has("X"), draw=_draw_field("W_v")),
    Param("heads", "integer", "the number of heads (divides the width of Q, K and V)", default=1, minimum=1,
          draw=_draw_heads),
    Param("scale", "number", "the factor on Q K^T", positive=True, default=None,
          default_text="1/sqrt(d_k), d_k the width of one head", draw=lambda rng, d: OMIT),
    Param("mask", "choice", "none, or causal (a position attends to itself and earlier ones)",
          choices=("none", "causal"), default="none",
          draw=lambda rng, d: (_cleanup(rng, d), maybe(rng, str(rng.choice(["none", "causal"]))))[1]),
)


def _bad(*values: Any) -> bool:
    return any(v is INVALID for v in values)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"heads": params["heads"], "scale": params["scale"], "mask": params["mask"]}
    if f.has("X"):
        for k in ("Q", "K", "V"):
            if f.has(k):
                f.error(k, "give either Q, K, V or X with W_q, W_k, W_v, not both")
        X, Wq, Wk, Wv = (params[k] for k in ("X", "W_q", "W_k", "W_v"))
        if _bad(X, Wq, Wk, Wv) or any(f.has(k) for k in ("Q", "K", "V")):
            return {**out, "Q": INVALID}
        ok = True
        for name, W in (("W_q", Wq), ("W_k", Wk), ("W_v", Wv)):
            if W.shape[0] != X.shape[1]:
                f.error(name, f"must have as many rows as X has columns ({X.shape[1]}), got {W.shape[0]}")
                ok = False
        if Wk.shape[1] != Wq.shape[1]:
            f.error("W_k", f"must have as many columns as W_q ({Wq.shape[1]}), got {Wk.shape[1]}")
            ok = False
        if not ok:
            return {**out, "Q": INVALID}
        Q, K, V = X @ Wq, X @ Wk, X @ Wv
        out.update(X=X, W_q=Wq, W_k=Wk, W_v=Wv)
    else:
        Q, K, V = params["Q"], params["K"], params["V"]
        if _bad(Q, K, V):
            return {**out, "Q": INVALID}
        if K.shape[1] != Q.shape[1]:
            f.error("K", f"must have as many columns as Q ({Q.shape[1]}), got {K.shape[1]}")
            return {**out, "Q": INVALID}
        if V.shape[0] != K.shape[0]:
            f.error("V", f"must have as many rows as K ({K.shape[0]}), got {V.shape[0]}")
            return {**out, "Q": INVALID}
    if max(*Q.shape, *K.shape, *V.shape) > MAX_SIZE:
        f.error("Q" if not f.has("X") else "X", f"is too large: at most {MAX_SIZE} positions and columns")
        return {**out, "Q": INVALID}
    h = params["heads"]
    if h is not INVALID:
        for name, width in (("Q", Q.shape[1]), ("V", V.shape[1])):
            if width % h:
                f.error("heads", f"must divide the width of {name} ({width}), got {h}")
                return {**out, "Q": INVALID}
    if params["mask"] == "causal" and Q.shape[0] != K.shape[0]:
        f.error("mask", f"causal needs as many queries as keys (self-attention), got {Q.shape[0]} and {K.shape[0]}")
    out.update(Q=Q, K=K, V=V)
    return out


def statement(p: dict[str, Any]) -> str:
    def m(a) -> str:
        return "[" + ", ".join("[" + ", ".join(f"{float(x):g}" for x in row) + "]" for row in np.asarray(a)) + "]"

    src = (f"X = {m(p['X'])} with W_q = {m(p['W_q'])}, W_k = {m(p['W_k'])}, W_v = {m(p['W_v'])} (Q = X W_q, ...)"
           if "X" in p else f"Q = {m(p['Q'])}, K = {m(p['K'])}, V = {m(p['V'])}")
    heads = f" with {p['heads']} heads" if p["heads"] > 1 else ""
    mask = ", causal mask" if p["mask"] == "causal" else ""
    scale = f"scale {p['scale']:g}" if p["scale"] is not None else "scale 1/sqrt(d_k)"
    return (f"Compute scaled dot-product attention{heads} ({scale}{mask}) for {src}: "
            "the scores, the attention weights and the output (rows are positions).")


def _heads_list(a: np.ndarray, heads: int) -> Any:
    return a[0].tolist() if heads == 1 else a.tolist()


def solve(pid: str, p: dict[str, Any]) -> Solution:
    import torch

    from adlkit.lm.transformer import multi_head, split_heads

    Q, K, V = (torch.as_tensor(p[k], dtype=torch.float64) for k in ("Q", "K", "V"))
    h = p["heads"]
    d_k = Q.shape[1] // h
    scale = p["scale"] if p["scale"] is not None else 1.0 / math.sqrt(d_k)
    causal = p["mask"] == "causal"
    scores, weights, out = multi_head(Q, K, V, h, scale=scale, causal=causal)
    S, W, O = scores.numpy(), weights.numpy(), out.numpy()
    sol = Solution(pid, "attention", answers={"scores": _heads_list(S, h), "weights": _heads_list(W, h),
                                              "output": O.tolist()})
    sol.conventions = {
        "rows": "rows are positions: Q is T_q x d_k, K is T_k x d_k, V is T_k x d_v" +
                ("; Q = X W_q, K = X W_k, V = X W_v" if "X" in p else ""),
        "scores": f"scores = scale * Q K^T, scale = {'1/sqrt(d_k)' if p['scale'] is None else 'as given'}"
                  f" = {scale:.10g} (d_k = {d_k}, the width of one head)",
        "softmax": "each ROW of the scores is normalised (over the keys): row i of the weights sums to 1",
        "mask": "causal: scores above the diagonal are -inf (weight 0): position i sees positions 1..i"
                if causal else "none: every query sees every key",
        "heads": (f"{h} heads: head j takes columns {d_k}(j-1)+1 .. {d_k}j of Q and K (and of V); the outputs "
                  "are concatenated, no output projection; scores and weights are listed per head")
                 if h > 1 else "one head",
    }
    if "X" in p:
        sol.step("Project the inputs", formula=r"Q = X W_q,\ K = X W_k,\ V = X W_v",
                 value=rf"Q = {fmt_matrix(p['Q'])},\ K = {fmt_matrix(p['K'])},\ V = {fmt_matrix(p['V'])}")
    if h > 1:
        qh, kh, vh = (split_heads(t, h).numpy() for t in (Q, K, V))
        sol.step(f"Split the columns into {h} heads of width d_k = {d_k}",
                 substeps=[Step(f"head {j + 1}", formula=rf"Q_{j + 1} = {fmt_matrix(qh[j])},\ K_{j + 1} = "
                                rf"{fmt_matrix(kh[j])},\ V_{j + 1} = {fmt_matrix(vh[j])}") for j in range(h)])
    for j in range(h):
        tag = f" (head {j + 1})" if h > 1 else ""
        sol.step(f"Scores{tag}: every query against every key, scaled",
                 formula=r"S = \frac{Q K^\top}{\sqrt{d_k}}" if p["scale"] is None else r"S = s\, Q K^\top",
                 substituted=rf"{fmt(scale)} \cdot Q K^\top" + (r",\ \text{then } -\infty \text{ above the diagonal}"
                                                                if causal else ""),
                 value=fmt_matrix(S[j]))
        sol.step(f"Attention weights{tag}: softmax of each row",
                 formula=r"A_{ik} = \frac{e^{S_{ik}}}{\sum_{k'} e^{S_{ik'}}}", value=fmt_matrix(W[j]))
    sol.step("Output: the weighted average of the value rows" + (", heads concatenated" if h > 1 else ""),
             formula=r"O = A V" if h == 1 else r"O = [A_1 V_1, \dots, A_h V_h]", value=fmt_matrix(O))
    return sol


def _scale_by_d(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    if problem.get("scale") is not None:
        return
    from adlkit.solve import validate_spec

    try:
        _, [(_, _, p)] = validate_spec({"problems": [problem]})
    except Exception:
        return
    d_k = p["Q"].shape[1] // p["heads"]
    for s, what in ((1.0 / d_k, f"1/d_k = 1/{d_k}"), (1.0 / math.sqrt(p["Q"].shape[1]), "1/sqrt(d_model)"),
                    (1.0, "no scaling")):
        if p["heads"] == 1 and what == "1/sqrt(d_model)":
            continue
        q = copy.deepcopy(problem)
        q["scale"] = s
        yield f"re-solved with scale {what} instead of 1/sqrt(d_k)", resolve(q, key)


SCALE_BY_D = SlipRule("scale_by_d", "scores scaled by 1/d (or not at all) instead of 1/sqrt(d_k)",
                      ("scores", "weights", "output"), _scale_by_d)


def _softmax_axis(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    import torch

    from adlkit.solve import validate_spec

    try:
        _, [(_, _, p)] = validate_spec({"problems": [problem]})
    except Exception:
        return
    from adlkit.lm.transformer import merge_heads, split_heads

    scores = torch.as_tensor(np.asarray(answers["scores"], dtype=float))
    if p["heads"] == 1:
        scores = scores[None]
    w = torch.softmax(scores, dim=-2)  # down each column: over the queries
    if key == "weights":
        yield "the engine's scores normalised down each COLUMN (over the queries)", _heads_list(w.numpy(), p["heads"])
    else:
        v = split_heads(torch.as_tensor(p["V"], dtype=torch.float64), p["heads"])
        yield ("the engine's scores normalised down each COLUMN, times V",
               merge_heads(w @ v).numpy().tolist())


SOFTMAX_AXIS = SlipRule("softmax_axis", "softmax over the wrong axis (columns: over the queries, not the keys)",
                        ("weights", "output"), _softmax_axis)

UNIT = ProblemType(
    name="attention",
    summary="scaled dot-product attention: scores, row-softmax weights, output (heads, causal mask)",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("scores", "weights", "output"),
    slips=(SOFTMAX_AXIS, SCALE_BY_D),
    example={"Q": [[1, 0], [0, 1]], "K": [[1, 0], [1, 1]], "V": [[1, 2], [3, 4]]},
    modules=(10,),
)
