"""Problem type ``coupling``: one affine coupling layer of RealNVP (question 1A).

Computed by :class:`adlkit.flows.AffineCoupling`, the layer of the RealNVP model, with the given
s and t expressions as its conditioner; the Jacobian comes from torch autograd (float64).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from adlkit.core.latex import substitute, tex, var
from adlkit.core.numbers import fmt, fmt_matrix, fmt_vec
from adlkit.solve.model import Solution, Step
from adlkit.solve.registry import register
from adlkit.solve.spec import INVALID, Fields

MAX_DIM = 200


def parse(f: Fields) -> dict[str, Any]:
    x = f.number_list("x", min_len=2)
    if x is not INVALID and len(x) > MAX_DIM:
        x = f.error("x", f"must have at most {MAX_DIM} coordinates (the Jacobian is printed in full), got {len(x)}")
    D = len(x) if x is not INVALID else None
    split = f.number("split", default=(D // 2 if D else 1), integer=True, minimum=1)
    flip = f.boolean("flip", default=False)
    params: dict[str, Any] = {"x": x, "split": split, "flip": flip}
    if D is not None and split is not INVALID and split >= D:
        f.error("split", f"must be less than len(x) = {D} (at least one coordinate is transformed), got {split}")
        split = INVALID
    n_pass = split if split is not INVALID else None
    n_trans = D - split if (D is not None and n_pass is not None) else None
    variables = [f"x{i}" for i in range(1, (n_pass or 0) + 1)]
    for name in ("s", "t"):
        raw = f._get(name, None)
        if raw is None:
            f.error(name, "is required")
            params[name] = INVALID
            continue
        items = raw if isinstance(raw, list) else [raw]
        if n_trans is not None and isinstance(raw, list) and len(items) != n_trans:
            f.error(name, f"must give one expression per transformed coordinate ({n_trans}), got {len(items)}")
            params[name] = INVALID
            continue
        if n_pass is None:
            params[name] = INVALID
            continue
        exprs = [f.expression(name, variables, value=item) for item in items]
        params[name] = exprs
    return params


def _conditioner(s_exprs, t_exprs, n_pass: int, n_trans: int):
    """A conditioner x_a (N, n_pass) -> (s, t), each (N, n_trans), from parsed expressions,
    evaluated by the tree-walking torch interpreter (differentiable)."""
    import torch

    from adlkit.core.expr import evaluate

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


register("coupling", parse, solve, "one affine coupling layer of RealNVP (y, log-det, Jacobian, inverse)")
