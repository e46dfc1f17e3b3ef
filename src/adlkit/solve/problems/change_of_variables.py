"""Problem type ``change_of_variables``: the density of x = f(z) (module 5).

Computed by :mod:`adlkit.flows.change`, the flows' ``(outputs, log|det|)`` machinery for two
bijections: a 1-D monotone f (an expression in z; inverse by SymPy under a time-out, else by
bracketing root-finding; log|f'(z)| by torch autograd) with a Gaussian base, or a linear map
x = A z + b (log|det A| by slogdet) with a standard normal base.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from adlkit.core.expr import evaluate, symbol
from adlkit.core.expr import parse as parse_expr
from adlkit.core.latex import tex
from adlkit.core.numbers import fmt, fmt_matrix, fmt_vec
from adlkit.divergences import Normal
from adlkit.solve.common import draw_normal, draw_number, draw_numbers, gaussian_text, maybe
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import Problem, SlipRule, variance_as_std
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType

MAX_POINTS = 100
MAX_DIM = 20
FORMS = ("exp(z)", "{a}*z + {c}", "z^3 + {a}*z", "exp({a}*z)", "softplus(z)", "tanh(z)", "sigmoid(z)",
         "{a}*z + tanh(z)")


def _linear(f: Fields) -> bool:
    return f.has("A")


def _one_d(f: Fields) -> bool:
    return not f.has("A")


def _check_A(A: Any, params: dict[str, Any]) -> str | None:
    if A.shape[0] != A.shape[1]:
        return f"must be square (x = A z + b maps R^d to R^d), got {A.shape[0]}x{A.shape[1]}"
    if A.shape[0] > MAX_DIM:
        return f"must be at most {MAX_DIM}x{MAX_DIM}, got {A.shape[0]}x{A.shape[1]}"
    return None


def _check_b(b: Any, params: dict[str, Any]) -> str | None:
    A = params.get("A", INVALID)
    if A is not INVALID and A is not None and len(b) != A.shape[0]:
        return f"must have one entry per row of A ({A.shape[0]}), got {len(b)}"
    return None


def _draw_A(rng, drawn):
    if rng.random() < 0.6:
        return OMIT
    d = int(rng.integers(1, 4))
    return [[float(v) for v in row] for row in rng.integers(-2, 3, size=(d, d))]


def _draw_f(rng, drawn):
    if "A" in drawn:
        return OMIT
    form = FORMS[int(rng.integers(len(FORMS)))]
    return form.format(a=draw_number(rng, 0.5, 2), c=draw_number(rng, -2, 2))


def _draw_at(rng, drawn):
    n = int(rng.integers(1, 4))
    if "A" in drawn:
        d = len(drawn["A"])
        return [draw_numbers(rng, d, -2, 2) for _ in range(n)]
    f = parse_expr(drawn["f"], ["z"])
    zs = np.asarray(draw_numbers(rng, n, -1.5, 1.5))
    xs = np.broadcast_to(np.asarray(evaluate(f, {symbol("z"): zs}), dtype=float), zs.shape)
    return [round(float(x), 3) for x in xs]  # inside the range of f: z in [-1.5, 1.5] keeps off its ends


PARAMETERS = (
    Param("A", "matrix", "linear form: the square matrix A of x = A z + b (base standard normal)",
          default=None, default_text="none: the 1-D form with f", when=_linear, check=_check_A, draw=_draw_A),
    Param("b", "number_list", "linear form: the shift b", default=None,
          default_text="zeros", when=_linear, check=_check_b,
          draw=lambda rng, d: maybe(rng, draw_numbers(rng, len(d["A"]), -2, 2)) if "A" in d else OMIT),
    Param("f", "expression", "1-D form: x = f(z), strictly monotone on the real line", variables=("z",),
          when=_one_d, missing="is required (or give 'A' for a linear map)", draw=_draw_f),
    Param("base", "gaussian", "1-D form: the base distribution of z", default=Normal(0.0, 1.0),
          default_text="N(0, 1)", univariate=True, when=_one_d,
          draw=lambda rng, d: maybe(rng, draw_normal(rng), 0.3) if "A" not in d else OMIT),
    Param("at", "points", "the points x at which to give the density (numbers in 1-D, vectors for A)",
          draw=_draw_at),
)


def _map(p: dict[str, Any]):
    from adlkit.flows.change import LinearMap, MonotoneMap

    if p.get("A") is not None:
        A = p["A"]
        b = p["b"] if p.get("b") is not None else np.zeros(A.shape[0])
        return LinearMap(A, b)
    return MonotoneMap(p["f"])


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    from adlkit.flows.change import NotMonotoneError

    params = {"A": None, "b": None, "f": None, "base": None, **params}  # the other form's fields
    if f.has("A"):
        for name in ("f", "base"):
            if f.has(name):
                f.error(name, "cannot be given together with 'A' (the linear form has a standard normal base)")
        params = {**params, "f": None, "base": None}
    if any(v is INVALID for v in params.values()):
        return params
    at = params["at"]
    if at.shape[0] > MAX_POINTS:
        f.error("at", f"must have at most {MAX_POINTS} points, got {at.shape[0]}")
        return {**params, "at": INVALID}
    if params["A"] is not None:
        d = params["A"].shape[0]
        if at.ndim == 1:
            if len(at) != d:
                f.error("at", f"must be a list of vectors of length {d} (the size of A), got {at.tolist()}")
                return {**params, "at": INVALID}
            at = at[None, :]
        elif at.shape[1] != d:
            f.error("at", f"must hold vectors of length {d} (the size of A), got length {at.shape[1]}")
            return {**params, "at": INVALID}
        return {**params, "at": at}
    if at.ndim != 1:
        f.error("at", "must be a list of numbers in the 1-D form")
        return {**params, "at": INVALID}
    try:
        m = _map(params)
    except NotMonotoneError as err:
        f.error("f", str(err))
        return {**params, "f": INVALID}
    for x in at:
        try:
            m.inverse_value(float(x))
        except ValueError:
            lo, hi = m.range()
            f.error("at", f"has x = {x:g} outside the range of f ({fmt(lo)}, {fmt(hi)}): "
                          "no z maps there (the density is 0)")
            return {**params, "at": INVALID}
    return params


def statement(params: dict[str, Any]) -> str:
    if params["A"] is not None:
        b = params["b"] if params["b"] is not None else np.zeros(params["A"].shape[0])
        pts = "; ".join(fmt_vec(x) for x in params["at"])
        return (f"Let z be standard normal in R^{params['A'].shape[0]} and x = A z + b with A = "
                f"{params['A'].tolist()} and b = {b.tolist()}. Compute det A and the density of x at "
                f"x = {pts}, or say why it has none.")
    return (f"Let z ~ {gaussian_text(params['base'])} and x = f(z) = {params['f']}. Find the inverse "
            f"z = f^(-1)(x) and the density p(x) at x = {', '.join(fmt(v) for v in params['at'])}.")


def _log_normal(z: np.ndarray, g: Normal) -> np.ndarray:
    return -0.5 * (z - g.mean) ** 2 / g.var - 0.5 * math.log(2 * math.pi * g.var)


def solve(pid: str, p: dict[str, Any]) -> Solution:
    m = _map(p)
    return _solve_linear(pid, p, m) if p["A"] is not None else _solve_1d(pid, p, m)


def _solve_1d(pid: str, p: dict[str, Any], m) -> Solution:
    base: Normal = p["base"]
    x = np.asarray(p["at"], dtype=np.float64)
    z, _ = m.inverse(x)
    x_back, log_det = m.forward(z)
    dfdz = np.exp(log_det) * (1 if m.increasing else -1)
    log_pz = _log_normal(z, base)
    log_px = log_pz - log_det
    inverse = None if m.inverse_expr is None else str(m.inverse_expr)
    sol = Solution(pid, "change_of_variables", answers={
        "z": z.tolist(), "density": np.exp(log_px).tolist(), "log_density": log_px.tolist(),
        "log_det": log_det.tolist(), "inverse": inverse, "det": dfdz.tolist(), "invertible": True,
        "log_pz": log_pz.tolist(),
    })
    sol.conventions = {
        "direction": "x = f(z): z is the base variable, x the transformed one",
        "base": f"z ~ {gaussian_text(base)}; N(m, v) means mean m and VARIANCE v",
        "log_det": "log|det dx/dz| = log|f'(z)| at z = f^{-1}(x), natural log (nats)",
        "density": "p_X(x) = p_Z(z) / |f'(z)|, i.e. log_density = log p_Z(z) - log_det",
        "det": "det: f'(z) itself (the 1x1 Jacobian, signed); invertible: f is strictly monotone, so always true",
        "inverse": ("SymPy's solution of x = f(z), checked numerically" if inverse is not None else
                    "null: no closed form found; z is found by Brent's method on f(z) - x (float64)"),
    }
    sol.step("Change of variables for a monotone map: probability mass is preserved, p_X(x)|dx| = p_Z(z)|dz|",
             formula=r"p_X(x) = p_Z\!\left(f^{-1}(x)\right)\left|\frac{d f^{-1}}{dx}\right| = \frac{p_Z(z)}{|f'(z)|},\quad z = f^{-1}(x)")
    sol.step("f is strictly " + ("increasing" if m.increasing else "decreasing") + " on the real line, so it has an inverse",
             formula=rf"x = f(z) = {tex(p['f'])}")
    if m.inverse_expr is not None:
        sol.step("Solve x = f(z) for z: the inverse", formula=rf"z = f^{{-1}}(x) = {tex(m.inverse_expr)}")
    else:
        sol.step("x = f(z) has no closed-form solution here: z is found numerically (Brent's method on f(z) - x)",
                 formula=r"z = f^{-1}(x)")
    sol.step("Differentiate f: the Jacobian term is |f'(z)| (its log is the log-det)",
             formula=rf"f'(z) = {tex(m.derivative)}")
    for i, xi in enumerate(x):
        sub = [
            Step("Invert", formula=rf"z = f^{{-1}}({fmt(xi)})", value=fmt(z[i])),
            Step("Jacobian term", formula=rf"|f'({fmt(z[i])})|,\ \log|f'(z)|",
                 value=rf"{fmt(abs(dfdz[i]))},\ {fmt(log_det[i])}"),
            Step("Base log-density", formula=r"\log p_Z(z) = -\frac{(z - \mu)^2}{2\sigma^2} - \frac{1}{2}\log(2\pi\sigma^2)",
                 substituted=rf"-\frac{{({fmt(z[i])} - {fmt(base.mean)})^2}}{{2 \cdot {fmt(base.var)}}} - \frac{{1}}{{2}}\log(2\pi \cdot {fmt(base.var)})",
                 value=fmt(log_pz[i])),
            Step("Subtract the log-det", formula=r"\log p_X(x) = \log p_Z(z) - \log|f'(z)|",
                 substituted=rf"{fmt(log_pz[i])} - {_par(log_det[i])}", value=fmt(log_px[i])),
        ]
        sol.step(f"At x = {fmt(xi)}", formula=rf"p_X({fmt(xi)}) = e^{{{fmt(log_px[i])}}}",
                 value=fmt(float(np.exp(log_px[i]))), substeps=sub)
    return sol


def _solve_linear(pid: str, p: dict[str, Any], m) -> Solution:
    X = np.asarray(p["at"], dtype=np.float64)
    d = m.A.shape[0]
    conventions = {
        "direction": "x = A z + b: z is the base variable, x the transformed one",
        "base": f"z ~ N(0, I_{d}), standard normal",
        "log_det": "log|det dx/dz| = log|det A| (the same at every x), natural log (nats)",
        "density": "p_X(x) = p_Z(A^{-1}(x - b)) / |det A|, i.e. log_density = log p_Z(z) - log_det",
        "invertible": "false when det A = 0: x = A z + b then lives on a lower-dimensional subspace and has no density (z, density, log_density null)",
    }
    sol_steps: list[tuple[str, dict[str, Any]]] = [
        ("The change of variables for an invertible linear map", dict(
            formula=r"p_X(x) = \frac{p_Z\!\left(A^{-1}(x - b)\right)}{|\det A|}")),
        ("The determinant of A", dict(formula=rf"\det {fmt_matrix(m.A)}", value=fmt(m.det))),
    ]
    if not m.invertible:
        sol = Solution(pid, "change_of_variables", answers={
            "z": None, "density": None, "log_density": None, "log_det": m.log_abs_det, "inverse": None,
            "det": m.det, "invertible": False, "log_pz": None,
        })
        sol.conventions = conventions
        for text, kw in sol_steps:
            sol.step(text, **kw)
        sol.step("det A = 0: A is singular, so x = A z + b is not invertible. All of x's probability lies on "
                 "the image of A, a subspace of lower dimension (volume 0), so x has no density on "
                 f"R^{d}: log|det A| = -inf and the change-of-variables formula does not apply")
        return sol
    Z, _ = m.inverse(X)
    log_pz = -0.5 * (Z ** 2).sum(1) - 0.5 * d * math.log(2 * math.pi)
    log_px = log_pz - m.log_abs_det
    Ainv = np.linalg.inv(m.A)
    inverse = f"z = A^-1 (x - b), A^-1 = {Ainv.tolist()}"
    sol = Solution(pid, "change_of_variables", answers={
        "z": Z.tolist(), "density": np.exp(log_px).tolist(), "log_density": log_px.tolist(),
        "log_det": m.log_abs_det, "inverse": inverse, "det": m.det, "invertible": True,
        "log_pz": log_pz.tolist(),
    })
    sol.conventions = conventions
    for text, kw in sol_steps:
        sol.step(text, **kw)
    sol.step("Log-determinant (the Jacobian dx/dz is A everywhere)", formula=r"\log|\det A|",
             value=fmt(m.log_abs_det))
    sol.step("Invert the map", formula=r"z = A^{-1}(x - b)", value=rf"A^{{-1}} = {fmt_matrix(Ainv)}")
    for i in range(X.shape[0]):
        sub = [
            Step("Invert", formula=rf"z = A^{{-1}}({fmt_vec(X[i])} - {fmt_vec(m.b)})", value=fmt_vec(Z[i])),
            Step("Base log-density", formula=r"\log p_Z(z) = -\frac{1}{2}\|z\|^2 - \frac{d}{2}\log 2\pi",
                 substituted=rf"-\frac{{1}}{{2}} \cdot {fmt(float((Z[i] ** 2).sum()))} - \frac{{{d}}}{{2}}\log 2\pi",
                 value=fmt(log_pz[i])),
            Step("Subtract the log-det", formula=r"\log p_X(x) = \log p_Z(z) - \log|\det A|",
                 substituted=rf"{fmt(log_pz[i])} - {_par(m.log_abs_det)}", value=fmt(log_px[i])),
        ]
        sol.step(f"At x = {fmt_vec(X[i])}", formula=rf"p_X(x) = e^{{{fmt(log_px[i])}}}",
                 value=fmt(float(np.exp(log_px[i]))), substeps=sub)
    return sol


def _par(v: float) -> str:
    return f"({fmt(v)})" if v < 0 else fmt(v)


def _scale(v: Any, c: float) -> Any:
    return [a * c for a in v] if isinstance(v, list) else v * c if isinstance(v, float) else None


def _sign_flipped(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    lpz, ld = answers.get("log_pz"), answers.get("log_det")
    if lpz is None or ld is None:
        return
    wrong = (np.asarray(lpz) + np.asarray(ld)).tolist()
    if key == "log_density":
        yield "log p_Z(z) + log|det dx/dz| (the log-det added instead of subtracted)", wrong
    elif key == "density":
        yield "p_Z(z) |det dx/dz| (multiplied by the Jacobian term instead of divided)", np.exp(wrong).tolist()


def _bits(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    v = answers.get(key)
    if key in ("log_density", "log_det", "log_pz") and v is not None:
        yield "the engine's natural logs divided by ln 2 (bits)", _scale(v, 1 / math.log(2))


LOG_DET_SIGN = SlipRule("log_det_sign", "the log-det sign flipped in the change of variables "
                        "(log p_X(x) = log p_Z(z) + log|det dx/dz|)", ("log_density", "density"), _sign_flipped)
NATS_AS_BITS = SlipRule("log_base_2", "log base 2 instead of natural log (e): nats reported as bits",
                        ("log_density", "log_det", "log_pz"), _bits)


UNIT = ProblemType(
    name="change_of_variables",
    summary="the density of x = f(z) (1-D monotone f, or linear A z + b): inverse, log-det, p(x)",
    parameters=PARAMETERS,
    solve=solve,
    statement=statement,
    answers=("z", "density", "log_density", "log_det", "inverse", "det", "invertible", "log_pz"),
    parse=parse,
    slips=(LOG_DET_SIGN, NATS_AS_BITS, variance_as_std("base")),
    example={"f": "exp(z)", "at": [0.5, 1, 2]},
    modules=(5,),
)
