"""Problem type ``partition_function``: Z of a 1-D unnormalised density (question 4A).

Computed by :func:`adlkit.ebm.partition.partition_function`: a Gaussian form is recognised and
the square completed; otherwise SymPy (under a timeout); adaptive quadrature always, compared.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from adlkit.core.domain import REAL_LINE, describe
from adlkit.core.expr import evaluate, symbol
from adlkit.core.latex import tex
from adlkit.core.numbers import fmt
from adlkit.ebm.partition import partition_function
from adlkit.plotting import subplots
from adlkit.solve.common import check_defined, draw_interval, draw_number, maybe
from adlkit.solve.figures import plot_range, save
from adlkit.solve.model import Solution
from adlkit.solve.schema import Param
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType

FORMS = ("exp(-{a}*(x - {m})^2)", "{c}*exp(-{a}*abs(x - {m}))", "exp(-{a}*x)", "x^2 + {c}", "{c}*exp(-x^2/{a})")


def _draw_f(rng, drawn) -> str:
    form = FORMS[int(rng.integers(len(FORMS)))]
    return form.format(a=draw_number(rng, 0.2, 2), m=draw_number(rng, -2, 2), c=draw_number(rng, 0.5, 3))


PARAMETERS = (
    Param("f", "expression", "the unnormalised density f(x) >= 0", variables=("x",), draw=_draw_f),
    Param("domain", "domain", "the interval [a, b] to integrate over", default=REAL_LINE,
          default_text="the real line", draw=lambda rng, d: maybe(rng, draw_interval(rng))),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    expr, domain = params["f"], params["domain"]
    if expr is not INVALID and domain is not INVALID and not check_defined(f, "f", expr, domain, nonnegative=True):
        return {**params, "f": INVALID}
    return params


def statement(params: dict[str, Any]) -> str:
    return (f"An energy-based model has the unnormalised density f(x) = {params['f']} on "
            f"{describe(params['domain'])}. Compute its partition function Z and the normalised density.")


def _bounds(domain: tuple[float, float]) -> tuple[str, str]:
    a, b = domain
    lo = r"-\infty" if a == -math.inf else fmt(a)
    hi = r"\infty" if b == math.inf else fmt(b)
    return lo, hi


def solve(pid: str, params: dict[str, Any]) -> Solution:
    f, domain = params["f"], params["domain"]
    r = partition_function(f, domain)
    exact = None if r.Z_exact is None else str(r.Z_exact)
    sol = Solution(pid, "partition_function", answers={
        "Z": r.Z, "Z_exact": exact, "Z_numeric": r.numeric, "normalizable": r.normalizable,
    })
    sol.conventions = {
        "definition": "Z = integral of f(x) dx over the domain; the normalised density is p(x) = f(x) / Z",
        "domain": describe(domain),
        "exact": "Z_exact is SymPy's closed form as text (null when none was found); Z is its value, "
                 "or the quadrature value when there is no closed form",
        "numeric": "Z_numeric: globally adaptive Gauss-Legendre quadrature, float64, always computed as a check",
        "infinite": "Z is \"inf\" and normalizable false when the integral diverges: no normalisation exists",
    }
    lo, hi = _bounds(domain)
    ftex = tex(f)
    sol.step("An energy-based model needs p(x) = f(x) / Z, so f must be divided by its integral, "
             "the partition function", formula=rf"Z = \int_{{{lo}}}^{{{hi}}} {ftex}\,dx")
    g = r.gaussian
    if g is not None:
        C = "" if g.C == 1 else rf"{tex(g.C)} \cdot "
        sol.step("The exponent is a quadratic in x", formula=rf"f(x) = {C}\exp\left({tex(g.a2 * sp.Symbol('x')**2 + g.a1 * sp.Symbol('x') + g.a0)}\right)")
        if g.a2 < 0:
            k = "" if g.k == 0 else rf" + {tex(g.k)}"
            sol.step("Complete the square: a Gaussian shape with mean mu and variance sigma^2",
                     formula=rf"-\frac{{(x - \mu)^2}}{{2\sigma^2}}{k},\quad \mu = -\frac{{a_1}}{{2a_2}} = {tex(g.mean)},"
                             rf"\quad \sigma^2 = -\frac{{1}}{{2a_2}} = {tex(g.var)}")
            if domain == (-math.inf, math.inf):
                sol.step("Gaussian integral", formula=r"\int_{-\infty}^{\infty} e^{-\frac{(x-\mu)^2}{2\sigma^2}}\,dx = \sigma\sqrt{2\pi}",
                         substituted=rf"\sqrt{{{tex(g.var)}}} \cdot \sqrt{{2\pi}}")
            else:
                sol.step("On an interval the Gaussian integral is a difference of error functions",
                         formula=r"\int_a^b e^{-\frac{(x-\mu)^2}{2\sigma^2}}\,dx = \sigma\sqrt{\frac{\pi}{2}}\left[\operatorname{erf}\frac{b-\mu}{\sigma\sqrt2} - \operatorname{erf}\frac{a-\mu}{\sigma\sqrt2}\right]")
        elif not r.normalizable:
            sol.step("The quadratic's leading coefficient is positive: f grows like exp(c x^2) and "
                     "its integral over an unbounded domain diverges")
    elif r.method == "sympy":
        sol.step("Integrate exactly (SymPy)", formula=rf"Z = {tex(r.Z_exact)}")
    for n in r.notes:
        sol.step(n[0].upper() + n[1:])
    if not r.normalizable:
        sol.step("The integral diverges: f cannot be normalised into a density on this domain",
                 formula=r"Z = \infty")
        return sol
    if r.Z_exact is not None:
        sol.step("The partition function", formula=r"Z", substituted=tex(r.Z_exact), value=fmt(r.Z))
    else:
        sol.step("No closed form: the partition function by adaptive quadrature", formula=r"Z",
                 value=fmt(r.Z, 6))
    sol.step("Check by adaptive quadrature", formula=r"Z_{\mathrm{quad}}",
             value=rf"{fmt(r.numeric, 8)}\ (\pm {fmt(r.numeric_error, 2)})")
    zt = tex(r.Z_exact) if r.Z_exact is not None else fmt(r.Z, 6)
    sol.step("The normalised density", formula=rf"p(x) = \frac{{1}}{{{zt}}}\,{ftex}")
    return sol


def figure(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
    x = symbol("x")
    centre = 0.0
    lo, hi = plot_range(p["domain"])
    xs = np.linspace(lo, hi, 800)
    fv = np.broadcast_to(np.asarray(evaluate(p["f"], {x: xs}), dtype=float), xs.shape)
    if np.all(np.isfinite(fv)) and fv.max() > 0 and math.isinf(p["domain"][0]) and math.isinf(p["domain"][1]):
        centre = float(np.sum(xs * fv) / np.sum(fv))  # re-centre on the mass
        lo, hi = centre - 8, centre + 8
        xs = np.linspace(lo, hi, 800)
        fv = np.broadcast_to(np.asarray(evaluate(p["f"], {x: xs}), dtype=float), xs.shape)
    fig, ax = subplots(figsize=(7, 3.6))
    ax.plot(xs, fv, color="C0", label="unnormalised f(x)")
    Z = sol.answers["Z"]
    if math.isfinite(Z):
        ax.fill_between(xs, 0, fv, color="C0", alpha=0.25, label=f"area Z = {Z:.4f}")
        ax.plot(xs, fv / Z, color="C1", label="normalised p(x) = f(x)/Z")
    ax.set_xlabel("x")
    ax.legend(fontsize=8)
    ax.set_title("Partition function" + ("" if math.isfinite(Z) else ": the area is infinite"))
    return {"density": save(fig, out, f"{sol.id}_density")}


UNIT = ProblemType(
    name="partition_function",
    summary="partition function Z of a 1-D unnormalised density (exact and quadrature)",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("Z", "Z_exact", "Z_numeric", "normalizable"),
    figures=(figure,),
    example={"f": "exp(-(x - 2.5)^2/9)"},
    modules=(9,),
)
