"""Problem type ``lipschitz``: the Lipschitz constant sup |f'| of a 1-D expression on an interval
or the real line, and whether f can be a WGAN critic (question 3A).

Computed by :func:`adlkit.lipschitz.lipschitz_constant`: derivative, critical points of f',
endpoints and limits (SymPy, guarded by timeouts), cross-checked by a numeric scan.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from adlkit.core.domain import REAL_LINE, describe, domain_latex
from adlkit.core.expr import evaluate, symbol
from adlkit.core.latex import tex
from adlkit.core.numbers import fmt
from adlkit.lipschitz import lipschitz_constant
from adlkit.plotting import subplots
from adlkit.solve.common import check_defined, draw_interval, draw_number, maybe
from adlkit.solve.figures import plot_range, save
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import Param
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType

FORMS = ("{a}*x^2", "{a}*sin({b}*x)", "{a}*x + {b}", "{a}*x^3 - {b}*x", "{a}*exp(-x^2)", "{a}*log(1 + x^2)")


def _draw_f(rng, drawn) -> str:
    form = FORMS[int(rng.integers(len(FORMS)))]
    return form.format(a=draw_number(rng, 0.1, 3), b=draw_number(rng, 0.1, 2))


PARAMETERS = (
    Param("f", "expression", "the function f(x)", variables=("x",), draw=_draw_f),
    Param("domain", "domain", "the interval [a, b] on which f is considered", default=REAL_LINE,
          default_text="the real line", draw=lambda rng, d: maybe(rng, draw_interval(rng))),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    expr, domain = params["f"], params["domain"]
    if expr is not INVALID and domain is not INVALID and not check_defined(f, "f", expr, domain):
        return {**params, "f": INVALID}
    return params


def statement(params: dict[str, Any]) -> str:
    return (f"Find the Lipschitz constant of f(x) = {params['f']} on {describe(params['domain'])}. "
            "Can f be used as a WGAN critic (1-Lipschitz)?")


def _val(v: float, exact: Any) -> str:
    if math.isinf(v):
        return r"\infty"
    if exact is not None and exact is not sp.oo and not isinstance(exact, sp.Float):
        e = tex(exact)
        return e if e == fmt(v) else rf"{e} \approx {fmt(v)}"
    return fmt(v)


def solve(pid: str, params: dict[str, Any]) -> Solution:
    f, domain = params["f"], params["domain"]
    r = lipschitz_constant(f, domain)
    K = r.constant
    sol = Solution(pid, "lipschitz", answers={
        "constant": K, "is_lipschitz": r.is_lipschitz, "wgan_ok": r.wgan_ok,
        "attained": r.attained,
    })
    dom = domain_latex(domain)
    sol.conventions = {
        "definition": "f is K-Lipschitz on D if |f(x) - f(y)| <= K |x - y| for all x, y in D; "
                      "constant = the smallest such K = sup over D of |f'(x)|",
        "domain": describe(domain),
        "infinite": "constant is \"inf\" when |f'| is unbounded on the domain (f is not Lipschitz)",
        "wgan": "wgan_ok: constant <= 1 (the WGAN critic must be 1-Lipschitz)",
        "method": ("symbolic: critical points of f', endpoints and limits by SymPy, checked by a "
                   "dense numeric scan of |f'|" if r.method == "symbolic" else
                   "numeric: a dense scan of |f'| refined by golden-section search, together with "
                   "the candidates SymPy could find (float64; reported to full precision)"),
    }
    sol.step("For a differentiable f the smallest Lipschitz constant is the supremum of |f'|",
             formula=rf"K = \sup_{{x \in {dom}}} |f'(x)|")
    sol.step("Differentiate", formula=rf"f(x) = {tex(f)}", value=rf"f'(x) = {tex(r.derivative)}")
    sub: list[Step] = []
    for c in r.candidates:
        label = {"critical": "Critical point of f'", "endpoint": "Endpoint", "limit": "Limit",
                 "limsup": "No limit (oscillates): the largest limit point",
                 "numeric": "Largest |f'| found by the numeric scan",
                 "constant": "f' is constant"}[c.kind]
        value = _val(c.value, c.exact)
        if c.kind in ("critical", "endpoint") and c.where.startswith("x = "):
            formula = rf"|f'({c.where[4:]})|"
        elif c.kind == "limit":
            formula = rf"\lim_{{{c.where}}} |f'(x)|"
        elif c.kind == "limsup":
            formula = rf"\limsup_{{{c.where}}} |f'(x)|"
        elif c.kind == "numeric":
            formula = r"\max_{\text{scan}} |f'(x)|"
            value = rf"{value}\ \text{{at}}\ {c.where}"
        else:
            formula = r"|f'(x)|"
        sub.append(Step(label, formula=formula, value=value))
    if r.second_derivative is not None:
        cp = r.critical_points
        if cp is None:
            crit = "not found symbolically (located numerically below)"
        elif cp is sp.S.EmptySet or (isinstance(cp, sp.FiniteSet) and len(cp) == 0):
            crit = "none"
        elif isinstance(cp, sp.FiniteSet):
            crit = "x = " + ", ".join(str(c) for c in cp)
        else:
            crit = "infinitely many (located numerically below)"
        sol.step(f"|f'| can only peak inside the domain where f'' = 0; zeros in the domain: {crit}",
                 formula=rf"f''(x) = {tex(r.second_derivative)}")
    sol.step("Evaluate |f'| at the candidates, the endpoints, and its limits at infinite ends",
             substeps=sub)
    for n in r.notes:
        sol.step(n[0].upper() + n[1:])
    if not r.is_lipschitz:
        sol.step("|f'| is unbounded, so no finite K exists: f is not Lipschitz on this domain",
                 formula=rf"\sup_{{x \in {dom}}} |f'(x)| = \infty")
        sol.step("WGAN needs a 1-Lipschitz critic: this f cannot be used", formula=r"K = \infty > 1")
        return sol
    how = "attained" if r.attained else "approached but not attained (a limit)"
    sol.step(f"The supremum is the largest candidate ({how})",
             formula=r"K", value=_val(K, r.exact))
    if r.wgan_ok:
        sol.step("WGAN needs a 1-Lipschitz critic: K <= 1, so f can be used",
                 formula=rf"K = {fmt(K)} \le 1")
    else:
        sol.step("WGAN needs a 1-Lipschitz critic: K > 1, so f cannot be used as it is; "
                 "f / K is 1-Lipschitz", formula=rf"K = {fmt(K)} > 1")
    return sol


def figure(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
    x = symbol("x")
    f = p["f"]
    df = sp.diff(f, x)
    lo, hi = plot_range(p["domain"])
    xs = np.linspace(lo, hi, 800)
    fv = np.broadcast_to(np.asarray(evaluate(f, {x: xs}), dtype=float), xs.shape)
    dv = np.abs(np.broadcast_to(np.asarray(evaluate(df, {x: xs}), dtype=float), xs.shape))
    fig, (a1, a2) = subplots(1, 2, figsize=(9, 3.6))
    a1.plot(xs, fv, color="C0")
    a1.set_title("f(x)")
    a2.plot(xs, dv, color="C3", label="|f'(x)|")
    K = sol.answers["constant"]
    if math.isfinite(K):
        a2.axhline(K, color="k", ls="--", lw=1, label=f"K = {K:.4g}")
    a2.axhline(1, color="C2", ls=":", lw=1, label="WGAN bound 1")
    finite = dv[np.isfinite(dv)]
    if finite.size and finite.max() > 1e3 * max(float(np.median(finite)), 1e-12):
        a2.set_yscale("log")  # |f'| spans many orders of magnitude
    a2.set_title("|f'(x)|" + ("" if math.isfinite(K) else "  (unbounded: K = inf)"))
    a2.legend(fontsize=8)
    for a in (a1, a2):
        a.set_xlabel("x")
    return {"derivative": save(fig, out, f"{sol.id}_derivative")}


UNIT = ProblemType(
    name="lipschitz",
    summary="Lipschitz constant sup |f'| of a 1-D expression; WGAN eligibility",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("constant", "is_lipschitz", "wgan_ok", "attained"),
    figures=(figure,),
    example={"f": "x^2", "domain": [-1, 1]},
    modules=(7,),
)
