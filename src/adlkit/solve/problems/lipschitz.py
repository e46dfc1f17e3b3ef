"""Problem type ``lipschitz``: the Lipschitz constant sup |f'| of a 1-D expression on an interval
or the real line, and whether f can be a WGAN critic (question 3A).

Computed by :func:`adlkit.lipschitz.lipschitz_constant`: derivative, critical points of f',
endpoints and limits (SymPy, guarded by timeouts), cross-checked by a numeric scan.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import sympy as sp

from adlkit.core import domain as core_domain
from adlkit.core.domain import domain_latex, fmt_end
from adlkit.core.grid import scan_grid
from adlkit.core.latex import tex
from adlkit.core.numbers import fmt
from adlkit.solve.model import Solution, Step
from adlkit.solve.registry import register
from adlkit.solve.spec import INVALID, Fields


def parse_domain(f: Fields, name: str = "domain") -> Any:
    """``[a, b]`` with numbers or "-oo"/"oo"; default the real line. Returns (a, b) floats."""
    try:
        return core_domain.parse_domain(f._get(name, None))
    except ValueError as err:
        return f.error(name, str(err))


def check_defined(f: Fields, name: str, expr: sp.Expr, domain: tuple[float, float], *,
                  nonnegative: bool = False) -> bool:
    """Record an error unless ``expr`` is real (and finite where |x| <= 20, and >= 0 when
    asked) on a scan of the domain."""
    from adlkit.core.expr import evaluate, symbol

    xs = scan_grid(*domain)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            v = np.broadcast_to(np.asarray(evaluate(expr, {symbol("x"): xs}, backend="numpy"),
                                           dtype=np.float64), xs.shape)
        except Exception as err:  # an expression numpy cannot evaluate
            f.error(name, f"cannot be evaluated numerically: {err}")
            return False
    bad = np.isnan(v)
    if np.any(bad):
        x0 = xs[int(np.argmax(bad))]
        f.error(name, f"is not defined (not real) at x = {x0:.6g} in the domain; restrict 'domain'")
        return False
    bad = np.isinf(v) & (np.abs(xs) <= 20)
    if np.any(bad):
        x0 = xs[int(np.argmax(bad))]
        f.error(name, f"is not finite at x = {x0:.6g} in the domain")
        return False
    if nonnegative and np.all(v == 0):
        f.error(name, "is zero everywhere on the domain: there is nothing to normalise")
        return False
    if nonnegative and np.any(v < 0):
        x0 = xs[int(np.argmax(v < 0))]
        f.error(name, f"must be a non-negative (unnormalised) density, but f({x0:.6g}) = {float(v[xs == x0][0]):.6g} < 0")
        return False
    return True


def parse(f: Fields) -> dict[str, Any]:
    expr = f.expression("f", ["x"])
    domain = parse_domain(f)
    if expr is not INVALID and domain is not INVALID:
        if not check_defined(f, "f", expr, domain):
            expr = INVALID
    return {"f": expr, "domain": domain}


def _val(v: float, exact: Any) -> str:
    if math.isinf(v):
        return r"\infty"
    if exact is not None and exact is not sp.oo and not isinstance(exact, sp.Float):
        e = tex(exact)
        return e if e == fmt(v) else rf"{e} \approx {fmt(v)}"
    return fmt(v)


def solve(pid: str, params: dict[str, Any]) -> Solution:
    from adlkit.lipschitz import lipschitz_constant

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
        "domain": f"[{fmt_end(domain[0])}, {fmt_end(domain[1])}]" + (" (the real line, the default)"
                                                                     if domain == (-math.inf, math.inf) else ""),
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


register("lipschitz", parse, solve, "Lipschitz constant sup |f'| of a 1-D expression; WGAN eligibility")
