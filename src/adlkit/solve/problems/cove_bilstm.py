"""Problem type ``cove_bilstm``: the states of a one-layer bidirectional recurrent encoder with
given weights, and the contextual vectors they combine into.

Computed by torch's bidirectional ``nn.RNN`` (tanh cell) or ``nn.LSTM`` (``cell: lstm``, the
module of the CoVe encoder, :class:`adlkit.embeddings.cove.MTLSTM`), with the spec's weights
loaded into it.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from adlkit.core.numbers import fmt_matrix, fmt_vec
from adlkit.solve.common import draw_numbers, maybe
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import Problem, SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType

MAX_SIZE = 64


def _mat(rows: int, cols: int, rng) -> list[list[float]]:
    return [draw_numbers(rng, cols, -1, 1) for _ in range(rows)]


def _dims(d: dict[str, Any]) -> tuple[int, int]:
    x = d["x"]
    dim = len(x[0]) if isinstance(x[0], list) else len(x)
    return dim, d["_h"]


def _draw_x(rng, d):
    dim, t = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    d["_h"] = int(rng.integers(1, 3))
    return draw_numbers(rng, dim, -1, 1) if t == 1 and rng.random() < 0.5 else _mat(t, dim, rng)


def _draw_w(rng, d):
    dim, h = _dims(d)
    return _mat(h, dim, rng)


def _draw_b(rng, d):
    return draw_numbers(rng, _dims(d)[1], -0.5, 0.5)


def _draw_u(rng, d):
    h = _dims(d)[1]
    return maybe(rng, _mat(h, h, rng))


def _draw_combine(rng, d):
    d.pop("_h", None)
    return maybe(rng, str(rng.choice(["sum", "concat", "mean"])))


PARAMETERS = (
    Param("x", "rows", "the input: one vector, or a list of token vectors (one row per token)",
          draw=_draw_x),
    Param("W_f", "rows", "forward input weights (h x d; lstm: 4h x d, gates i, f, g, o as torch)",
          draw=_draw_w),
    Param("b_f", "number_list", "forward bias (h; lstm: 4h)", scalar_ok=True, draw=_draw_b),
    Param("U_f", "rows", "forward recurrent weights (h x h; lstm: 4h x h)", default=None,
          default_text="0 (no recurrence)", draw=_draw_u),
    Param("W_b", "rows", "backward input weights", draw=_draw_w),
    Param("b_b", "number_list", "backward bias", scalar_ok=True, draw=_draw_b),
    Param("U_b", "rows", "backward recurrent weights", default=None, default_text="0 (no recurrence)",
          draw=_draw_u),
    Param("cell", "choice", "tanh: h = tanh(W x + U h_prev + b); lstm: torch's LSTM cell", choices=("tanh", "lstm"),
          default="tanh", draw=lambda rng, d: OMIT),
    Param("combine", "choice", "how the two directions' states combine into the contextual vector",
          choices=("sum", "concat", "mean"), default="sum", draw=_draw_combine),
)


def _bad(*values: Any) -> bool:
    return any(v is INVALID for v in values)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    x = params["x"]
    single = isinstance(f.raw.get("x"), list) and all(not isinstance(a, list) for a in f.raw["x"])
    out = {**params, "single": single}
    if _bad(x, params["cell"]):
        return out
    if x.shape[0] > MAX_SIZE or x.shape[1] > MAX_SIZE:
        f.error("x", f"is too large: at most {MAX_SIZE} tokens of at most {MAX_SIZE} numbers")
        out["x"] = INVALID
        return out
    gates = 4 if params["cell"] == "lstm" else 1
    hidden = None
    for side in ("f", "b"):
        W, b, U = params[f"W_{side}"], params[f"b_{side}"], params[f"U_{side}"]
        if _bad(W, b, U):
            out["x"] = INVALID
            continue
        rows = W.shape[0]
        if W.shape[1] != x.shape[1]:
            f.error(f"W_{side}", f"must have as many columns as x has numbers per token ({x.shape[1]}), got {W.shape[1]}")
            out["x"] = INVALID
            continue
        if rows % gates or rows > gates * MAX_SIZE:
            f.error(f"W_{side}", f"must have 4h rows for an lstm cell (gates i, f, g, o), got {rows}" if gates == 4
                    else f"has too many rows (at most {MAX_SIZE})")
            out["x"] = INVALID
            continue
        h = rows // gates
        if hidden is not None and h != hidden:
            f.error(f"W_{side}", f"must give the same state size as W_f (h = {hidden}), got h = {h}")
            out["x"] = INVALID
        hidden = h
        if b.size != rows:
            f.error(f"b_{side}", f"must have {rows} entries (one per row of W_{side}), got {b.size}")
            out["x"] = INVALID
        if U is not None and U.shape != (rows, h):
            f.error(f"U_{side}", f"must be {rows} x {h}, got {U.shape[0]} x {U.shape[1]}")
            out["x"] = INVALID
    return out


def statement(p: dict[str, Any]) -> str:
    def m(a) -> str:
        return "[" + ", ".join("[" + ", ".join(f"{float(v):g}" for v in row) + "]" for row in np.atleast_2d(a)) + "]"

    x = f"x = {m(p['x'])}" if not p["single"] else f"x = [{', '.join(f'{float(v):g}' for v in p['x'][0])}]"
    rec = lambda s: f", U_{s} = {m(p[f'U_{s}'])}" if p[f"U_{s}"] is not None else ""
    return (f"A one-layer bidirectional {'LSTM' if p['cell'] == 'lstm' else 'tanh RNN'} reads {x} with forward "
            f"weights W_f = {m(p['W_f'])}, b_f = {list(map(float, p['b_f']))}{rec('f')} and backward weights "
            f"W_b = {m(p['W_b'])}, b_b = {list(map(float, p['b_b']))}{rec('b')} (initial states 0). Give the forward and "
            f"backward states and the contextual vector ({p['combine']} of the two directions).")


def run(p: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The forward and backward states (T x h each) from torch's bidirectional RNN/LSTM."""
    import torch
    from torch import nn

    x = torch.as_tensor(p["x"], dtype=torch.float64)
    gates = 4 if p["cell"] == "lstm" else 1
    h = p["W_f"].shape[0] // gates
    kw = {"input_size": x.shape[1], "hidden_size": h, "bidirectional": True, "batch_first": True, "dtype": torch.float64}
    net = nn.LSTM(**kw) if p["cell"] == "lstm" else nn.RNN(nonlinearity="tanh", **kw)
    with torch.no_grad():
        for side, suffix in (("f", ""), ("b", "_reverse")):
            U = p[f"U_{side}"] if p[f"U_{side}"] is not None else np.zeros((gates * h, h))
            getattr(net, f"weight_ih_l0{suffix}").copy_(torch.as_tensor(p[f"W_{side}"]))
            getattr(net, f"weight_hh_l0{suffix}").copy_(torch.as_tensor(U))
            getattr(net, f"bias_ih_l0{suffix}").copy_(torch.as_tensor(p[f"b_{side}"]))
            getattr(net, f"bias_hh_l0{suffix}").zero_()
        out, _ = net(x[None])
    out = out[0].numpy()
    return out[:, :h], out[:, h:]


def solve(pid: str, p: dict[str, Any]) -> Solution:
    fwd, bwd = run(p)
    comb = p["combine"]
    cove = {"sum": fwd + bwd, "mean": (fwd + bwd) / 2, "concat": np.concatenate([fwd, bwd], axis=1)}[comb]
    shape = (lambda a: a[0].tolist()) if p["single"] else (lambda a: a.tolist())
    sol = Solution(pid, "cove_bilstm", answers={"h_forward": shape(fwd), "h_backward": shape(bwd), "cove": shape(cove)})
    lstm = p["cell"] == "lstm"
    sol.conventions = {
        "cell": "torch's LSTM cell: gates i, f, g, o stacked in the rows of W (4h x d), c_t = f c_{t-1} + i g, "
                "h_t = o tanh(c_t)" if lstm else "h_t = tanh(W x_t + U h_{t-1} + b)",
        "initial": "h_0 = 0" + (" and c_0 = 0" if lstm else "") + " in both directions",
        "recurrent": "U_f, U_b default to 0 (each state then depends on its own token only)",
        "backward": "the backward direction reads the tokens from last to first; its state at token t has seen "
                    "tokens t..T",
        "combine": {"sum": "cove_t = forward_t + backward_t", "mean": "cove_t = (forward_t + backward_t) / 2",
                    "concat": "cove_t = [forward_t; backward_t] (forward first)"}[comb],
    }
    T = p["x"].shape[0]
    cell = (r"h_t = \tanh(W x_t + U h_{t-1} + b)" if not lstm else
            r"[i, f, g, o] = W x_t + U h_{t-1} + b;\ c_t = \sigma(f) c_{t-1} + \sigma(i)\tanh(g);\ h_t = \sigma(o)\tanh(c_t)")
    sol.step("Forward direction: tokens 1..T", formula=cell,
             substeps=[Step(f"token {t + 1}", formula=rf"\overrightarrow{{h}}_{{{t + 1}}}", value=fmt_vec(fwd[t]))
                       for t in range(T)])
    sol.step("Backward direction: tokens T..1", formula=cell.replace("h_{t-1}", "h_{t+1}").replace("c_{t-1}", "c_{t+1}"),
             substeps=[Step(f"token {t + 1}", formula=rf"\overleftarrow{{h}}_{{{t + 1}}}", value=fmt_vec(bwd[t]))
                       for t in range(T - 1, -1, -1)])
    sol.step(f"Combine the directions ({comb})",
             formula={"sum": r"\overrightarrow{h}_t + \overleftarrow{h}_t",
                      "mean": r"\frac{1}{2}(\overrightarrow{h}_t + \overleftarrow{h}_t)",
                      "concat": r"[\overrightarrow{h}_t;\ \overleftarrow{h}_t]"}[comb],
             value=fmt_vec(cove[0]) if p["single"] else fmt_matrix(cove))
    return sol


def _summed(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    comb = problem.get("combine", "sum")
    for other in ("sum", "concat", "mean"):
        if other != comb:
            q = copy.deepcopy(problem)
            q["combine"] = other
            yield f"re-solved with combine: {other} instead of {comb}", resolve(q, key)


COMBINE = SlipRule("directions_combined_wrongly", "the directions summed where the question concatenates (or the reverse)",
                   ("cove",), _summed)

UNIT = ProblemType(
    name="cove_bilstm",
    summary="bidirectional RNN/LSTM states with given weights, combined into contextual (CoVe-style) vectors",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("h_forward", "h_backward", "cove"),
    slips=(COMBINE,),
    example={"x": [[1, 0], [0, 1]], "W_f": [[0.5, -0.5]], "b_f": [0.1], "U_f": [[0.5]],
             "W_b": [[0.2, 0.3]], "b_b": [0.0], "combine": "concat"},
    modules=(10,),
)
