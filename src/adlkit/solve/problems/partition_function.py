"""Problem type ``partition_function``: Z of a 1-D unnormalised density (question 4A).

Computed by :func:`adlkit.ebm.partition.partition_function`: a Gaussian form is recognised and
the square completed; otherwise SymPy (under a timeout); adaptive quadrature always, compared.
"""

from __future__ import annotations

import math
from typing import Any

import sympy as sp

from adlkit.core.domain import fmt_end
from adlkit.core.latex import tex
from adlkit.core.numbers import fmt
from adlkit.solve.model import Solution
from adlkit.solve.problems.lipschitz import check_defined, parse_domain
from adlkit.solve.registry import register
from adlkit.solve.spec import INVALID, Fields


def parse(f: Fields) -> dict[str, Any]:
    expr = f.expression("f", ["x"])
    domain = parse_domain(f)
    if expr is not INVALID and domain is not INVALID:
        if not check_defined(f, "f", expr, domain, nonnegative=True):
            expr = INVALID
    return {"f": expr, "domain": domain}


def _bounds(domain: tuple[float, float]) -> tuple[str, str]:
    a, b = domain
    lo = r"-\infty" if a == -math.inf else fmt(a)
    hi = r"\infty" if b == math.inf else fmt(b)
    return lo, hi


def solve(pid: str, params: dict[str, Any]) -> Solution:
    from adlkit.ebm.partition import partition_function

    f, domain = params["f"], params["domain"]
    r = partition_function(f, domain)
    exact = None if r.Z_exact is None else str(r.Z_exact)
    sol = Solution(pid, "partition_function", answers={
        "Z": r.Z, "Z_exact": exact, "Z_numeric": r.numeric, "normalizable": r.normalizable,
    })
    sol.conventions = {
        "definition": "Z = integral of f(x) dx over the domain; the normalised density is p(x) = f(x) / Z",
        "domain": f"[{fmt_end(domain[0])}, {fmt_end(domain[1])}]" + (" (the real line, the default)"
                                                                     if domain == (-math.inf, math.inf) else ""),
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


register("partition_function", parse, solve, "partition function Z of a 1-D unnormalised density (exact and quadrature)")
