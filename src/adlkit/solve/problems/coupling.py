"""Problem type ``coupling``: one affine coupling layer of RealNVP (question 1A).

Computed by :class:`adlkit.flows.AffineCoupling`, the layer of the RealNVP model, with the given
s and t expressions as its conditioner; the Jacobian comes from torch autograd (float64).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np

from adlkit.core.expr import evaluate
from adlkit.core.latex import substitute, tex, var
from adlkit.core.numbers import fmt, fmt_matrix, fmt_vec
from adlkit.plotting import subplots
from adlkit.solve.common import draw_numbers, maybe
from adlkit.solve.figures import save
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import Param
from adlkit.solve.slips import LOG_BASES, Problem, SlipRule, resolve
from adlkit.solve.spec import INVALID
from adlkit.solve.unit import ProblemType, in_nats

MAX_DIM = 200


def _valid(params: dict[str, Any], *names: str) -> bool:
    return all(params.get(n, INVALID) is not INVALID for n in names)


def _n_transformed(params: dict[str, Any]) -> int | None:
    return len(params["x"]) - params["split"] if _valid(params, "x", "split") else None


def _pass_through_names(params: dict[str, Any]) -> list[str] | None:
    """x1..xd, the names of the d = split pass-through coordinates in s and t."""
    return [f"x{i}" for i in range(1, params["split"] + 1)] if _valid(params, "split") else None


def _check_x(x: Any, params: dict[str, Any]) -> str | None:
    if len(x) > MAX_DIM:
        return f"must have at most {MAX_DIM} coordinates (the Jacobian is printed in full), got {len(x)}"
    return None


def _check_split(split: int, params: dict[str, Any]) -> str | None:
    D = len(params["x"]) if _valid(params, "x") else None
    if D is not None and split >= D:
        return f"must be less than len(x) = {D} (at least one coordinate is transformed), got {split}"
    return None


def _draw_conditioner(rng, drawn, scale: float):
    """A log-scale or shift: one expression for every transformed coordinate, or a list."""
    D = len(drawn["x"])
    d = drawn.get("split", D // 2)
    names = [f"x{i}" for i in range(1, d + 1)]

    def one() -> str:
        a = round(float(rng.uniform(-scale, scale)), 1)
        v = names[int(rng.integers(d))]
        form = int(rng.integers(3))
        return f"{a:g}*{v}" if form == 0 else f"{a:g}*tanh({v})" if form == 1 else f"{a:g}*{v} + {int(rng.integers(-2, 3))}"

    return one() if rng.random() < 0.5 else [one() for _ in range(D - d)]


PARAMETERS = (
    Param("x", "number_list", "the input point (at least 2 coordinates)", min_len=2, check=_check_x,
          draw=lambda rng, d: draw_numbers(rng, int(rng.integers(2, 5)), -2, 2)),
    Param("split", "integer", "d, the number of pass-through coordinates", minimum=1,
          default=lambda p: len(p["x"]) // 2 if _valid(p, "x") else 1, default_text="len(x) // 2",
          check=_check_split, draw=lambda rng, d: maybe(rng, int(rng.integers(1, len(d["x"]))))),
    Param("flip", "boolean", "false: the first d coordinates pass through; true: the last d",
          default=False, draw=lambda rng, d: maybe(rng, bool(rng.random() < 0.5))),
    Param("s", "expressions", "the log-scale s(x_a): an expression in x1..xd, or one per transformed coordinate",
          variables=_pass_through_names, count=_n_transformed, per="transformed coordinate",
          draw=lambda rng, d: _draw_conditioner(rng, d, 1.0)),
    Param("t", "expressions", "the shift t(x_a): an expression in x1..xd, or one per transformed coordinate",
          variables=_pass_through_names, count=_n_transformed, per="transformed coordinate",
          draw=lambda rng, d: _draw_conditioner(rng, d, 2.0)),
)


def statement(params: dict[str, Any]) -> str:
    x, d, flip = params["x"], int(params["split"]), bool(params["flip"])

    def exprs(e: list[Any]) -> str:
        return str(e[0]) if len(e) == 1 else "[" + ", ".join(str(v) for v in e) + "]"

    names = "x1, the pass-through coordinate" if d == 1 else f"x1..x{d}, the pass-through coordinates"
    return (f"An affine coupling layer of RealNVP passes the {'last' if flip else 'first'} {d} coordinate(s) "
            f"x_a of x through and maps the others to y_b = x_b * exp(s(x_a)) + t(x_a), with "
            f"s = {exprs(params['s'])} and t = {exprs(params['t'])} (in {names}). "
            f"For x = [{', '.join(fmt(v) for v in x)}], compute y, the Jacobian dy/dx, log|det J|, "
            "and invert y.")


def _conditioner(s_exprs, t_exprs, n_pass: int, n_trans: int):
    """A conditioner x_a (N, n_pass) -> (s, t), each (N, n_trans), from parsed expressions,
    evaluated by the tree-walking torch interpreter (differentiable)."""
    import torch

    s_list = s_exprs if len(s_exprs) == n_trans else s_exprs * n_trans
    t_list = t_exprs if len(t_exprs) == n_trans else t_exprs * n_trans

    def cond(x_a):
        env = {f"x{i + 1}": x_a[:, i] for i in range(n_pass)}

        def col(e):
            v = evaluate(e, env, backend="torch")
            return torch.as_tensor(v, dtype=x_a.dtype).expand(x_a.shape[0])

        s = torch.stack([col(e) for e in s_list], dim=1)
        t = torch.stack([col(e) for e in t_list], dim=1)
        return s, t

    return cond, s_list, t_list


def solve(pid: str, p: dict[str, Any]) -> Solution:
    import torch

    from adlkit.flows import AffineCoupling, split_mask

    x = np.asarray(p["x"], dtype=np.float64)
    D, d, flip = len(x), int(p["split"]), bool(p["flip"])
    m = D - d
    cond, s_list, t_list = _conditioner(p["s"], p["t"], d, m)
    mask = split_mask(D, d, flip)
    layer = AffineCoupling(mask, cond)
    xt = torch.tensor(x, dtype=torch.float64).unsqueeze(0)
    with torch.no_grad():
        y, log_det = layer(xt)
        x_inv, _ = layer.inverse(y)
        s_val, t_val = layer.scale_shift(xt[:, layer.idx_a])
    jac = torch.autograd.functional.jacobian(lambda z: layer(z.unsqueeze(0))[0][0], xt[0])
    y = y[0].numpy()
    s_val, t_val = s_val[0].numpy(), t_val[0].numpy()
    idx_a = layer.idx_a.tolist()
    idx_b = layer.idx_b.tolist()

    sol = Solution(pid, "coupling", answers={
        "y": y.tolist(),
        "log_det": float(log_det[0]),
        "jacobian": jac.numpy().tolist(),
        "x_inverse": x_inv[0].numpy().tolist(),
    })
    sol.conventions = {
        "direction": "forward maps x to y: y_a = x_a, y_b = x_b * exp(s(x_a)) + t(x_a)",
        "split": (f"the {'last' if flip else 'first'} {d} coordinate(s) pass through unchanged"
                  f" ({'flip: true' if flip else 'flip: false'}); the other {m} are transformed"),
        "variables": ("in s and t, " + ("x1 names the pass-through coordinate" if d == 1 else
                      f"x1..x{d} name the pass-through coordinates in order")),
        "broadcast": "a single s or t expression is applied to every transformed coordinate",
        "log": "natural logarithm; log_det = log|det(dy/dx)| = sum of s over transformed coordinates",
    }
    pass_vals = {f"x{i + 1}": float(x[j]) for i, j in enumerate(idx_a)}
    orig = [f"x_{{{j + 1}}}" for j in range(D)]
    sol.step(
        "Split x into the pass-through part x_a and the transformed part x_b",
        formula=(r"x_a = (" + ", ".join(orig[j] for j in idx_a) + r"),\quad x_b = ("
                 + ", ".join(orig[j] for j in idx_b) + ")"),
        value=rf"x_a = {fmt_vec(x[idx_a])},\quad x_b = {fmt_vec(x[idx_b])}",
    )
    if flip or d > 1:
        names = ", ".join(f"{var(f'x{i + 1}')} = {orig[j]}" for i, j in enumerate(idx_a))
        sol.step("Name the pass-through coordinates as the expressions use them", formula=names)
    for k, j in enumerate(idx_b):
        sub = []
        for label, e, val in (("s", s_list[k], s_val[k]), ("t", t_list[k], t_val[k])):
            sub.append(Step(f"Compute {label}(x_a) for coordinate {j + 1}",
                            formula=f"{label}_{{{j + 1}}}(x_a) = {tex(e)}",
                            substituted=substitute(e, pass_vals), value=fmt(val)))
        yj = y[j]
        sol.step(
            f"Transform coordinate {j + 1}",
            formula=rf"y_{{{j + 1}}} = x_{{{j + 1}}} \cdot \exp(s_{{{j + 1}}}) + t_{{{j + 1}}}",
            substituted=rf"{fmt(x[j])} \cdot \exp({fmt(s_val[k])}) + {fmt(t_val[k])}"
                        rf" = {fmt(x[j] * np.exp(s_val[k]))} + {fmt(t_val[k])}",
            value=fmt(yj),
            substeps=sub,
        )
    sol.step(
        "Pass-through coordinates are copied",
        formula=", ".join(f"y_{{{j + 1}}} = x_{{{j + 1}}}" for j in idx_a),
        value=", ".join(f"y_{{{j + 1}}} = {fmt(y[j])}" for j in idx_a),
    )
    sol.step("Transformed output", formula=r"\mathbf{y}", value=fmt_vec(y))
    sol.step(
        "Jacobian dy/dx (autograd): triangular after ordering x_a before x_b, with diagonal "
        "1 for pass-through and exp(s) for transformed coordinates",
        formula=r"J = \frac{\partial \mathbf{y}}{\partial \mathbf{x}}",
        value=fmt_matrix(jac.numpy()),
    )
    s_sum = " + ".join(fmt(v) for v in s_val)
    det_terms = r" \cdot ".join([r"1"] * d + [rf"\exp({fmt(v)})" for v in s_val])
    sol.step(
        "The determinant of a triangular matrix is the product of its diagonal",
        formula=r"\det J = \prod_j \exp(s_j)",
        substituted=det_terms,
        value=fmt(float(np.exp(s_val.sum()))),
    )
    sol.step(
        "Log-determinant of the Jacobian",
        formula=r"\log|\det J| = \sum_j s_j(x_a)",
        substituted=s_sum,
        value=fmt(float(log_det[0])),
    )
    sol.step(
        "Check by inverting: x_b = (y_b - t(y_a)) exp(-s(y_a)), y_a = x_a",
        formula=r"\mathbf{x} = f^{-1}(\mathbf{y})",
        value=fmt_vec(x_inv[0].numpy()),
    )
    return sol


def figure(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
    import torch

    from adlkit.flows import AffineCoupling, split_mask

    x0 = np.asarray(p["x"], dtype=float)
    if x0.size != 2:
        return {}
    d = int(p["split"])
    cond, _, _ = _conditioner(p["s"], p["t"], d, 2 - d)
    layer = AffineCoupling(split_mask(2, d, bool(p["flip"])), cond)
    lines = []
    ticks = np.linspace(-2, 2, 9)
    fine = np.linspace(-2, 2, 100)
    for c in ticks:
        lines.append(np.stack([np.full_like(fine, c), fine], 1))
        lines.append(np.stack([fine, np.full_like(fine, c)], 1))
    fig, (a1, a2) = subplots(1, 2, figsize=(9, 4))
    with torch.no_grad():
        for seg in lines:
            y, _ = layer(torch.tensor(seg, dtype=torch.float64))
            a1.plot(seg[:, 0], seg[:, 1], color="C0", lw=0.7)
            a2.plot(y[:, 0].numpy(), y[:, 1].numpy(), color="C1", lw=0.7)
        y0, _ = layer(torch.tensor(x0[None, :], dtype=torch.float64))
    a1.scatter([x0[0]], [x0[1]], color="C3", zorder=5, label=f"x = {x0.tolist()}")
    a2.scatter([float(y0[0, 0])], [float(y0[0, 1])], color="C3", zorder=5,
               label=f"y = [{float(y0[0, 0]):.4g}, {float(y0[0, 1]):.4g}]")
    a1.set_title("grid in x")
    a2.set_title("its image y = coupling(x)")
    for a in (a1, a2):
        a.legend(fontsize=8)
        a.set_xlabel("coordinate 1")
        a.set_ylabel("coordinate 2")
    return {"coupling_grid": save(fig, out, f"{sol.id}_coupling_grid")}


def _dropped_log_det_term(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    """Re-solve the coupling layer with one transformed coordinate's log-scale s_j set to 0,
    i.e. the log-det without that coordinate's term."""
    s = problem.get("s")
    y = answers.get("y")
    if s is None or not isinstance(y, list):
        return
    D = len(y)
    d = problem.get("split", D // 2)
    if not (isinstance(d, (int, float)) and not isinstance(d, bool) and 1 <= d < D):
        return
    m = D - int(d)
    s_list = list(s) if isinstance(s, list) else [s] * m
    if len(s_list) != m:
        return
    flip = bool(problem.get("flip", False))
    coords = list(range(1, m + 1)) if flip else list(range(int(d) + 1, D + 1))
    for j in range(m):
        p = copy.deepcopy(problem)
        p["s"] = [("0" if i == j else e) for i, e in enumerate(s_list)]
        yield (f"re-solved without the log-det term of coordinate {coords[j]} "
               f"(its log-scale s = {s_list[j]} taken as 0)"), resolve(p, key)


LOG_DET_TERM_FORGOTTEN = SlipRule(
    "log_det_term_forgotten",
    "a log-det term forgotten (like dropping the logit pre-processing's log-det from a flow's likelihood)",
    ("log_det",), _dropped_log_det_term)

UNIT = ProblemType(
    name="coupling",
    summary="one affine coupling layer of RealNVP (y, log-det, Jacobian, inverse)",
    parameters=PARAMETERS,
    solve=solve,
    statement=statement,
    answers=("y", "log_det", "jacobian", "x_inverse"),
    nats=in_nats("log_det"),
    slips=(*LOG_BASES, LOG_DET_TERM_FORGOTTEN),
    figures=(figure,),
    example={"x": [1, 1], "s": "0.5*x1", "t": "2*x1 + 1"},
    modules=(5,),
)

